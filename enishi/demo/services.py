"""Build and remove the demo data: two networks, named accounts to log in with, and many alumni.

Fast enough for a million alumni: the password is hashed once and the hash shared, rows go in with
`bulk_create` a batch at a time, and each batch is its own transaction so SQLite's WAL and
PostgreSQL's memory stay bounded and progress survives an interrupted run (`--reset` cleans up).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock_time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from enishi.accounts.models import User
from enishi.analytics.models import ActiveDay
from enishi.comeback.models import Application as OpportunityApplication
from enishi.comeback.models import (
    Candidate,
    CandidateNote,
    ComebackScheme,
    Interest,
    OpeningSubscription,
    Opportunity,
    OpportunityInvitee,
    Stage,
)
from enishi.community.models import (
    Comment,
    Group,
    GroupMember,
    NewsCategory,
    NewsItem,
    NewsRead,
    NewsRecipient,
    Post,
    Reaction,
    Report,
)
from enishi.demo.catalogue import DEMO, DEMO_SLUGS, NETWORKS, OTHER, OTHER_ALUMNI, AccountSpec, NetworkSpec
from enishi.demo.people import Person, PersonFactory
from enishi.events.models import CalendarFeed, Event, EventInvitee, EventPhoto, EventQuestion, Rsvp
from enishi.feedback.models import Feedback, FeedbackNews, FeedbackReply, FeedbackTopic
from enishi.intake.models import (
    AlumniInvitation,
    EmploymentRecord,
    IntakeSettings,
    JoinChannel,
    LeaveReason,
    Registration,
    RehireEligibility,
)
from enishi.messaging.models import Block, Conversation, Message, SecretariatMessage, SecretariatThread
from enishi.networks.models import Company, Membership, Network
from enishi.networks.roles import MembershipState, Role
from enishi.networks.services import create_network
from enishi.newsletters.models import Delivery, LinkClick, Newsletter, NewsletterLink
from enishi.notifications.models import Notification, NotificationPreference
from enishi.privacy.models import AuditEntry, Consent, NoticeAcceptance, PrivacyNotice
from enishi.profiles.models import CareerEntry, Intent, Profile, ProfileSkill, SavedSegment
from enishi.surveys.models import Answer as SurveyAnswer
from enishi.surveys.models import Question as SurveyQuestion
from enishi.surveys.models import Response as SurveyResponse
from enishi.surveys.models import Survey, SurveyRecipient

BATCH_SIZE = 5000
# Employee numbers 1–99 of every company belong to the named accounts; generated alumni follow.
FIRST_BULK_SERIAL = 100

Progress = Callable[[str], None]


class DemoRefused(Exception):
    """The demo cannot be built as asked; the message says why and what to do."""


@dataclass
class SeedSummary:
    networks: int = 0
    users: int = 0
    memberships: int = 0
    employment_records: int = 0
    active_days: int = 0
    profiles: int = 0

    def add(self, other: SeedSummary) -> None:
        self.networks += other.networks
        self.users += other.users
        self.memberships += other.memberships
        self.employment_records += other.employment_records
        self.active_days += other.active_days
        self.profiles += other.profiles


@dataclass(frozen=True, slots=True)
class NewMember:
    """A person about to be inserted: who they are, their role, and their employee-number serial."""

    email: str
    role: str
    person: Person
    serial: int
    is_operator: bool = False


@dataclass(frozen=True)
class Target:
    """Where a batch goes: the network and its companies, in the catalogue's order."""

    network: Network
    companies: Sequence[Company]
    codes: Sequence[str]
    password_hash: str


def _silent(message: str) -> None:
    return None


def demo_exists() -> bool:
    return Network.objects.filter(slug__in=DEMO_SLUGS).exists()


def seed_demo(*, alumni: int, seed: int, progress: Progress = _silent) -> SeedSummary:
    """Create both demo networks; `alumni` generated alumni in `demo`, plus the named accounts."""
    if demo_exists():
        raise DemoRefused("The demo networks already exist. Use --reset to rebuild them.")
    _check_emails_free()
    password_hash = make_password(settings.ENISHI_DEMO_PASSWORD)  # once: hashing is slow by design
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, clock_time.min))
    # Intake builds on this module (it reads the targets and the shares above), hence imported here.
    from enishi.demo.activity import seed_activity
    from enishi.demo.comeback import refresh_matching, seed_comeback
    from enishi.demo.community import seed_community
    from enishi.demo.coordination import seed_coordination
    from enishi.demo.events import seed_events
    from enishi.demo.feedback import seed_feedback
    from enishi.demo.intake import seed_intake
    from enishi.demo.messaging import seed_messaging
    from enishi.demo.newsletters import seed_newsletters
    from enishi.demo.notifications import seed_notifications
    from enishi.demo.profiles import seed_profiles
    from enishi.demo.scope import seed_scope
    from enishi.demo.surveys import seed_surveys

    summary = SeedSummary()
    for spec, count in ((DEMO, alumni), (OTHER, OTHER_ALUMNI)):
        # Separate streams, so the named accounts stay the same whatever the number of alumni.
        named, bulk = (
            PersonFactory(random.Random(f"{seed}:{spec.slug}:{stream}"), spec.companies, today, midnight)
            for stream in ("named", "bulk")
        )
        target = _create_network(spec, password_hash)
        summary.networks += 1
        summary.add(_insert_named(target, spec, named))
        summary.add(_insert_bulk(target, spec, count, bulk, progress))
        summary.add(seed_intake(target, spec, seed, today))
        summary.profiles += seed_profiles(target, seed, today)
        seed_community(target, today)
        seed_events(target, today)
        seed_coordination(target, today)
        seed_comeback(target, today)
        seed_scope(target, today)
        seed_feedback(target, today)
        seed_surveys(target, today)
        seed_newsletters(target, today)
        seed_notifications(target, today)
        seed_messaging(target)
        seed_activity(target, today)  # last: the dashboard's rollups read everything above
        refresh_matching(target)  # the terms follow consents and activity written in bulk above
    return summary


def _check_emails_free() -> None:
    from enishi.demo.intake import APPLICANT_EMAILS

    named = [account.email for spec in NETWORKS for account in spec.accounts] + list(APPLICANT_EMAILS)
    taken = list(User.objects.filter(email__in=named).values_list("email", flat=True)[:3])
    for spec in NETWORKS:
        taken += User.objects.filter(email__endswith=f"@{spec.bulk_email_domain}").values_list("email", flat=True)[:1]
    if taken:
        raise DemoRefused(f"Accounts of the demo already exist outside it ({', '.join(taken)}). Remove them first.")


@transaction.atomic
def _create_network(spec: NetworkSpec, password_hash: str) -> Target:
    # create_network writes the audit entry; the flags below are not part of its signature.
    network = create_network(
        slug=spec.slug, name_ja=spec.name_ja, name_en=spec.name_en,
        companies=[(company.name_ja, company.name_en) for company in spec.companies],
    )  # fmt: skip
    # The demo logins have no second factor, so MFA is off (the UI shows a banner saying so).
    Network.objects.filter(pk=network.pk).update(is_demo=True, staff_mfa_required=False,
                                                 accent_colour=spec.accent_colour)  # fmt: skip
    network.refresh_from_db()
    with scope(network=network):
        companies = list(Company.objects.filter(network=network).order_by("position"))
        for company, company_spec in zip(companies, spec.companies, strict=True):
            company.short_name = company_spec.short_name
        Company.objects.bulk_update(companies, ["short_name"])
    return Target(network, companies, [company.code for company in spec.companies], password_hash)


def _insert_named(target: Target, spec: NetworkSpec, factory: PersonFactory) -> SeedSummary:
    members = [_named_member(account, factory, serial) for serial, account in enumerate(spec.accounts, start=1)]
    # Tenant managers refuse to work outside a scope; every row written here belongs to this network.
    with transaction.atomic(), scope(network=target.network):
        summary = _insert_members(target, members)
        operators = [account.email for account in spec.accounts if account.is_operator]
        User.objects.filter(email__in=operators).update(is_staff=True, is_superuser=True)
    return summary


def _named_member(account: AccountSpec, factory: PersonFactory, serial: int) -> NewMember:
    person = factory.person((account.family, account.given), employed=account.has_employment)
    return NewMember(account.email, account.role, person, serial, account.is_operator)


def _insert_bulk(
    target: Target, spec: NetworkSpec, count: int, factory: PersonFactory, progress: Progress
) -> SeedSummary:
    summary = SeedSummary()
    started = time.monotonic()
    for start in range(0, count, BATCH_SIZE):
        members = [
            NewMember(f"a{index:06d}@{spec.bulk_email_domain}", Role.ALUMNUS, factory.person(),
                      FIRST_BULK_SERIAL + index)
            for index in range(start + 1, min(start + BATCH_SIZE, count) + 1)
        ]  # fmt: skip
        # One transaction per batch (see the module docstring), in the network's scope as above.
        with transaction.atomic(), scope(network=target.network):
            summary.add(_insert_members(target, members))
        if count > BATCH_SIZE:
            done = start + len(members)
            progress(f"  {spec.slug}: {done:,} / {count:,} alumni ({time.monotonic() - started:.1f} s)")
    return summary


def _insert_members(target: Target, members: Sequence[NewMember]) -> SeedSummary:
    """Insert users, their verified addresses, memberships, employment records and active days."""
    users = [_user(member, target.password_hash) for member in members]
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    _fill_pks(users, User.objects.filter(email__in=[user.email for user in users]), "email")
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True) for user in users],
        batch_size=BATCH_SIZE,
    )
    network_id = target.network.pk
    memberships = [
        Membership(network_id=network_id, user_id=user.pk, role=member.role, state=MembershipState.ACTIVE,
                   activated_at=member.person.joined_at, last_active_on=member.person.last_active_on,
                   sort_name=user.sort_name)
        for member, user in zip(members, users, strict=True)
    ]  # fmt: skip
    Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    _fill_pks(memberships, Membership.objects.filter(network_id=network_id, user_id__in=[u.pk for u in users]),
              "user_id")  # fmt: skip
    records = list(_employment_records(target, members, memberships))
    EmploymentRecord.objects.bulk_create(records, batch_size=BATCH_SIZE)
    days = [
        ActiveDay(network_id=network_id, membership_id=membership.pk, day=day)
        for member, membership in zip(members, memberships, strict=True)
        for day in member.person.active_days
    ]
    ActiveDay.objects.bulk_create(days, batch_size=BATCH_SIZE)
    return SeedSummary(0, len(users), len(memberships), len(records), len(days))


def _user(member: NewMember, password_hash: str) -> User:
    person = member.person
    return User(
        email=member.email, password=password_hash,
        family_name=person.family.kanji, given_name=person.given.kanji,
        family_name_kana=person.family.kana, given_name_kana=person.given.kana,
        language=person.language, date_joined=person.joined_at,
        is_staff=member.is_operator, is_superuser=member.is_operator,
    )  # fmt: skip


def _employment_records(
    target: Target, members: Sequence[NewMember], memberships: Sequence[Membership]
) -> Iterable[EmploymentRecord]:
    for member, membership in zip(members, memberships, strict=True):
        person = member.person
        for stint in person.stints:
            record = EmploymentRecord(
                network_id=target.network.pk, company_id=target.companies[stint.company].pk,
                membership_id=membership.pk, employee_number=f"{target.codes[stint.company]}{member.serial:07d}",
                family_name=stint.family_name.kanji, given_name=person.given.kanji,
                family_name_kana=stint.family_name.kana, given_name_kana=person.given.kana,
                department=stint.department, hire_date=stint.hire_date, leave_date=stint.leave_date,
                leave_reason=_pick(LEAVE_REASON_SHARES, member.serial, 1),
                rehire_eligibility=_pick(ELIGIBILITY_SHARES, member.serial, 2),
            )  # fmt: skip
            record.set_keys()
            yield record


# Realistic shares (percent) of why people leave a Japanese company and of HR's rehire verdicts.
LEAVE_REASON_SHARES = (
    (LeaveReason.CAREER_CHANGE, 55), (LeaveReason.CHILDCARE, 12), (LeaveReason.CAREGIVING, 6),
    (LeaveReason.STUDY, 5), (LeaveReason.RELOCATION, 8), (LeaveReason.RETIREMENT, 6), (LeaveReason.OTHER, 8),
)  # fmt: skip
ELIGIBILITY_SHARES = (
    (RehireEligibility.ELIGIBLE, 70), (RehireEligibility.CONDITIONAL, 15),
    (RehireEligibility.NOT_ELIGIBLE, 5), (RehireEligibility.UNKNOWN, 10),
)  # fmt: skip


def _pick(shares: Sequence[tuple[str, int]], serial: int, salt: int) -> str:
    """A share-weighted choice from the serial alone: deterministic, and it leaves the random
    stream (and so every other generated fact) exactly as it was."""
    point = (serial * 2654435761 + salt * 40503) % 100
    for value, share in shares:
        if point < share:
            return value
        point -= share
    return shares[-1][0]


def _fill_pks(objects: Sequence[Model], lookup: QuerySet[Model], key: str) -> None:
    """Give bulk-created objects their ids when the database cannot return them from the insert.

    PostgreSQL and SQLite ≥ 3.35 return them; other backends get one query by a unique key.
    """
    if connection.features.can_return_rows_from_bulk_insert:
        return
    pks = dict(lookup.values_list(key, "pk"))
    for obj in objects:
        obj.pk = pks[getattr(obj, key)]


def reset_demo(progress: Progress = _silent) -> None:
    """Delete both demo networks, everything in them, the demo's own accounts (by address) and
    anyone else who belongs to no network but these."""
    # Unscoped on purpose: this spans two networks and every query below names them by id.
    with scopes_disabled(), transaction.atomic():
        network_ids = list(Network.objects.filter(slug__in=DEMO_SLUGS).values_list("pk", flat=True))
        if not network_ids:
            return
        user_ids = list(_demo_people(network_ids).values_list("pk", flat=True))
        # Intake and privacy rows first: they refer to records, memberships and users, and a notice
        # cannot go while acceptances of it remain (PROTECT).
        Notification.objects.filter(network_id__in=network_ids).delete()  # they point at members and posts
        NotificationPreference.objects.filter(network_id__in=network_ids).delete()
        for newsletter_model in (LinkClick, Delivery, NewsletterLink, Newsletter):  # they refer to members
            newsletter_model._default_manager.filter(network_id__in=network_ids).delete()
        messaging = (SecretariatMessage, SecretariatThread, Message, Conversation, Block)
        community = (Report, Reaction, Comment, Post, GroupMember, Group, NewsRead, NewsRecipient, NewsItem,
                     NewsCategory)  # fmt: skip
        events = (Rsvp, EventInvitee, EventQuestion, EventPhoto, CalendarFeed, Event)  # they refer to members
        # They refer to members (stages last: candidates hold them).
        comeback = (CandidateNote, Candidate, Interest, OpportunityApplication, OpportunityInvitee,
                    OpeningSubscription, Opportunity, ComebackScheme, Stage)  # fmt: skip
        for comeback_model in comeback:
            comeback_model._default_manager.filter(network_id__in=network_ids).delete()
        for survey_model in (SurveyAnswer, SurveyResponse, SurveyRecipient, SurveyQuestion, Survey):  # members
            survey_model._default_manager.filter(network_id__in=network_ids).delete()
        for feedback_model in (FeedbackNews, FeedbackReply, Feedback, FeedbackTopic):  # before news and members
            feedback_model._default_manager.filter(network_id__in=network_ids).delete()
        for model in (*messaging, *community, *events, Registration, AlumniInvitation, JoinChannel, IntakeSettings,
                      Consent, NoticeAcceptance, PrivacyNotice, ProfileSkill, CareerEntry, Intent, Profile,
                      SavedSegment):  # fmt: skip
            model._default_manager.filter(network_id__in=network_ids).delete()
        # The big tables next, as single DELETEs (nothing refers to these rows any more)…
        from enishi.demo.activity import remove_rollups  # imports this module

        remove_rollups(network_ids)  # the dashboard's rollups (analytics)
        ActiveDay.objects.filter(network_id__in=network_ids).delete()
        EmploymentRecord.objects.filter(network_id__in=network_ids).delete()
        AuditEntry.objects.filter(network_id__in=network_ids).delete()
        progress("  removed activity and employment records")
        # …then rows other tables refer to, in chunks, so Django's cascade never loads a million.
        membership_ids = list(Membership.objects.filter(network_id__in=network_ids).values_list("pk", flat=True))
        _delete_in_chunks(Membership, membership_ids)
        _delete_in_chunks(User, user_ids)
        progress(f"  removed {len(user_ids):,} people")
        Network.objects.filter(pk__in=network_ids).delete()


def _demo_people(network_ids: list[int]) -> QuerySet[User]:
    from enishi.demo.intake import APPLICANT_EMAILS

    elsewhere = Membership.objects.exclude(network_id__in=network_ids).values("user_id")
    only_here = Membership.objects.filter(network_id__in=network_ids).exclude(user_id__in=elsewhere)
    # People who started a registration here and never became a member anywhere (drafts).
    registered_here = Registration.objects.filter(network_id__in=network_ids).exclude(user_id__in=elsewhere)
    owned = Q(email__in=[account.email for spec in NETWORKS for account in spec.accounts] + list(APPLICANT_EMAILS))
    for spec in NETWORKS:
        owned |= Q(email__endswith=f"@{spec.bulk_email_domain}")
    return User.objects.filter(
        owned | Q(pk__in=only_here.values("user_id")) | Q(pk__in=registered_here.values("user_id"))
    )


def _delete_in_chunks(model: type[Model], ids: Sequence[int]) -> None:
    for start in range(0, len(ids), BATCH_SIZE):
        model._default_manager.filter(pk__in=ids[start : start + BATCH_SIZE]).delete()
