"""Self-registration: people who ask to join from the public join page or a channel link.

The person first creates an account (allauth, address verified by a code), then tells who they were
at the company (one screen) and accepts the purpose-of-use notice with their consents. `submit`
compares that with the employment records under the network's matching rules: one clear, eligible
match is approved at once; anything else waits in the approval queue with the reasons (flags) and
the candidate records, for staff to decide (see approvals.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from enishi.accounts.models import User
from enishi.intake.models import (
    EmploymentRecord,
    IntakeSettings,
    JoinChannel,
    MatchField,
    Registration,
    RegistrationFlag,
    normalise_employee_number,
)
from enishi.lib.errors import ActionRefused
from enishi.lib.japanese import name_key
from enishi.networks.models import Membership, Network
from enishi.networks.roles import MembershipState, Role
from enishi.privacy.models import ConsentPurpose, PrivacyNotice
from enishi.privacy.notices import accept_notice, current_notice, grant_consent
from enishi.privacy.services import audit

# A candidate list longer than this is cut: staff compare a handful, not a page of namesakes.
MAX_CANDIDATES = 10


# Eligibility ------------------------------------------------------------------------------------


def eligibility_problems(rules: IntakeSettings, record: EmploymentRecord, today: date | None = None) -> list[str]:
    """Why the person of `record` may not join under the network's rules (empty: eligible)."""
    problems: list[str] = []
    today = today or timezone.localdate()
    if record.leave_date is None or record.leave_date > today:
        problems.append(gettext("HR has no past leave date for this record."))
    tenure = record.tenure_months
    if rules.min_tenure_months and tenure is not None and tenure < rules.min_tenure_months:
        problems.append(
            gettext("Tenure of %(months)d months is below the minimum of %(minimum)d.")
            % {"months": tenure, "minimum": rules.min_tenure_months}
        )
    if record.leave_reason and record.leave_reason in (rules.excluded_leave_reasons or []):
        problems.append(
            gettext("Leave reason “%(reason)s” is not eligible.") % {"reason": record.get_leave_reason_display()}
        )
    company_ids = eligible_company_ids(rules)
    if company_ids and record.company_id not in company_ids:
        problems.append(gettext("The company is not one whose former employees may join."))
    return problems


def eligible_company_ids(rules: IntakeSettings) -> set[int]:
    """The companies whose leavers may join (empty: all). Cached on the rules object."""
    cached: set[int] | None = getattr(rules, "_eligible_company_ids", None)
    if cached is None:
        cached = set(rules.eligible_companies.values_list("id", flat=True))
        rules._eligible_company_ids = cached  # type: ignore[attr-defined]
    return cached


# Matching ---------------------------------------------------------------------------------------


@dataclass
class Candidate:
    record: EmploymentRecord
    matched: list[str] = field(default_factory=list)  # MatchField values that agree
    missing: list[str] = field(default_factory=list)  # required fields that do not (or cannot) agree

    @property
    def is_full_match(self) -> bool:
        return not self.missing


@dataclass
class MatchResult:
    candidates: list[Candidate]
    flags: list[str]

    @property
    def approvable(self) -> Candidate | None:
        """The one record to link automatically, when nothing asks for a person to look."""
        full = [candidate for candidate in self.candidates if candidate.is_full_match]
        return full[0] if len(full) == 1 and not self.flags else None


def _compare(rules: IntakeSettings, registration: Registration, record: EmploymentRecord) -> Candidate:
    kana = name_key(registration.family_name_kana, registration.given_name_kana)
    kanji = name_key(registration.family_name, registration.given_name)
    # A former family name is given in kanji only (its reading is unknown), so it counts for the kanji name.
    former_kanji = (
        name_key(registration.former_family_name, registration.given_name) if registration.former_family_name else ""
    )
    tolerance = rules.year_tolerance
    agrees = {
        MatchField.NAME_KANA: bool(kana) and record.kana_key == kana,
        MatchField.NAME_KANJI: bool(kanji) and record.kanji_key in {kanji, former_kanji} - {""},
        MatchField.HIRE_YEAR: registration.hire_year is not None and record.hire_date is not None
        and abs(record.hire_date.year - registration.hire_year) <= tolerance,
        MatchField.LEAVE_YEAR: registration.leave_year is not None and record.leave_date is not None
        and abs(record.leave_date.year - registration.leave_year) <= tolerance,
        MatchField.EMPLOYEE_NUMBER: bool(registration.employee_number)
        and normalise_employee_number(record.employee_number)
        == normalise_employee_number(registration.employee_number),
        MatchField.BIRTH_DATE: registration.birth_date is not None and record.birth_date == registration.birth_date,
    }  # fmt: skip
    candidate = Candidate(record=record)
    candidate.matched = [name for name in MatchField.values if agrees[MatchField(name)]]
    if not (agrees[MatchField.NAME_KANA] or agrees[MatchField.NAME_KANJI]):
        # Some name must agree whatever the rules say; a record found by number or birth date alone is a lead.
        candidate.missing.append("name")
    candidate.missing += [name for name in rules.match_fields if name in MatchField.values and not agrees[name]]
    return candidate


def candidate_records(registration: Registration) -> list[EmploymentRecord]:
    """Records of the chosen company that share the name (kana or kanji, former family name too),
    the employee number or the birth date: the few rows worth comparing.

    One query per kind of lookup, each served by its own index, rather than one query OR-ing them:
    planners (SQLite's without statistics above all) turn such an OR into a scan of the company.
    """
    if registration.company_id is None:
        return []
    lookups: list[dict[str, object]] = []
    kana = name_key(registration.family_name_kana, registration.given_name_kana)
    kanji = name_key(registration.family_name, registration.given_name)
    if kana:
        lookups.append({"kana_key": kana})
    if kanji:
        lookups.append({"kanji_key": kanji})
    if registration.former_family_name:
        lookups.append({"kanji_key": name_key(registration.former_family_name, registration.given_name)})
    if registration.employee_number:
        lookups.append({"employee_number": registration.employee_number.strip()})
    if registration.birth_date:
        lookups.append({"birth_date": registration.birth_date, "given_name": registration.given_name})
    found: dict[int, EmploymentRecord] = {}
    records = EmploymentRecord.objects.filter(network_id=registration.network_id, company_id=registration.company_id)
    for lookup in lookups:
        for record in records.filter(**lookup).select_related("company", "membership")[: MAX_CANDIDATES * 3]:
            found.setdefault(record.pk, record)
    return sorted(found.values(), key=lambda record: (-(record.leave_date or date.min).toordinal(), record.pk))


def match(rules: IntakeSettings, registration: Registration) -> MatchResult:
    """Compare a registration with the records and say whether it can be approved automatically."""
    records = candidate_records(registration)
    candidates = [_compare(rules, registration, record) for record in records]
    candidates.sort(key=lambda c: (bool(c.missing), -len(c.matched), -(c.record.leave_date or date.min).toordinal()))
    candidates = candidates[:MAX_CANDIDATES]
    full = [candidate for candidate in candidates if candidate.is_full_match]
    flags: list[str] = []
    if not candidates:
        flags.append(RegistrationFlag.NO_CANDIDATE)
    elif len(full) > 1:
        flags.append(RegistrationFlag.SEVERAL_CANDIDATES)
    elif not full:
        flags.append(RegistrationFlag.PARTIAL_MATCH)
    named = [candidate for candidate in candidates if "name" not in candidate.missing]
    if full or named:
        best = (full or named)[0].record
        if best.membership_id is not None and best.membership_id != registration.membership_id:
            flags.append(RegistrationFlag.RECORD_TAKEN)
        if best.leave_date is None or best.leave_date > timezone.localdate():
            flags.append(RegistrationFlag.STILL_EMPLOYED)
        elif eligibility_problems(rules, best):
            flags.append(RegistrationFlag.NOT_ELIGIBLE)
    if _members_of_namesakes(registration, records):
        flags.append(RegistrationFlag.POSSIBLE_DUPLICATE)
    if not rules.auto_approve and not flags:
        flags.append(RegistrationFlag.MANUAL_REVIEW)
    # Candidates that are only leads (no name agrees) are shown only when nothing better exists.
    return MatchResult(candidates=named or candidates, flags=flags)


def possible_duplicates(registration: Registration) -> list[Membership]:
    """Members of the network, other than this person, whose linked records carry the same name and company."""
    return _members_of_namesakes(registration, candidate_records(registration))


def _members_of_namesakes(registration: Registration, records: list[EmploymentRecord]) -> list[Membership]:
    kana = name_key(registration.family_name_kana, registration.given_name_kana)
    kanji = name_key(registration.family_name, registration.given_name)
    members: dict[int, Membership] = {}
    for record in records:
        member = record.membership
        same_name = (kana and record.kana_key == kana) or (kanji and record.kanji_key == kanji)
        if member is None or not same_name or member.user_id == registration.user_id:
            continue
        if member.state != MembershipState.LEFT:
            members.setdefault(member.pk, member)
    return list(members.values())[:MAX_CANDIDATES]


# The registration itself ------------------------------------------------------------------------


def registration_for(network: Network, user: User, channel: JoinChannel | None = None) -> Registration:
    """The person's registration in this network, started (as a draft) if there is none yet."""
    registration = Registration.objects.filter(network=network, user=user).first()
    if registration is None:
        registration = Registration(network=network, user=user, channel=channel)
        registration.family_name, registration.given_name = user.family_name, user.given_name
        registration.family_name_kana, registration.given_name_kana = user.family_name_kana, user.given_name_kana
    return registration


def save_draft(registration: Registration) -> Registration:
    """Keep what the person has typed so far, so that an interrupted registration can be resumed."""
    if registration.status in (Registration.Status.DRAFT, Registration.Status.NEEDS_INFO):
        registration.save()
    return registration


@transaction.atomic
def submit(
    rules: IntakeSettings,
    registration: Registration,
    consents: Iterable[str] = (),
    notice: PrivacyNotice | None = None,
    request: HttpRequest | None = None,
) -> Registration:
    """Send a registration: match it, then approve it at once or put it in the approval queue.

    `notice` is the version of the purpose-of-use notice the person accepted on the same screen
    (required when the network has one in force); `consents` the purposes they ticked.
    """
    network, user = registration.network, registration.user
    if registration.status not in (Registration.Status.DRAFT, Registration.Status.NEEDS_INFO):
        raise ActionRefused(gettext("This registration has already been sent."))
    in_force = current_notice(network)
    if in_force is not None and (notice is None or notice.pk != in_force.pk):
        raise ActionRefused(gettext("The purpose-of-use notice has changed. Please read it again and accept it."))
    membership = Membership.objects.select_for_update().filter(network=network, user=user).first()
    if membership is not None and membership.state in (MembershipState.ACTIVE, MembershipState.SUSPENDED):
        raise ActionRefused(gettext("You are already a member of this network."))
    if membership is None:
        membership = Membership(network=network, user=user, role=Role.ALUMNUS)
    membership.role, membership.state = Role.ALUMNUS, MembershipState.PENDING
    membership.save()
    registration.membership = membership
    _name_the_account(user, registration)

    result = match(rules, registration)
    registration.candidates = [
        {"id": c.record.pk, "matched": c.matched, "missing": c.missing} for c in result.candidates
    ]
    registration.flags = [str(flag) for flag in result.flags]
    registration.status = Registration.Status.PENDING
    registration.submitted_at = timezone.now()
    registration.save()
    if in_force is not None:
        accept_notice(membership, in_force)
    for purpose in consents:
        if purpose in ConsentPurpose.values:
            grant_consent(membership, purpose, notice=in_force)
    audit(network, user, "registration.submitted", registration, request=request, flags=registration.flags,
          source=registration.channel.kind if registration.channel else "public")  # fmt: skip

    chosen = result.approvable
    if chosen is not None:
        activate(registration, chosen.record, actor=None, request=request)
    return registration


def activate(
    registration: Registration, record: EmploymentRecord | None, actor: User | None, request: HttpRequest | None = None
) -> Membership:
    """Make the applicant an active alumnus, linked to `record` if given. actor None: approved automatically."""
    membership = registration.membership
    if membership is None:
        raise ActionRefused(gettext("This registration has not been sent yet."))
    membership.state, membership.activated_at = MembershipState.ACTIVE, timezone.now()
    membership.save(update_fields=["state", "activated_at"])
    if record is not None:
        record.membership = membership
        record.save(update_fields=["membership", "updated_at"])
    registration.record = record
    registration.status = Registration.Status.APPROVED
    registration.decided_by, registration.decided_at = actor, timezone.now()
    registration.save(update_fields=["record", "status", "decided_by", "decided_at", "updated_at"])
    from enishi.directory.indexing import reindex_members

    reindex_members(registration.network, [membership.pk])
    audit(registration.network, actor or registration.user, "alumni.registered", membership, request=request,
          via="approval" if actor else "automatic_match", record=record.pk if record else None)  # fmt: skip
    return membership


def _name_the_account(user: User, registration: Registration) -> None:
    """The account carries the names the person gave, unless they already set their own."""
    if user.family_name:
        return
    user.family_name, user.given_name = registration.family_name, registration.given_name
    user.family_name_kana, user.given_name_kana = registration.family_name_kana, registration.given_name_kana
    user.save(update_fields=["family_name", "given_name", "family_name_kana", "given_name_kana"])


def referral_link_for(membership: Membership) -> JoinChannel:
    """The alumnus's own referral link, created on first use (one per member)."""
    link, _ = JoinChannel.objects.get_or_create(
        network_id=membership.network_id, kind=JoinChannel.Kind.REFERRAL, referrer=membership,
        defaults={"created_by_id": membership.user_id},
    )  # fmt: skip
    return link


@transaction.atomic
def save_rules(
    network: Network, actor: User, rules: IntakeSettings, changed: list[str], request: HttpRequest | None = None
) -> IntakeSettings:
    """Save the intake rules. Switching automatic invitations on starts from today: leavers already
    in the records are not all invited at once."""
    if rules.auto_invite_days is None:
        rules.auto_invite_since = None
    elif rules.auto_invite_since is None:
        rules.auto_invite_since = timezone.localdate()
    rules.save()
    audit(network, actor, "intake_settings.changed", rules, request=request, fields=sorted(changed))
    return rules
