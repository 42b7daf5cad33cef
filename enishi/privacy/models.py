from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class AuditEntry(models.Model):
    """One line of a network's audit log: who did what to whom or what, and when.

    Kept per network. `actor_label` and `target_label` keep a readable name even after the
    person or object is gone.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [
            models.Index(fields=("network", "-created_at"), name="audit_network_time"),
            models.Index(fields=("network", "action"), name="audit_network_action"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    @property
    def action_label(self) -> str:
        from enishi.privacy.actions import AUDIT_ACTIONS

        return str(AUDIT_ACTIONS.get(self.action, self.action))


class PrivacyNotice(models.Model):
    """One version of a network's purpose-of-use notice (利用目的の通知).

    The bodies are plain text or Markdown source. A notice without `published_at` is a draft;
    the network's current notice is the published one with the highest version.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    body_ja = models.TextField(_("text (Japanese)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("purpose-of-use notice")
        verbose_name_plural = _("purpose-of-use notices")
        ordering = ("network", "-version")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "version"), name="privacy_notice_unique_version"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class NoticeAcceptance(models.Model):
    """A member's acceptance of one version of the notice. Kept as long as the law requires."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("notice acceptance")
        verbose_name_plural = _("notice acceptances")
        ordering = ("-accepted_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("network", "membership", "notice"), name="notice_acceptance_unique_member_notice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} accepted {self.notice_id}"


class ConsentPurpose(models.TextChoices):
    DIRECTORY_LISTING = "directory_listing", _("Listing in the member directory")
    REHIRE_CONTACT = "rehire_contact", _("Contact about rehiring")
    COLLABORATION_CONTACT = "collaboration_contact", _("Contact about collaboration")
    COORDINATOR_CONTACT = "coordinator_contact", _("Interviews by the comeback coordinator")
    COORDINATOR_RELAY = "coordinator_relay", _("Sharing by the comeback coordinator")
    ALUMNI_MESSAGES = "alumni_messages", _("Messages from other alumni")


class Consent(models.Model):
    """A member's consent to one purpose, from `granted_at` until `withdrawn_at`.

    Rows are never reused: granting again after a withdrawal adds a new row, so the history stays.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    notice_version = models.PositiveIntegerField(_("notice version"), null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ("-granted_at", "-id")
        indexes: ClassVar = [
            models.Index(fields=("network", "membership", "purpose"), name="consent_member_purpose"),
        ]
        constraints: ClassVar = [
            # At most one consent in force per member and purpose.
            models.UniqueConstraint(
                fields=("network", "membership", "purpose"),
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_unique_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.purpose}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
