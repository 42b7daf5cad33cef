"""The comeback coordinator (issue 7, point 5): an outside firm that a network engages to interview
alumni, so they can speak freely, and to relay to hr only what the alumnus approved.

Confidentiality is the rule of this app: an Interview's notes and "latest situation" are read only by
the coordinators of the organisation that holds it (access.py). No staff role of the network, no
export, no search index, no email, no audit entry and no log line ever carries them; the operator
admin does not register Interview. What reaches hr is a Relay's summary, in the exact words the
alumnus approved, and each such provision is recorded in a ProvisionRecord.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

# The provision record of the APPI (第三者提供の記録) is kept at least 3 years; we keep it for as long
# as the network exists (no deletion path): `retain_until` says when it could be erased at the earliest.
PROVISION_RETENTION_DAYS = 3 * 366


class CoordinatorOrganisation(models.Model):
    """A company of comeback coordinators, global: one firm may serve several networks."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coordinator organisation")
        verbose_name_plural = _("coordinator organisations")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Engagement(models.Model):
    """A network engages a coordinator organisation, from `started_at` until `ended_at`."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(CoordinatorOrganisation, on_delete=models.PROTECT, related_name="engagements")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "organisation"), name="engagement_unique_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.network_id}"


class CoordinatorProfile(models.Model):
    """Links a coordinator's membership (role coordinator) to the organisation they work for."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        "networks.Membership", on_delete=models.CASCADE, related_name="coordinator_profile"
    )
    organisation = models.ForeignKey(CoordinatorOrganisation, on_delete=models.PROTECT, related_name="coordinators")

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("coordinator")
        verbose_name_plural = _("coordinators")

    def __str__(self) -> str:
        return f"{self.membership_id} of {self.organisation_id}"


class Interview(models.Model):
    """A hearing (ヒアリング) of one alumnus by a coordinator. Read only by the organisation's coordinators."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(CoordinatorOrganisation, on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(
        "networks.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    alumnus = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    held_at = models.DateTimeField(_("held on"), null=True, blank=True)
    notes = models.TextField(_("notes (yours alone)"), blank=True, max_length=20000)
    current_work = models.TextField(_("current work"), blank=True, max_length=2000)
    intent = models.TextField(_("intent"), blank=True, max_length=2000)
    conditions = models.TextField(_("conditions"), blank=True, max_length=2000)
    timing = models.CharField(_("timing"), blank=True, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ("-scheduled_at", "-id")
        indexes: ClassVar = [models.Index(fields=("network", "organisation"), name="interview_network_org")]

    def __str__(self) -> str:
        # Never the notes: this is what an audit entry's target label or a log line would show.
        return f"interview {self.pk}"


class Relay(models.Model):
    """A summary the coordinator wrote for hr. hr sees it only once the alumnus approved this exact text."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting the alumnus's approval")
        APPROVED = "approved", _("Approved and shared with HR")
        DECLINED = "declined", _("Declined by the alumnus")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    interview = models.ForeignKey(Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="relays")
    organisation = models.ForeignKey(CoordinatorOrganisation, on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(
        "networks.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    alumnus = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    summary = models.TextField(_("summary for HR"), max_length=4000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AWAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("relay")
        verbose_name_plural = _("relays")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"relay {self.pk}"

    @property
    def digest(self) -> str:
        """What the alumnus approves: the summary's exact text (a changed text needs a new approval)."""
        return hashlib.sha256(self.summary.encode()).hexdigest()


class ProvisionRecord(models.Model):
    """Who gave what about whom to whom, when, under which consent (記録義務, kept ≥ 3 years).

    There is no deletion path: no view, service or admin deletes these rows, and deleting the relay
    or the interview leaves them (SET_NULL); the labels keep the record readable after that.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    alumnus = models.ForeignKey(
        "networks.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    relay = models.ForeignKey(Relay, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    provider_label = models.CharField(_("given by"), max_length=300)
    recipient_label = models.CharField(_("given to"), max_length=300)
    subject_label = models.CharField(_("about"), max_length=300)
    content = models.TextField(_("what was given"))
    consent = models.ForeignKey("privacy.Consent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    consent_ref = models.PositiveBigIntegerField(_("consent id"))
    provided_at = models.DateTimeField(_("when"), default=timezone.now)
    retain_until = models.DateField(_("kept at least until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("provision record")
        verbose_name_plural = _("provision records")
        ordering = ("-provided_at", "-id")

    def __str__(self) -> str:
        return f"provision {self.pk}"
