"""The dashboard's figures against a hand-built network whose answers are known.

Network A (Asia/Tokyo), companies ALPHA (the persona company) and Beta; the range is January to
March 2026. Registered alumni and supporters:

| member | company | leave | source | registered (JST) | ended | active days |
|---|---|---|---|---|---|---|
| m1 | ALPHA | 2020 | email invitation | 2025-12-10 | – | Jan 5, Jan 20, Feb 3 |
| m2 | ALPHA | 2021 | homepage link | 2026-01-15 | – | Jan 16, Mar 2 |
| m3 | Beta | 2021 | invitation flyer | 2026-01-31 23:30 | left 2026-02-14 | Feb 10 |
| m4 | Beta | – | join page | 2025-11-01 | suspended 2026-03-05 | Jan 2, Mar 1 |
| m5 (supporter) | none | – | secretariat | 2026-02-01 00:10 (Jan 31 in UTC) | – | Feb 1, Feb 2 |

Staff (the admin is active in January) and network B's members never count; the personas who are
alumni registered in June 2026, after the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.analytics import metrics, rollups
from enishi.analytics.figures import Figure, Filters
from enishi.analytics.models import ActiveDay, MemberFacts, MonthlyCount, RollupState
from enishi.analytics.services import record_active_day
from enishi.comeback.models import Application, Candidate, Interest, Opportunity, Stage
from enishi.comeback.services import stages_of
from enishi.community.models import NewsItem, NewsRead
from enishi.events.models import Event, Rsvp
from enishi.intake.models import AlumniInvitation, EmploymentRecord, JoinChannel, Registration
from enishi.networks.models import Company, Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role

TOKYO = ZoneInfo("Asia/Tokyo")
RANGE = Filters(date(2026, 1, 1), date(2026, 3, 31))
MONTHS = ["2026-01", "2026-02", "2026-03"]


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


@dataclass
class Dataset:
    network: Network
    alpha: Company
    beta: Company
    members: dict[str, Membership]
    activity: dict[str, list[date]]


def member(network: Network, name: str, role: str, activated_at: datetime, **fields: object) -> Membership:
    user = User.objects.create_user(f"{name}@dash.example", None, family_name="分析", given_name=name)
    return Membership.objects.create(network=network, user=user, role=role, activated_at=activated_at, **fields)


def record(network: Network, company: Company, membership: Membership, leave: date | None) -> EmploymentRecord:
    return EmploymentRecord.objects.create(network=network, company=company, membership=membership,
                                           employee_number=f"E{membership.pk}", family_name="分析",
                                           given_name="太郎", leave_date=leave)  # fmt: skip


def build(net: PersonaNetwork, other: PersonaNetwork | None = None) -> Dataset:
    network, alpha = net.network, net.company
    with scopes_disabled():
        Membership.objects.filter(network=network, role__in=ALUMNI_ROLES).update(activated_at=at(2026, 6, 1))
        beta = Company.objects.create(network=network, name_ja="ベータ物産", name_en="Beta", short_name="Beta")
        m1 = member(network, "m1", Role.ALUMNUS, at(2025, 12, 10))
        m2 = member(network, "m2", Role.ALUMNUS, at(2026, 1, 15))
        m3 = member(network, "m3", Role.ALUMNUS, at(2026, 1, 31, 23, 30), state=MembershipState.LEFT,
                    left_at=at(2026, 2, 14))  # fmt: skip
        m4 = member(network, "m4", Role.ALUMNUS, at(2025, 11, 1), state=MembershipState.SUSPENDED,
                    suspended_at=at(2026, 3, 5))  # fmt: skip
        m5 = member(network, "m5", Role.SUPPORTER, at(2026, 2, 1, 0, 10))
        r1 = record(network, alpha, m1, date(2020, 3, 31))
        record(network, alpha, m2, date(2021, 6, 30))
        r3 = record(network, beta, m3, date(2021, 9, 30))
        record(network, beta, m4, None)
        record(network, beta, m1, date(2024, 1, 31))  # a second record: the first one decides
        pending = record(network, beta, member(network, "p", Role.ALUMNUS, at(2026, 1, 3), state="invited"), None)
        # Sources: m1 by an emailed invitation (Dec), m3 by a flyer (Jan), one more emailed in Jan
        # not accepted; m2 through the homepage join link; m4 from the bare join page.
        for rec, delivery, created, accepted in ((r1, "email", at(2025, 12, 1), at(2025, 12, 10)),
                                                 (r3, "flyer", at(2026, 1, 20), at(2026, 1, 31, 23, 30)),
                                                 (pending, "email", at(2026, 1, 2), None)):  # fmt: skip
            invitation = AlumniInvitation.objects.create(network=network, record=rec, email="x@dash.example",
                                                         delivery=delivery, accepted_at=accepted)  # fmt: skip
            AlumniInvitation.objects.filter(pk=invitation.pk).update(created_at=created)
        homepage = JoinChannel.objects.create(network=network, kind=JoinChannel.Kind.HOMEPAGE)
        Registration.objects.create(network=network, user=m2.user, membership=m2, channel=homepage,
                                    status=Registration.Status.APPROVED)  # fmt: skip
        Registration.objects.create(network=network, user=m4.user, membership=m4, status=Registration.Status.APPROVED)
        members = {"m1": m1, "m2": m2, "m3": m3, "m4": m4, "m5": m5}
        activity = {
            "m1": [date(2026, 1, 5), date(2026, 1, 20), date(2026, 2, 3)],
            "m2": [date(2026, 1, 16), date(2026, 3, 2)],
            "m3": [date(2026, 2, 10)],
            "m4": [date(2026, 1, 2), date(2026, 3, 1)],
            "m5": [date(2026, 2, 1), date(2026, 2, 2)],
        }
        # Engagement: m1 and m2 read news in January; an event in January (m1 checked in, m2
        # confirmed, m4 cancelled), one in February (a waitlisted RSVP), a draft one ignored.
        news = NewsItem.objects.create(network=network, title="お知らせ", body="本文", status="published")
        for who in (m1, m2):
            read = NewsRead.objects.create(network=network, item=news, membership=who)
            NewsRead.objects.filter(pk=read.pk).update(read_at=at(2026, 1, 25))
        january = Event.objects.create(network=network, title="新年会", starts_at=at(2026, 1, 20, 19),
                                       ends_at=at(2026, 1, 20, 21), status=Event.Status.PUBLISHED)  # fmt: skip
        february = Event.objects.create(network=network, title="勉強会", starts_at=at(2026, 2, 10, 19),
                                        ends_at=at(2026, 2, 10, 21), status=Event.Status.PUBLISHED)  # fmt: skip
        draft = Event.objects.create(network=network, title="下書き", starts_at=at(2026, 3, 10, 19),
                                     ends_at=at(2026, 3, 10, 21), status=Event.Status.DRAFT)  # fmt: skip
        Rsvp.objects.create(network=network, event=january, membership=m1, checked_in=Rsvp.CheckIn.VENUE,
                            checked_in_at=at(2026, 1, 20, 19))  # fmt: skip
        Rsvp.objects.create(network=network, event=january, membership=m2)
        Rsvp.objects.create(network=network, event=january, membership=m4, status=Rsvp.Status.CANCELLED)
        Rsvp.objects.create(network=network, event=february, membership=m1, status=Rsvp.Status.WAITLISTED)
        Rsvp.objects.create(network=network, event=draft, membership=m2)
        # Comeback: a full-time job at ALPHA open from January 10, a side job at Beta closed on
        # February 15; m1 interested in January (4 days after the January event: attributed),
        # applied in February and hired (start March 1); m2 interested in February.
        full_time = Opportunity.objects.create(network=network, title="営業", kind=Opportunity.Kind.FULL_TIME,
                                               company=alpha, status=Opportunity.Status.OPEN,
                                               opens_on=date(2026, 1, 10))  # fmt: skip
        side_job = Opportunity.objects.create(network=network, title="副業", kind=Opportunity.Kind.SIDE_JOB,
                                              company=beta, status=Opportunity.Status.CLOSED,
                                              opens_on=date(2025, 12, 1), closes_on=date(2026, 2, 15))  # fmt: skip
        Opportunity.objects.create(network=network, title="下書き", company=alpha)  # a draft: never open
        for who, opportunity, when in ((m1, full_time, at(2026, 1, 24)), (m2, side_job, at(2026, 2, 5))):
            interest = Interest.objects.create(network=network, opportunity=opportunity, membership=who)
            Interest.objects.filter(pk=interest.pk).update(created_at=when)
        application = Application.objects.create(network=network, opportunity=full_time, membership=m1)
        Application.objects.filter(pk=application.pk).update(created_at=at(2026, 2, 2))
        stages = stages_of(network)
        hired = next(stage for stage in stages if stage.kind == Stage.Kind.HIRED)
        candidate = Candidate.objects.create(network=network, opportunity=full_time, membership=m1, stage=hired,
                                             hired_on=date(2026, 3, 1))  # fmt: skip
        Candidate.objects.filter(pk=candidate.pk).update(created_at=at(2026, 2, 3))
        # Staff activity and another network's activity never count.
        ActiveDay.objects.create(network=network, membership=net.memberships["admin"], day=date(2026, 1, 10))
        if other is not None:
            stranger = member(other.network, "b1", Role.ALUMNUS, at(2025, 12, 1))
            ActiveDay.objects.create(network=other.network, membership=stranger, day=date(2026, 1, 10))
    return Dataset(network, alpha, beta, members, activity)


def record_activity(data: Dataset) -> None:
    """The days of the table through record_active_day, as requests would (per member, in order)."""
    with scopes_disabled():
        for name, days in data.activity.items():
            membership = Membership.objects.select_related("network").get(pk=data.members[name].pk)
            for day in days:
                assert record_active_day(membership, day)


def figure(figures: list[Figure], key: str) -> Figure:
    return next(item for item in figures if item.key == key)


def values(item: Figure) -> dict[str, list[float | int | None]]:
    return {series.key: series.values for series in item.series}


@pytest.fixture
def data(net_a: PersonaNetwork, net_b: PersonaNetwork) -> Dataset:
    built = build(net_a, net_b)
    record_activity(built)
    rollups.rebuild(built.network)
    return built


def test_it_groups_members_by_first_record_source_and_local_dates(data: Dataset) -> None:
    with scopes_disabled():
        facts = {f.membership_id: f for f in MemberFacts.objects.filter(network=data.network)}
    m = {name: facts[member.pk] for name, member in data.members.items()}
    assert [(f.company_id, f.leave_year, f.source) for f in m.values()] == [
        (data.alpha.pk, 2020, "email"), (data.alpha.pk, 2021, "link_homepage"), (data.beta.pk, 2021, "flyer"),
        (data.beta.pk, 0, "page"), (0, 0, "secretariat"),
    ]  # fmt: skip
    assert [(f.registered_on, f.ended_on) for f in m.values()] == [
        (date(2025, 12, 10), None), (date(2026, 1, 15), None), (date(2026, 1, 31), date(2026, 2, 14)),
        (date(2025, 11, 1), date(2026, 3, 5)), (date(2026, 2, 1), None),
    ]  # fmt: skip
    assert len(facts) == 5 + 3  # and the three alumni personas; no staff, no invited member, no network B


def test_it_counts_registered_members_at_month_end(data: Dataset) -> None:
    with translation.override("en"):
        figures = metrics.registrations(data.network, RANGE)
    registered = figure(figures, "registered")
    assert registered.labels == MONTHS
    # January: m1, m4, m2 and m3 (registered on the 31st); February: m3 left, m5 joined; March: m4 suspended.
    assert values(registered) == {"registered": [4, 4, 3], "joined": [2, 1, 0], "ended": [0, 1, 1]}
    by_company = figure(figures, "registered_by_company")
    assert (by_company.labels, values(by_company)) == (["ALPHA Inc.", "Beta", "No employment record"],
                                                       {"registered": [2, 0, 1]})  # fmt: skip
    by_year = figure(figures, "registered_by_leave_year")
    assert (by_year.labels, values(by_year)) == (["2020", "2021", "Unknown"], {"registered": [1, 1, 1]})
    by_source = figure(figures, "registrations_by_source")
    assert by_source.labels == ["Personal invitation by email", "Invitation flyer", "Join link: company homepage",
                                "Join page without a link", "Added by the secretariat"]  # fmt: skip
    assert values(by_source) == {"joined": [0, 1, 1, 0, 1], "registered": [1, 0, 1, 0, 1]}
    conversion = figure(figures, "invitation_conversion")
    assert values(conversion) == {"invited": [2, 0, 0], "registered": [1, 0, 0]}
    assert "50.0 %" in str(conversion.note)


def test_it_computes_the_mau_ratio_weekly_actives_and_retention(data: Dataset) -> None:
    figures = metrics.activity(data.network, RANGE)
    # January 3 of 4 (m1, m2, m4); February 3 of 4 (m1, m3 who left on the 14th, m5); March 2 of 3 (m2, m4).
    assert values(figure(figures, "monthly_actives")) == {"active": [3, 3, 2], "registered": [4, 4, 3]}
    assert values(figure(figures, "mau_ratio")) == {"mau": [75.0, 75.0, 66.7]}
    weekly = figure(figures, "weekly_actives")
    assert weekly.labels[:6] == ["2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"]
    # m5's Sunday Feb 1 is in the week of Jan 26, Monday Feb 2 (with m1's Feb 3) in the next one.
    assert values(weekly)["active"] == [1, 1, 1, 1, 1, 2, 1, 0, 1, 1, 0, 0, 0, 0]
    retention = figure(figures, "retention")
    assert retention.labels == MONTHS
    table = values(retention)
    assert table["registered"] == [2, 1, 0]
    assert [table[f"m{k}"][0] for k in range(4)] == [50.0, 50.0, 50.0, None]  # m2, then m3, then m2
    assert [table[f"m{k}"][1] for k in range(3)] == [100.0, 0.0, None]
    assert table["m0"][2] is None  # nobody registered in March
    assert values(figure(figures, "news_readers")) == {"news": [50.0, 0.0, 0.0], "newsletter": [0.0, 0.0, 0.0]}


def test_a_company_filter_keeps_that_company_s_members(data: Dataset) -> None:
    beta = Filters(RANGE.start, RANGE.end, data.beta.pk)
    assert values(figure(metrics.registrations(data.network, beta), "registered"))["registered"] == [2, 1, 0]
    assert values(figure(metrics.activity(data.network, beta), "monthly_actives")) == {
        "active": [1, 1, 1], "registered": [2, 1, 0]}  # fmt: skip
    assert values(figure(metrics.activity(data.network, beta), "mau_ratio")) == {"mau": [50.0, 100.0, None]}


def test_it_counts_events_rsvps_and_attribution(data: Dataset) -> None:
    figures = metrics.events(data.network, RANGE)
    assert values(figure(figures, "events_held")) == {"events": [1, 1, 0]}
    assert values(figure(figures, "rsvps")) == {"rsvps": [2, 0, 0], "attended": [1, 0, 0]}
    assert values(figure(figures, "attendance_rate")) == {"rate": [50.0, None, None]}
    # m1 checked in on Jan 20 and expressed interest on Jan 24, applied on Feb 2 (both within 30 days).
    assert values(figure(figures, "event_attribution")) == {"registrations": [0, 0, 0],
                                                            "opportunity_actions": [2, 0, 0]}  # fmt: skip


def test_it_follows_the_comeback_funnel(data: Dataset) -> None:
    with translation.override("en"):
        figures = metrics.comeback(data.network, RANGE)
    assert values(figure(figures, "opportunities_open")) == {"open": [2, 2, 1]}
    assert values(figure(figures, "interests_applications")) == {"interests": [1, 1, 0], "applications": [0, 1, 0]}
    by_kind = figure(figures, "hires_by_kind")
    assert dict(zip(by_kind.labels, values(by_kind)["hires"], strict=True))["Full-time rehire"] == 1
    assert sum(values(by_kind)["hires"]) == 1
    assert (figure(figures, "hires_by_company").labels, values(figure(figures, "hires_by_company"))) == (
        ["ALPHA Inc."], {"hires": [1]})  # fmt: skip
    funnel = figure(figures, "funnel")
    assert funnel.labels[:3] == ["Interests", "Applications", "Candidates"]
    assert funnel.labels[-1] == "Hired"
    counts = values(funnel)["count"]
    assert counts[:3] == [2, 1, 1]
    assert counts[-1] == 1
    assert values(funnel)["conversion"][:3] == [None, 50.0, 100.0]
    assert values(figure(figures, "time_to_hire")) == {"days": [None, None, 26.0]}  # Feb 3 → Mar 1
    assert values(figure(figures, "tenure_after_return")) == {"still": [1, 0, 0, 0], "left": [0, 0, 0, 0]}


def test_kpis_compare_with_the_previous_period(data: Dataset) -> None:
    kpis = {kpi.key: kpi for kpi in metrics.kpis(data.network, RANGE)}
    assert (kpis["registered"].value, kpis["registered"].previous) == (3, 2)  # end of March, end of December
    assert (kpis["mau"].value, kpis["mau"].previous) == (66.7, 75.0)  # March, February
    assert (kpis["events"].value, kpis["events"].previous) == (2, 0)
    assert (kpis["hires"].value, kpis["hires"].previous) == (1, 0)
    assert kpis["nps"].value is None


def test_the_monthly_report_has_the_month_and_the_year(data: Dataset) -> None:
    report = metrics.monthly_report(data.network, date(2026, 2, 1))
    assert report["filters"] == Filters(date(2026, 2, 1), date(2026, 2, 28))
    kpis = {kpi.key: kpi for kpi in report["kpis"]}
    assert (kpis["mau"].value, kpis["mau"].previous) == (75.0, 75.0)
    assert (kpis["registered"].value, kpis["registered"].previous) == (4, 4)
    mau = next(item for item in report["figures"] if item.key == "mau_ratio")
    assert mau.labels[-1] == "2026-02"
    assert len(mau.labels) == 12


def test_rebuild_gives_what_the_incremental_path_counted(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    data = build(net_a, net_b)
    rollups.rebuild(data.network)  # everything but the activity to come
    record_activity(data)

    def activity_rows() -> set[tuple[str, date, int, str, int]]:
        with scopes_disabled():
            return set(MonthlyCount.objects.filter(network=data.network, metric__in=rollups.ACTIVITY_METRICS)
                       .values_list("metric", "month", "company_id", "dimension", "value"))  # fmt: skip

    incremental = activity_rows()
    assert (rollups.ACTIVE, date(2026, 2, 1), data.beta.pk, "2026-01", 1) in incremental  # m3
    assert (rollups.WEEKLY_ACTIVE, date(2026, 2, 2), 0, "", 1) in incremental  # m5 on Monday Feb 2
    before = {name: metrics.section(data.network, name, RANGE) for name in metrics.SECTIONS}
    rollups.rebuild(data.network)
    assert activity_rows() == incremental
    assert {name: metrics.section(data.network, name, RANGE) for name in metrics.SECTIONS} == before


def test_a_refresh_keeps_closed_months_and_recomputes_open_ones(data: Dataset) -> None:
    with scopes_disabled():
        MonthlyCount.objects.filter(network=data.network, metric=rollups.RSVPS).update(value=99)
    rollups.refresh(data.network, today=date(2026, 2, 10))  # open months: January and February
    assert values(figure(metrics.events(data.network, RANGE), "rsvps"))["rsvps"] == [2, 0, 0]
    with scopes_disabled():
        MonthlyCount.objects.filter(network=data.network, metric=rollups.RSVPS).update(value=99)
    rollups.refresh(data.network, today=date(2026, 4, 10))  # January is closed by then
    assert values(figure(metrics.events(data.network, RANGE), "rsvps"))["rsvps"] == [99, 0, 0]


def test_the_first_active_day_of_a_month_counts_once_even_if_recorded_twice(net_a: PersonaNetwork) -> None:
    data = build(net_a)
    rollups.refresh(data.network, today=date(2026, 3, 31))
    with scopes_disabled():
        stale = Membership.objects.select_related("network").get(pk=data.members["m1"].pk)
        twin = Membership.objects.select_related("network").get(pk=data.members["m1"].pk)
        # Two requests that both read last_active_on before either wrote it.
        assert record_active_day(stale, date(2026, 1, 5))
        assert record_active_day(twin, date(2026, 1, 5))
        assert list(MonthlyCount.objects.filter(network=data.network, metric=rollups.ACTIVE).values_list(
            "value", flat=True)) == [1]  # fmt: skip
        assert ActiveDay.objects.filter(membership=stale).count() == 1


def members_with_activity(net: PersonaNetwork, count: int) -> None:
    network = net.network
    with scopes_disabled():
        users = User.objects.bulk_create(User(email=f"bulk{index}@{network.slug}.dash.example", family_name="一括",
                                              given_name=str(index)) for index in range(count))  # fmt: skip
        members = Membership.objects.bulk_create(
            Membership(network=network, user=user, role=Role.ALUMNUS, activated_at=at(2025, 1 + index % 12, 1))
            for index, user in enumerate(users)
        )
        EmploymentRecord.objects.bulk_create(
            EmploymentRecord(network=network, company=net.company, membership=membership, employee_number=str(index),
                             family_name="一括", given_name="次郎", leave_date=date(2000 + index % 20, 3, 31))
            for index, membership in enumerate(members)
        )  # fmt: skip
        ActiveDay.objects.bulk_create(
            ActiveDay(network=network, membership=membership, day=date(2026, 1 + month, 1 + index % 28))
            for index, membership in enumerate(members) for month in range(3)
        )  # fmt: skip
        event = Event.objects.create(network=network, title="交流会", starts_at=at(2026, 2, 1, 19),
                                     ends_at=at(2026, 2, 1, 21), status=Event.Status.PUBLISHED)  # fmt: skip
        Rsvp.objects.bulk_create(
            Rsvp(network=network, event=event, membership=membership, check_in_token=f"{network.slug}{index}")
            for index, membership in enumerate(members)
        )
    rollups.rebuild(network)


@pytest.mark.parametrize("name", ["kpis", *metrics.SECTIONS])
def test_each_section_runs_the_same_queries_for_10_or_200_members(
    name: str, net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    def queries(net: PersonaNetwork) -> int:
        with CaptureQueriesContext(connection) as context:
            if name == "kpis":
                metrics.kpis(net.network, RANGE)
            else:
                metrics.section(net.network, name, RANGE)
        return len(context.captured_queries)

    members_with_activity(net_a, 10)
    members_with_activity(net_b, 200)
    assert queries(net_a) == queries(net_b)
    assert queries(net_a) <= 6


def test_a_month_boundary_member_counts_in_the_network_s_time_zone(net_a: PersonaNetwork) -> None:
    """m5 registered at 00:10 on February 1 in Tokyo (January 31 in UTC): a February registration."""
    data = build(net_a)
    rollups.rebuild(data.network)
    joined = values(figure(metrics.registrations(data.network, RANGE), "registered"))["joined"]
    assert joined == [2, 1, 0]
    assert data.members["m5"].activated_at is not None
    assert data.members["m5"].activated_at.astimezone(ZoneInfo("UTC")).date() == date(2026, 1, 31)
    assert metrics.last_full_month(Filters(date(2026, 1, 1), date(2026, 3, 15))) == date(2026, 2, 1)
    assert metrics.previous_period(RANGE) == Filters(date(2025, 10, 1), date(2025, 12, 31))
    assert metrics.previous_period(Filters(date(2026, 1, 10), date(2026, 1, 19))) == Filters(
        date(2025, 12, 31), date(2026, 1, 9))  # fmt: skip
    assert metrics.months_between(date(2025, 12, 15), date(2026, 2, 1)) == [
        date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]  # fmt: skip
    assert timedelta(0) == timedelta(0)


def test_the_worker_refreshes_stale_networks_once(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    data = build(net_a)
    assert rollups.refresh_due() == 2  # never refreshed: both networks
    assert rollups.refresh_due() == 0  # fresh: nothing to do
    with scopes_disabled():
        assert MemberFacts.objects.filter(network=data.network).count() == 5 + 3
        RollupState.objects.filter(network=net_b.network).update(refreshed_at=datetime(2020, 1, 1, tzinfo=TOKYO))
    assert rollups.refresh_due() == 1


def test_rebuild_rollups_command(net_a: PersonaNetwork) -> None:
    data = build(net_a)
    output = StringIO()
    call_command("rebuild_rollups", "--network", "alpha", stdout=output)
    assert output.getvalue().startswith("alpha: rollups rebuilt in ")
    assert values(figure(metrics.registrations(data.network, RANGE), "registered"))["registered"] == [4, 4, 3]
