"""Surveys (アンケート, issue 8): questions to alumni, named or anonymous, and their answers.

Anonymous means unlinkable (docs/ARCHITECTURE.md, "Surveys"): a Response of an anonymous survey has no
membership and no timestamp, its id and its answers' ids are random UUIDs (no insertion order to join
with anything), and the SurveyRecipient row that enforces one answer per person records only
`answered = True`, never when. The group keys copied onto a Response (company, leave year, registration
source) feed cross-tabulations, which are shown only for groups of at least MIN_GROUP answers.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from enishi.lib.richtext import validate_rich_text_length

# The smallest group of answers whose results an anonymous survey shows.
MIN_GROUP = 5


def empty_list() -> list[str]:
    return []


class Survey(models.Model):
    class Audience(models.TextChoices):
        NETWORK = "network", _("Every alumnus of the network")
        COMPANY = "company", _("Alumni of one group company")
        SEGMENT = "segment", _("A saved segment")
        EVENT = "event", _("Attendees of an event")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("survey", "Open")
        CLOSED = "closed", pgettext_lazy("survey", "Closed")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    # Sanitised HTML (lib.richtext.clean_html).
    description = models.TextField(_("introduction"), blank=True, validators=[validate_rich_text_length])
    anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Answers are kept without the person or the time; results only for groups of 5 or more."),
    )
    audience = models.CharField(_("who is asked"), max_length=8, choices=Audience.choices, default=Audience.NETWORK)
    company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("company"))  # fmt: skip
    segment = models.ForeignKey("profiles.SavedSegment", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("segment"))  # fmt: skip
    event = models.ForeignKey("events.Event", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("event"))  # fmt: skip
    opens_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    reminder_days = models.PositiveSmallIntegerField(
        _("automatic reminder, days before closing"), default=3, validators=[MaxValueValidator(30)],
        help_text=_("0 for no automatic reminder. It goes only to those who have not answered."),
    )  # fmt: skip
    auto_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=("network", "status", "closes_at"), name="survey_status_close")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale (1–5)")
        NPS = "nps", _("Recommendation (NPS, 0–10)")
        TEXT = "text", _("Free text")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    label = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), default=empty_list, blank=True)  # single / multiple: the options
    required = models.BooleanField(_("required"), default=False)
    # Branching: shown only when the answer to `show_if` (an earlier question) equals `show_if_value`
    # (for a multiple choice: includes it).
    show_if = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("show only if the answer to"))  # fmt: skip
    show_if_value = models.CharField(_("is"), max_length=200, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.label

    def options(self) -> list[str]:
        """The values an answer may take, in order (empty for free text)."""
        if self.kind == self.Kind.SCALE:
            return [str(value) for value in range(1, 6)]
        if self.kind == self.Kind.NPS:
            return [str(value) for value in range(11)]
        if self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE):
            return [str(choice) for choice in self.choices]
        return []


class SurveyRecipient(models.Model):
    """The audience, fixed when the survey opens; `answered` (never a time) enforces one answer each."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="recipients")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    # The company of the person's employment record when the survey opened (response rates per company).
    company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "survey", "membership"), name="survey_recipient_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "membership"), name="survey_recipient_member")]

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.membership_id}"


class Response(models.Model):
    """One person's answers. Anonymous: no membership, no time; the random id says nothing of order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    membership = models.ForeignKey("networks.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")  # fmt: skip
    submitted_at = models.DateTimeField(null=True, blank=True)  # named surveys only
    # Group keys for cross-tabulation, copied when the answer is sent.
    company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    leave_year = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("network", "survey", "membership"),
                condition=models.Q(membership__isnull=False),
                name="survey_response_one_per_member",
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Answer(models.Model):
    """One value for one question (a multiple choice has one row per option chosen)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(max_length=4000)

    objects = ScopedManager(network="network")

    class Meta:
        indexes: ClassVar = [models.Index(fields=("network", "question"), name="survey_answer_question")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value[:40]}"
