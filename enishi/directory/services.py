"""The directory's business verbs: a page of people as cards, exports, and saved segments.

Every card and export row is cut by `profiles.visibility.visible_groups`, the one rule of who sees
what: the search only finds members by what the viewer may read, and the cards only show it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from enishi.accounts.models import User
from enishi.directory import search as directory_search
from enishi.directory.forms import DirectoryForm, StaffDirectoryForm, segment_data, segment_query
from enishi.intake.models import EmploymentRecord, RehireEligibility
from enishi.intake.sources import RegistrationSource, sources_of
from enishi.networks.models import Membership, Network
from enishi.privacy.services import audit
from enishi.profiles.models import FieldGroup, Profile, ProfileSkill, SavedSegment
from enishi.profiles.visibility import visible_groups
from enishi.profiles.vocabulary import Industry, IntentFacet

EXPORT_MAX_ROWS = 100_000
_INDUSTRIES = frozenset(Industry.values)
EXPORT_BATCH_SIZE = 2_000


@dataclass
class Employment:
    company: str
    department: str
    leave_year: int | None


@dataclass
class Card:
    """One person as the viewer may see them; empty strings for what they may not."""

    membership_id: int
    name: str
    kana: str
    photo_url: str = ""
    headline: str = ""
    organisation: str = ""
    role_title: str = ""
    industry: str = ""
    location: str = ""
    now_text: str = ""
    skills: list[str] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    employment: list[Employment] = field(default_factory=list)
    # Staff only.
    email: str = ""
    rehire: list[str] = field(default_factory=list)
    source: str = ""
    last_active_on: date | None = None


def cards(network: Network, viewer: Membership, ids: Sequence[int]) -> list[Card]:
    """Cards for `ids` in that order, in a fixed number of queries whatever their number.

    Members the viewer may not see at all (consent withdrawn a moment ago, another network) are
    left out, so a page never shows more than the rule allows.
    """
    members = {
        member.pk: member
        for member in Membership.objects.filter(network=network, pk__in=ids).select_related(
            "user", "profile", "profile__intent"
        )
    }
    skills: dict[int, list[str]] = {}
    for membership_id, name in (
        ProfileSkill.objects.filter(network=network, profile__membership_id__in=ids)
        .order_by("skill__name")
        .values_list("profile__membership_id", "skill__name")
    ):
        skills.setdefault(membership_id, []).append(name)
    employment: dict[int, list[EmploymentRecord]] = {}
    for record in (
        EmploymentRecord.objects.filter(network=network, membership_id__in=ids)
        .select_related("company")
        .order_by("hire_date", "pk")
    ):
        employment.setdefault(record.membership_id or 0, []).append(record)
    staff = directory_search.audience_of(viewer) == "staff"
    sources = sources_of(network, ids) if staff else {}
    result = []
    for membership_id in ids:
        member = members.get(membership_id)
        if member is None:
            continue
        profile = getattr(member, "profile", None) or Profile(network=network, membership=member)
        groups = visible_groups(viewer, profile, listed=None if staff else True)
        if groups is None:
            continue
        result.append(_card(member, profile, groups, skills.get(member.pk, []), employment.get(member.pk, [])))
        if staff:
            card = result[-1]
            card.email = member.user.email
            card.rehire = [str(RehireEligibility(r.rehire_eligibility).label) for r in employment.get(member.pk, [])]
            card.source = str(RegistrationSource(sources.get(member.pk, RegistrationSource.SECRETARIAT)).label)
            card.last_active_on = member.last_active_on
    return result


def _card(
    member: Membership, profile: Profile, groups: frozenset[str], skills: list[str], records: list[EmploymentRecord]
) -> Card:
    user = member.user
    basics = FieldGroup.BASICS in groups
    card = Card(
        membership_id=member.pk,
        name=(basics and profile.display_name) or user.full_name,
        kana=(basics and profile.display_name_kana) or user.full_name_kana,
        employment=[
            Employment(record.company.name, record.department, record.leave_date.year if record.leave_date else None)
            for record in records
        ],
    )
    if basics:
        card.photo_url = profile.photo.url if profile.photo else ""
        card.headline = profile.headline
    if FieldGroup.WORK in groups:
        card.organisation, card.role_title = profile.organisation, profile.role_title
        card.industry = str(Industry(profile.industry).label) if profile.industry in _INDUSTRIES else ""
        card.location = profile.country if profile.location == "overseas" else profile.location
    if FieldGroup.SKILLS in groups:
        card.skills = skills
    if FieldGroup.NOW in groups:
        card.now_text = profile.now_text
    intent = getattr(profile, "intent", None) if profile.pk is not None else None
    if FieldGroup.INTENT in groups and intent is not None:
        card.intents = [str(IntentFacet(value).label) for value in intent.facets()]
    return card


def page_of_cards(
    network: Network, viewer: Membership, form: DirectoryForm, number: int, size: int
) -> tuple[list[Card], bool]:
    """Page `number` of what the (bound and valid, or unbound) form finds, as cards, and whether more
    follow. An empty form lists everyone, most recently active first."""
    if form.is_bound:
        query, filters, order = form.cleaned_data["q"], form.filters(), form.order()
    else:
        query, filters, order = "", None, "recent"
    found = directory_search.search(
        network, viewer, query, filters=filters, sort=order,  # type: ignore[arg-type]
        limit=size, offset=(number - 1) * size,
    )  # fmt: skip
    return cards(network, viewer, found.membership_ids), found.has_more


# --- Exports -------------------------------------------------------------------------------------


def matching_ids(network: Network, viewer: Membership, form: DirectoryForm, cap: int = EXPORT_MAX_ROWS) -> list[int]:
    """Every member the (valid) form finds, in kana order, at most `cap`."""
    return directory_search.all_matches(network, viewer, form.cleaned_data["q"], filters=form.filters(), limit=cap)


def export_headers() -> list[str]:
    return [
        _("Name"), _("Reading (kana)"), _("Email address"), _("Companies"), _("Former departments"),
        _("Leave years"), _("Headline"), _("Current organisation"), _("Role"), _("Industry"), _("Location"),
        _("Skills"), _("Interests and intent"), _("Rehire eligibility"), _("Registered through"),
        _("Last active"),
    ]  # fmt: skip


def export_rows(network: Network, viewer: Membership, ids: Sequence[int]) -> Iterator[list[object]]:
    """One row per member, in batches; only what the viewer may see (the cards' own rule)."""
    for start in range(0, len(ids), EXPORT_BATCH_SIZE):
        for card in cards(network, viewer, ids[start : start + EXPORT_BATCH_SIZE]):
            yield [
                card.name, card.kana, card.email,
                "、".join(job.company for job in card.employment),
                "、".join(job.department for job in card.employment if job.department),
                "、".join(str(job.leave_year) for job in card.employment if job.leave_year),
                card.headline, card.organisation, card.role_title, card.industry, card.location,
                "、".join(card.skills), "、".join(card.intents), "、".join(card.rehire), card.source,
                card.last_active_on,
            ]  # fmt: skip


# --- Segments ------------------------------------------------------------------------------------


def save_segment(
    network: Network, actor: User, name: str, form: DirectoryForm, request: HttpRequest | None = None
) -> SavedSegment:
    with transaction.atomic():
        segment = SavedSegment.objects.create(network=network, name=name, query=segment_query(form), created_by=actor)
        audit(network, actor, "segment.saved", segment, request=request, name=name, query=segment.query)
    return segment


def delete_segment(segment: SavedSegment, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit(segment.network, actor, "segment.deleted", segment, request=request, name=segment.name)
        segment.delete()


def segment_member_ids(segment: SavedSegment, cap: int = EXPORT_MAX_ROWS) -> list[int]:
    """The members a saved segment finds today (as staff see them), for newsletters, surveys and
    invitations. A segment whose stored query no longer validates finds nobody."""
    form = StaffDirectoryForm(segment_data(segment.query), network=segment.network)
    if not form.is_valid():
        return []
    return directory_search.all_matches(
        segment.network, "staff", form.cleaned_data["q"], filters=form.filters(), limit=cap
    )
