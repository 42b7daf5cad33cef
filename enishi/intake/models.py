from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from enishi.lib.japanese import name_key, normalise
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
    # The names as matching compares them (see lib.japanese.name_key); kept by set_keys().
    kana_key = models.CharField(max_length=120, blank=True, editable=False)
    kanji_key = models.CharField(max_length=120, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("employment record")
        indexes: ClassVar = [
            models.Index(fields=("network", "family_name_kana", "given_name_kana"), name="employment_kana"),
            models.Index(fields=("network", "leave_date"), name="employment_leave_date"),
            # Matching looks up a company's records by one of these at a time (registration.py).
            models.Index(fields=("network", "company", "kana_key"), name="employment_company_kana"),
            models.Index(fields=("network", "company", "kanji_key"), name="employment_company_kanji"),
            models.Index(fields=("network", "company", "birth_date"), name="employment_company_born"),
        ]
        verbose_name_plural = _("employment records")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "company", "employee_number"), name="employment_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name} ({self.employee_number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *KEY_FIELDS}
        super().save(*args, **kwargs)

    def set_keys(self) -> None:
        self.kana_key = name_key(self.family_name_kana, self.given_name_kana)
        self.kanji_key = name_key(self.family_name, self.given_name)

    @property
    def tenure_months(self) -> int | None:
        if self.hire_date is None or self.leave_date is None:
            return None
        months = (self.leave_date.year - self.hire_date.year) * 12 + self.leave_date.month - self.hire_date.month
        return months - (1 if self.leave_date.day < self.hire_date.day else 0)


KEY_FIELDS = ("kana_key", "kanji_key")
NAME_FIELDS = frozenset({"family_name", "given_name", "family_name_kana", "given_name_kana"})


def normalise_employee_number(text: str) -> str:
    return normalise(text).replace(" ", "")


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


def new_channel_token() -> str:
    return secrets.token_urlsafe(9)


def default_alumni_invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.ALUMNI_INVITATION_DAYS)


SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: easy to read aloud and to type
SHORT_CODE_LENGTH = 10


def new_short_code() -> str:
    """Ten characters from a 30-letter alphabet (about 5.9 × 10^14 codes): typed from a flyer, rate-limited."""
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def normalise_short_code(text: str) -> str:
    return normalise(text).upper().replace("-", "").replace(" ", "")


class InvitationStatus(models.TextChoices):
    """Where an employment record stands in the invitation funnel (shown in the records list)."""

    NOT_INVITED = "not_invited", _("Not invited")
    INVITED = "invited", _("Invited")
    OPENED = "opened", _("Opened")
    REGISTERED = "registered", _("Registered")
    BOUNCED = "bounced", _("Bounced")
    EXPIRED = "expired", _("Expired")


class AlumniInvitation(InvitationLifecycle):
    """A personal invitation for one leaver: the link registers them, linked to the record.

    Sent by email (the link pre-verifies that address) or handed out as a printed flyer (QR code,
    personal URL and short code; the person then verifies the address they choose).
    """

    class Delivery(models.TextChoices):
        EMAIL = "email", _("Email")
        FLYER = "flyer", _("Printed flyer")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(EmploymentRecord, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"), blank=True)  # blank for a flyer
    delivery = models.CharField(_("sent as"), max_length=8, choices=Delivery.choices, default=Delivery.EMAIL)
    short_code = models.CharField(max_length=16, default=new_short_code, editable=False)
    expires_at = models.DateTimeField(default=default_alumni_invitation_expiry)
    opened_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    automatic = models.BooleanField(default=False)  # sent by the worker N days after the leave date

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("alumni invitation")
        verbose_name_plural = _("alumni invitations")
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "token"), name="alumniinvitation_unique_token"),
            models.UniqueConstraint(fields=("network", "short_code"), name="alumniinvitation_unique_code"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("network", "record", "created_at"), name="alumniinvitation_record"),
        ]

    def __str__(self) -> str:
        return f"{self.email or self.short_code} ({self.record_id})"

    @property
    def display_code(self) -> str:
        return f"{self.short_code[:5]}-{self.short_code[5:]}"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return InvitationStatus.REGISTERED
        if self.bounced_at is not None:
            return InvitationStatus.BOUNCED
        if self.revoked_at is not None or self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.OPENED if self.opened_at is not None else InvitationStatus.INVITED


class MatchField(models.TextChoices):
    """What a self-registration can be compared on. The company always has to match."""

    NAME_KANA = "name_kana", _("Name reading (kana)")
    NAME_KANJI = "name_kanji", _("Name (kanji)")
    HIRE_YEAR = "hire_year", _("Year joined")
    LEAVE_YEAR = "leave_year", _("Year left")
    EMPLOYEE_NUMBER = "employee_number", _("Employee number")
    BIRTH_DATE = "birth_date", _("Birth date")


def default_match_fields() -> list[str]:
    return [MatchField.NAME_KANA, MatchField.NAME_KANJI, MatchField.LEAVE_YEAR]


class IntakeSettings(models.Model):
    """How a network lets people in: public join, matching and eligibility rules, reminders."""

    network = models.OneToOneField(
        "networks.Network", on_delete=models.CASCADE, primary_key=True, related_name="intake_settings"
    )
    public_join = models.BooleanField(
        _("people may ask to join from the public join page and channel links"), default=True
    )
    match_fields = models.JSONField(_("fields that must match an employment record"), default=default_match_fields)
    year_tolerance = models.PositiveSmallIntegerField(
        _("years may differ by"), default=1, help_text=_("People remember years approximately; 1 allows ±1 year.")
    )
    auto_approve = models.BooleanField(
        _("approve automatically when exactly one record matches and the rules are met"), default=True
    )
    min_tenure_months = models.PositiveSmallIntegerField(_("minimum tenure (months)"), default=0)
    excluded_leave_reasons = models.JSONField(_("leave reasons that are not eligible"), default=list, blank=True)
    eligible_companies = models.ManyToManyField(
        "networks.Company",
        verbose_name=_("only people who worked at"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for every company of the network."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind after (days)"), default=7, help_text=_("0 sends no reminder.")
    )
    auto_invite_days = models.PositiveSmallIntegerField(
        _("invite automatically this many days after the leave date"), null=True, blank=True,
        help_text=_("Empty: never. Only records with a private email and a leave date after this is switched on."),
    )  # fmt: skip
    auto_invite_since = models.DateField(null=True, blank=True, editable=False)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("intake settings")
        verbose_name_plural = _("intake settings")

    def __str__(self) -> str:
        return str(self.network_id)


class JoinChannel(models.Model):
    """A shareable link to the public join page that records where people came from."""

    class Kind(models.TextChoices):
        HOMEPAGE = "homepage", _("Company homepage")
        PRESS = "press", _("Press release")
        EVENT = "event", _("Event")
        FLYER = "flyer", _("Flyer stack")
        REFERRAL = "referral", _("Referral by an alumnus")
        OTHER = "other", _("Other")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("channel"), max_length=12, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=120, blank=True)
    token = models.CharField(max_length=64, default=new_channel_token, editable=False)
    referrer = models.ForeignKey(
        "networks.Membership", on_delete=models.CASCADE, null=True, blank=True, related_name="referral_links"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    visits = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("join link")
        verbose_name_plural = _("join links")
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "token"), name="joinchannel_unique_token"),
            models.UniqueConstraint(
                fields=("network", "referrer"), condition=models.Q(kind="referral"), name="joinchannel_one_referral"
            ),
        ]

    def __str__(self) -> str:
        return self.label or str(self.get_kind_display())

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class RegistrationFlag(models.TextChoices):
    """Why a registration waits for a person instead of being approved automatically."""

    NO_CANDIDATE = "no_candidate", _("No employment record matches")
    SEVERAL_CANDIDATES = "several_candidates", _("Several records could match")
    PARTIAL_MATCH = "partial_match", _("A record matches only in part")
    RECORD_TAKEN = "record_taken", _("The matching record already belongs to a member")
    POSSIBLE_DUPLICATE = "possible_duplicate", _("A member with the same name may be the same person")
    NOT_ELIGIBLE = "not_eligible", _("Outside the network's eligibility rules")
    STILL_EMPLOYED = "still_employed", _("HR has no past leave date for this record")
    MANUAL_REVIEW = "manual_review", _("Automatic approval is off")


class Registration(models.Model):
    """A request to join made from the public join page or a channel link, checked against HR records."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not sent yet")
        PENDING = "pending", _("Waiting for approval")
        NEEDS_INFO = "needs_info", _("More information asked")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    membership = models.ForeignKey(
        "networks.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    channel = models.ForeignKey(
        JoinChannel, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("company"))  # fmt: skip
    family_name = models.CharField(_("family name"), max_length=60, blank=True)
    given_name = models.CharField(_("given name"), max_length=60, blank=True)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=60, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=60, blank=True)
    former_family_name = models.CharField(
        _("family name while you worked here, if different"), max_length=60, blank=True
    )
    hire_year = models.PositiveSmallIntegerField(_("year you joined (approximately)"), null=True, blank=True)
    leave_year = models.PositiveSmallIntegerField(_("year you left (approximately)"), null=True, blank=True)
    employee_number = models.CharField(_("employee number (if you remember it)"), max_length=40, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    note = models.TextField(_("message to the secretariat"), blank=True, max_length=2000)
    # What matching found when the request was sent: [{"id": record id, "matched": [field, …]}, …] best first.
    candidates = models.JSONField(default=list, editable=False)
    flags = models.JSONField(default=list, editable=False)  # RegistrationFlag values
    record = models.ForeignKey(EmploymentRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    staff_message = models.TextField(_("message to the applicant"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ("-submitted_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "user"), name="registration_unique_user"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("network", "status", "submitted_at"), name="registration_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name} ({self.get_status_display()})"
