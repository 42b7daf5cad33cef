from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


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
