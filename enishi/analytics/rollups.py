"""The dashboard's rollups: small tables of counts kept in step with the facts, so that a figure reads
a few hundred rows whatever the number of members, active days or engagements.

- `MemberFacts`: one row per registered alumnus or supporter (company and leave year of the first
  employment record, registration source, registration and end dates). Recomputed from the facts.
- `MonthlyCount`: numbers per (metric, month, company, dimension).
  - `active` (per registration month) and `weekly_active` are incremental: `record_active_day`
    adds one when a member's first active day of a month or week is recorded (`count_active`).
  - registrations (`joined`, `ended`, by source and by leave year) are recomputed from MemberFacts
    on each refresh (a few GROUP BY over one row per member);
  - engagements (news readers, newsletter openers, RSVPs, attendance, interests, applications,
    invitations) are recomputed for the open months only (from the first day of the previous
    month): closed months do not change.
- `refresh(network)` runs from the worker's maintenance when the last refresh is older than
  REFRESH_EVERY; `rebuild(network)` (`manage.py rebuild_rollups`) recomputes everything from the
  facts, active days included, and gives the same numbers as the incremental path.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, ExtractYear, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from enishi.analytics.models import ActiveDay, MemberFacts, MonthlyCount, RollupState
from enishi.intake.models import AlumniInvitation, EmploymentRecord, Registration
from enishi.intake.sources import RegistrationSource
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState

REFRESH_EVERY = timedelta(minutes=60)
# Invited and pending members are not registered yet, whatever their dates say.
REGISTERED_STATES = (MembershipState.ACTIVE, MembershipState.SUSPENDED, MembershipState.LEFT)
BATCH_SIZE = 5000

# Metrics of MonthlyCount ---------------------------------------------------------------------------
JOINED = "joined"  # members who registered in the month (dimension: source)
ENDED = "ended"  # registered members who left or were suspended in the month (dimension: source)
JOINED_BY_YEAR = "joined_year"  # the same, dimension: leave year ("" unknown)
ENDED_BY_YEAR = "ended_year"
ACTIVE = "active"  # members with an active day in the month (dimension: registration month "2025-04")
WEEKLY_ACTIVE = "weekly_active"  # members with an active day in the week (month: the Monday)
NEWS_READERS = "news_readers"  # members who opened a news item in the month
NEWSLETTER_OPENERS = "newsletter_openers"  # members who opened a newsletter email in the month
RSVPS = "rsvps"  # confirmed RSVPs, by the event's start month
ATTENDED = "attended"  # checked-in RSVPs, by the event's start month
INTERESTS = "interests"  # opportunity interests expressed in the month
APPLICATIONS = "applications"  # opportunity applications sent in the month
EVENT_REGISTRATIONS = "event_registrations"  # through an event's join link, by the event's start month
EVENT_ACTIONS = "event_actions"  # interests and applications by its checked-in attendees (events.attribution)
INVITED = "invited"  # personal invitations created in the month (company of the record)
INVITED_REGISTERED = "invited_registered"  # of those, accepted (by the month of the invitation)

REGISTRATION_METRICS = (JOINED, ENDED, JOINED_BY_YEAR, ENDED_BY_YEAR)
ACTIVITY_METRICS = (ACTIVE, WEEKLY_ACTIVE)
ENGAGEMENT_METRICS = (NEWS_READERS, NEWSLETTER_OPENERS, RSVPS, ATTENDED, INTERESTS, APPLICATIONS, INVITED,
                      INVITED_REGISTERED, EVENT_REGISTRATIONS, EVENT_ACTIONS)  # fmt: skip
EVENT_BATCH_SIZE = 200

Key = tuple[str, date, int, str]  # metric, month, company id, dimension


def month_start(day: date) -> date:
    return day.replace(day=1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def cohort_key(day: date | None) -> str:
    return f"{day:%Y-%m}" if day else ""


def zone_of(network: Network) -> ZoneInfo:
    return ZoneInfo(network.time_zone)


# Incremental: active members ----------------------------------------------------------------------


def first_company_id(membership_id: int) -> int:
    """The company of the member's first employment record (lowest id), 0 without one."""
    company_id = (
        EmploymentRecord.objects.filter(membership_id=membership_id).order_by("pk").values_list("company_id").first()
    )
    return company_id[0] if company_id else 0


def count_active(membership: Membership, today: date, new_month: bool, new_week: bool) -> None:
    """Add the member to the month's and/or the week's actives (called once per member and period
    by record_active_day, which decides by its conditional update of last_active_on)."""
    if (
        membership.role not in ALUMNI_ROLES
        or membership.activated_at is None
        or membership.state not in REGISTERED_STATES
    ):
        return
    network_id = membership.network_id
    with scope(network=network_id):
        company_id = first_company_id(membership.pk)
        if new_month:
            registered_on = timezone.localdate(membership.activated_at, timezone=zone_of(membership.network))
            _bump(network_id, (ACTIVE, month_start(today), company_id, cohort_key(month_start(registered_on))))
        if new_week:
            _bump(network_id, (WEEKLY_ACTIVE, week_start(today), company_id, ""))


def _bump(network_id: int, key: Key) -> None:
    metric, month, company_id, dimension = key
    rows = MonthlyCount.objects.filter(
        network_id=network_id, metric=metric, month=month, company_id=company_id, dimension=dimension
    )
    if rows.update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():
            MonthlyCount.objects.create(
                network_id=network_id, metric=metric, month=month, company_id=company_id, dimension=dimension, value=1
            )
    except IntegrityError:  # another request created it meanwhile
        rows.update(value=F("value") + 1)


# Recomputed: member facts -------------------------------------------------------------------------

FACT_COLUMNS = ("network_id", "membership_id", "company_id", "leave_year", "source", "registered_on", "ended_on")


def facts_query(network: Network) -> QuerySet[Membership, Any]:
    """One row per registered alumnus or supporter, as the columns of MemberFacts (in FACT_COLUMNS order)."""
    zone = zone_of(network)
    first_record = EmploymentRecord.objects.filter(membership_id=OuterRef("pk")).order_by("pk")
    invitation = AlumniInvitation.objects.filter(
        record__membership_id=OuterRef("pk"), accepted_at__isnull=False
    ).order_by("-accepted_at", "-pk")
    registration = Registration.objects.filter(membership_id=OuterRef("pk"), status=Registration.Status.APPROVED)
    return (
        Membership.objects.filter(
            network=network, role__in=ALUMNI_ROLES, activated_at__isnull=False, state__in=REGISTERED_STATES
        )
        .annotate(
            invitation_delivery=Subquery(invitation.values("delivery")[:1]),
            invitation_automatic=Subquery(invitation.values("automatic")[:1]),
            channel_kind=Subquery(registration.values("channel__kind")[:1]),
            approved=Exists(registration),
        )
        .annotate(
            f_network_id=F("network_id"),
            f_membership_id=F("pk"),
            f_company_id=Coalesce(
                Subquery(first_record.values("company_id")[:1]), Value(0), output_field=IntegerField()
            ),
            f_leave_year=Coalesce(
                Subquery(first_record.annotate(year=ExtractYear("leave_date")).values("year")[:1]), Value(0),
                output_field=IntegerField(),
            ),
            f_source=Case(
                When(invitation_delivery=AlumniInvitation.Delivery.FLYER, then=Value(RegistrationSource.FLYER.value)),
                When(invitation_automatic=True, then=Value(RegistrationSource.AUTOMATIC.value)),
                When(invitation_delivery__isnull=False, then=Value(RegistrationSource.EMAIL.value)),
                When(approved=True, channel_kind__isnull=False, then=Concat(Value("link_"), "channel_kind")),
                When(approved=True, then=Value(RegistrationSource.PAGE.value)),
                default=Value(RegistrationSource.SECRETARIAT.value),
                output_field=CharField(),
            ),
            f_registered_on=TruncDate("activated_at", tzinfo=zone),
            f_ended_on=Case(
                When(state=MembershipState.LEFT, then=TruncDate(Coalesce("left_at", "activated_at"), tzinfo=zone)),
                When(state=MembershipState.SUSPENDED,
                     then=TruncDate(Coalesce("suspended_at", "activated_at"), tzinfo=zone)),
                default=None,
                output_field=DateField(),
            ),
        )
        .values_list(*(f"f_{column}" for column in FACT_COLUMNS))
        .order_by()
    )  # fmt: skip


def refresh_facts(network: Network) -> None:
    """Replace the network's MemberFacts with one INSERT … SELECT (no rows through Python)."""
    sql, params = facts_query(network).query.sql_with_params()
    table = connection.ops.quote_name(MemberFacts._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in FACT_COLUMNS)
    MemberFacts.objects.filter(network=network).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


# Recomputed: counts -------------------------------------------------------------------------------


def _replace(network: Network, metrics: Iterable[str], since: date | None, counts: dict[Key, int]) -> None:
    """Replace the rows of `metrics` (from month `since` on, or all) by `counts`."""
    rows = MonthlyCount.objects.filter(network=network, metric__in=list(metrics))
    if since is not None:
        rows = rows.filter(month__gte=since)
    rows.delete()
    MonthlyCount.objects.bulk_create(
        [
            MonthlyCount(network=network, metric=metric, month=month, company_id=company, dimension=dimension, value=n)
            for (metric, month, company, dimension), n in counts.items()
            if n
        ],
        batch_size=BATCH_SIZE,
    )


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _collect(counts: dict[Key, int], metric: str, rows: Iterable[dict[str, Any]], dimension: str = "") -> None:
    for row in rows:
        if row["period"] is None:
            continue
        value = row.get(dimension) if dimension else ""
        key = (metric, _as_date(row["period"]), row["company"] or 0, "" if value in (None, 0) else str(value))
        counts[key] = counts.get(key, 0) + row["n"]


def registration_counts(network: Network) -> dict[Key, int]:
    facts = MemberFacts.objects.filter(network=network).order_by()
    counts: dict[Key, int] = {}
    for metric, field, dimension in (
        (JOINED, "registered_on", "source"),
        (JOINED_BY_YEAR, "registered_on", "leave_year"),
        (ENDED, "ended_on", "source"),
        (ENDED_BY_YEAR, "ended_on", "leave_year"),
    ):
        rows = (
            facts.filter(**{f"{field}__isnull": False})
            .values(period=TruncMonth(field), company=F("company_id"), dim=F(dimension))
            .annotate(n=Count("id"))
        )
        _collect(counts, metric, ({**row, dimension: row["dim"]} for row in rows), dimension)
    return counts


def _member_company(path: str = "membership") -> Coalesce:
    return Coalesce(F(f"{path}__analytics_facts__company_id"), Value(0), output_field=IntegerField())


def engagement_counts(network: Network, since: date | None) -> dict[Key, int]:
    """Counts of the engagement metrics from month `since` on (all months if None)."""
    from enishi.comeback.models import Application, Interest
    from enishi.community.models import NewsRead
    from enishi.events.models import Event, Rsvp
    from enishi.newsletters.models import Delivery

    zone = zone_of(network)
    after = datetime.combine(since, time.min, tzinfo=zone) if since else None

    def within(field: str) -> Q:
        return Q(**{f"{field}__gte": after}) if after else Q()

    counts: dict[Key, int] = {}
    distinct_members = Count("membership_id", distinct=True)
    news = NewsRead.objects.filter(within("read_at"), network=network)
    _collect(counts, NEWS_READERS, news.values(period=TruncMonth("read_at", tzinfo=zone), company=_member_company())
             .annotate(n=distinct_members).order_by())  # fmt: skip
    opened = Delivery.objects.filter(within("opened_at"), network=network, opened_at__isnull=False)
    _collect(counts, NEWSLETTER_OPENERS,
             opened.values(period=TruncMonth("opened_at", tzinfo=zone), company=_member_company())
             .annotate(n=distinct_members).order_by())  # fmt: skip
    rsvps = Rsvp.objects.filter(
        within("event__starts_at"), network=network, status=Rsvp.Status.CONFIRMED, event__status=Event.Status.PUBLISHED
    ).values(period=TruncMonth("event__starts_at", tzinfo=zone), company=_member_company())
    _collect(counts, RSVPS, rsvps.annotate(n=Count("id")).order_by())
    _collect(counts, ATTENDED, rsvps.exclude(checked_in="").annotate(n=Count("id")).order_by())
    for metric, model in ((INTERESTS, Interest), (APPLICATIONS, Application)):
        rows = model.objects.filter(within("created_at"), network=network).values(
            period=TruncMonth("created_at", tzinfo=zone), company=_member_company()
        )
        _collect(counts, metric, rows.annotate(n=Count("id")).order_by())
    invitations = AlumniInvitation.objects.filter(within("created_at"), network=network).values(
        period=TruncMonth("created_at", tzinfo=zone), company=F("record__company_id")
    )
    _collect(counts, INVITED, invitations.annotate(n=Count("id")).order_by())
    _collect(
        counts, INVITED_REGISTERED, invitations.filter(accepted_at__isnull=False).annotate(n=Count("id")).order_by()
    )
    _event_attribution(counts, network, after)
    return counts


def _event_attribution(counts: dict[Key, int], network: Network, after: datetime | None) -> None:
    """What events brought (events.attribution), by the event's start month and host company."""
    from enishi.events.attribution import attribution_for
    from enishi.events.models import Event

    zone = zone_of(network)
    held = Event.objects.filter(network=network, status=Event.Status.PUBLISHED).order_by("pk")
    if after is not None:
        held = held.filter(starts_at__gte=after)
    events = list(held.only("pk", "starts_at", "ends_at", "host_company_id", "join_channel_id"))
    for start in range(0, len(events), EVENT_BATCH_SIZE):
        batch = events[start : start + EVENT_BATCH_SIZE]
        attribution = attribution_for(batch)
        for event in batch:
            month = month_start(timezone.localtime(event.starts_at, zone).date())
            company = event.host_company_id or 0
            for metric, value in ((EVENT_REGISTRATIONS, attribution[event.pk].registrations),
                                  (EVENT_ACTIONS, attribution[event.pk].opportunity_actions)):  # fmt: skip
                counts[metric, month, company, ""] = counts.get((metric, month, company, ""), 0) + value


def activity_counts(network: Network) -> dict[Key, int]:
    """Monthly and weekly actives recomputed from ActiveDay (what count_active adds up incrementally)."""
    days = ActiveDay.objects.filter(network=network, membership__analytics_facts__isnull=False).order_by()
    company = F("membership__analytics_facts__company_id")
    counts: dict[Key, int] = {}
    monthly = days.values(
        period=TruncMonth("day"), company=company, cohort=TruncMonth("membership__analytics_facts__registered_on")
    ).annotate(n=Count("membership_id", distinct=True))
    for row in monthly:
        key = (ACTIVE, _as_date(row["period"]), row["company"], cohort_key(row["cohort"]))
        counts[key] = counts.get(key, 0) + row["n"]
    weekly = days.values(period=TruncWeek("day"), company=company).annotate(n=Count("membership_id", distinct=True))
    _collect(counts, WEEKLY_ACTIVE, weekly)
    return counts


# Entry points ------------------------------------------------------------------------------------


def refresh(network: Network, today: date | None = None) -> None:
    """Member facts and registrations in full, engagements of the open months (previous and current)."""
    today = today or timezone.localdate(timezone=zone_of(network))
    since = month_start(month_start(today) - timedelta(days=1))
    with scope(network=network), transaction.atomic():
        refresh_facts(network)
        _replace(network, REGISTRATION_METRICS, None, registration_counts(network))
        _replace(network, ENGAGEMENT_METRICS, since, engagement_counts(network, since))
        RollupState.objects.update_or_create(network=network, defaults={"refreshed_at": timezone.now()})


def rebuild(network: Network) -> None:
    """Recompute every rollup of `network` from the facts, active days included."""
    with scope(network=network), transaction.atomic():
        refresh_facts(network)
        _replace(network, REGISTRATION_METRICS, None, registration_counts(network))
        _replace(network, ENGAGEMENT_METRICS, None, engagement_counts(network, None))
        _replace(network, ACTIVITY_METRICS, None, activity_counts(network))
        now = timezone.now()
        RollupState.objects.update_or_create(network=network, defaults={"refreshed_at": now, "rebuilt_at": now})


def refresh_due(now: datetime | None = None) -> int:
    """Refresh the networks whose rollups are older than REFRESH_EVERY (a job of the worker's
    maintenance). Each network is claimed by a conditional UPDATE first, so that two workers never
    refresh the same network at once. Returns the number refreshed."""
    now = now or timezone.now()
    cutoff = now - REFRESH_EVERY
    with scopes_disabled():  # one look across networks, at their refresh times only
        recent = set(RollupState.objects.filter(refreshed_at__gte=cutoff).values_list("network_id", flat=True))
        due = list(Network.objects.exclude(pk__in=recent).order_by("pk"))
        refreshed = 0
        for network in due:
            RollupState.objects.get_or_create(network=network)
            stale = Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=cutoff)
            if RollupState.objects.filter(stale, network=network).update(refreshed_at=now):
                refresh(network)
                refreshed += 1
    return refreshed
