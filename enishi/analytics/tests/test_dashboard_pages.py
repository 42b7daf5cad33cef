"""The dashboard, its exports and the monthly report, drawn from hand-made figures.

`fake_metrics` stands in for enishi.analytics.metrics so that these tests check the pages (roles, filters,
charts, tables, downloads) whatever the figures; the figures themselves are metrics' tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from conftest import PersonaNetwork
from enishi.analytics import manage_views
from enishi.analytics.figures import Figure, Filters, Kpi, Series
from enishi.analytics.forms import LAST_12_MONTHS, LAST_FISCAL_YEAR, THIS_FISCAL_YEAR, preset_range
from enishi.networks.models import Company, Network
from enishi.networks.roles import Role, console_home_for
from enishi.profiles.tests.conftest import client_for

SECTIONS = ("registrations", "activity", "events", "comeback", "feedback")
HOSTILE_LABEL = '=HYPERLINK("http://evil.example","x")'


@dataclass
class FakeMetrics:
    """Records the calls and answers with fixed figures."""

    SECTIONS: tuple[str, ...] = SECTIONS
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    def kpis(self, network: Network, filters: Filters) -> list[Kpi]:
        self.calls.append(("kpis", network.slug, filters))
        return [
            Kpi("registered", "Registered alumni", 1234, previous=1200),
            Kpi("mau_ratio", "MAU ratio", 62.5, unit="percent", previous=60.0),
            Kpi("hires", "Comeback hires", 3, previous=5),
        ]

    def section(self, network: Network, name: str, filters: Filters) -> list[Figure]:
        self.calls.append(("section", name, filters))
        months = ["2026-01", "2026-02", "2026-03"]
        return [
            Figure(f"{name}_monthly", f"{name} per month", "line", months, [Series("n", "Members", [10, 20, 5])]),
            Figure(
                f"{name}_by_company",
                f"{name} by company",
                "bar",
                ["本社", HOSTILE_LABEL],
                [Series("n", "Members", [7, 3])],
                x_label="Company",
            ),
            Figure(f"{name}_funnel", "Funnel", "funnel", ["Interest", "Hired"], [Series("n", "People", [40, 10])]),
        ]

    def refreshed_at(self, network: Network) -> datetime | None:
        return None

    def monthly_report(self, network: Network, month: date) -> dict[str, Any]:
        self.calls.append(("monthly_report", network.slug, month))
        return {
            "month": month,
            "kpis": self.kpis(network, Filters(month, month)),
            "figures": self.section(network, "registrations", Filters(month, month))[:1],
        }


@pytest.fixture
def fake_metrics(monkeypatch: pytest.MonkeyPatch) -> FakeMetrics:
    fake = FakeMetrics()
    monkeypatch.setattr(manage_views, "metrics", fake)
    return fake


def dashboard_url(net: PersonaNetwork, **query: str) -> str:
    url = reverse("manage:dashboard", args=[net.network.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export_url(net: PersonaNetwork, **query: str) -> str:
    return (
        reverse("manage:dashboard_export", args=[net.network.slug])
        + "?"
        + "&".join(f"{k}={v}" for k, v in query.items())
    )


def report_url(net: PersonaNetwork, month: str | None = None) -> str:
    url = reverse("manage:dashboard_report", args=[net.network.slug])
    return f"{url}?month={month}" if month else url


def section_filters(fake: FakeMetrics) -> list[Filters]:
    return [call[2] for call in fake.calls if call[0] == "section"]


# --- Roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "analyst"])
def test_it_shows_every_section_to_admin_and_analyst(
    persona: str, net_a: PersonaNetwork, fake_metrics: FakeMetrics
) -> None:
    client = client_for(net_a, persona)

    pages = {name: client.get(dashboard_url(net_a, section=name)) for name in SECTIONS}

    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(SECTIONS, 200)
    assert [call[1] for call in fake_metrics.calls if call[0] == "section"] == list(SECTIONS)
    content = pages["events"].content.decode()
    assert all(f"section={name}" in content for name in SECTIONS)
    assert "Registered alumni" in content
    assert reverse("manage:dashboard_report", args=["alpha"]) in content


def test_it_shows_hr_the_comeback_section_only(net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    client = client_for(net_a, "hr")

    response = client.get(dashboard_url(net_a, section="registrations"))

    assert response.status_code == 200
    content = response.content.decode()
    assert [call[1] for call in fake_metrics.calls if call[0] == "section"] == ["comeback"]
    assert ">Registrations</a>" not in content
    assert ">Comeback</a>" in content
    assert "Comeback hires" in content
    assert "Registered alumni" not in content
    assert "MAU ratio" not in content
    assert reverse("manage:dashboard_report", args=["alpha"]) not in content
    assert client.get(export_url(net_a, section="registrations", format="csv")).status_code == 404
    assert client.get(export_url(net_a, section="comeback", format="csv")).status_code == 200
    assert client.get(report_url(net_a)).status_code == 404


@pytest.mark.parametrize("persona", ["editor", "coordinator", "supporter", "alumnus1"])
def test_it_refuses_the_dashboard_to_other_roles(
    persona: str, net_a: PersonaNetwork, fake_metrics: FakeMetrics
) -> None:
    client = client_for(net_a, persona)

    statuses = [
        client.get(url).status_code
        for url in (dashboard_url(net_a), export_url(net_a, section="comeback", format="csv"), report_url(net_a))
    ]

    assert statuses == [404, 404, 404]
    assert fake_metrics.calls == []


def test_it_still_sends_every_staff_role_to_a_console_page() -> None:
    homes = {
        role: console_home_for(role) for role in (Role.ADMIN, Role.HR, Role.EDITOR, Role.ANALYST, Role.COORDINATOR)
    }

    assert homes == {
        Role.ADMIN: "manage:dashboard",
        Role.HR: "manage:dashboard",
        Role.EDITOR: "manage:inbox",
        Role.ANALYST: "manage:dashboard",
        Role.COORDINATOR: "manage:interviews",
    }


# --- Filters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "preset", "expected"),
    [
        (date(2026, 12, 4), LAST_12_MONTHS, (date(2026, 1, 1), date(2026, 12, 4))),
        (date(2026, 3, 31), LAST_12_MONTHS, (date(2025, 4, 1), date(2026, 3, 31))),
        (date(2026, 12, 4), THIS_FISCAL_YEAR, (date(2026, 4, 1), date(2026, 12, 4))),
        (date(2026, 2, 10), THIS_FISCAL_YEAR, (date(2025, 4, 1), date(2026, 2, 10))),
        (date(2026, 4, 1), LAST_FISCAL_YEAR, (date(2025, 4, 1), date(2026, 3, 31))),
        (date(2026, 3, 31), LAST_FISCAL_YEAR, (date(2024, 4, 1), date(2025, 3, 31))),
    ],
)
def test_it_computes_the_preset_ranges(today: date, preset: str, expected: tuple[date, date]) -> None:
    assert preset_range(preset, today) == expected


def test_it_passes_the_chosen_range_and_company_to_the_figures(
    net_a: PersonaNetwork, fake_metrics: FakeMetrics
) -> None:
    client = client_for(net_a, "analyst")
    company = net_a.company.pk

    response = client.get(
        dashboard_url(net_a, range="custom", start="2025-04-01", end="2025-09-30", company=str(company))
    )

    assert response.status_code == 200
    assert section_filters(fake_metrics) == [Filters(date(2025, 4, 1), date(2025, 9, 30), company)]
    content = response.content.decode()
    assert "start=2025-04-01&amp;end=2025-09-30" in content  # the downloads keep the filters
    assert f"company={company}" in content


def test_it_defaults_to_the_last_12_months_of_every_company(net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    client = client_for(net_a, "analyst")

    client.get(dashboard_url(net_a))

    start, end = preset_range(LAST_12_MONTHS, timezone.localdate())
    assert section_filters(fake_metrics) == [Filters(start, end, None)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"range": "custom", "start": "2026-03-01", "end": "2026-02-01"}, "The first day comes after the last day."),
        ({"range": "custom", "start": "2026-03-01"}, "For custom dates, give both the first and the last day."),
        ({"range": "custom", "start": "2026-13-45", "end": "2026-02-01"}, "Enter a valid date."),
        ({"range": "custom", "start": "1990-01-01", "end": "1991-01-01"}, "The first day must be between 2000-01-01"),
        ({"range": "custom", "start": "2001-01-01", "end": "2026-01-01"}, "Choose a period of at most ten years."),
        ({"range": "yesterday"}, "Select a valid choice."),
    ],
)
def test_it_explains_bad_dates_and_shows_the_default_range(
    query: dict[str, str], message: str, net_a: PersonaNetwork, fake_metrics: FakeMetrics
) -> None:
    client = client_for(net_a, "analyst")

    with translation.override("en"):
        response = client.get(dashboard_url(net_a, **query))

    assert response.status_code == 200
    assert message in response.content.decode()
    start, end = preset_range(LAST_12_MONTHS, timezone.localdate())
    assert section_filters(fake_metrics) == [Filters(start, end, None)]
    assert client.get(export_url(net_a, section="events", format="csv", **query)).status_code == 404


def test_it_refuses_a_company_of_another_network(
    net_a: PersonaNetwork, net_b: PersonaNetwork, fake_metrics: FakeMetrics
) -> None:
    client = client_for(net_b, "admin")

    response = client.get(dashboard_url(net_b, company=str(net_a.company.pk)))

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert [f.company_id for f in section_filters(fake_metrics)] == [None]
    assert net_a.company.name_ja not in response.content.decode()
    assert (
        client.get(export_url(net_b, section="events", format="csv", company=str(net_a.company.pk))).status_code == 404
    )


def test_it_limits_restricted_hr_to_the_companies_they_cover(net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="別会社", position=9)
        Network.objects.filter(pk=net_a.network.pk).update(hr_restricted_to_companies=True)
        net_a.memberships["hr"].covered_companies.set([other])
    client = client_for(net_a, "hr")

    response = client.get(dashboard_url(net_a))
    refused = client.get(dashboard_url(net_a, company=str(net_a.company.pk)))

    content = response.content.decode()
    assert "別会社" in content
    assert net_a.company.name_ja not in content
    assert "Select a valid choice." in refused.content.decode()
    assert [f.company_id for f in section_filters(fake_metrics)] == [other.pk, other.pk]


def test_it_shows_nothing_to_restricted_hr_without_companies(net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    with scopes_disabled():
        Network.objects.filter(pk=net_a.network.pk).update(hr_restricted_to_companies=True)
    client = client_for(net_a, "hr")

    response = client.get(dashboard_url(net_a))

    assert response.status_code == 200
    assert "Ask an administrator to set the companies you cover." in response.content.decode()
    assert fake_metrics.calls == []
    assert client.get(export_url(net_a, section="comeback", format="csv")).status_code == 404


# --- Charts and tables ------------------------------------------------------------------------------


def test_it_draws_each_figure_with_a_table_view(net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    client = client_for(net_a, "admin")

    content = client.get(dashboard_url(net_a, section="activity")).content.decode()

    assert content.count('<svg class="chart-svg"') == 3
    assert content.count('<details class="figure-table"') == 3
    assert '<th scope="row">Jan 2026</th><td class="num">10</td>' in content
    assert '<th scope="row">Hired</th><td class="num">10</td><td class="num">25%</td>' in content
    assert 'style="' not in content


# --- Exports ----------------------------------------------------------------------------------------


def test_it_exports_a_figure_as_csv_with_a_bom_and_formulas_neutralised(
    net_a: PersonaNetwork, fake_metrics: FakeMetrics
) -> None:
    client = client_for(net_a, "analyst")

    with translation.override("en"):
        response = client.get(
            export_url(
                net_a,
                section="events",
                figure="events_by_company",
                format="csv",
                range="custom",
                start="2026-01-01",
                end="2026-03-31",
            )
        )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-events_by_company-20260101-20260331.csv"'
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[:3] == ["Company,Members", "本社,7", '"\'=HYPERLINK(""http://evil.example"",""x"")",3']


def test_it_exports_a_whole_section_as_xlsx(net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    client = client_for(net_a, "admin")

    with translation.override("en"):
        response = client.get(export_url(net_a, section="comeback", format="xlsx"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Figure", "Item", "Series", "Value", "Unit"]
    assert rows[1] == ["comeback per month", "2026-01", "Members", "10", "count"]
    assert ["comeback by company", "'" + HOSTILE_LABEL, "Members", "3", "count"] in rows
    assert len(rows) == 1 + 3 + 2 + 2
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    "query",
    [
        {"section": "events", "figure": "nope", "format": "csv"},
        {"section": "events", "format": "pdf"},
        {"section": "unknown", "format": "csv"},
    ],
)
def test_it_answers_404_for_unknown_exports(
    query: dict[str, str], net_a: PersonaNetwork, fake_metrics: FakeMetrics
) -> None:
    assert client_for(net_a, "admin").get(export_url(net_a, **query)).status_code == 404


# --- Monthly report ---------------------------------------------------------------------------------


def test_it_prints_the_monthly_report_with_deltas(net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    client = client_for(net_a, "analyst")

    with translation.override("en"):
        response = client.get(report_url(net_a, "2026-03"))

    assert response.status_code == 200
    assert ("monthly_report", "alpha", date(2026, 3, 1)) in fake_metrics.calls
    content = response.content.decode()
    assert "Mar 2026" in content
    assert '<td class="num report-value">1,234</td><td class="num">1,200</td><td class="num">+34</td>' in content
    assert '<td class="num report-value">62.5%</td><td class="num">60%</td><td class="num">+2.5 pt</td>' in content
    assert '<td class="num">−2</td>' in content
    assert content.count('<svg class="chart-svg"') == 1


def test_it_reports_the_last_full_month_by_default(net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    today = timezone.localdate()
    expected = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)

    assert client_for(net_a, "admin").get(report_url(net_a)).status_code == 200

    assert ("monthly_report", "alpha", expected) in fake_metrics.calls


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "Choose a month as YYYY-MM, for example 2026-04."),
        ("abc", "Choose a month as YYYY-MM, for example 2026-04."),
        ("1999-12", "Choose a month between January 2000 and this month."),
        ("2999-01", "Choose a month between January 2000 and this month."),
    ],
)
def test_it_explains_a_bad_month(month: str, message: str, net_a: PersonaNetwork, fake_metrics: FakeMetrics) -> None:
    response = client_for(net_a, "admin").get(report_url(net_a, month))

    assert response.status_code == 200
    assert message in response.content.decode()
