"""Newsletters (メールマガジン): one email, composed once in Japanese (and optionally English), sent to
the whole network, one company's alumni or a saved segment, with one Delivery row per recipient.

The Delivery rows are what make sending exactly-once (see sending.py and docs/ARCHITECTURE.md
"Newsletters"): a sender claims a row with one conditional UPDATE before sending it and marks it
sent right after the server's 250.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from enishi.lib.richtext import validate_rich_text_length


class Newsletter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class Audience(models.TextChoices):
        NETWORK = "network", _("Everyone in the network")
        COMPANY = "company", _("Alumni of one company")
        SEGMENT = "segment", _("A saved segment")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    subject_ja = models.CharField(_("subject (Japanese)"), max_length=200)
    # Sanitised HTML (lib.richtext.clean_html), never rendered from anything else.
    body_ja = models.TextField(_("text (Japanese)"), validators=[validate_rich_text_length])
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True, validators=[validate_rich_text_length])
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices, default=Audience.NETWORK)
    company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("company"))  # fmt: skip
    segment = models.ForeignKey("profiles.SavedSegment", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("segment"))  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last time a sender made progress: the maintenance job restarts sends whose worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ("-id",)
        indexes: ClassVar = [
            models.Index(fields=("network", "status", "send_at"), name="newsletter_status"),
            models.Index(fields=("status", "send_at"), name="newsletter_due"),  # the maintenance job
        ]

    def __str__(self) -> str:
        return self.subject_ja

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    @property
    def has_english(self) -> bool:
        return bool(self.subject_en.strip() and self.body_en.strip())


class NewsletterLink(models.Model):
    """A link of the newsletter's text, numbered when the send starts: the click redirect only ever
    goes to one of these URLs (never to a URL taken from the request)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveIntegerField()
    url = models.URLField(max_length=2000)

    objects = ScopedManager(network="network")

    class Meta:
        ordering = ("position",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "newsletter", "position"), name="newsletterlink_unique"),
        ]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """The newsletter for one member: created in bulk when the send starts, claimed, sent once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")  # claimed by a sender (claimed_by) since claimed_at
        SENT = "sent", _("Sent")  # the server answered 250
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")  # the server refused the address for good (5xx)
        SKIPPED = "skipped", _("Unsubscribed")  # the member turned newsletters off

    # Each index is written again by every claim and every mark (the status changes, so PostgreSQL
    # cannot update in place): only the four that a query needs (primary key, claim, member, token).
    # The foreign keys' own indexes are covered by the composite ones below (newsletter:
    # delivery_claim; membership: the unique constraint); a network's deliveries are read only when
    # the whole network is deleted.
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+", db_index=False)
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+", db_index=False)
    # Copied when the send starts: the sender reads each batch with the claim itself, no join.
    email = models.EmailField()
    name = models.CharField(max_length=130, blank=True, default="")
    language = models.CharField(max_length=8)
    # Random, unguessable: names the recipient in the tracking pixel and the click links. Unique by
    # a constraint, not unique=True: that would add a second (LIKE) index on PostgreSQL.
    token = models.CharField(max_length=32)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, default="")
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("newsletter delivery")
        verbose_name_plural = _("newsletter deliveries")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("membership", "newsletter"), name="delivery_unique_member"),
            models.UniqueConstraint(fields=("token",), name="delivery_unique_token"),
        ]
        indexes: ClassVar = [
            # Claiming the next batch and counting the report: by newsletter and status.
            models.Index(fields=("newsletter", "status", "id"), name="delivery_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.newsletter_id} → {self.email} ({self.status})"


class LinkClick(models.Model):
    """A recipient's first click on one link (later clicks redirect without writing)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="clicks")
    link = models.ForeignKey(NewsletterLink, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "delivery", "link"), name="linkclick_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} clicked {self.link_id}"
