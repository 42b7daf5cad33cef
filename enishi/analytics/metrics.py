"""The dashboard's figures, computed from stored facts through the rollups (analytics.rollups).

Each section runs a constant number of queries whatever the number of members, active days or
engagements: the counts come from MonthlyCount (a few thousand rows at most), the rest from tables
that stay small (events, opportunities, candidates, surveys). Definitions (docs/ARCHITECTURE.md, "Dashboard"):

- a member's company: the company of their first employment record (lowest id); "none" without one;
- registered at month end: alumni and supporter memberships activated on or before the month's last
  day and not left or suspended by then (dates in the network's time zone);
- MAU ratio: alumni and supporters with an active day in the month / registered at month end. A
  member active and then gone in the same month counts among the month's actives (they were
  registered that day) but not among those registered at its end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, NamedTuple

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from enishi.analytics import rollups
from enishi.analytics.figures import Figure, Filters, Kpi, Series
from enishi.analytics.models import MonthlyCount, RollupState
from enishi.intake.sources import RegistrationSource
from enishi.networks.models import Company, Network

SECTIONS = ("registrations", "activity", "events", "comeback", "feedback")
RETENTION_MONTHS = 6  # columns of the retention table: the registration month and the 5 after it
RETENTION_COHORTS = 12  # rows: the last 12 registration months of the range
TENURE_BUCKETS = ((0, 182), (182, 365), (365, 730), (730, None))  # days after the return


class Counts:
    """MonthlyCount rows read by one query, by metric, with the month totals summed once."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[tuple[date, int, str], int]] = {}
        self._months: dict[str, dict[date, int]] = {}
        self._cells: dict[str, dict[tuple[date, str], int]] = {}

    def add(self, metric: str, month: date, company_id: int, dimension: str, value: int) -> None:
        rows = self.rows.setdefault(metric, {})
        rows[month, company_id, dimension] = rows.get((month, company_id, dimension), 0) + value
        months = self._months.setdefault(metric, {})
        months[month] = months.get(month, 0) + value
        cells = self._cells.setdefault(metric, {})
        cells[month, dimension] = cells.get((month, dimension), 0) + value

    def cell(self, metric: str, month: date, dimension: str) -> int:
        """`metric` for one month and dimension, over every company read."""
        return self._cells.get(metric, {}).get((month, dimension), 0)

    def in_month(self, metric: str, month: date) -> int:
        return self._months.get(metric, {}).get(month, 0)

    def up_to(self, metric: str, month: date) -> int:
        return sum(value for m, value in self._months.get(metric, {}).items() if m <= month)

    def total(self, metric: str, where: Callable[[date, int, str], bool]) -> int:
        return sum(value for (month, company, dim), value in self.rows.get(metric, {}).items()
                   if where(month, company, dim))  # fmt: skip

    def grouped(self, metric: str, by: str, first: date | None = None, last: date | None = None) -> dict[Any, int]:
        """Sums of `metric` per company (by="company") or per dimension, over months first … last."""
        result: dict[Any, int] = {}
        for (month, company, dim), value in self.rows.get(metric, {}).items():
            if (first is None or month >= first) and (last is None or month <= last):
                key = company if by == "company" else dim
                result[key] = result.get(key, 0) + value
        return result

    def registered_by(self, by: str, last: date, joined: str = rollups.JOINED, ended: str = rollups.ENDED
                      ) -> dict[Any, int]:  # fmt: skip
        """Registered at the end of month `last`, per company or per dimension (source, leave year)."""
        result = self.grouped(joined, by, last=last)
        for key, value in self.grouped(ended, by, last=last).items():
            result[key] = result.get(key, 0) - value
        return result

    def keys(self, metric: str) -> list[tuple[int, str]]:
        return sorted({(company, dim) for (_month, company, dim) in self.rows.get(metric, {})})


Values = list[float | int | None]  # Series.values


# Months and counts -------------------------------------------------------------------------------


def months_between(start: date, end: date) -> list[date]:
    months, month = [], rollups.month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return rollups.month_start(month.replace(day=1) - timedelta(days=1))


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def _counts(network: Network, filters: Filters, cumulative: Iterable[str], ranged: Iterable[str],
            since: date | None = None, by_company: bool = False) -> Counts:  # fmt: skip
    """One query: the `cumulative` metrics from the beginning up to the range's last month, the
    `ranged` ones within the range (from `since` if given), summed over companies unless filtered."""
    last = filters.end
    first = since or rollups.month_start(filters.start)
    query = Q(metric__in=list(cumulative)) | Q(metric__in=list(ranged), month__gte=first)
    rows = MonthlyCount.objects.filter(query, network=network, month__lte=last)
    if filters.company_id is not None:
        rows = rows.filter(company_id=filters.company_id)
    counts = Counts()
    if by_company:
        for metric, month, company_id, dimension, value in rows.values_list(
            "metric", "month", "company_id", "dimension", "value"
        ).order_by():
            counts.add(metric, month, company_id, dimension, value)
    else:  # summed over companies by the database: fewer rows to read
        for metric, month, dimension, value in (
            rows.values_list("metric", "month", "dimension").annotate(total=Sum("value")).order_by()
        ):
            counts.add(metric, month, 0, dimension, value)
    return counts


def registered_at(counts: Counts, month: date, where: Callable[[int, str], bool] | None = None) -> int:
    """Registered at the end of `month`: joined up to it minus ended up to it (per source)."""
    if where is None:
        return counts.up_to(rollups.JOINED, month) - counts.up_to(rollups.ENDED, month)
    keep = where
    joined = counts.total(rollups.JOINED, lambda m, c, d: m <= month and keep(c, d))
    ended = counts.total(rollups.ENDED, lambda m, c, d: m <= month and keep(c, d))
    return joined - ended


def _sum(values: Values) -> int:
    return int(sum(value or 0 for value in values))


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _ratio(part: float, whole: float) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _company_names(network: Network) -> dict[int, str]:
    names = {company.pk: company.short_name or company.name for company in Company.objects.filter(network=network)}
    names[0] = str(_("No employment record"))
    return names


def _local_bounds(network: Network, filters: Filters) -> tuple[datetime, datetime]:
    zone = rollups.zone_of(network)
    return (datetime.combine(filters.start, time.min, tzinfo=zone),
            datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=zone))  # fmt: skip


# Registrations -----------------------------------------------------------------------------------


def registrations(network: Network, filters: Filters) -> list[Figure]:
    """Registered over time, by company, by leave-year cohort, by source, and invitation conversion."""
    with scope(network=network):
        counts = _counts(network, filters, rollups.REGISTRATION_METRICS, (rollups.INVITED, rollups.INVITED_REGISTERED),
                         by_company=True)  # fmt: skip
        companies = _company_names(network)
    months = months_between(filters.start, filters.end)
    last = months[-1]
    labels = [month_label(month) for month in months]
    over_time = Figure(
        key="registered", title=_("Registered alumni"), kind="line", labels=labels,
        series=[
            Series("registered", _("Registered at month end"), [registered_at(counts, m) for m in months]),
            Series("joined", _("Registered in the month"),
                   [counts.in_month(rollups.JOINED, m) for m in months]),
            Series("ended", _("Left or suspended in the month"),
                   [counts.in_month(rollups.ENDED, m) for m in months]),
        ],
        note=_("Alumni and supporters activated by the month's last day and not left or suspended by then."),
    )  # fmt: skip
    per_company = counts.registered_by("company", last)
    company_ids = sorted({company for company, _dim in counts.keys(rollups.JOINED)},
                         key=lambda pk: (pk == 0, companies.get(pk, ""), pk))  # fmt: skip
    by_company = Figure(
        key="registered_by_company", title=_("Registered alumni by company"), kind="bar",
        labels=[companies.get(pk, str(pk)) for pk in company_ids],
        series=[Series("registered", _("Registered at the end of the period"),
                       [per_company.get(pk, 0) for pk in company_ids])],
        note=_("A member's company is that of their first employment record."),
    )  # fmt: skip
    per_year = counts.registered_by("dimension", last, rollups.JOINED_BY_YEAR, rollups.ENDED_BY_YEAR)
    years = sorted({dim for _company, dim in counts.keys(rollups.JOINED_BY_YEAR)}, key=lambda y: (y == "", y))
    by_year = Figure(
        key="registered_by_leave_year", title=_("Registered alumni by leave year"), kind="bar",
        labels=[year or str(_("Unknown")) for year in years],
        series=[Series("registered", _("Registered at the end of the period"),
                       [per_year.get(year, 0) for year in years])],
        x_label=_("Year of leaving"),
    )  # fmt: skip
    present = {dim for _company, dim in counts.keys(rollups.JOINED)}
    sources = [source for source in RegistrationSource.values if source in present]
    first = months[0]
    joined_in = counts.grouped(rollups.JOINED, "dimension", first, last)
    per_source = counts.registered_by("dimension", last)
    by_source = Figure(
        key="registrations_by_source", title=_("Registrations by source"), kind="bar",
        labels=[str(RegistrationSource(source).label) for source in sources],
        series=[
            Series("joined", _("Registered in the period"), [joined_in.get(source, 0) for source in sources]),
            Series("registered", _("Registered at the end of the period"),
                   [per_source.get(source, 0) for source in sources]),
        ],
    )  # fmt: skip
    invited = [counts.in_month(rollups.INVITED, m) for m in months]
    accepted = [counts.in_month(rollups.INVITED_REGISTERED, m) for m in months]
    conversion = Figure(
        key="invitation_conversion", title=_("Invitation → registration"), kind="bar", labels=labels,
        series=[Series("invited", _("Personal invitations sent"), list(invited)),
                Series("registered", _("Of which accepted"), list(accepted))],
        note=_("Conversion over the period: %(rate)s %%. Invitations count in the month they were sent.")
        % {"rate": _format_rate(_ratio(sum(accepted), sum(invited)))},
    )  # fmt: skip
    return [over_time, by_company, by_year, by_source, conversion]


def _format_rate(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1f}"


# Activity ----------------------------------------------------------------------------------------


def activity(network: Network, filters: Filters) -> list[Figure]:
    """MAU ratio per month, weekly actives, retention by registration cohort, news and newsletter readers."""
    with scope(network=network):
        counts = _counts(
            network, filters, (rollups.JOINED, rollups.ENDED),
            (rollups.ACTIVE, rollups.WEEKLY_ACTIVE, rollups.NEWS_READERS, rollups.NEWSLETTER_OPENERS),
            since=rollups.week_start(rollups.month_start(filters.start)),
        )  # fmt: skip
    months = months_between(filters.start, filters.end)
    labels = [month_label(month) for month in months]
    registered = [registered_at(counts, month) for month in months]
    active = [counts.in_month(rollups.ACTIVE, month) for month in months]
    mau = Figure(
        key="mau_ratio", title=_("Monthly active ratio (MAU)"), kind="line", labels=labels, unit="percent",
        series=[Series("mau", _("Active members / registered at month end"),
                       [_ratio(a, r) for a, r in zip(active, registered, strict=True)])],
        note=_("Members with at least one active day in the month, divided by those registered at its end."),
    )  # fmt: skip
    monthly = Figure(
        key="monthly_actives", title=_("Active and registered members"), kind="bar", labels=labels,
        series=[Series("active", _("Active in the month"), list(active)),
                Series("registered", _("Registered at month end"), list(registered))],
    )  # fmt: skip
    weeks = []
    week = rollups.week_start(filters.start)
    while week <= filters.end:
        weeks.append(week)
        week += timedelta(days=7)
    weekly = Figure(
        key="weekly_actives", title=_("Weekly active members"), kind="line", labels=[f"{w:%Y-%m-%d}" for w in weeks],
        series=[Series("active", _("Active in the week"), [counts.in_month(rollups.WEEKLY_ACTIVE, w)
                                                           for w in weeks])],
        x_label=_("Week starting"),
    )  # fmt: skip
    cohorts = months[-RETENTION_COHORTS:]
    table_rows: list[list[float | int | None]] = []
    for cohort in cohorts:
        size = counts.in_month(rollups.JOINED, cohort)
        row: list[float | int | None] = [size]
        month = cohort
        for _offset in range(RETENTION_MONTHS):
            in_range = month <= months[-1]
            row.append(
                _ratio(
                    counts.cell(rollups.ACTIVE, month, rollups.cohort_key(cohort)),
                    size,
                )
                if in_range
                else None
            )
            month = next_month(month)
        table_rows.append(row)
    retention = Figure(
        key="retention", title=_("Retention by registration month"), kind="table", unit="percent",
        labels=[month_label(cohort) for cohort in cohorts],
        series=[Series("registered", _("Registered in the month"), [row[0] for row in table_rows])] + [
            Series(f"m{offset}", _("Month %(n)s") % {"n": offset}, [row[offset + 1] for row in table_rows])
            for offset in range(RETENTION_MONTHS)
        ],
        note=_("Share of the members who registered in a month who were active in that month (Month 0) and in "
               "each month after it. The first column is a count."),
        x_label=_("Registration month"),
    )  # fmt: skip
    readers = Figure(
        key="news_readers", title=_("Members who opened news or the newsletter"), kind="line", unit="percent",
        labels=labels,
        series=[
            Series("news", _("Opened a news item"), [
                _ratio(counts.in_month(rollups.NEWS_READERS, m), r)
                for m, r in zip(months, registered, strict=True)]),
            Series("newsletter", _("Opened a newsletter"), [
                _ratio(counts.in_month(rollups.NEWSLETTER_OPENERS, m), r)
                for m, r in zip(months, registered, strict=True)]),
        ],
        note=_("Share of the members registered at month end. Newsletter opens are counted by the tracking "
               "image: mail programs that block images are not counted."),
    )  # fmt: skip
    return [mau, monthly, weekly, retention, readers]


# Events ------------------------------------------------------------------------------------------


def events(network: Network, filters: Filters) -> list[Figure]:
    """Events held, RSVPs and attendance, registrations and opportunity actions attributed to events."""
    from enishi.events.models import Event

    zone = rollups.zone_of(network)
    first, after = _local_bounds(network, filters)
    with scope(network=network):
        held = Event.objects.filter(network=network, status=Event.Status.PUBLISHED, starts_at__gte=first,
                                    starts_at__lt=after)  # fmt: skip
        if filters.company_id is not None:
            held = held.filter(host_company_id=filters.company_id)
        held_rows = held.annotate(month=TruncMonth("starts_at", tzinfo=zone)).values("month").annotate(n=Count("pk"))
        held_in = {_as_date(row["month"]): row["n"] for row in held_rows.order_by()}
        metrics = (rollups.RSVPS, rollups.ATTENDED, rollups.EVENT_REGISTRATIONS, rollups.EVENT_ACTIONS)
        counts = _counts(network, filters, (), metrics)
    months = months_between(filters.start, filters.end)
    labels = [month_label(month) for month in months]
    rsvps: Values = [counts.in_month(rollups.RSVPS, m) for m in months]
    attended: Values = [counts.in_month(rollups.ATTENDED, m) for m in months]
    return [
        Figure(key="events_held", title=_("Events held"), kind="bar", labels=labels,
               series=[Series("events", _("Events"), [held_in.get(m, 0) for m in months])],
               note=_("Published events by their start date (with a company filter: events that company hosts).")),
        Figure(key="rsvps", title=_("RSVPs and attendance"), kind="bar", labels=labels,
               series=[Series("rsvps", _("Confirmed RSVPs"), rsvps), Series("attended", _("Checked in"), attended)],
               note=_("By the month of the event; with a company filter, RSVPs of that company's alumni.")),
        Figure(key="attendance_rate", title=_("Attendance rate"), kind="line", labels=labels, unit="percent",
               series=[Series("rate", _("Checked in / confirmed RSVPs"),
                              [_ratio(a or 0, r or 0) for a, r in zip(attended, rsvps, strict=True)])]),
        Figure(key="event_attribution", title=_("What events brought"), kind="bar", labels=labels,
               series=[
                   Series("registrations", _("Registrations through the event's join link"),
                          [counts.in_month(rollups.EVENT_REGISTRATIONS, m) for m in months]),
                   Series("opportunity_actions", _("Interests and applications by attendees"),
                          [counts.in_month(rollups.EVENT_ACTIONS, m) for m in months]),
               ],
               note=_("Interests and applications made by checked-in attendees within %(days)s days after the event.")
               % {"days": _attribution_days()}),
    ]  # fmt: skip


def _attribution_days() -> int:
    from django.conf import settings

    return int(settings.EVENT_ATTRIBUTION_DAYS)


# Comeback ----------------------------------------------------------------------------------------


def comeback(network: Network, filters: Filters) -> list[Figure]:
    """Opportunities open, interests, applications, hires by kind and company, the funnel, time to hire
    and tenure after the return."""
    from enishi.comeback.models import Candidate, Opportunity, Stage
    from enishi.intake.models import EmploymentRecord

    first, after = _local_bounds(network, filters)
    months = months_between(filters.start, filters.end)
    labels = [month_label(month) for month in months]
    with scope(network=network):
        companies = _company_names(network)
        opportunities = Opportunity.objects.filter(network=network).exclude(status=Opportunity.Status.DRAFT)
        if filters.company_id is not None:
            opportunities = opportunities.filter(company_id=filters.company_id)
        spans = list(
            opportunities.values_list("opens_on", "closes_on", "created_at", "updated_at", "status").order_by()
        )
        counts = _counts(network, filters, (), (rollups.INTERESTS, rollups.APPLICATIONS))
        stages = list(
            Stage.objects.filter(network=network)
            .order_by("position", "pk")
            .values_list("pk", "kind", "name", "position")
        )
        candidates = Candidate.objects.filter(network=network).filter(
            Q(created_at__gte=first, created_at__lt=after) | Q(hired_on__gte=filters.start, hired_on__lte=filters.end)
        )
        if filters.company_id is not None:
            candidates = candidates.filter(opportunity__company_id=filters.company_id)
        rows = list(
            candidates.values_list(
                "membership_id",
                "stage_id",
                "created_at",
                "hired_on",
                "opportunity__kind",
                "opportunity__company_id",
                "stage__kind",
            ).order_by()
        )
        hired_ids = [row[0] for row in rows if row[6] == Stage.Kind.HIRED and row[3] is not None]
        records = list(
            EmploymentRecord.objects.filter(network=network, membership_id__in=hired_ids, hire_date__isnull=False)
            .values_list("membership_id", "hire_date", "leave_date")
            .order_by()
        )
    today = timezone.localdate(timezone=rollups.zone_of(network))
    # Open in a month: not a draft, opened on or before its last day, not closed before its first day.
    zone = rollups.zone_of(network)
    closed = Opportunity.Status.CLOSED
    windows = [
        (opens_on or timezone.localtime(created_at, zone).date(),
         closes_on or (timezone.localtime(updated_at, zone).date() if status == closed else date.max))
        for opens_on, closes_on, created_at, updated_at, status in spans
    ]  # fmt: skip
    open_per_month: Values = []
    for month in months:
        month_end = next_month(month) - timedelta(days=1)
        open_per_month.append(sum(1 for opened, closed in windows if opened <= month_end and closed >= month))
    interests: Values = [counts.in_month(rollups.INTERESTS, m) for m in months]
    applications: Values = [counts.in_month(rollups.APPLICATIONS, m) for m in months]
    hires = [
        Hire(row[0], row[3], (row[3] - timezone.localtime(row[2]).date()).days, row[4], row[5] or 0)
        for row in rows
        if row[6] == Stage.Kind.HIRED and row[3] is not None and filters.start <= row[3] <= filters.end
    ]
    kinds = list(Opportunity.Kind)
    hires_company = sorted({hire.company_id for hire in hires}, key=lambda pk: (pk == 0, companies.get(pk, ""), pk))
    created = [row for row in rows if first <= row[2] < after]
    open_stages = [stage for stage in stages if stage[1] == Stage.Kind.OPEN]
    position = {stage[0]: stage[3] for stage in stages}
    funnel_labels = [str(_("Interests")), str(_("Applications")), str(_("Candidates"))]
    funnel_values: list[int] = [_sum(interests), _sum(applications), len(created)]
    for _stage, _kind, name, stage_position in open_stages[1:]:
        funnel_labels.append(name)
        funnel_values.append(
            sum(
                1
                for row in created
                if row[6] == Stage.Kind.HIRED
                or (row[6] == Stage.Kind.OPEN and position.get(row[1], -1) >= stage_position)
            )
        )
    funnel_labels.append(str(_("Hired")))
    funnel_values.append(sum(1 for row in created if row[6] == Stage.Kind.HIRED))
    conversions: Values = [None]
    conversions += [_ratio(value, previous) for previous, value in pairwise(funnel_values)]
    by_month_hires = {m: [hire for hire in hires if rollups.month_start(hire.hired_on) == m] for m in months}
    time_to_hire: Values = [
        round(sum(hire.days_to_hire for hire in items) / len(items), 1) if items else None
        for items in (by_month_hires[m] for m in months)
    ]
    tenure = _tenure_buckets(hires, records, min(today, filters.end))
    return [
        Figure(key="opportunities_open", title=_("Opportunities open"), kind="line", labels=labels,
               series=[Series("open", _("Open during the month"), open_per_month)]),
        Figure(key="interests_applications", title=_("Interests and applications"), kind="bar", labels=labels,
               series=[Series("interests", _("Interests"), interests),
                       Series("applications", _("Applications"), applications)],
               note=_("With a company filter: those of that company's alumni.")),
        Figure(key="hires_by_kind", title=_("Hires by kind"), kind="bar", labels=[str(kind.label) for kind in kinds],
               series=[Series("hires", _("Hires"), [sum(1 for hire in hires if hire.kind == kind) for kind in kinds])],
               note=_("Candidates in a stage of the kind Hired, by their start date.")),
        Figure(key="hires_by_company", title=_("Hires by company"), kind="bar",
               labels=[companies.get(pk, str(pk)) if pk else str(_("No company")) for pk in hires_company],
               series=[Series("hires", _("Hires"), [sum(1 for hire in hires if hire.company_id == pk)
                                                    for pk in hires_company])]),
        Figure(key="funnel", title=_("Comeback funnel"), kind="funnel", labels=funnel_labels,
               series=[Series("count", _("People"), list(funnel_values)),
                       Series("conversion", _("Conversion from the previous step (%)"), conversions)],
               note=_("Interests and applications made in the period; candidates added in the period, by how far "
                      "they have gone (their current stage).")),
        Figure(key="time_to_hire", title=_("Time to hire"), kind="line", labels=labels, unit="days",
               series=[Series("days", _("Average days from candidate to start date"), time_to_hire)]),
        Figure(key="tenure_after_return", title=_("Tenure after the return"), kind="bar",
               labels=[str(label) for label in (_("Under 6 months"), _("6–12 months"), _("1–2 years"),
                                                _("2 years or more"))],
               series=[Series("still", _("Still there"), [bucket[0] for bucket in tenure]),
                       Series("left", _("Left again"), [bucket[1] for bucket in tenure])],
               note=_("Hires of the period, by time since the start date (until today, or until the leave date "
                      "of the employment record that HR imported for the return).")),
    ]  # fmt: skip


class Hire(NamedTuple):
    membership_id: int
    hired_on: date
    days_to_hire: int
    kind: str
    company_id: int


def _tenure_buckets(hires: list[Hire], records: list[tuple[int, date | None, date | None]],
                    today: date) -> list[tuple[int, int]]:  # fmt: skip
    buckets = [[0, 0] for _bucket in TENURE_BUCKETS]
    for hire in hires:
        left_on = next((leave for member, hired, leave in records if member == hire.membership_id and hired
                        and hired >= hire.hired_on and leave is not None), None)  # fmt: skip
        days = ((left_on or today) - hire.hired_on).days
        for index, (low, high) in enumerate(TENURE_BUCKETS):
            if days >= low and (high is None or days < high):
                buckets[index][0 if left_on is None else 1] += 1
                break
    return [(still, left) for still, left in buckets]


# Feedback ----------------------------------------------------------------------------------------


def feedback(network: Network, filters: Filters) -> list[Figure]:
    """Survey response rates, NPS over time, feedback box counts (from the surveys and feedback apps)."""
    from enishi.feedback.services import counts as feedback_counts
    from enishi.surveys.services import nps_by_survey, response_counts

    with scope(network=network):
        responses = response_counts(network, filters.start, filters.end, filters.company_id)
        scores = nps_by_survey(network, filters.start, filters.end, filters.company_id)
        box = feedback_counts(network, filters.start, filters.end)
    box_months = list(box)
    return [
        Figure(key="survey_response_rate", title=_("Survey response rates"), kind="bar", unit="percent",
               labels=[f"{row.closes_on:%Y-%m-%d} {row.title}" for row in responses],
               series=[Series("rate", _("Answered / recipients"), [_ratio(row.answered, row.recipients)
                                                                  for row in responses])],
               note=_("Surveys closing in the period.")),
        Figure(key="nps", title=_("NPS over time"), kind="line", unit="score",
               labels=[f"{row.closes_on:%Y-%m-%d} {row.title}" for row in scores],
               series=[Series("nps", _("NPS"), [row.score for row in scores]),
                       Series("answers", _("Answers"), [row.n for row in scores])],
               note=_("First NPS question of each survey; anonymous surveys only once closed and with enough "
                      "answers.")),
        Figure(key="feedback_box", title=_("Feedback box"), kind="bar", labels=box_months,
               series=[Series("received", _("Received"), [box[m]["received"] for m in box_months]),
                       Series("acted_on", _("Acted on"), [box[m]["acted_on"] for m in box_months])],
               note=_("All companies: feedback carries no company.")),
    ]  # fmt: skip


# KPIs, dispatch and the monthly report -----------------------------------------------------------


def last_full_month(filters: Filters) -> date:
    """The last month of the range that ends within it (the range's first month if none does)."""
    month = rollups.month_start(filters.end)
    if next_month(month) - timedelta(days=1) > filters.end and month > rollups.month_start(filters.start):
        month = previous_month(month)
    return month


def previous_period(filters: Filters) -> Filters:
    """The period just before: the same number of calendar months when the range is whole months,
    otherwise the same number of days."""
    if filters.start.day == 1 and next_month(rollups.month_start(filters.end)) - timedelta(days=1) == filters.end:
        start = filters.start
        for _month in months_between(filters.start, filters.end):
            start = previous_month(start)
        return Filters(start, filters.start - timedelta(days=1), filters.company_id)
    length = filters.end - filters.start
    return Filters(filters.start - length - timedelta(days=1), filters.start - timedelta(days=1), filters.company_id)


def kpis(network: Network, filters: Filters) -> list[Kpi]:
    """Registered at the end, MAU ratio of the last full month, events held, comeback hires, NPS."""
    from enishi.comeback.models import Candidate, Stage
    from enishi.events.models import Event
    from enishi.surveys.services import nps_by_survey

    before = previous_period(filters)
    first, after = _local_bounds(network, filters)
    previous_first, _previous_after = _local_bounds(network, before)
    mau_month = last_full_month(filters)
    earlier = previous_month(mau_month)
    with scope(network=network):
        counts = _counts(network, filters, (rollups.JOINED, rollups.ENDED), (rollups.ACTIVE,), since=earlier)
        held = Event.objects.filter(network=network, status=Event.Status.PUBLISHED,
                                    starts_at__gte=previous_first, starts_at__lt=after)  # fmt: skip
        if filters.company_id is not None:
            held = held.filter(host_company_id=filters.company_id)
        events_held = held.aggregate(now=Count("pk", filter=Q(starts_at__gte=first)),
                                     before=Count("pk", filter=Q(starts_at__lt=first)))  # fmt: skip
        hires = Candidate.objects.filter(network=network, stage__kind=Stage.Kind.HIRED,
                                         hired_on__gte=before.start, hired_on__lte=filters.end)  # fmt: skip
        if filters.company_id is not None:
            hires = hires.filter(opportunity__company_id=filters.company_id)
        hired = hires.aggregate(now=Count("pk", filter=Q(hired_on__gte=filters.start)),
                                before=Count("pk", filter=Q(hired_on__lt=filters.start)))  # fmt: skip
        scores = [row.score for row in nps_by_survey(network, before.start, filters.end, filters.company_id)
                  if row.score is not None]  # fmt: skip
    end_month, start_month = rollups.month_start(filters.end), previous_month(rollups.month_start(filters.start))

    def mau(month: date) -> float | None:
        return _ratio(counts.in_month(rollups.ACTIVE, month), registered_at(counts, month))

    return [
        Kpi("registered", _("Registered alumni"), registered_at(counts, end_month),
            previous=registered_at(counts, start_month)),
        Kpi("mau", _("MAU ratio (%(month)s)") % {"month": month_label(mau_month)}, mau(mau_month), unit="percent",
            previous=mau(earlier)),
        Kpi("events", _("Events held"), events_held["now"], previous=events_held["before"]),
        Kpi("hires", _("Comeback hires"), hired["now"], previous=hired["before"]),
        Kpi("nps", _("NPS (latest survey)"), scores[-1] if scores else None, unit="score",
            previous=scores[-2] if len(scores) > 1 else None),
    ]  # fmt: skip


SECTION_FUNCTIONS: dict[str, Callable[[Network, Filters], list[Figure]]] = {
    "registrations": registrations,
    "activity": activity,
    "events": events,
    "comeback": comeback,
    "feedback": feedback,
}


def section(network: Network, name: str, filters: Filters) -> list[Figure]:
    if name not in SECTION_FUNCTIONS:
        raise KeyError(name)
    return SECTION_FUNCTIONS[name](network, filters)


def refreshed_at(network: Network) -> datetime | None:
    """When the rollups were last refreshed (the dashboard says "as of")."""
    with scope(network=network):
        state = RollupState.objects.filter(network=network).values_list("refreshed_at", flat=True).first()
    return state


def default_filters(network: Network, today: date | None = None) -> Filters:
    """The dashboard's first load: the twelve months up to today."""
    today = today or timezone.localdate(timezone=rollups.zone_of(network))
    start = rollups.month_start(today)
    for _month in range(11):
        start = previous_month(start)
    return Filters(start, today)


REPORT_FIGURES = ("registered", "registrations_by_source", "mau_ratio", "retention", "events_held", "rsvps",
                  "funnel", "hires_by_kind", "nps")  # fmt: skip


def monthly_report(network: Network, month: date) -> dict[str, Any]:
    """What the printable monthly report shows: the month's KPIs (with the previous month's beside
    them) and the key figures over the twelve months that end with it."""
    month = rollups.month_start(month)
    month_end = next_month(month) - timedelta(days=1)
    year_start = month
    for _month in range(11):
        year_start = previous_month(year_start)
    trend = Filters(year_start, month_end)
    figures = [figure for name in SECTIONS for figure in section(network, name, trend) if figure.key in REPORT_FIGURES]
    return {
        "month": month,
        "filters": Filters(month, month_end),
        "kpis": kpis(network, Filters(month, month_end)),
        "figures": figures,
        "refreshed_at": refreshed_at(network),
    }
