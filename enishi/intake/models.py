from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from enishi.networks.models import InvitationLifecycle


class LeaveReason(models.TextChoices):
    CAREER_CHANGE = "career_change", _("Career change")
    CHILDCARE = "childcare", _("Childcare")
    CAREGIVING = "caregiving", _("Caregiving")
    STUDY = "study", _("Study")
    RELOCATION = "relocation", _("Relocation (e.g. a partner's transfer)")
    RETIREMENT = "retirement", _("Retirement")
    OTHER = "other", _("Other")


class RehireEligibility(models.TextChoices):
    UNKNOWN = "unknown", _("Not assessed")
    ELIGIBLE = "eligible", _("Eligible")
    CONDITIONAL = "conditional", _("Eligible with conditions")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")


# Fields only HR staff may see: never rendered for the alumnus or other alumni.
HR_ONLY_FIELDS = frozenset({"rehire_eligibility", "hr_notes", "birth_date", "private_email", "phone"})


class EmploymentRecord(models.Model):
    """What HR knows about one past employment (在籍情報). Imported; never edited by the alumnus.

    A person may have several (two group companies, or left and came back). The fields named in
    HR_ONLY_FIELDS are for HR staff only.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("networks.Company", on_delete=models.RESTRICT, related_name="employment_records")
    membership = models.ForeignKey(
        "networks.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employment_records",
    )
    employee_number = models.CharField(_("employee number"), max_length=40)
    family_name = models.CharField(_("family name"), max_length=60)
    given_name = models.CharField(_("given name"), max_length=60)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=60, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=60, blank=True)
    private_email = models.EmailField(_("private email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    department = models.CharField(_("last department"), max_length=120, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    grade = models.CharField(_("grade"), max_length=60, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    leave_reason = models.CharField(_("leave reason"), max_length=20, choices=LeaveReason.choices, blank=True)
    rehire_eligibility = models.CharField(
        _("rehire eligibility"), max_length=20, choices=RehireEligibility.choices, default=RehireEligibility.UNKNOWN
    )
    hr_notes = models.TextField(_("HR notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("employment record")
        indexes: ClassVar = [
            models.Index(fields=("network", "family_name_kana", "given_name_kana"), name="employment_kana"),
            models.Index(fields=("network", "leave_date"), name="employment_leave_date"),
        ]
        verbose_name_plural = _("employment records")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "company", "employee_number"), name="employment_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name} ({self.employee_number})"


class Assignment(models.Model):
    """One posting within an employment: department, job title or grade, with its dates."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(EmploymentRecord, on_delete=models.CASCADE, related_name="assignments")
    department = models.CharField(_("department"), max_length=120, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    grade = models.CharField(_("grade"), max_length=60, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ("record", "started_on", "id")

    def __str__(self) -> str:
        return " / ".join(part for part in (self.department, self.job_title, self.grade) if part)


class ImportJob(models.Model):
    """One uploaded HR file: kept until applied, so the preview and the import read the same bytes."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting for review")
        QUEUED = "queued", _("Waiting to import")
        RUNNING = "running", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    headers = models.JSONField(default=list)
    # Column index (as text, JSON keys) → import field; remembered for the next file with these headers.
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.filename

    @property
    def column_mapping(self) -> dict[int, str]:
        return {int(index): name for index, name in self.mapping.items()}

    @property
    def percent_done(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


def default_alumni_invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.ALUMNI_INVITATION_DAYS)


class AlumniInvitation(InvitationLifecycle):
    """A personal invitation for one leaver: the link registers them, pre-verified, linked to the record."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(EmploymentRecord, on_delete=models.CASCADE, related_name="invitations")
    expires_at = models.DateTimeField(default=default_alumni_invitation_expiry)
    opened_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("alumni invitation")
        verbose_name_plural = _("alumni invitations")
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "token"), name="alumniinvitation_unique_token"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.record_id})"
