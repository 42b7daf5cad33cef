"""Business verbs of profiles: saving what alumni say about themselves, confirming it, check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from enishi.accounts.models import User
from enishi.directory.indexing import reindex_members
from enishi.intake.models import EmploymentRecord
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.privacy.services import audit
from enishi.profiles.models import CareerEntry, Intent, Profile, ProfileSettings, ProfileSkill
from enishi.profiles.skills import normalise_skill

CHECKIN_BATCH_SIZE = 500
MAX_SKILLS = 30


def _reindex(profile: Profile) -> None:
    """Keep the directory's search document of the profile's member in step (same transaction)."""
    reindex_members(profile.network, [profile.membership_id])


def profile_of(membership: Membership) -> Profile:
    """The member's profile, or a new unsaved one (saved on the first edit, so reading writes nothing)."""
    profile = Profile.objects.filter(network_id=membership.network_id, membership=membership).first()
    if profile is None:
        profile = Profile(network_id=membership.network_id, membership=membership)
    profile.membership = membership
    return profile


def intent_of(profile: Profile) -> Intent:
    if profile.pk is not None:
        intent = Intent.objects.filter(network_id=profile.network_id, profile=profile).first()
        if intent is not None:
            return intent
    return Intent(network_id=profile.network_id, profile=profile)


def profile_settings(network: Network) -> ProfileSettings:
    """The network's profile settings; unsaved defaults while never saved (reading writes nothing)."""
    return ProfileSettings.objects.filter(network=network).first() or ProfileSettings(network=network)


def checkin_months(network: Network) -> int:
    return profile_settings(network).checkin_months


def save_profile_settings(
    settings: ProfileSettings, actor: User, changed: list[str], request: HttpRequest | None = None
) -> ProfileSettings:
    with transaction.atomic():
        settings.save()
        audit(settings.network, actor, "profile_settings.changed", request=request, fields=sorted(changed),
              checkin_months=settings.checkin_months)  # fmt: skip
    return settings


# --- The employment record, as the alumnus may see it ------------------------------------------


@dataclass(frozen=True)
class Posting:
    department: str
    job_title: str
    from_year: int | None
    until_year: int | None


@dataclass(frozen=True)
class EmploymentFacts:
    """What an alumnus may see of an employment record: never the fields of intake's HR_ONLY_FIELDS."""

    company: str
    department: str
    hire_year: int | None
    leave_year: int | None
    postings: tuple[Posting, ...]


def employment_facts(membership: Membership) -> list[EmploymentFacts]:
    """The facts of the member's employment records, copied field by field so HR-only ones never leave."""
    records = (
        EmploymentRecord.objects.filter(network_id=membership.network_id, membership=membership)
        .select_related("company")
        .prefetch_related("assignments")
        .order_by("hire_date", "pk")
    )
    return [
        EmploymentFacts(
            company=record.company.name,
            department=record.department,
            hire_year=record.hire_date.year if record.hire_date else None,
            leave_year=record.leave_date.year if record.leave_date else None,
            postings=tuple(
                Posting(
                    department=posting.department,
                    job_title=posting.job_title,
                    from_year=posting.started_on.year if posting.started_on else None,
                    until_year=posting.ended_on.year if posting.ended_on else None,
                )
                for posting in record.assignments.all()
                if posting.department or posting.job_title
            ),
        )
        for record in records
    ]


# --- Saving --------------------------------------------------------------------------------------


def save_profile(
    profile: Profile, actor: User, changed: list[str], *, skills: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Profile:  # fmt: skip
    """Save the profile (the form's changes already applied) and its skills; saving confirms it."""
    with transaction.atomic():
        profile.confirmed_at = timezone.now()
        profile.save()
        skills_changed = skills is not None and set_skills(profile, skills)
        audit(profile.network, actor, "profile.changed", profile, request=request,
              fields=sorted({*changed, *(["skills"] if skills_changed else [])}))  # fmt: skip
    _reindex(profile)
    return profile


def set_skills(profile: Profile, texts: list[str]) -> bool:
    """Replace the profile's skills with the normalised `texts` (at most MAX_SKILLS). True if they changed."""
    wanted: dict[int, None] = {}
    for text in texts:
        skill = normalise_skill(text)
        if skill is not None:
            wanted[skill.pk] = None
    wanted_ids = list(wanted)[:MAX_SKILLS]
    current = set(
        ProfileSkill.objects.filter(network_id=profile.network_id, profile=profile).values_list("skill_id", flat=True)
    )
    if current == set(wanted_ids):
        return False
    ProfileSkill.objects.filter(network_id=profile.network_id, profile=profile).exclude(
        skill_id__in=wanted_ids
    ).delete()
    ProfileSkill.objects.bulk_create(
        [
            ProfileSkill(network_id=profile.network_id, profile=profile, skill_id=pk)
            for pk in wanted_ids
            if pk not in current
        ]
    )
    return True


def _saved(profile: Profile) -> Profile:
    if profile.pk is None:
        profile.save()
    return profile


def save_career_entry(
    profile: Profile, actor: User, entry: CareerEntry, request: HttpRequest | None = None
) -> CareerEntry:
    with transaction.atomic():
        entry.profile = _saved(profile)
        entry.network_id = profile.network_id
        created = entry.pk is None
        entry.save()
        audit(profile.network, actor, "profile.changed", profile, request=request,
              fields=["career"], entry=entry.pk, created=created)  # fmt: skip
    _reindex(profile)
    return entry


def delete_career_entry(profile: Profile, actor: User, entry: CareerEntry, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        entry_id = entry.pk
        entry.delete()
        audit(profile.network, actor, "profile.changed", profile, request=request,
              fields=["career"], entry=entry_id, deleted=True)  # fmt: skip
    _reindex(profile)


def save_intent(
    profile: Profile, actor: User, intent: Intent, changed: list[str], request: HttpRequest | None = None
) -> Intent:
    """Save interests and intent (the form's changes applied); "not now" without a reason is fine."""
    with transaction.atomic():
        profile.confirmed_at = timezone.now()
        _saved(profile).save(update_fields=["confirmed_at", "visibility", "updated_at"])
        intent.profile = profile
        intent.network_id = profile.network_id
        if not intent.not_now:
            intent.not_now_reason = ""
        intent.save()
        audit(profile.network, actor, "intent.changed", profile, request=request, fields=sorted(changed))
    _reindex(profile)
    return intent


def confirm_profile(profile: Profile, actor: User, request: HttpRequest | None = None) -> Profile:
    """ "Yes, this is still right": the check-in is answered until the next period."""
    with transaction.atomic():
        profile.confirmed_at = timezone.now()
        if profile.pk is None:
            profile.save()
        else:
            profile.save(update_fields=["confirmed_at"])
        audit(profile.network, actor, "profile.confirmed", profile, request=request)
    return profile


# --- Check-in ------------------------------------------------------------------------------------


def _months_ago(moment: datetime, months: int) -> datetime:
    # Calendar months are not needed for a gentle reminder: 30.44 days each is close enough.
    return moment - timedelta(days=round(months * 30.44))


def checkin_due(profile: Profile, intent: Intent | None, months: int, now: datetime | None = None) -> bool:
    """Whether to ask "is this still right?": not confirmed for `months`, and no later ask-again date."""
    now = now or timezone.now()
    if profile.pk is None:  # nothing written yet: the completeness card asks for it instead
        return False
    if intent is not None and intent.ask_again_on is not None and intent.ask_again_on > timezone.localdate(now):
        return False
    reference = profile.confirmed_at or profile.created_at
    return reference <= _months_ago(now, months)


def send_checkins(now: datetime | None = None) -> int:
    """Email the alumni whose profile has not been confirmed for their network's check-in period.

    At most one email per period and person: each is claimed by a conditional UPDATE of
    `checkin_sent_at`, so two workers never send the same one. "Ask me again from" dates are
    respected. Returns how many emails were queued.
    """
    now = now or timezone.now()
    sent = 0
    for network in Network.objects.order_by("pk"):
        with scope(network=network):
            sent += _send_checkins(network, now)
    return sent


def _send_checkins(network: Network, now: datetime) -> int:
    from enishi.notifications import emails

    cutoff = _months_ago(now, checkin_months(network))
    today: date = timezone.localdate(now)
    not_emailed_this_period = Q(checkin_sent_at__isnull=True) | Q(checkin_sent_at__lte=cutoff)
    due = (
        Profile.objects.filter(
            not_emailed_this_period,
            Q(confirmed_at__lte=cutoff) | Q(confirmed_at__isnull=True, created_at__lte=cutoff),
            network=network, membership__state=MembershipState.ACTIVE, membership__role__in=ALUMNI_ROLES,
        )
        .exclude(intent__ask_again_on__gt=today)
        .order_by("pk")
    )  # fmt: skip
    sent = 0
    for profile_id in list(due.values_list("pk", flat=True)[:CHECKIN_BATCH_SIZE]):
        with transaction.atomic():  # a failed render releases the claim: the next run tries again
            claimed = Profile.objects.filter(not_emailed_this_period, network=network, pk=profile_id)
            if claimed.update(checkin_sent_at=now) != 1:
                continue
            emails.profile_checkin(
                Profile.objects.select_related("network", "membership__user").get(network=network, pk=profile_id)
            )
            sent += 1
    return sent


# --- Completeness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    key: str
    title: Promise
    why: Promise
    url_name: str


def missing_items(profile: Profile, intent: Intent | None, *, skill_count: int, career_count: int) -> list[Missing]:
    """What the profile lacks, each with why it helps, most useful first."""
    edit, intent_page, career = "network:profile_edit", "network:intent_edit", "network:career_new"
    checks = (
        ("skills", skill_count == 0, _("Add your skills"),
         _("Companies can offer you side jobs and projects that match them."), edit),
        ("work", not (profile.organisation or profile.role_title), _("Say where you work now"),
         _("Former colleagues can find you and see what you do."), edit),
        ("intent", intent is None or intent.pk is None, _("Tell us your interests"),
         _("The company reaches you only about what you are open to, when it suits you."), intent_page),
        ("headline", not profile.headline, _("Write a headline"),
         _("One line tells fellow alumni who you are today."), edit),
        ("now", not profile.now_text, _("Share what you are doing now"),
         _("A few words start conversations with people you used to work with."), edit),
        ("career", career_count == 0, _("Add your career since leaving"),
         _("It shows the experience you would bring back."), career),
        ("photo", not profile.photo, _("Add a photo"),
         _("People recognise a face more easily than a name."), edit),
        ("location", not (profile.location or profile.country), _("Add where you live"),
         _("You hear about events and opportunities near you."), edit),
    )  # fmt: skip
    return [Missing(key, title, why, url) for key, is_missing, title, why, url in checks if is_missing]


def loaded_intent(profile: Profile) -> Intent | None:
    """The profile's intent if it has one (read through select_related when the caller asked for it)."""
    if profile.pk is None:
        return None
    try:
        return profile.intent
    except Intent.DoesNotExist:
        return None
