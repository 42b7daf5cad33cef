"""What alumni say about themselves, per network membership: profile, career, skills and intent.

Each field group has a visibility (all alumni of the network / staff only / only me); the facts
of the employment record are shown beside the profile, read-only, and are not stored here.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from enishi.profiles.vocabulary import LOCATION_CHOICES, Industry, IntentFacet, NotNowReason, Remote, Timing


class Visibility(models.TextChoices):
    ALUMNI = "alumni", _("Alumni of the network")
    STAFF = "staff", _("Secretariat staff only")
    ME = "me", _("Only me")


class FieldGroup(models.TextChoices):
    """The parts of a profile that carry their own visibility."""

    BASICS = "basics", _("Name, photo and headline")
    WORK = "work", _("Current work and location")
    CAREER = "career", _("Career since leaving")
    SKILLS = "skills", _("Skills and languages")
    NOW = "now", _("What I'm doing now")
    LINKS = "links", _("Links")
    INTENT = "intent", _("Interests and intent")


# The choices' `.values` builds a new list on each access; pages check every group of every card.
FIELD_GROUPS: tuple[str, ...] = tuple(FieldGroup.values)
_INTENT_FACETS = frozenset(IntentFacet.values)


def default_visibility() -> dict[str, str]:
    visibility = dict.fromkeys(FIELD_GROUPS, Visibility.ALUMNI.value)
    visibility[FieldGroup.INTENT] = Visibility.STAFF.value  # intent is for the company unless shared
    return visibility


class Profile(models.Model):
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField("networks.Membership", on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("name shown"), max_length=80, blank=True)
    display_name_kana = models.CharField(_("reading (kana)"), max_length=80, blank=True)
    photo = models.ImageField(_("photo"), upload_to="profiles/photos/%Y/%m/", blank=True)
    headline = models.CharField(_("headline"), max_length=120, blank=True)
    organisation = models.CharField(_("current organisation"), max_length=120, blank=True)
    role_title = models.CharField(_("role"), max_length=120, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    location = models.CharField(_("prefecture"), max_length=12, choices=LOCATION_CHOICES, blank=True)
    country = models.CharField(_("country (outside Japan)"), max_length=60, blank=True)
    now_text = models.TextField(_("what I'm doing now (近況)"), max_length=1000, blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)  # [{"label": …, "url": …}]
    languages = models.JSONField(_("languages"), default=list, blank=True)  # ["日本語", "English"]
    visibility = models.JSONField(default=default_visibility)
    confirmed_at = models.DateTimeField(_("situation last confirmed"), null=True, blank=True)
    # When the last check-in email went out: the worker claims a profile by a conditional UPDATE of it.
    checkin_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or str(self.membership_id)

    def visibility_of(self, group: str) -> str:
        return str(self.visibility.get(group) or default_visibility()[group])


class CareerEntry(models.Model):
    """One step of the person's career since leaving."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="career")
    organisation = models.CharField(_("organisation"), max_length=120)
    role_title = models.CharField(_("role"), max_length=120, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    description = models.TextField(_("what I did"), max_length=2000, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("career entry")
        verbose_name_plural = _("career entries")
        ordering = ("profile", "-started_on", "-id")

    def __str__(self) -> str:
        return f"{self.organisation} {self.role_title}".strip()


class Skill(models.Model):
    """A skill of the shared vocabulary (all networks): free tags are normalised to one of these."""

    name = models.CharField(_("skill"), max_length=60)
    key = models.CharField(max_length=60, unique=True)  # lib.japanese.normalise of the name

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class SkillAlias(models.Model):
    """Another way to write a skill (「パイソン」 for Python, 「経理」 for 会計・経理…)."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="aliases")
    key = models.CharField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("skill synonym")
        verbose_name_plural = _("skill synonyms")

    def __str__(self) -> str:
        return f"{self.key} → {self.skill_id}"


class ProfileSkill(models.Model):
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("skill of a profile")
        verbose_name_plural = _("skills of profiles")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("profile", "skill"), name="profileskill_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "skill"), name="profileskill_network_skill")]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.skill_id}"


class Intent(models.Model):
    """Interests and intent: returning, collaborating, meeting, helping; "not now" is an answer too."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    profile = models.OneToOneField(Profile, on_delete=models.CASCADE, related_name="intent")
    return_modes = models.JSONField(_("open to return as"), default=list, blank=True)  # ReturnMode values
    earliest = models.CharField(_("earliest timing"), max_length=12, choices=Timing.choices, blank=True)
    preferred_location = models.CharField(_("preferred location"), max_length=120, blank=True)
    remote = models.CharField(_("remote work"), max_length=10, choices=Remote.choices, blank=True)
    hours = models.CharField(_("hours"), max_length=120, blank=True)
    collaboration_offer = models.TextField(_("what I can offer"), max_length=1000, blank=True)
    collaboration_seek = models.TextField(_("what I am looking for"), max_length=1000, blank=True)
    open_to_meet = models.BooleanField(_("happy to meet other alumni"), default=False)
    open_to_mentor = models.BooleanField(_("happy to mentor"), default=False)
    open_to_speak = models.BooleanField(_("happy to speak at company events"), default=False)
    open_to_feedback = models.BooleanField(_("happy to give feedback to the company"), default=False)
    not_now = models.BooleanField(_("not now"), default=False)
    not_now_reason = models.CharField(_("because of"), max_length=12, choices=NotNowReason.choices, blank=True)
    ask_again_on = models.DateField(_("ask me again from"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("interests and intent")
        verbose_name_plural = _("interests and intents")

    def __str__(self) -> str:
        return str(self.profile_id)

    def facets(self) -> list[str]:
        """The IntentFacet values this intent answers yes to (the directory's intent facet)."""
        answers = [mode for mode in self.return_modes if mode in _INTENT_FACETS]
        for facet, yes in (
            (IntentFacet.COLLABORATION, bool(self.collaboration_offer or self.collaboration_seek)),
            (IntentFacet.MEET, self.open_to_meet),
            (IntentFacet.MENTOR, self.open_to_mentor),
            (IntentFacet.SPEAK, self.open_to_speak),
            (IntentFacet.FEEDBACK, self.open_to_feedback),
            (IntentFacet.NOT_NOW, self.not_now),
        ):
            if yes:
                answers.append(facet.value)
        return answers


class ProfileSettings(models.Model):
    """A network's rules for profiles: how often alumni are asked whether their profile is still right."""

    network = models.OneToOneField("networks.Network", on_delete=models.CASCADE, related_name="+")
    checkin_months = models.PositiveSmallIntegerField(
        _("ask alumni to confirm their profile every (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("A banner and an email ask whether the profile and intent are still right."),
    )

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("profile settings")
        verbose_name_plural = _("profile settings")

    def __str__(self) -> str:
        return str(self.network_id)


class SavedSegment(models.Model):
    """A directory search saved by staff, to be reused for newsletters, surveys and invitations."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    query = models.JSONField(default=dict)  # the directory form's cleaned parameters
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
