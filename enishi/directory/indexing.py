"""Keeping the directory's search documents in step with profiles, names, consents and states.

Services call `reindex_members` right after they change what a member's document holds (profile
saved, name changed, directory or rehire-contact consent granted or withdrawn, membership suspended,
reactivated, approved or merged, employment records imported), inside their transaction, so a
withdrawal leaves the results at once; it then sends `members_reindexed` so that other per-member
indexes (comeback's matching terms) follow.
`touch` moves a member up the "recently active" order on their first request of a day.
`rebuild` recomputes a whole network (management command `rebuild_search_index`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django_scopes import scope

from enishi.directory import tokens
from enishi.directory.models import SearchDocument
from enishi.intake.models import Assignment, EmploymentRecord
from enishi.intake.sources import sources_of
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.networks.signals import member_touched, members_reindexed
from enishi.privacy.models import Consent, ConsentPurpose
from enishi.profiles.models import FIELD_GROUPS, FieldGroup, Profile, Visibility, default_visibility

REBUILD_BATCH_SIZE = 2000
ACCOUNT = "account"  # the names of the account: not a profile field group, always searchable
_EPOCH = date(2000, 1, 1)


def rank_key(membership_id: int, last_active_on: date | None) -> int:
    day = (last_active_on - _EPOCH).days if last_active_on and last_active_on > _EPOCH else 0
    return (day << 32) | membership_id


def _joined(*parts: str) -> str:
    return "".join(part.replace(" ", "").replace("\u3000", "") for part in parts)


class _Groups:
    """The searchable content of one member, by field group."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.text: dict[str, list[str]] = {}
        self.facets: dict[str, list[str]] = {}

    def add(
        self, group: str, *, names: Iterable[str] = (), text: Iterable[str] = (), facets: Iterable[str] = ()
    ) -> None:
        self.names.setdefault(group, []).extend(value for value in names if value)
        self.text.setdefault(group, []).extend(value for value in text if value)
        self.facets.setdefault(group, []).extend(facets)

    def document(self, visible: set[str], always: Iterable[str]) -> tuple[str, str, str]:
        """(names, text, keys): the tokens of the visible names, of the visible texts with the
        facets, and of the facets alone (`always` are facets too: network, company, …)."""
        names = [value for group in self.names if group in visible for value in self.names[group]]
        texts = [value for group in self.text if group in visible for value in self.text[group]]
        facets = [*always, *(token for group in self.facets if group in visible for token in self.facets[group])]
        return " ".join(tokens.text_tokens(names)), " ".join([*facets, *tokens.text_tokens(texts)]), " ".join(facets)


def _content(membership: Membership, profile: Profile | None) -> _Groups:
    user = membership.user
    groups = _Groups()
    # The account's names identify the person on every card and page they appear on, whatever the
    # profile's visibility: they are searchable by whoever may see the person at all.
    groups.add(
        ACCOUNT,
        names=[
            user.family_name,
            user.given_name,
            _joined(user.family_name, user.given_name),
            user.family_name_kana,
            user.given_name_kana,
            _joined(user.family_name_kana, user.given_name_kana),
        ],
    )
    if profile is None:
        return groups
    groups.add(
        FieldGroup.BASICS,
        names=[profile.display_name, _joined(profile.display_name), profile.display_name_kana],
        text=[profile.headline],
    )
    groups.add(
        FieldGroup.WORK,
        text=[profile.organisation, profile.role_title, profile.country],
        facets=[
            *([tokens.industry_token(profile.industry)] if profile.industry else []),
            *([tokens.prefecture_token(profile.location)] if profile.location else []),
        ],
    )
    groups.add(
        FieldGroup.CAREER,
        text=[
            value
            for entry in profile.career.all()
            for value in (entry.organisation, entry.role_title, entry.description)
        ],
    )
    skills = [profile_skill.skill for profile_skill in profile.skills.all()]
    groups.add(
        FieldGroup.SKILLS,
        text=[*(skill.name for skill in skills), *(str(language) for language in profile.languages)],
        facets=[tokens.skill_token(skill.pk) for skill in skills],
    )
    groups.add(FieldGroup.NOW, text=[profile.now_text])
    intent = profile.intent if hasattr(profile, "intent") else None  # select_related: no query
    if intent is not None:
        groups.add(FieldGroup.INTENT, facets=[tokens.intent_token(value) for value in intent.facets()])
    return groups


def _visible(profile: Profile | None, allowed: set[str]) -> set[str]:
    visibility = profile.visibility if profile is not None else default_visibility()
    defaults = default_visibility()
    return {ACCOUNT} | {group for group in FIELD_GROUPS if (visibility.get(group) or defaults[group]) in allowed}


def _documents(network: Network, membership_ids: list[int]) -> list[SearchDocument]:
    """The documents of the searchable members (active alumni) among `membership_ids`."""
    members = list(
        Membership.objects.filter(
            network=network, pk__in=membership_ids, state=MembershipState.ACTIVE, role__in=ALUMNI_ROLES
        ).select_related("user")
    )
    ids = [member.pk for member in members]
    listed = set(
        Consent.objects.filter(
            network=network, membership_id__in=ids, purpose=ConsentPurpose.DIRECTORY_LISTING, withdrawn_at__isnull=True
        ).values_list("membership_id", flat=True)
    )
    profiles = {
        profile.membership_id: profile
        for profile in Profile.objects.filter(network=network, membership_id__in=ids)
        .select_related("intent")
        .prefetch_related("career", "skills__skill")
    }
    # Facts of the employment records that alumni see on profiles (company, departments, leave
    # year), and those only staff may filter on (rehire eligibility, how the member registered).
    employment: dict[int, list[str]] = {}
    staff_only: dict[int, list[str]] = {}
    for membership_id, company_id, leave_date, department, eligibility in EmploymentRecord.objects.filter(
        network=network, membership_id__in=ids
    ).values_list("membership_id", "company_id", "leave_date", "department", "rehire_eligibility"):
        facts = employment.setdefault(membership_id, [])
        facts.append(tokens.company_token(company_id))
        if leave_date is not None:
            facts.append(tokens.leave_year_token(leave_date.year))
        if department:
            facts.append(tokens.department_token(department))
        staff_only.setdefault(membership_id, []).append(tokens.rehire_token(eligibility))
    for membership_id, department in (
        Assignment.objects.filter(network=network, record__membership_id__in=ids)
        .exclude(department="")
        .values_list("record__membership_id", "department")
    ):
        employment.setdefault(membership_id, []).append(tokens.department_token(department))
    for membership_id, source in sources_of(network, ids).items():
        staff_only.setdefault(membership_id, []).append(tokens.source_token(source))
    documents = []
    for member in members:
        profile = profiles.get(member.pk)
        content = _content(member, profile)
        always = [tokens.network_token(network.pk), *dict.fromkeys(employment.get(member.pk, []))]
        staff_names, staff_text, staff_keys = content.document(
            _visible(profile, {Visibility.ALUMNI, Visibility.STAFF}),
            [*always, *dict.fromkeys(staff_only.get(member.pk, []))],
        )
        alumni_names, alumni_text, alumni_keys = "", "", ""
        if member.pk in listed:
            alumni_names, alumni_text, alumni_keys = content.document(_visible(profile, {Visibility.ALUMNI}), always)
        documents.append(
            SearchDocument(
                network=network,
                membership=member,
                rank_key=rank_key(member.pk, member.last_active_on),
                last_active_on=member.last_active_on,
                sort_name=member.sort_name,
                alumni_names=alumni_names,
                alumni_text=alumni_text,
                staff_names=staff_names,
                staff_text=staff_text,
                alumni_keys=alumni_keys,
                staff_keys=staff_keys,
            )
        )
    return documents


def reindex_members(network: Network, membership_ids: Iterable[int]) -> None:
    """Rebuild the search documents of these members of `network` (any number, in a few queries).

    Members who are not active alumni lose their document; so do other networks' ids, harmlessly.
    """
    ids = list(dict.fromkeys(membership_ids))
    if not ids:
        return
    with scope(network=network), transaction.atomic():
        documents = _documents(network, ids)
        # Delete and insert rather than update: the triggers (SQLite) and generated columns
        # (PostgreSQL) then rebuild the full-text entries from the new texts.
        SearchDocument.objects.filter(network=network, membership_id__in=ids).delete()
        SearchDocument.objects.bulk_create(documents)
        members_reindexed.send(sender=Network, network=network, membership_ids=ids)


def touch(membership: Membership) -> None:
    """Move the member's document to its place in the recency order after a new active day (one
    UPDATE, at most once per member per day; the member's texts are unchanged)."""
    SearchDocument.objects.filter(network_id=membership.network_id, membership=membership).update(
        rank_key=rank_key(membership.pk, membership.last_active_on), last_active_on=membership.last_active_on
    )
    member_touched.send(sender=Network, membership=membership)


def rebuild(network: Network, batch_size: int = REBUILD_BATCH_SIZE) -> int:
    """Recompute every document of `network`, in batches; returns the number of members indexed."""
    with scope(network=network):
        SearchDocument.objects.filter(network=network).exclude(
            membership__state=MembershipState.ACTIVE, membership__role__in=ALUMNI_ROLES
        ).delete()
        ids = list(
            Membership.objects.filter(network=network, state=MembershipState.ACTIVE, role__in=ALUMNI_ROLES)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for start in range(0, len(ids), batch_size):
        reindex_members(network, ids[start : start + batch_size])
    return len(ids)
