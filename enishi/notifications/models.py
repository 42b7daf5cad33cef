from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class OutboundEmail(models.Model):
    """An email rendered for one recipient, waiting for or done with delivery.

    The row is what makes delivery idempotent: the task claims it (queued → sending) with one
    conditional UPDATE, so a retried or duplicated task never sends it twice. Account emails
    (verification, password reset) have no network, which is why this model is not scoped.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # The receiving server refused the address for good (SMTP 5xx): never retried.
        BOUNCED = "bounced", _("Bounced")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=64)
    to = models.EmailField()
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # What the email is about, as "<kind>:<id>" (e.g. "alumni_invitation:42"): lets the app that sent
    # it react to a bounce (signals.email_bounced) without notifications knowing that app.
    reference = models.CharField(max_length=100, blank=True, default="")
    # Pictures the HTML shows as <img src="cid:NAME">: {NAME: {"type": "image/png", "data": base64}}
    # (an event ticket's QR code: mail clients show no SVG and no data: URL).
    inline_images = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes: ClassVar = [models.Index(fields=("status", "created_at"), name="outbound_status")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to} ({self.status})"


class Notification(models.Model):
    """Something that happened for one member: the bell, the list, the email and the digest show it.

    Stores the kind and its params, never a rendered sentence (kinds.KINDS renders it in the
    viewer's language at display time). `url` is a local path, checked when stored and when opened.
    """

    class Delivery(models.TextChoices):
        EMAIL = "email", _("Emailed at once")
        DIGEST = "digest", _("Waiting for the digest")
        APP = "app", _("In the app only")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=32)
    subtopic = models.CharField(max_length=64, blank=True, default="")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey("networks.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")  # fmt: skip
    url = models.CharField(max_length=300)
    text = models.CharField(max_length=200, blank=True, default="")
    # What it is about, as "<thing>:<id>" (e.g. "post:12"): withdraw() deletes by it.
    reference = models.CharField(max_length=100, blank=True, default="")
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.APP)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes: ClassVar = [
            # The bell: one COUNT of a member's unread notifications.
            models.Index(fields=("network", "recipient", "read_at"), name="notification_unread"),
            # The list, newest first.
            models.Index(fields=("network", "recipient", "id"), name="notification_list"),
            models.Index(fields=("network", "reference"), name="notification_reference"),
            # The digest job: only the unread rows still waiting for it are in this index.
            models.Index(
                fields=("network", "created_at"),
                name="notification_digest_due",
                condition=models.Q(delivery="digest", digested_at__isnull=True, read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(models.Model):
    """One member's choice for one topic (and optional subtopic) where it differs from the default.

    `value` is a topics.Delivery for a topic, "on"/"off" for a subtopic or an on/off topic, and a
    topics.DigestFrequency for the pseudo-topic "digest". No row means the default
    (topics.DEFAULTS, topics.DEFAULT_DIGEST_FREQUENCY), so a million quiet members cost nothing.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=32)
    subtopic = models.CharField(max_length=64, blank=True, default="")
    value = models.CharField(max_length=10)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("membership", "topic", "subtopic"), name="notificationpref_unique"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("network", "topic", "subtopic", "value"), name="notificationpref_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.topic}/{self.subtopic}={self.value}"
