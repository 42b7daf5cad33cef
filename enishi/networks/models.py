from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from enishi.lib.names import BilingualName
from enishi.networks.roles import STAFF_ROLES, MembershipState, Role

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #1F5FA8."))
slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$",
    _("Use 1 to 40 lower-case letters, digits and hyphens."),
)


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def default_languages() -> list[str]:
    return ["ja", "en"]


class Network(BilingualName, models.Model):
    """The tenant: one company's or one corporate group's alumni network."""

    slug = models.SlugField(_("address"), max_length=40, unique=True, validators=[slug_validator])
    name_ja = models.CharField(_("name (Japanese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    logo = models.ImageField(_("logo"), upload_to="networks/logos/", blank=True)
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#1F5FA8", validators=[hex_colour])
    languages = models.JSONField(_("languages"), default=default_languages)
    staff_mfa_required = models.BooleanField(_("staff must use two-factor authentication"), default=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    # A group network may limit each hr staff member to the companies their role covers
    # (Membership.covered_companies; see networks.access.covered_company_ids).
    hr_restricted_to_companies = models.BooleanField(
        _("restrict HR staff to the companies they cover"),
        default=False,
        help_text=_("When on, HR staff see only the opportunities, candidates and records of the companies set on "
                    "their member page. Administrators always see every company."),
    )  # fmt: skip
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alumni network")
        verbose_name_plural = _("alumni networks")
        ordering = ("slug",)

    def __str__(self) -> str:
        return self.name

    @property
    def accent_foreground(self) -> str:
        """Black or white, whichever reads better on the accent colour."""
        return "#111111" if relative_luminance(self.accent_colour) > 0.179 else "#ffffff"


class Company(BilingualName, models.Model):
    """A legal entity inside a network (a single-company network has one)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="companies")
    name_ja = models.CharField(_("name (Japanese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("group company")
        verbose_name_plural = _("group companies")
        ordering = ("position", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "name_ja"), name="company_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in a network: one role and one state.

    One row per person per network, so the staff of a network are never its alumni at once.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ALUMNUS)
    state = models.CharField(_("state"), max_length=16, choices=MembershipState.choices, default=MembershipState.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    activated_at = models.DateTimeField(_("joined"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    last_active_on = models.DateField(_("last active"), null=True, blank=True)
    # A copy of the person's kana reading (User.sort_name), so that member lists sort with an
    # index instead of sorting every row of the network on each page.
    sort_name = models.CharField(max_length=200, blank=True, editable=False)
    # For HR staff of a network that restricts them (Network.hr_restricted_to_companies): the
    # companies whose opportunities, candidates and records they may see. None chosen = none.
    covered_companies: models.ManyToManyField[Company, Any] = models.ManyToManyField(
        Company, blank=True, related_name="+", verbose_name=_("companies covered")
    )

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "user"), name="membership_unique_user"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("network", "role", "state"), name="membership_role_state"),
            models.Index(fields=("network", "sort_name", "id"), name="membership_sort"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.sort_name and self.user_id is not None:
            self.sort_name = self.user.sort_name
        super().save(*args, **kwargs)

    # Faster than get_role_display() in long lists: that one rebuilds (and translates) the whole
    # choice list on every call.
    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def state_label(self) -> str:
        return str(MembershipState(self.state).label) if self.state in MembershipState.values else self.state

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_active(self) -> bool:
        return self.state == MembershipState.ACTIVE


def new_token() -> str:
    return secrets.token_urlsafe(32)


def default_invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.STAFF_INVITATION_DAYS)


class InvitationLifecycle(models.Model):
    """What every emailed invitation link shares: an unguessable token used once, expiry, revocation.

    Subclasses add `network`, `expires_at` (with their own validity) and what the link grants.
    """

    email = models.EmailField(_("email address"))
    token = models.CharField(max_length=64, default=new_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    expires_at: models.DateTimeField[datetime, datetime]

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class StaffInvitation(InvitationLifecycle):
    """An email invitation for a person to join a network's staff with a role."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="staff_invitations")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    expires_at = models.DateTimeField(default=default_invitation_expiry)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ("-created_at",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "token"), name="staffinvitation_unique_token"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.role}"
