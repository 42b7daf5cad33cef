"""Comeback (issue 7): opportunities (求人・案件) offered to alumni, standing pages of comeback schemes,
casual interest (「話を聞いてみたい」), formal applications, and hr's pipeline of candidates.

One Candidate row per membership × opportunity holds where that person is in the pipeline; an
interest or an application creates it. Stages are per network (defaults created on first use).
Rehire eligibility and HR notes stay on intake's EmploymentRecord and are shown only in the console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from enishi.lib.richtext import validate_rich_text_length

if TYPE_CHECKING:
    from enishi.networks.models import Company
    from enishi.profiles.models import Skill


def empty_list() -> list[str]:
    return []


class Opportunity(models.Model):
    class Kind(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time rehire")
        CONTRACT = "contract", _("Contract")
        SIDE_JOB = "side_job", _("Side job")
        PROJECT = "project", _("Project or collaboration")
        COLLABORATION_CALL = "collab_call", _("Company collaboration call")

    class Remote(models.TextChoices):
        ONSITE = "onsite", _("On site")
        HYBRID = "hybrid", _("Partly remote")
        REMOTE = "remote", _("Fully remote")

    class Audience(models.TextChoices):
        ALL = "all", _("All alumni")
        SEGMENT = "segment", _("A saved segment")
        INVITED = "invited", _("Invited people only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.FULL_TIME)
    company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("company"))  # fmt: skip
    department = models.CharField(_("department"), max_length=120, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    remote = models.CharField(_("remote work"), max_length=8, choices=Remote.choices, default=Remote.ONSITE)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    pay_range = models.CharField(_("pay range"), max_length=200, blank=True)
    # Sanitised HTML (lib.richtext.clean_html), never rendered from anything else.
    description = models.TextField(_("description"), blank=True, validators=[validate_rich_text_length])
    required_skills: models.ManyToManyField[Skill, Any] = models.ManyToManyField(
        "profiles.Skill", blank=True, related_name="+", verbose_name=_("required skills")
    )
    welcome_skills: models.ManyToManyField[Skill, Any] = models.ManyToManyField(
        "profiles.Skill", blank=True, related_name="+", verbose_name=_("welcome skills")
    )
    # The application form's questions: a list of labels.
    questions = models.JSONField(_("questions"), default=empty_list, blank=True)
    audience = models.CharField(_("who may see it"), max_length=8, choices=Audience.choices, default=Audience.ALL)
    segment = models.ForeignKey("profiles.SavedSegment", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("segment"))  # fmt: skip
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=("network", "status"), name="opportunity_status")]

    def __str__(self) -> str:
        return self.title


class OpportunityInvitee(models.Model):
    """Who may see an opportunity of audience "segment" (fixed at publication) or "invited"."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="invitees")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("opportunity", "membership"), name="opportunity_invitee_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} → {self.membership_id}"


class ComebackScheme(models.Model):
    """A standing page about one of the network's comeback schemes (e.g. after childcare or caregiving)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, validators=[validate_rich_text_length])
    company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("company"))  # fmt: skip
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("comeback scheme")
        verbose_name_plural = _("comeback schemes")
        ordering = ("title", "id")

    def __str__(self) -> str:
        return self.title


class Interest(models.Model):
    """「話を聞いてみたい」: a one-tap casual interest in an opportunity."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("opportunity", "membership"), name="interest_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} ← {self.membership_id}"


def resume_path(instance: Application, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"comeback/resumes/{instance.network_id}/{instance.opportunity_id}-{instance.membership_id}.{extension}"


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="applications")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict, blank=True)  # question label → answer
    resume = models.FileField(_("résumé"), upload_to=resume_path, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("opportunity", "membership"), name="application_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} ← {self.membership_id}"


class Stage(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("In progress")
        HIRED = "hired", _("Hired")
        DECLINED = "declined", _("Not selected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OPEN)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # Whether the candidate sees this stage's name (and is told when they reach it); otherwise they
    # see "In progress".
    visible = models.BooleanField(_("shown to the candidate"), default=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="candidates")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.RESTRICT, related_name="+")
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    hired_on = models.DateField(_("start date"), null=True, blank=True)
    # hr's messages to this candidate: a thread of messaging's secretariat inbox, opened by the first
    # message, so that the alumnus reads and replies in their usual inbox.
    thread = models.ForeignKey("messaging.SecretariatThread", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        ordering = ("-updated_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("opportunity", "membership"), name="candidate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} ← {self.membership_id}"


class CandidateNote(models.Model):
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.created_at:%Y-%m-%d}"


# --- Matching (comeback.matching) ------------------------------------------------------------------


class MatchTerm(models.Model):
    """One thing an alumnus can match on, as an integer code (matching.skill_term / department_term /
    family_term), carrying the member's modifiers so that ranking reads one covering index.

    Rebuilt by `matching.index_members` whenever the services that change a profile, an intent, a
    consent, employment records or a membership run (networks.signals.members_reindexed); only what
    staff may see of the profile is used. `modifiers` packs the intent's kinds, timing points, remote
    wish, prefecture and the last active day (matching.pack_modifiers); the day is refreshed at most
    weekly (matching.touch_activity).
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    term = models.BigIntegerField()
    consent = models.BooleanField(default=False)  # REHIRE_CONTACT in force
    not_now_until = models.DateField(null=True, blank=True)  # "not now" until this day (far future: no date)
    modifiers = models.BigIntegerField(default=0)

    objects = ScopedManager(network="network")

    class Meta:
        indexes: ClassVar = [
            # Covering: ranking for an opportunity is one index-only range read per term.
            models.Index(
                fields=("network", "term", "membership", "consent", "not_now_until", "modifiers"),
                name="matchterm_rank",
            ),
            models.Index(fields=("membership",), name="matchterm_member"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.term}"


class OpportunityTerm(models.Model):
    """One thing an opportunity asks for, with its weight (2 required skill, 1 welcome skill, 0 other)
    and the opportunity's modifiers. Rebuilt by `matching.index_opportunity` when it is saved."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    term = models.BigIntegerField()
    weight = models.PositiveSmallIntegerField(default=0)
    skill_total = models.PositiveSmallIntegerField(default=0)  # 2 × required + welcome skills
    kinds = models.PositiveSmallIntegerField(default=0)
    prefecture = models.PositiveSmallIntegerField(default=0)
    remote = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(network="network")

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=("network", "term", "opportunity", "weight"), name="opportunityterm_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.term}"


class PersonalInvitation(models.Model):
    """hr's personal invitation to one alumnus to look at one opportunity (at most one per person
    and opportunity; at most one per person per `matching.INVITATION_INTERVAL_DAYS`)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="personal_invitations")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(default=0)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("opportunity", "membership"), name="personal_invitation_unique"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("network", "membership", "sent_at"), name="personal_invitation_recent")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} → {self.membership_id}"


class OpeningSubscription(models.Model):
    """A person is told when a new opportunity of these kinds opens (issue 7, point 4).

    hr subscribes the alumni whose intent fits (or the alumnus starts it on the opportunities page);
    at most one subscription in force per person: subscribing again widens it. `companies` empty
    means every company of the network. Who is told, when an opportunity opens, is decided again at
    that moment (comeback.subscriptions.subscribers_for): not "not now", the rehire-contact consent
    in force, and allowed to see the opportunity.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    kinds = models.JSONField(_("kinds"), default=empty_list)  # Opportunity.Kind values, sorted
    companies: models.ManyToManyField[Company, Any] = models.ManyToManyField(
        "networks.Company", blank=True, related_name="+", verbose_name=_("companies")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("subscription to new openings")
        verbose_name_plural = _("subscriptions to new openings")
        ordering = ("-updated_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("network", "membership"), condition=models.Q(cancelled_at__isnull=True),
                name="opening_subscription_one_active",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.membership_id}: {', '.join(self.kinds)}"

    @property
    def by_themselves(self) -> bool:
        return self.created_by_id is not None and self.created_by_id == self.membership.user_id
