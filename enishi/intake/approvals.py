"""The approval queue: staff decisions on registrations, and duplicate members and their merge.

Registrations that matching could not approve on its own (registration.submit) wait here with their
flags and candidate records. Staff approve (with a record, or without one when HR has none), ask the
applicant for more, or reject. Each decision locks the registration row, so two secretariat members
clicking at once cannot both decide; the second gets a refusal that says it was already decided.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enishi.accounts.models import User
from enishi.intake.access import intake_settings
from enishi.intake.models import EmploymentRecord, JoinChannel, Registration
from enishi.intake.registration import activate, eligibility_problems, possible_duplicates
from enishi.lib.errors import ActionRefused
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.networks.signals import members_merged
from enishi.notifications import emails
from enishi.privacy.services import audit

WAITING_STATUSES = (Registration.Status.PENDING, Registration.Status.NEEDS_INFO)
DECIDED_STATUSES = (Registration.Status.APPROVED, Registration.Status.REJECTED)


def waiting_count(network: Network) -> int:
    """How many registrations wait for the secretariat (asked-for-more ones wait for the applicant)."""
    return Registration.objects.filter(network=network, status=Registration.Status.PENDING).count()


def _lock_waiting(network: Network, registration: Registration) -> Registration:
    """The registration re-read under a row lock; refused unless it still waits for a decision."""
    locked = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("user", "membership")
        .filter(network=network, pk=registration.pk)
        .first()
    )
    if locked is None:
        raise ActionRefused(gettext("This registration does not exist."))
    if locked.status == Registration.Status.DRAFT:
        raise ActionRefused(gettext("This registration has not been sent yet."))
    if locked.status not in WAITING_STATUSES:
        raise ActionRefused(
            gettext("This registration has already been decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


# Reading a registration -------------------------------------------------------------------------


@dataclass
class CandidateReview:
    """One candidate record of a registration, with what staff need to decide on it."""

    record: EmploymentRecord
    matched: list[str]  # MatchField values that agreed when the registration was sent
    missing: list[str]  # required fields that did not (or "name")
    problems: list[str]  # eligibility problems under the network's rules today
    holder: Membership | None  # another member the record already belongs to


def review_candidates(network: Network, registration: Registration) -> list[CandidateReview]:
    """The registration's candidates, best first, as they are now (a record deleted since is left out)."""
    found = registration.candidates or []
    records = EmploymentRecord.objects.filter(network=network, pk__in=[c.get("id") for c in found])
    by_id = {record.pk: record for record in records.select_related("company", "membership__user")}
    rules = intake_settings(network)
    reviews = []
    for candidate in found:
        record = by_id.get(candidate.get("id"))
        if record is None:
            continue
        holder = record.membership
        if holder is not None and (holder.pk == registration.membership_id or holder.state == MembershipState.LEFT):
            holder = None
        reviews.append(CandidateReview(record, list(candidate.get("matched", [])), list(candidate.get("missing", [])),
                                       eligibility_problems(rules, record), holder))  # fmt: skip
    return reviews


def possible_duplicate_members(network: Network, registration: Registration) -> list[Membership]:
    """Members who may be this applicant with another account (same name at the same company)."""
    if registration.status not in WAITING_STATUSES:
        return []
    found = [member.pk for member in possible_duplicates(registration)]
    return list(Membership.objects.filter(network=network, pk__in=found).select_related("user").order_by("pk"))


# Decisions --------------------------------------------------------------------------------------


@transaction.atomic
def approve(
    network: Network,
    actor: User,
    registration: Registration,
    record: EmploymentRecord | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Let the applicant in, linked to `record` (one of this network's records) or, when HR has no
    record of them, to none. A record that belongs to another member is refused: that is a merge."""
    registration = _lock_waiting(network, registration)
    if record is not None:
        record = _free_record(network, registration, record)
    membership = activate(registration, record, actor=actor, request=request)
    audit(network, actor, "registration.approved", registration, request=request,
          record=record.pk if record else None, flags=registration.flags)  # fmt: skip
    emails.registration_approved(registration)
    return membership


def _free_record(network: Network, registration: Registration, record: EmploymentRecord) -> EmploymentRecord:
    locked = (
        EmploymentRecord.objects.select_for_update(of=("self",))
        .select_related("membership__user")
        .filter(network=network, pk=record.pk)
        .first()
    )
    if locked is None:
        raise ActionRefused(gettext("This employment record is not one of this network's records."))
    holder = locked.membership
    if holder is not None and holder.pk != registration.membership_id and holder.state != MembershipState.LEFT:
        raise ActionRefused(
            gettext(
                "This employment record already belongs to another member (%(member)s). If they are the same "
                "person, approve without a record and merge the two members on the duplicates page."
            )
            % {"member": holder.user.full_name or holder.user.email}
        )
    return locked


@transaction.atomic
def ask_for_more(
    network: Network, actor: User, registration: Registration, message: str, request: HttpRequest | None = None
) -> Registration:
    """Send the registration back to the applicant with a question; they edit it and send it again."""
    message = message.strip()
    if not message:
        raise ActionRefused(gettext("Write what the applicant should add or correct."))
    registration = _lock_waiting(network, registration)
    registration.status = Registration.Status.NEEDS_INFO
    registration.staff_message = message
    registration.save(update_fields=["status", "staff_message", "updated_at"])
    audit(network, actor, "registration.info_requested", registration, request=request)
    emails.registration_needs_info(registration)
    return registration


@transaction.atomic
def reject(
    network: Network, actor: User, registration: Registration, reason: str, request: HttpRequest | None = None
) -> Registration:
    """Refuse the registration, with the reason the applicant receives.

    The membership is kept as "left" rather than deleted: the notice acceptance and consents given
    while registering are records of what the person agreed to (protected rows), and the audit log
    points to it.
    """
    reason = reason.strip()
    if not reason:
        raise ActionRefused(gettext("Give the reason the applicant will receive."))
    registration = _lock_waiting(network, registration)
    now = timezone.now()
    registration.status = Registration.Status.REJECTED
    registration.staff_message = reason
    registration.decided_by, registration.decided_at = actor, now
    registration.save(update_fields=["status", "staff_message", "decided_by", "decided_at", "updated_at"])
    membership = registration.membership
    if membership is not None and membership.state == MembershipState.PENDING:
        membership.state, membership.left_at = MembershipState.LEFT, now
        membership.save(update_fields=["state", "left_at"])
    audit(network, actor, "registration.rejected", registration, request=request)
    emails.registration_rejected(registration)
    return registration


# Duplicate members ------------------------------------------------------------------------------


class DuplicateReason:
    """Why members are grouped as probably one person (the codes, and the words staff read)."""

    NAME_AND_BIRTH_DATE = "name_and_birth_date"
    PRIVATE_EMAIL = "private_email"
    NAME_COMPANY_YEARS = "name_company_years"

    LABELS = {
        NAME_AND_BIRTH_DATE: _("Same name and birth date"),
        PRIVATE_EMAIL: _("Same private email in HR records"),
        NAME_COMPANY_YEARS: _("Same name at the same company in the same years"),
    }


@dataclass
class DuplicateGroup:
    members: list[Membership]  # the earliest to join first: the account usually kept
    reasons: set[str] = field(default_factory=set)

    @property
    def reason_labels(self) -> list[str]:
        return [str(DuplicateReason.LABELS[reason]) for reason in sorted(self.reasons)]

    @property
    def newest_activity(self) -> datetime:
        return max(member.activated_at or member.created_at for member in self.members)

    @property
    def is_strong(self) -> bool:
        """A birth date or a private email in common; a shared name and years alone may be namesakes."""
        return bool(self.reasons & {DuplicateReason.NAME_AND_BIRTH_DATE, DuplicateReason.PRIVATE_EMAIL})


DUPLICATE_GROUP_LIMIT = 50
# Common names at a large company are shared by people who never met: look at this many times more
# shared (name, company) keys than groups wanted, since the years rule discards most of them.
SHARED_NAME_FACTOR = 20


def _linked_records(network: Network) -> QuerySet[EmploymentRecord]:
    """Employment records linked to an alumni member who has not left: the rows duplicates are sought in."""
    return EmploymentRecord.objects.filter(
        network=network, membership__isnull=False, membership__role__in=ALUMNI_ROLES
    ).exclude(membership__state=MembershipState.LEFT)


def find_duplicate_groups(network: Network, limit: int = DUPLICATE_GROUP_LIMIT) -> list[DuplicateGroup]:
    """Alumni members (not left) whose linked employment records say they are probably one person.

    Three rules, each a GROUP BY … HAVING in the database, so that it stays fast with 100k records:
    the same name reading (or kanji) and the same birth date; the same private email; the same name
    at the same company with overlapping years of employment (unless two known birth dates differ).
    Each rule keeps at most `limit` shared keys; the members behind them are joined into groups (A~B
    and B~C: one group), strong ones first (a birth date or an email in common), then the newest.
    """
    links: list[tuple[set[int], str]] = []
    for name_key in ("kana_key", "kanji_key"):
        links += _same_name_and_birth_date(network, name_key, limit)
        links += _same_name_company_and_years(network, name_key, limit)
    links += _same_private_email(network, limit)
    groups = _join_links(links)
    if not groups:
        return []
    all_ids = {member_id for member_ids, _reasons in groups for member_id in member_ids}
    records = EmploymentRecord.objects.filter(network=network).select_related("company").order_by("hire_date", "pk")
    members = {
        member.pk: member
        for member in Membership.objects.filter(network=network, pk__in=all_ids)
        .select_related("user")
        .prefetch_related(Prefetch("employment_records", queryset=records))
    }
    result = [
        DuplicateGroup(
            members=sorted(
                (members[i] for i in member_ids if i in members), key=lambda m: (m.activated_at or m.created_at, m.pk)
            ),
            reasons=reasons,
        )
        for member_ids, reasons in groups
    ]
    result = [group for group in result if len(group.members) > 1]
    result.sort(key=lambda group: (not group.is_strong, -group.newest_activity.timestamp()))
    return result[:limit]


def _same_name_and_birth_date(network: Network, name_key: str, limit: int) -> list[tuple[set[int], str]]:
    shared = (
        _linked_records(network)
        .filter(birth_date__isnull=False, **{f"{name_key}__gt": ""})
        .values(name_key, "birth_date")
        .annotate(members=Count("membership", distinct=True))
        .filter(members__gt=1)
        .order_by(name_key, "birth_date")[:limit]
    )
    keys = [{name_key: row[name_key], "birth_date": row["birth_date"]} for row in shared]
    return _members_behind(network, keys, DuplicateReason.NAME_AND_BIRTH_DATE)


def _same_name_company_and_years(network: Network, name_key: str, limit: int) -> list[tuple[set[int], str]]:
    """Same name and company (found by GROUP BY), then years that overlap, checked pair by pair on the
    records of those few keys only: namesakes who worked there at different times are different people."""
    dated = _linked_records(network).filter(hire_date__isnull=False, leave_date__isnull=False,
                                            **{f"{name_key}__gt": ""})  # fmt: skip
    shared = (
        dated.values(name_key, "company_id")
        .annotate(members=Count("membership", distinct=True))
        .filter(members__gt=1)
        .order_by(name_key, "company_id")[: limit * SHARED_NAME_FACTOR]
    )
    keys = {(row[name_key], row["company_id"]) for row in shared}
    if not keys:
        return []
    spans: dict[tuple[str, int], list[tuple[int, int, int, date | None]]] = defaultdict(list)
    rows = dated.filter(**{f"{name_key}__in": {key for key, _company in keys}}).values_list(
        name_key, "company_id", "membership_id", "hire_date", "leave_date", "birth_date"
    )
    for key, company_id, member_id, hired, left, born in rows:
        if (key, company_id) in keys and member_id is not None:
            spans[(key, company_id)].append((member_id, hired.year, left.year, born))
    links = []
    for records in spans.values():
        for (first, hired, left, born), (second, other_hired, other_left, other_born) in combinations(records, 2):
            overlap = hired <= other_left and other_hired <= left
            # Two known birth dates that differ: namesakes, not one person.
            if first != second and overlap and (born is None or other_born is None or born == other_born):
                links.append(({first, second}, DuplicateReason.NAME_COMPANY_YEARS))
    return links


def _same_private_email(network: Network, limit: int) -> list[tuple[set[int], str]]:
    emails_of = _linked_records(network).exclude(private_email="").annotate(email=Lower("private_email"))
    shared = (
        emails_of.values("email")
        .annotate(members=Count("membership", distinct=True))
        .filter(members__gt=1)
        .order_by("email")[:limit]
    )
    by_email: dict[str, set[int]] = defaultdict(set)
    rows = emails_of.filter(email__in=[row["email"] for row in shared]).values_list("email", "membership_id")
    for email, member_id in rows:
        if member_id is not None:
            by_email[email].add(member_id)
    return [(ids, DuplicateReason.PRIVATE_EMAIL) for ids in by_email.values() if len(ids) > 1]


def _members_behind(network: Network, keys: list[dict[str, Any]], reason: str) -> list[tuple[set[int], str]]:
    """The member ids behind each shared key: one query for all the keys of a rule."""
    if not keys:
        return []
    condition = Q()
    for key in keys:
        condition |= Q(**key)
    records = _linked_records(network).filter(condition)
    names = list(keys[0])
    by_key: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    for row in records.values(*names, "membership_id"):
        by_key[tuple(row[name] for name in names)].add(row["membership_id"])
    return [(ids, reason) for ids in by_key.values() if len(ids) > 1]


def _join_links(links: list[tuple[set[int], str]]) -> list[tuple[set[int], set[str]]]:
    """Union of overlapping member sets (a few hundred ids at most), with the reasons of each."""
    parent: dict[int, int] = {}

    def root(item: int) -> int:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for member_ids, _reason in links:
        first, *others = sorted(member_ids)
        for other in others:
            parent[root(other)] = root(first)
    groups: dict[int, tuple[set[int], set[str]]] = {}
    for member_ids, reason in links:
        ids, reasons = groups.setdefault(root(min(member_ids)), (set(), set()))
        ids.update(member_ids)
        reasons.add(reason)
    return list(groups.values())


# Merge ------------------------------------------------------------------------------------------

MERGEABLE_STATES = (MembershipState.ACTIVE, MembershipState.SUSPENDED)


@transaction.atomic
def merge_members(
    network: Network, actor: User, keep: Membership, other: Membership, request: HttpRequest | None = None
) -> Membership:
    """Make `other` (a second account of the same person) part of `keep`, and mark `other` as left.

    Employment records, registrations and the referral link move to `keep`; the alumni invitations
    follow their records. Apps with rows per member move theirs on the `members_merged` signal.

    Consents and notice acceptances are *not* copied: each is a dated act of one person through one
    account (APPI asks for the person's own agreement), and copying would show a consent that `keep`
    never gave. They stay with `other` as the record of what was agreed; where `keep` lacks one, the
    person is asked again through `keep`'s account.
    """
    if keep.network_id != network.pk or other.network_id != network.pk:
        raise ActionRefused(gettext("Only members of this network can be merged."))
    if keep.pk == other.pk:
        raise ActionRefused(gettext("Choose two different members to merge."))
    locked = {
        member.pk: member
        for member in Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(network=network, pk__in=[keep.pk, other.pk])
    }
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.is_staff or other.is_staff:
        raise ActionRefused(gettext("Staff accounts cannot be merged; only alumni."))
    if keep.state not in MERGEABLE_STATES or other.state not in MERGEABLE_STATES:
        raise ActionRefused(
            gettext("Only active or suspended members can be merged. Decide pending registrations in the queue first.")
        )
    records = EmploymentRecord.objects.filter(network=network, membership=other).update(membership=keep)
    registrations = Registration.objects.filter(network=network, membership=other).update(membership=keep)
    if not JoinChannel.objects.filter(network=network, kind=JoinChannel.Kind.REFERRAL, referrer=keep).exists():
        JoinChannel.objects.filter(network=network, kind=JoinChannel.Kind.REFERRAL, referrer=other).update(
            referrer=keep
        )
    members_merged.send(sender=Membership, network=network, kept=keep, merged=other)
    other.state, other.left_at = MembershipState.LEFT, timezone.now()
    other.save(update_fields=["state", "left_at"])
    from enishi.directory.indexing import reindex_members

    reindex_members(network, [keep.pk, other.pk])
    audit(network, actor, "member.merged", keep, request=request, merged=other.pk,
          merged_label=str(other)[:200], records=records, registrations=registrations)  # fmt: skip
    return keep
