"""Feedback box (issue 8, point 3): what an alumnus tells the company at any time, named or anonymous,
triaged by the secretariat, answered when named, and linked to the "you said, we did" news
(声から生まれた改善) that shows what changed.

Anonymous means unlinkable: an anonymous row stores no person, no exact time (only the Monday of the
week it came in, coarser than the per-day activity facts of analytics) and no audit entry names its
author. Every row's key is random, so that the order of ids does not tell when a row was written
between two named ones.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from enishi.lib.names import BilingualName

MAX_FEEDBACK_CHARS = 4000
MAX_REPLY_CHARS = 4000


def random_id() -> int:
    """A random positive key that fits a signed 64-bit column and JavaScript's safe integers."""
    return secrets.randbelow(2**53 - 1) + 1


class FeedbackTopic(BilingualName, models.Model):
    """What a piece of feedback is about (制度・働き方, 事業・サービス…): a list each network edits."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    name_ja = models.CharField(_("name (Japanese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("feedback topic")
        verbose_name_plural = _("feedback topics")
        ordering = ("position", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "name_ja"), name="feedbacktopic_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("feedback", "New")
        READ = "read", pgettext_lazy("feedback", "Read")
        ACTED_ON = "acted_on", pgettext_lazy("feedback", "Acted on")

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(FeedbackTopic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("topic"))  # fmt: skip
    text = models.TextField(_("what you would like to tell us"), max_length=MAX_FEEDBACK_CHARS)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # The author of named feedback; always None for anonymous feedback.
    membership = models.ForeignKey("networks.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")  # fmt: skip
    # The day it came in; for anonymous feedback the Monday of that week.
    received_on = models.DateField(_("received"))
    # The exact time, named feedback only.
    created_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.NEW)
    acted_on_at = models.DateTimeField(null=True, blank=True)
    # For the secretariat only; never shown to the author.
    staff_note = models.TextField(_("internal note"), blank=True, max_length=MAX_FEEDBACK_CHARS)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ("-received_on", "-id")
        indexes: ClassVar = [
            models.Index(fields=("network", "status", "received_on"), name="feedback_triage"),
            models.Index(fields=("network", "membership"), name="feedback_author"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class FeedbackReply(models.Model):
    """The secretariat's answer to named feedback: the author reads it in "My feedback"."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("reply"), max_length=MAX_REPLY_CHARS)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        ordering = ("created_at", "id")
        indexes: ClassVar = [models.Index(fields=("network", "feedback"), name="feedbackreply_feedback")]

    def __str__(self) -> str:
        return f"reply to {self.feedback_id}"


class FeedbackNews(models.Model):
    """A "you said, we did" news item (community.NewsItem) born from this feedback."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="news_links")
    news = models.ForeignKey("community.NewsItem", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "feedback", "news"), name="feedbacknews_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "news"), name="feedbacknews_news")]

    def __str__(self) -> str:
        return f"{self.feedback_id} → {self.news_id}"
