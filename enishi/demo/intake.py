"""Demo content for alumni intake: what a secretariat sees some eighteen months after opening.

`seed_intake` adds, to a network that `services.seed_demo` has just filled:

- the purpose-of-use notice (利用目的), version 1, published a week before the network opened and
  accepted by every active alumnus when they joined, so the alumni logins pass the notice gate;
- the intake rules: public join, automatic approval, matching on name and leave year, reminders,
  automatic invitations switched on about two months ago;
- about 150 recent leavers in HR's records, not registered yet, with invitations in every state
  (sent, opened, reminded, bounced, expired, replaced, printed as flyers, sent automatically), and
  for a tenth of the generated alumni the email invitation through which they registered;
- join links (homepage, press release, an event, a flyer stack, alumni's referral links) with
  their visits, and registrations of generated alumni that came through them;
- the approval queue: applicants sent through the real `registration.submit`, so that their flags
  and candidates are what matching finds, and two registrations never sent.

Deterministic from the seed and dated relative to today. Of a fixed size: nothing here grows with
the number of alumni except the notice acceptances, one small row per alumnus (`_accept_notice`),
because an alumnus who joined after the notice was published has accepted it. The state is at
rest: right after seeding the worker has no reminder and no automatic invitation to send, so what
the demo shows does not change under the visitor's eyes.
"""

from __future__ import annotations

import calendar
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_scopes import scope

from enishi.accounts.models import User
from enishi.demo.catalogue import DEMO, NetworkSpec
from enishi.demo.names import Name
from enishi.demo.people import ACTIVATION_WINDOW_DAYS, NEW_GRADUATE_SHARE, PersonFactory
from enishi.demo.services import BATCH_SIZE, ELIGIBILITY_SHARES, LEAVE_REASON_SHARES, SeedSummary, Target
from enishi.intake.access import intake_settings
from enishi.intake.models import (
    AlumniInvitation,
    EmploymentRecord,
    IntakeSettings,
    JoinChannel,
    MatchField,
    Registration,
    new_short_code,
)
from enishi.intake.registration import registration_for, save_draft, submit
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.privacy.models import Consent, ConsentPurpose, NoticeAcceptance, PrivacyNotice
from enishi.privacy.notices import publish_notice
from enishi.privacy.services import audit

RECENT_LEAVERS = 150
RECENT_WINDOW_DAYS = 540  # leave dates of the last 18 months
PRIVATE_EMAIL_SHARE = 0.85  # HR has a private address for most leavers
MONTH_END_LEAVE_SHARE = 0.8
# Employee numbers of the records made here: above any generated alumnus (FIRST_BULK_SERIAL + index).
RECORD_SERIAL = 9_000_000
# The generated alumni looked at for invitations and channel registrations: the first ones only, so
# a million-alumni demo reads a few thousand rows here, not a million.
POOL_SIZE = 5000
INVITED_ALUMNI_SHARE = 0.10  # registered through an email invitation…
MAX_INVITED_ALUMNI = 200  # …at most this many
CHANNEL_ALUMNI_SHARE = 0.05  # registered through a join link…
MAX_CHANNEL_ALUMNI = 90  # …at most this many

# The rules a secretariat would choose (IntakeSettings).
MATCH_FIELDS = [MatchField.NAME_KANA, MatchField.NAME_KANJI, MatchField.LEAVE_YEAR]
YEAR_TOLERANCE = 1
MIN_TENURE_MONTHS = 3
REMINDER_DAYS = 7
AUTO_INVITE_DAYS = 14
AUTO_INVITE_SWITCHED_ON_DAYS_AGO = 60
NOTICE_BEFORE_OPENING_DAYS = 7

# What HR did with the recent leavers who left before automatic invitations were switched on
# (relative weights). Leavers without a private email can only be left alone or sent a flyer.
PLAN_WITH_EMAIL = (
    ("none", 18), ("invited", 10), ("opened", 14), ("reminded", 16), ("bounced", 7), ("expired", 16),
    ("replaced", 9), ("flyer", 6),
)  # fmt: skip
PLAN_WITHOUT_EMAIL = (("none", 55), ("flyer", 45))

ModelT = TypeVar("ModelT", bound=Model)


@dataclass(frozen=True)
class Clock:
    """Today and now in the network's time zone, and the moments of a working day."""

    today: date
    now: datetime
    zone: ZoneInfo

    @property
    def opened(self) -> date:
        """The day the network opened: the generated alumni joined after it."""
        return self.today - timedelta(days=ACTIVATION_WINDOW_DAYS)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def office_hours(self, rng: random.Random, days_ago: int) -> datetime:
        """A time between 09:00 and 18:00 on the working day `days_ago` days ago (or the Friday before)."""
        day = self.today - timedelta(days=days_ago)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return self.past(self.at(day, 9) + timedelta(minutes=rng.randint(0, 9 * 60 - 1)))

    def past(self, moment: datetime) -> datetime:
        """`moment`, or a few minutes ago if it has not come yet."""
        return min(moment, self.now - timedelta(minutes=5))

    def days_since(self, moment: datetime) -> int:
        return (self.now - moment).days


# --- Entry point -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    admin: User
    hr: User
    editor: User


def seed_intake(target: Target, spec: NetworkSpec, seed: int, today: date) -> SeedSummary:
    """Add the intake content to a freshly seeded demo network (a small version for the second one)."""
    network = target.network
    rng = random.Random(f"{seed}:{spec.slug}:intake")
    clock = Clock(today, timezone.now(), ZoneInfo(network.time_zone))
    users = {user.email: user for user in User.objects.filter(email__in=[a.email for a in spec.accounts])}
    by_role = {account.role: users[account.email] for account in spec.accounts}
    admin = by_role[Role.ADMIN]
    staff = Staff(admin, by_role.get(Role.HR, admin), by_role.get(Role.EDITOR, admin))
    summary = SeedSummary()
    with transaction.atomic(), scope(network=network):
        if spec.slug == DEMO.slug:
            notice = _publish(network, admin, clock, DEMO_NOTICE_JA, DEMO_NOTICE_EN)
            rules = _rules(network, clock, demo=True)
            summary = _demo_intake(target, spec, seed, rng, clock, staff, rules, notice)
            _consents(network)
        else:
            notice = _publish(network, admin, clock, OTHER_NOTICE_JA, OTHER_NOTICE_EN)
            _rules(network, clock, demo=False)
            _channels(network, rng, clock, other_channels(), staff)
    # Its own statement, after the alumni it follows (services.py): the one part that grows with them.
    with scope(network=network):
        _accept_notice(network, notice)
    return summary


def _demo_intake(
    target: Target, spec: NetworkSpec, seed: int, rng: random.Random, clock: Clock, staff: Staff,
    rules: IntakeSettings, notice: PrivacyNotice,
) -> SeedSummary:  # fmt: skip
    network = target.network
    leavers = _recent_leavers(target, spec, seed, rng, clock)
    cases = queue_cases(clock.today)
    case_records = _case_records(target, cases, len(leavers))
    # Records keep the seeding time as created_at, like the generated alumni's.
    EmploymentRecord.objects.bulk_create(leavers + case_records, batch_size=BATCH_SIZE)
    holder = _holder(target, cases, case_records, rng, clock, staff)
    invitations = _leaver_invitations(leavers, rules, rng, clock, staff)
    pool = _alumni_pool(network, spec)
    rng.shuffle(pool)
    invited_count = min(MAX_INVITED_ALUMNI, round(len(pool) * INVITED_ALUMNI_SHARE))
    invitations += [_accepted_invitation(member.record, member.email, member.activated_at, rng, clock, staff)
                    for member in pool[:invited_count]]  # fmt: skip
    invitations.append(holder)
    _insert_backdated(AlumniInvitation, invitations, ("created_at",))
    specs = demo_channels(clock.today)
    links = _channels(network, rng, clock, specs, staff)
    referrals = _referral_links(network, rng, clock, pool[invited_count:])
    shares = {**{str(spec.kind): spec.share for spec in specs}, **dict.fromkeys(referrals, REFERRAL_SHARE)}
    _channel_registrations(network, rng, pool[invited_count:], links | referrals, shares)
    _queue(target, cases, rules, notice, links | referrals, clock, staff)
    sent = sum(case.sent for case in cases)
    return SeedSummary(users=len(cases) + 1, memberships=sent + 1, employment_records=len(leavers) + len(case_records))


# --- Notice, consents, rules ---------------------------------------------------------------------


def _publish(network: Network, admin: User, clock: Clock, body_ja: str, body_en: str) -> PrivacyNotice:
    """Version 1 of the notice, dated a week before the network opened (its text says so)."""
    published = clock.at(clock.opened - timedelta(days=NOTICE_BEFORE_OPENING_DAYS), 10)
    day = published.date()
    notice = publish_notice(
        network, admin,
        body_ja.format(date=f"{day.year}年{day.month}月{day.day}日"),
        body_en.format(date=f"{day.day} {calendar.month_name[day.month]} {day.year}"),
    )  # fmt: skip
    PrivacyNotice.objects.filter(network=network, pk=notice.pk).update(published_at=published, created_at=published)
    notice.refresh_from_db()
    return notice


def _accept_notice(network: Network, notice: PrivacyNotice) -> int:
    """Every active alumnus accepted the notice when they joined (at their activation).

    One INSERT … SELECT, done by the database: it is a row per alumnus, and building a million rows
    through the ORM would add about a minute to a million-alumni demo. Applicants of the queue
    accepted it through `submit`; they are pending, so not selected here.
    """
    alumni = (
        Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
        .annotate(notice_pk=Value(notice.pk), accepted=Coalesce("activated_at", "created_at"))
        .order_by()
        .values_list("network_id", "pk", "notice_pk", "accepted")  # fields, then annotations: the SQL's order
    )
    select, params = alumni.query.sql_with_params()
    column = {field.name: connection.ops.quote_name(field.column) for field in NoticeAcceptance._meta.concrete_fields}
    columns = ", ".join(column[name] for name in ("network", "membership", "notice", "accepted_at"))
    table = connection.ops.quote_name(NoticeAcceptance._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        # Identifiers come from the models and every value is a bound parameter.
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        return cursor.rowcount


# What the named demo accounts agreed to when they joined (alumni4 ticked nothing); alumni2 has
# since withdrawn her consent to rehire contact.
NAMED_CONSENTS = {
    "supporter@demo.example": (ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.COLLABORATION_CONTACT),
    "alumni1@demo.example": (ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.REHIRE_CONTACT,
                             ConsentPurpose.COLLABORATION_CONTACT, ConsentPurpose.COORDINATOR_RELAY),
    "alumni2@demo.example": (ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.REHIRE_CONTACT),
    "alumni3@demo.example": (ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.COORDINATOR_RELAY),
    "alumni5@demo.example": (ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.REHIRE_CONTACT),
}  # fmt: skip
WITHDRAWN = {("alumni2@demo.example", ConsentPurpose.REHIRE_CONTACT): 90}  # days ago


def _consents(network: Network) -> None:
    members = Membership.objects.filter(network=network, user__email__in=list(NAMED_CONSENTS)).select_related("user")
    now = timezone.now()
    rows = []
    for member in members:
        for purpose in NAMED_CONSENTS[member.user.email]:
            withdrawn = WITHDRAWN.get((member.user.email, purpose))
            rows.append(Consent(
                network_id=network.pk, membership=member, purpose=purpose, notice_version=1,
                granted_at=member.activated_at or now,
                withdrawn_at=now - timedelta(days=withdrawn) if withdrawn is not None else None,
            ))  # fmt: skip
    Consent.objects.bulk_create(rows)


def _rules(network: Network, clock: Clock, *, demo: bool) -> IntakeSettings:
    rules = intake_settings(network)
    rules.public_join = True
    rules.match_fields = list(MATCH_FIELDS)
    rules.year_tolerance = YEAR_TOLERANCE
    # The second network checks every request by hand: a small association knows its people.
    rules.auto_approve = demo
    rules.min_tenure_months = MIN_TENURE_MONTHS if demo else 0
    rules.reminder_days = REMINDER_DAYS
    if demo:
        rules.auto_invite_days = AUTO_INVITE_DAYS
        rules.auto_invite_since = clock.today - timedelta(days=AUTO_INVITE_SWITCHED_ON_DAYS_AGO)
    rules.save()
    return rules


# --- Recent leavers ------------------------------------------------------------------------------


def _recent_leavers(
    target: Target, spec: NetworkSpec, seed: int, rng: random.Random, clock: Clock
) -> list[EmploymentRecord]:
    """People who left in the last 18 months: names, companies and departments drawn like the alumni's."""
    midnight = clock.at(clock.today, 0)
    people = PersonFactory(random.Random(f"{seed}:{spec.slug}:leavers"), spec.companies, clock.today, midnight)
    used_emails: set[str] = set()
    records = []
    for serial in range(1, RECENT_LEAVERS + 1):
        person = people.person()
        first, last = person.stints[0], person.stints[-1]
        leave = _recent_leave_date(rng, clock.today)
        hire = _hire_date(rng, leave, (last.leave_date - first.hire_date).days)
        birth_year = hire.year - (rng.randint(22, 24) if hire.month == 4 else rng.randint(25, 40))
        email = ""
        if rng.random() < PRIVATE_EMAIL_SHARE:
            email = _private_email(rng, last.family_name, person.given, birth_year, used_emails)
        record = EmploymentRecord(
            network_id=target.network.pk, company_id=target.companies[last.company].pk,
            employee_number=f"{target.codes[last.company]}{RECORD_SERIAL + serial:07d}",
            family_name=last.family_name.kanji, given_name=person.given.kanji,
            family_name_kana=last.family_name.kana, given_name_kana=person.given.kana,
            private_email=email, birth_date=date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
            department=last.department, job_title=_job_title(rng, (leave - hire).days / 365.25),
            hire_date=hire, leave_date=leave,
            leave_reason=_weighted(rng, LEAVE_REASON_SHARES), rehire_eligibility=_weighted(rng, ELIGIBILITY_SHARES),
        )  # fmt: skip
        record.set_keys()
        records.append(record)
    return records


def _recent_leave_date(rng: random.Random, today: date) -> date:
    day = today - timedelta(days=rng.randint(1, RECENT_WINDOW_DAYS))
    month_end = _month_end(day)
    return month_end if rng.random() < MONTH_END_LEAVE_SHARE and month_end < today else day


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _hire_date(rng: random.Random, leave: date, tenure_days: int) -> date:
    """1 April for new graduates, the first of a month otherwise, about `tenure_days` before leaving."""
    raw = leave - timedelta(days=max(tenure_days, 200))
    if rng.random() < NEW_GRADUATE_SHARE:
        april = date(raw.year, 4, 1)
        return april if april <= raw else date(raw.year - 1, 4, 1)
    return raw.replace(day=1)


def _job_title(rng: random.Random, years: float) -> str:
    if years < 4:
        return rng.choice(("担当", "担当", "主任"))
    if years < 10:
        return rng.choice(("主任", "係長", "課長代理"))
    if years < 20:
        return rng.choice(("課長代理", "課長", "調査役"))
    return rng.choice(("課長", "次長", "部長"))


def _weighted(rng: random.Random, shares: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in shares], weights=[share for _, share in shares])[0]


EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")


def _private_email(rng: random.Random, family: Name, given: Name, birth_year: int, used: set[str]) -> str:
    family_latin, given_latin = romaji(family.kana), romaji(given.kana)
    local = rng.choice((
        f"{given_latin}.{family_latin}", f"{family_latin}.{given_latin}", f"{given_latin[0]}.{family_latin}",
        f"{family_latin}{birth_year % 100:02d}", f"{given_latin}{family_latin[0]}{birth_year % 100:02d}",
    ))  # fmt: skip
    address = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    while address in used:
        address = f"{local}{rng.randint(2, 99)}@{rng.choice(EMAIL_DOMAINS)}"
    used.add(address)
    return address


def _kana_table(pairs: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in pairs.split())


_KANA = _kana_table(
    "ア=a イ=i ウ=u エ=e オ=o カ=ka キ=ki ク=ku ケ=ke コ=ko ガ=ga ギ=gi グ=gu ゲ=ge ゴ=go サ=sa シ=shi ス=su "
    "セ=se ソ=so ザ=za ジ=ji ズ=zu ゼ=ze ゾ=zo タ=ta チ=chi ツ=tsu テ=te ト=to ダ=da ヂ=ji ヅ=zu デ=de ド=do "
    "ナ=na ニ=ni ヌ=nu ネ=ne ノ=no ハ=ha ヒ=hi フ=fu ヘ=he ホ=ho バ=ba ビ=bi ブ=bu ベ=be ボ=bo パ=pa ピ=pi "
    "プ=pu ペ=pe ポ=po マ=ma ミ=mi ム=mu メ=me モ=mo ヤ=ya ユ=yu ヨ=yo ラ=ra リ=ri ル=ru レ=re ロ=ro ワ=wa "
    "ヲ=o ン=n"
)
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}


def romaji(kana: str) -> str:
    """Hepburn romanisation of a katakana name, as people spell it in an email address (ユウコ → yuuko)."""
    out = ""
    double_next = False
    for char in kana:
        if char == "ッ":
            double_next = True
            continue
        if char in _SMALL_Y and out.endswith("i"):
            stem = out[:-1]
            out = stem + (_SMALL_Y[char] if stem.endswith(("sh", "ch", "j")) else "y" + _SMALL_Y[char])
            continue
        syllable = _KANA.get(char, "")
        if double_next and syllable:
            syllable = syllable[0] + syllable
        double_next = False
        out += syllable
    return out or "alumni"


# --- Invitations ---------------------------------------------------------------------------------


def _email_invitation(
    record: EmploymentRecord, email: str, sent: datetime, clock: Clock, staff: Staff, rng: random.Random, *,
    opened: bool = False, bounced: bool = False, automatic: bool = False, revoked: datetime | None = None,
    accepted: datetime | None = None,
) -> AlumniInvitation:  # fmt: skip
    """An email invitation sent at `sent`, with the reminder the worker sent a week later if one was due
    (the link still working and unanswered by then)."""
    invitation = _invitation(record, email, AlumniInvitation.Delivery.EMAIL, sent, None if automatic else staff.hr)
    invitation.automatic = automatic
    invitation.accepted_at = accepted
    end = min(filter(None, (accepted, revoked, invitation.expires_at, clock.now)))
    if bounced:
        invitation.bounced_at = sent + timedelta(minutes=rng.randint(1, 20))
    elif end - sent > timedelta(days=REMINDER_DAYS):
        invitation.reminded_at = sent + timedelta(days=REMINDER_DAYS, minutes=rng.randint(1, 10))
    if opened and not bounced:
        invitation.opened_at = _opened(sent, end, rng)
    invitation.revoked_at = revoked
    return invitation


def _flyer(record: EmploymentRecord, printed: datetime, clock: Clock, staff: Staff, rng: random.Random, *,
           opened: bool = False, revoked: datetime | None = None) -> AlumniInvitation:  # fmt: skip
    invitation = _invitation(record, "", AlumniInvitation.Delivery.FLYER, printed, staff.hr)
    if opened:
        invitation.opened_at = _opened(printed, min(invitation.expires_at, clock.now), rng)
    invitation.revoked_at = revoked
    return invitation


def _invitation(
    record: EmploymentRecord, email: str, delivery: str, sent: datetime, invited_by: User | None
) -> AlumniInvitation:
    return AlumniInvitation(
        network_id=record.network_id, record=record, email=email, delivery=delivery, invited_by=invited_by,
        token=secrets.token_urlsafe(32), short_code=new_short_code(), created_at=sent,
        expires_at=sent + timedelta(days=settings.ALUMNI_INVITATION_DAYS),
    )  # fmt: skip


def _opened(sent: datetime, before: datetime, rng: random.Random) -> datetime:
    """Opened some minutes to two days after it arrived, and before `before`."""
    opened = sent + timedelta(minutes=rng.randint(12, 2 * 24 * 60))
    return opened if opened < before else sent + (before - sent) / 2


def _leaver_invitations(
    leavers: list[EmploymentRecord], rules: IntakeSettings, rng: random.Random, clock: Clock, staff: Staff
) -> list[AlumniInvitation]:
    """Invitations of the recent leavers, in every state a secretariat meets.

    Leavers of the last two weeks wait for their automatic invitation. Those who left since
    automatic invitations were switched on got one, if HR has their address. Earlier leavers are
    HR's own work: invited by hand, sent flyers, or not yet.
    """
    auto_from = rules.auto_invite_since or clock.today
    auto_by = clock.today - timedelta(days=rules.auto_invite_days or 0)
    older = [record for record in leavers if record.leave_date is not None and record.leave_date < auto_from]
    with_email = [record for record in older if record.private_email]
    without_email = [record for record in older if not record.private_email]
    plan = [*zip(with_email, _plan(rng, PLAN_WITH_EMAIL, len(with_email)), strict=True),
            *zip(without_email, _plan(rng, PLAN_WITHOUT_EMAIL, len(without_email)), strict=True)]  # fmt: skip
    invitations = []
    for index, (record, state) in enumerate(plan):
        invitations += _invitations_for(state, index, record, rng, clock, staff)
    for record in leavers:
        assert record.leave_date is not None
        if auto_from <= record.leave_date <= auto_by and record.private_email:
            sent = clock.past(clock.at(record.leave_date + timedelta(days=AUTO_INVITE_DAYS), 9, rng.randint(0, 9)))
            invitations.append(_email_invitation(record, record.private_email, sent, clock, staff, rng,
                                                 opened=rng.random() < 0.4, bounced=rng.random() < 0.1,
                                                 automatic=True))  # fmt: skip
    return invitations


def _plan(rng: random.Random, shares: Sequence[tuple[str, int]], count: int) -> list[str]:
    """`count` states in these proportions, each at least once when there is room, shuffled."""
    total = sum(share for _, share in shares)
    counts = {state: max(1, round(share * count / total)) for state, share in shares}
    while sum(counts.values()) > count:
        counts[max(counts, key=lambda state: counts[state])] -= 1
    counts[shares[0][0]] += count - sum(counts.values())
    plan = [state for state, times in counts.items() for _ in range(times)]
    rng.shuffle(plan)
    return plan


def _invitations_for(
    state: str, index: int, record: EmploymentRecord, rng: random.Random, clock: Clock, staff: Staff
) -> list[AlumniInvitation]:
    assert record.leave_date is not None
    left = (clock.today - record.leave_date).days - 3  # every invitation below is sent after the last day
    valid = settings.ALUMNI_INVITATION_DAYS
    email = record.private_email

    def sent(first: int, last: int) -> datetime:
        return clock.office_hours(rng, rng.randint(first, max(first, min(last, left))))

    if state == "invited":
        return [_email_invitation(record, email, sent(1, REMINDER_DAYS - 3), clock, staff, rng)]
    if state == "opened":
        return [_email_invitation(record, email, sent(1, valid - 4), clock, staff, rng, opened=True)]
    if state == "reminded":
        return [_email_invitation(record, email, sent(REMINDER_DAYS + 2, valid - 4), clock, staff, rng)]
    if state == "bounced":
        return [_email_invitation(record, email, sent(1, 120), clock, staff, rng, bounced=True)]
    if state == "expired":
        return [_email_invitation(record, email, sent(valid + 3, 150), clock, staff, rng, opened=rng.random() < 0.25)]
    if state == "flyer":
        if rng.random() < 0.65:
            return [_flyer(record, sent(1, valid - 4), clock, staff, rng, opened=rng.random() < 0.3)]
        return [_flyer(record, sent(valid + 3, 120), clock, staff, rng)]
    if state == "replaced":
        return _replaced(index, record, sent, clock, staff, rng)
    return []


def _replaced(index: int, record: EmploymentRecord, sent: Callable[[int, int], datetime], clock: Clock,
              staff: Staff, rng: random.Random) -> list[AlumniInvitation]:  # fmt: skip
    """A first invitation revoked when a new one was sent: after a bounce (HR corrected the address),
    after it expired unanswered, or a flyer from the exit interview followed by an email."""
    assert record.leave_date is not None
    email = record.private_email
    again = sent(1, 20)
    variant = index % 3
    if variant == 0:
        first_sent = sent(clock.days_since(again) + 10, 60)
        local, domain = email.split("@")
        typo = f"{local[:-1]}@{domain}" if len(local) > 3 else f"{local}@{domain}.jp"
        first = _email_invitation(record, typo, first_sent, clock, staff, rng, bounced=True, revoked=again)
    elif variant == 1:
        first_sent = sent(max(clock.days_since(again) + 10, settings.ALUMNI_INVITATION_DAYS + 3), 150)
        first = _email_invitation(record, email, first_sent, clock, staff, rng, revoked=again)
    else:
        interview = clock.at(record.leave_date - timedelta(days=rng.randint(3, 20)), 14, rng.randint(0, 59))
        first = _flyer(record, interview, clock, staff, rng, revoked=again)
    return [first, _email_invitation(record, email, again, clock, staff, rng, opened=rng.random() < 0.4)]


def _accepted_invitation(
    record: EmploymentRecord, email: str, accepted: datetime, rng: random.Random, clock: Clock, staff: Staff
) -> AlumniInvitation:
    """The invitation an alumnus registered through: sent some days before they joined, after they left."""
    assert record.leave_date is not None
    earliest = clock.at(max(record.leave_date + timedelta(days=1), clock.opened), 9)
    sent = clock.at(accepted.astimezone(clock.zone).date() - timedelta(days=rng.randint(0, 10)), rng.randint(9, 17))
    sent = max(sent, earliest)
    if sent >= accepted - timedelta(minutes=10):
        sent = accepted - timedelta(minutes=rng.randint(10, 120))
    invitation = _email_invitation(record, email, sent, clock, staff, rng, accepted=accepted)
    invitation.opened_at = max(sent + timedelta(minutes=1), accepted - timedelta(minutes=rng.randint(2, 15)))
    return invitation


# --- Generated alumni who registered through invitations and links ------------------------------


@dataclass(frozen=True)
class PoolMember:
    membership_id: int
    user_id: int
    email: str
    names: tuple[str, str, str, str]  # family, given, family kana, given kana
    activated_at: datetime
    record: EmploymentRecord  # the latest


def _alumni_pool(network: Network, spec: NetworkSpec) -> list[PoolMember]:
    """The first generated alumni whose latest record carries their present family name (the others
    registered with their former family name, which the approved registrations below do not show)."""
    rows = list(
        Membership.objects.filter(network=network, role=Role.ALUMNUS, state=MembershipState.ACTIVE,
                                  user__email__endswith=f"@{spec.bulk_email_domain}", activated_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "user_id", "user__email", "user__family_name", "user__given_name",
                     "user__family_name_kana", "user__given_name_kana", "activated_at")[:POOL_SIZE]
    )  # fmt: skip
    latest: dict[int, EmploymentRecord] = {}
    records = EmploymentRecord.objects.filter(network=network, membership_id__in=[row[0] for row in rows])
    for record in records.order_by("membership_id", "leave_date"):
        assert record.membership_id is not None
        latest[record.membership_id] = record
    return [
        PoolMember(pk, user_id, email, (family, given, family_kana, given_kana), activated, latest[pk])
        for pk, user_id, email, family, given, family_kana, given_kana, activated in rows
        if activated is not None and pk in latest and latest[pk].family_name == family
    ]


@dataclass(frozen=True)
class ChannelSpec:
    kind: str
    label: str
    visits: int  # about
    days_ago: int  # created
    created_by: str  # "admin", "hr" or "editor"
    share: int = 0  # relative share of the generated alumni who registered through it


def demo_channels(today: date) -> list[ChannelSpec]:
    event = today - timedelta(days=40)
    while event.weekday() != 5:  # the gathering was on a Saturday
        event -= timedelta(days=1)
    season = {12: "冬", 1: "冬", 2: "冬", 3: "春", 4: "春", 5: "春", 6: "夏", 7: "夏", 8: "夏"}.get(event.month, "秋")
    return [
        ChannelSpec(JoinChannel.Kind.HOMEPAGE, "コーポレートサイト アルムナイの皆さまへ", 1200, 545, "admin", 40),
        ChannelSpec(JoinChannel.Kind.PRESS, "アルムナイネットワーク開設のお知らせ", 800, 541, "editor", 26),
        ChannelSpec(JoinChannel.Kind.EVENT, f"OB・OG交流会 {event.year}{season}", 90,
                    (today - event).days + 42, "editor", 12),
        ChannelSpec(JoinChannel.Kind.FLYER, "退職面談用チラシ", 40, 400, "hr", 8),
    ]  # fmt: skip


def other_channels() -> list[ChannelSpec]:
    return [ChannelSpec(JoinChannel.Kind.HOMEPAGE, "会社ウェブサイト OB・OG会のご案内", 60, 500, "admin")]


def _channels(
    network: Network, rng: random.Random, clock: Clock, specs: list[ChannelSpec], staff: Staff
) -> dict[str, JoinChannel]:
    links = {}
    for spec in specs:
        links[str(spec.kind)] = JoinChannel(
            network_id=network.pk, kind=spec.kind, label=spec.label, created_by=getattr(staff, spec.created_by),
            visits=round(spec.visits * rng.uniform(0.95, 1.05)), created_at=clock.office_hours(rng, spec.days_ago),
        )  # fmt: skip
    _insert_backdated(JoinChannel, list(links.values()), ("created_at",))
    return links


REFERRERS = ("alumni1@demo.example", "supporter@demo.example", "alumni3@demo.example")
GENERATED_REFERRERS = 2
REFERRAL_SHARE = 1  # of the generated alumni's registrations, per referral link (see ChannelSpec.share)


def _referral_links(
    network: Network, rng: random.Random, clock: Clock, pool: list[PoolMember]
) -> dict[str, JoinChannel]:
    """Referral links of some named alumni (alumni1 first) and of a few generated ones."""
    named = Membership.objects.filter(network=network, user__email__in=REFERRERS).select_related("user")
    referrers = sorted(((m.user.email, m.pk, m.user_id, m.activated_at) for m in named),
                       key=lambda row: REFERRERS.index(row[0]))  # fmt: skip
    referrers += [(m.email, m.membership_id, m.user_id, m.activated_at) for m in pool[-GENERATED_REFERRERS:]]
    links = {}
    for email, membership_id, user_id, activated in referrers:
        joined = activated or clock.now
        # Some days or weeks after joining, and a month ago at the latest when they joined long enough ago.
        created = joined + timedelta(days=rng.randint(3, 60), minutes=rng.randint(0, 600))
        created = max(joined + (clock.now - joined) / 2, min(created, clock.now - timedelta(days=30)))
        links[f"referral:{email}"] = JoinChannel(
            network_id=network.pk, kind=JoinChannel.Kind.REFERRAL, referrer_id=membership_id, created_by_id=user_id,
            visits=rng.randint(2, 30), created_at=created,
        )  # fmt: skip
    _insert_backdated(JoinChannel, list(links.values()), ("created_at",))
    return links


def _channel_registrations(
    network: Network, rng: random.Random, pool: list[PoolMember], links: dict[str, JoinChannel],
    shares: dict[str, int],
) -> list[Registration]:  # fmt: skip
    """Generated alumni who registered through a join link and were approved at once (one clear match)."""
    count = min(MAX_CHANNEL_ALUMNI, round(len(pool) * CHANNEL_ALUMNI_SHARE))
    plan = _plan(rng, [(key, shares.get(key, 0)) for key in links], count) if links else []
    available = pool[: len(pool) - GENERATED_REFERRERS]
    registrations = []
    for key in plan:
        link = links[key]
        member = next((m for m in available if m.activated_at > link.created_at + timedelta(days=1)
                       and m.membership_id != link.referrer_id), None)  # fmt: skip
        if member is None:
            continue
        available.remove(member)
        registrations.append(_approved(network, member, link, rng))
    _insert_backdated(Registration, registrations, ("created_at",))
    return registrations


def _approved(network: Network, member: PoolMember, link: JoinChannel, rng: random.Random) -> Registration:
    record = member.record
    assert record.hire_date is not None
    assert record.leave_date is not None
    submitted = member.activated_at - timedelta(seconds=rng.randint(5, 60))
    family, given, family_kana, given_kana = member.names
    matched = [MatchField.NAME_KANA, MatchField.NAME_KANJI, MatchField.HIRE_YEAR, MatchField.LEAVE_YEAR]
    return Registration(
        network_id=network.pk, user_id=member.user_id, membership_id=member.membership_id, channel=link,
        status=Registration.Status.APPROVED, company_id=record.company_id, family_name=family, given_name=given,
        family_name_kana=family_kana, given_name_kana=given_kana, hire_year=record.hire_date.year,
        leave_year=record.leave_date.year, candidates=[{"id": record.pk, "matched": matched, "missing": []}],
        record_id=record.pk, submitted_at=submitted, decided_at=member.activated_at,
        created_at=submitted - timedelta(minutes=rng.randint(3, 25)),
    )  # fmt: skip


# --- The approval queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class HrRecord:
    family: Name
    given: Name
    company: int  # index into the network's companies
    department: str
    job_title: str
    hire: date
    leave: date


@dataclass(frozen=True)
class Applicant:
    """Someone who asked to join from the join page, and what HR has on them."""

    email: str
    family: Name  # as typed: kana in hiragana, half-width or with spaces, as people do
    given: Name
    company: int
    hire_year: int | None
    leave_year: int | None
    channel: str  # a key of the links ("homepage", "referral:alumni1@demo.example", …); "" for the bare page
    hours_ago: int
    records: tuple[HrRecord, ...] = ()
    former_family_name: str = ""
    note: str = ""
    consents: tuple[str, ...] = (ConsentPurpose.DIRECTORY_LISTING,)
    staff_message: str = ""  # the secretariat asked for more (status needs_info)
    registered_before: bool = False  # the record already belongs to a member: this is a second account
    sent: bool = True  # False: a draft, started and left


def queue_cases(today: date) -> list[Applicant]:
    """The people in the demo's approval queue, one per situation staff meet. Their family names are
    not in the generated name tables, so no generated alumnus changes what matching finds."""
    year = today.year
    hired = date(year, today.month, 1) - timedelta(days=170)
    short_hire = hired.replace(day=1)
    short_leave = _month_end(_month_end(short_hire) + timedelta(days=1))
    return [
        # Left three years later than she remembers: the record matches only in part.
        Applicant("miho.amemiya@example.com", Name("雨宮", "あめみや"), Name("美穂", "みほ"), 2, year - 14, year - 9,
                  "press", 30,
                  (HrRecord(Name("雨宮", "アメミヤ"), Name("美穂", "ミホ"), 2, "契約サービス部", "主任",
                            date(year - 14, 4, 1), date(year - 6, 3, 31)),),
                  note="在籍中は契約サービス部でお世話になりました。",
                  consents=(ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.REHIRE_CONTACT)),
        # Two namesakes at the bank, both plausible; typed in half-width kana.
        Applicant("daisuke.shiina@example.net", Name("椎名", "ｼｲﾅ"), Name("大輔", "ﾀﾞｲｽｹ"), 1, year - 16, year - 5,
                  "homepage", 20,
                  (HrRecord(Name("椎名", "シイナ"), Name("大輔", "ダイスケ"), 1, "法人営業部", "課長代理",
                            date(year - 16, 4, 1), date(year - 5, 9, 30)),
                   HrRecord(Name("椎名", "シイナ"), Name("大輔", "ダイスケ"), 1, "札幌支店", "担当",
                            date(year - 8, 10, 1), date(year - 6, 3, 31)))),
        # Left long before HR's records begin.
        Applicant("masayuki.shishido@example.org", Name("宍戸", "シシド"), Name("正之", "マサユキ"), 3, year - 36,
                  year - 28, "event", 52, consents=(),
                  note=f"{year - 28}年に関西物流センターを退職しました。社員番号は覚えていません。"),
        # Stayed two months: under the network's minimum tenure.
        Applicant("akane.soma@example.org", Name("相馬", "ソウマ"), Name("茜", "アカネ"), 0, short_hire.year,
                  short_leave.year, "flyer", 75,
                  (HrRecord(Name("相馬", "ソウマ"), Name("茜", "アカネ"), 0, "広報部", "担当",
                            short_hire, short_leave),)),
        # Registered a year ago with another address: the record is taken, probably a duplicate member.
        Applicant("makabe.s@example.net", Name("真壁", "マカベ"), Name("聡", "サトシ"), 1, year - 13, year - 2, "", 5,
                  (HrRecord(Name("真壁", "マカベ"), Name("聡", "サトシ"), 1, "システム開発部", "係長",
                            date(year - 13, 4, 1), date(year - 2, 6, 30)),),
                  note="以前登録したメールアドレスが使えなくなったため、新しいアドレスで登録し直しました。",
                  registered_before=True),
        # Did not say when he left; the secretariat asked for his employee number.
        Applicant("ryo.jimbo@example.com", Name("神保", "じんぼ"), Name("亮", "りょう"), 1, year - 12, None,
                  "homepage", 140,
                  (HrRecord(Name("神保", "ジンボ"), Name("亮", "リョウ"), 1, "梅田支店", "担当",
                            date(year - 12, 4, 1), date(year - 9, 9, 30)),),
                  staff_message="ご登録ありがとうございます。在籍情報と照合するため、在籍時の社員番号"
                                "（例：BK0001234）と退職された年をお知らせください。社員番号がお分かりに"
                                "ならない場合は、最後に所属された部署名をご記入ください。"),
        # Married since: HR knows her under her former family name.
        Applicant("yuka.hayase@example.com", Name("早瀬", "はやせ"), Name("由佳", "ゆか"), 3, year - 11, year - 4,
                  "referral:alumni1@demo.example", 26,
                  (HrRecord(Name("鬼塚", "オニヅカ"), Name("由佳", "ユカ"), 3, "国際物流部", "担当",
                            date(year - 11, 4, 1), date(year - 4, 3, 31)),),
                  former_family_name="鬼塚", note="在籍時の姓は鬼塚です。佐藤一郎さんからご紹介いただきました。"),
        # Started, not sent.
        Applicant("hayato.kiryu@example.com", Name("桐生", "キリュウ"), Name("隼人", "ハヤト"), 1, year - 10, None,
                  "event", 8, sent=False),
        Applicant("mao.hinata@example.net", Name("日向", ""), Name("真央", ""), 2, None, None, "press", 49, sent=False),
    ]  # fmt: skip


APPLICANT_EMAILS = ("satoshi.makabe@example.com", *(applicant.email for applicant in queue_cases(date(2000, 1, 1))))


def _case_records(target: Target, cases: list[Applicant], after: int) -> list[EmploymentRecord]:
    records: list[EmploymentRecord] = []
    for case in cases:
        for hr in case.records:
            serial = RECORD_SERIAL + after + len(records) + 1
            record = EmploymentRecord(
                network_id=target.network.pk, company_id=target.companies[hr.company].pk,
                employee_number=f"{target.codes[hr.company]}{serial:07d}",
                family_name=hr.family.kanji, given_name=hr.given.kanji, family_name_kana=hr.family.kana,
                given_name_kana=hr.given.kana, department=hr.department, job_title=hr.job_title,
                hire_date=hr.hire, leave_date=hr.leave, leave_reason=LEAVE_REASON_SHARES[0][0],
            )  # fmt: skip
            record.set_keys()
            records.append(record)
    return records


def _records_of(cases: list[Applicant], records: list[EmploymentRecord], wanted: Applicant) -> list[EmploymentRecord]:
    start = 0
    for case in cases:
        if case is wanted:
            return records[start : start + len(case.records)]
        start += len(case.records)
    return []


def _holder(
    target: Target, cases: list[Applicant], records: list[EmploymentRecord], rng: random.Random, clock: Clock,
    staff: Staff,
) -> AlumniInvitation:  # fmt: skip
    """The member who already holds the record of the applicant registering a second time."""
    case = next(case for case in cases if case.registered_before)
    record = _records_of(cases, records, case)[0]
    joined = clock.office_hours(rng, 300) + timedelta(hours=3)
    user = _user("satoshi.makabe@example.com", target.password_hash, joined, case.family.kanji, case.given.kanji,
                 record.family_name_kana, record.given_name_kana)  # fmt: skip
    member = Membership.objects.create(
        network=target.network, user=user, role=Role.ALUMNUS, state=MembershipState.ACTIVE, activated_at=joined,
        last_active_on=clock.today - timedelta(days=210),
    )  # fmt: skip
    EmploymentRecord.objects.filter(network=target.network, pk=record.pk).update(membership=member)
    return _accepted_invitation(record, user.email, joined, rng, clock, staff)


def _user(email: str, password_hash: str, joined: datetime, *names: str) -> User:
    family, given, family_kana, given_kana = (*names, "", "", "", "")[:4]
    user = User.objects.create(email=email, password=password_hash, date_joined=joined, family_name=family,
                               given_name=given, family_name_kana=family_kana, given_name_kana=given_kana)  # fmt: skip
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _queue(
    target: Target, cases: list[Applicant], rules: IntakeSettings, notice: PrivacyNotice,
    links: dict[str, JoinChannel], clock: Clock, staff: Staff,
) -> None:  # fmt: skip
    """Send each applicant's registration through matching, as the join page does; leave the drafts."""
    network = target.network
    for case in cases:
        sent = clock.now - timedelta(hours=case.hours_ago)
        started = sent - timedelta(minutes=12)
        user = _user(case.email, target.password_hash, started - timedelta(minutes=3))
        registration = registration_for(network, user, links.get(case.channel))
        registration.company = target.companies[case.company]
        registration.family_name, registration.given_name = case.family.kanji, case.given.kanji
        registration.family_name_kana, registration.given_name_kana = case.family.kana, case.given.kana
        registration.former_family_name, registration.note = case.former_family_name, case.note
        registration.hire_year, registration.leave_year = case.hire_year, case.leave_year
        if not case.sent:
            save_draft(registration)
            Registration.objects.filter(network=network, pk=registration.pk).update(created_at=started, updated_at=sent)
            continue
        submit(rules, registration, case.consents, notice)
        Registration.objects.filter(network=network, pk=registration.pk).update(
            created_at=started, submitted_at=sent, updated_at=sent
        )
        if case.staff_message:
            asked = sent + timedelta(hours=20)
            Registration.objects.filter(network=network, pk=registration.pk).update(
                status=Registration.Status.NEEDS_INFO, staff_message=case.staff_message, updated_at=asked
            )
            # As approvals.ask_for_more records it; its email to the applicant is not sent for the demo.
            audit(network, staff.hr, "registration.info_requested", registration)


# --- Helpers -------------------------------------------------------------------------------------


def _insert_backdated(model: type[ModelT], objects: Sequence[ModelT], fields: tuple[str, ...]) -> None:
    """bulk_create, then write back the dates the objects were given: `auto_now(_add)` replaces them on
    insert, and the demo needs the past. SQLite ≥ 3.35 and PostgreSQL return the new ids for this."""
    intended = [[getattr(obj, name) for name in fields] for obj in objects]
    model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
    for obj, values in zip(objects, intended, strict=True):
        for name, value in zip(fields, values, strict=True):
            setattr(obj, name, value)
    model._default_manager.bulk_update(objects, list(fields), batch_size=500)


# --- The notices ------------------------------------------------------------------------------------
# Paragraphs, joined by blank lines: the pages render the text with Django's `linebreaks`.

DEMO_NOTICE_JA = "\n\n".join((
    "縁グループ アルムナイネットワーク　個人情報の取り扱いについて（利用目的の通知）",
    "縁グループ アルムナイネットワーク事務局（縁ホールディングス株式会社 人事部内。"
    "以下「事務局」）は、本ネットワークにご登録いただく皆さまの個人情報を、以下のとおり"
    "取り扱います。",
    "1. お預かりする情報\n"
    "・氏名（漢字・フリガナ）、在籍時の氏名（旧姓）\n"
    "・連絡先（メールアドレス、任意で電話番号）\n"
    "・在籍情報（在籍した会社、部署、入社・退職の時期、社員番号）\n"
    "・退職後の経歴、現在のお勤め先・職種、スキル、関心のあること（ご本人が登録された範囲）",
    "2. 利用目的\n"
    "(1) グループ各社のニュース、イベント・交流会のご案内\n"
    "(2) アルムナイ同士の交流のためのメンバー名簿への掲載（掲載に同意された方のみ）\n"
    "(3) 再雇用（カムバック採用）や業務委託・協業に関するご連絡（それぞれ同意された方のみ）\n"
    "(4) カムバックコーディネーター（外部の委託先）による面談と、ご本人が同意された内容に"
    "限ったグループ各社への共有\n"
    "(5) ご登録時の本人確認（在籍情報との照合）、お問い合わせへの対応、個人を特定しない"
    "形での統計と本ネットワークの改善",
    "3. 共同利用と第三者提供\n"
    "上記の目的の範囲で、縁ホールディングス株式会社、縁銀行株式会社、縁生命保険株式会社、"
    "縁ロジスティクス株式会社が共同して利用します（管理責任者：縁ホールディングス株式会社）。"
    "法令に基づく場合を除き、ご本人の同意なく第三者に提供することはありません。",
    "4. 保存期間\n"
    "退会のお申し出から30日以内に削除します。ただし、同意の記録やコーディネーターによる"
    "共有の記録など、法令により保存が必要な記録は、定められた期間（3年以上）保存します。",
    "5. 同意の撤回・退会\n"
    "各同意は「プライバシー」のページからいつでも撤回できます。撤回された目的での利用は、"
    "その時点で停止します。退会、保有個人データの開示・訂正・利用停止・削除のご請求も、"
    "同ページまたは事務局で承ります。",
    "6. お問い合わせ先\n"
    "縁グループ アルムナイネットワーク事務局（縁ホールディングス株式会社 人事部 アルムナイ担当）\n"
    "メール：alumni-office@demo.example（受付：平日 9:30〜17:30）",
    "{date} 制定",
))  # fmt: skip

DEMO_NOTICE_EN = "\n\n".join((
    "Enishi Group Alumni Network — how we use your personal information (notice of purposes of use)",
    "The secretariat of the Enishi Group Alumni Network (within the Human Resources Department of Enishi "
    "Holdings, Inc.; \"the secretariat\") handles the personal information of its members as follows.",
    "1. What we hold\n"
    "- Your name (in kanji and kana) and, if different, your name while you worked with us\n"
    "- Your contact details (email address; phone number if you give one)\n"
    "- Your employment with the group (company, departments, when you joined and left, employee number)\n"
    "- Your career since, current employer and role, skills and interests (as far as you enter them)",
    "2. What we use it for\n"
    "(1) News of the group's companies, and invitations to events and gatherings\n"
    "(2) Your listing in the member directory, so alumni can find each other (only if you agree)\n"
    "(3) Contact about rehiring (comeback hiring), contract work or collaboration (only if you agree to each)\n"
    "(4) Interviews with the comeback coordinator (an outside firm), and sharing with group companies only "
    "what you agree to share\n"
    "(5) Checking who you are when you register (against our employment records), answering your "
    "questions, and anonymous statistics to improve the network",
    "3. Joint use and third parties\n"
    "Enishi Holdings, Inc., Enishi Bank, Ltd., Enishi Life Insurance Co., Ltd. and Enishi Logistics Co., "
    "Ltd. use this information jointly for the purposes above; Enishi Holdings, Inc. is responsible for it. "
    "We do not give it to any third party without your consent, except where the law requires it.",
    "4. How long we keep it\n"
    "We delete it within 30 days of your leaving the network. Records the law requires us to keep, such as "
    "records of consents and of what the coordinator shared, are kept for the required period (at least "
    "3 years).",
    "5. Withdrawing consent and leaving\n"
    "You can withdraw any consent at any time on the \"Privacy\" page; we stop using your information for "
    "that purpose at once. You can also leave the network, or ask us to disclose, correct, stop using or "
    "delete your data, on that page or by writing to the secretariat.",
    "6. Contact\n"
    "Enishi Group Alumni Network secretariat (Alumni team, Human Resources Department, Enishi Holdings, Inc.)\n"
    "Email: alumni-office@demo.example (weekdays 9:30–17:30, Japan time)",
    "Effective {date}",
))  # fmt: skip

OTHER_NOTICE_JA = "\n\n".join((
    "サンプル商事 OB・OG会　個人情報の取り扱いについて",
    "サンプル商事 OB・OG会事務局（サンプル商事株式会社 管理部内）は、会員の皆さまの氏名、"
    "連絡先、在籍情報およびご本人が登録された経歴を、会報・懇親会のご案内、会員名簿"
    "（同意された方のみ）、再雇用や協業のご連絡（同意された方のみ）のために利用します。"
    "法令に基づく場合を除き、ご本人の同意なく第三者に提供しません。",
    "退会のお申し出から30日以内に削除します。同意はいつでも撤回できます。",
    "お問い合わせ：サンプル商事 OB・OG会事務局　obog@other.example",
    "{date} 制定",
))  # fmt: skip

OTHER_NOTICE_EN = "\n\n".join((
    "Sample Trading Alumni Association — how we use your personal information",
    "The association's secretariat (Administration Department, Sample Trading Co., Ltd.) uses members' "
    "names, contact details, employment records and the career they enter for newsletters and gatherings, "
    "the member directory (only if you agree), and contact about rehiring or collaboration (only if you "
    "agree). We do not give it to third parties without your consent, except where the law requires it.",
    "We delete your data within 30 days of your leaving. You can withdraw any consent at any time.",
    "Contact: Sample Trading Alumni Association secretariat, obog@other.example",
    "Effective {date}",
))  # fmt: skip
