"""The staff dashboard (the console's home), its exports and the printable monthly report.

Admin and analyst see every section; hr sees the comeback section only (of the companies they cover when
the network restricts hr). The figures come from `metrics` in a constant number of queries; these views add
the filters, the SVG charts of `enishi.lib.charts`, the table views and the downloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from enishi.analytics import metrics
from enishi.analytics.figures import Figure, Filters, Kpi, Unit
from enishi.analytics.forms import DashboardFilterForm
from enishi.lib.charts import figure_table, format_value, period_label, render_chart
from enishi.lib.exports import EXPORT_FORMATS, spreadsheet_response
from enishi.lib.http import NetworkRequest
from enishi.networks.access import covered_company_ids
from enishi.networks.decorators import console_section
from enishi.networks.models import Company
from enishi.networks.roles import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SECTION_LABELS: dict[str, StrOrPromise] = {
    "registrations": pgettext_lazy("dashboard section", "Registrations"),
    "activity": pgettext_lazy("dashboard section", "Activity"),
    "events": pgettext_lazy("dashboard section", "Events"),
    "comeback": pgettext_lazy("dashboard section", "Comeback"),
    "feedback": pgettext_lazy("dashboard section", "Feedback"),
}
# hr reads the comeback part of the dashboard only (and its one KPI): the rest is about alumni at large.
HR_SECTIONS = ("comeback",)
HR_KPIS = frozenset({"hires"})
# The monthly report summarises everything: for the roles that see every section.
REPORT_ROLES = frozenset({Role.ADMIN, Role.ANALYST})


@dataclass
class Chart:
    figure: Figure
    svg: SafeString
    headers: list[str]
    rows: list[list[str]]  # formatted for the table view


@console_section("dashboard")
def dashboard(request: NetworkRequest, network_slug: str) -> HttpResponse:
    sections = _sections_for(request)
    section = request.GET.get("section") or sections[0]
    if section not in sections:
        section = sections[0]
    form, filters, companies = _filters(request)
    if filters is None:  # a restricted hr member covering no company: nothing to show
        kpis: list[Kpi] = []
        charts: list[Chart] = []
    else:
        kpis = [kpi for kpi in metrics.kpis(request.network, filters) if _kpi_visible(request, kpi)]
        charts = [_chart(figure) for figure in metrics.section(request.network, section, filters)]
    context = {
        "form": form,
        "filters": filters,
        "companies": companies,
        "kpis": [(kpi, format_value(kpi.value, kpi.unit), _delta(kpi)) for kpi in kpis],
        "sections": [(key, SECTION_LABELS[key]) for key in sections],
        "section": section,
        "section_label": SECTION_LABELS[section],
        "charts": charts,
        "tab_query": _query_without(request, "section"),
        "export_query": _export_query(section, filters),
        "export_formats": list(EXPORT_FORMATS),
        "can_see_report": request.membership.role in REPORT_ROLES,
        "refreshed_at": metrics.refreshed_at(request.network),
    }
    # A change of filter through htmx swaps in the figures only (the page's head stays as it is).
    template = "analytics/_dashboard_body.html" if request.htmx else "analytics/dashboard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@console_section("dashboard")
def dashboard_export(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """One figure (`figure=<key>`) or the whole section as CSV / xlsx, for the same filters as the page."""
    section = request.GET.get("section", "")
    export_format = request.GET.get("format", "csv")
    if section not in _sections_for(request) or export_format not in EXPORT_FORMATS:
        raise Http404
    form, filters, _companies = _filters(request)
    if filters is None or (form.is_bound and not form.is_valid()):
        raise Http404
    figures = metrics.section(request.network, section, filters)
    key = request.GET.get("figure")
    period = f"{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
    if key:
        figure = next((figure for figure in figures if figure.key == key), None)
        if figure is None:
            raise Http404
        headers, rows = figure_table(figure)
        headers[0] = headers[0] or _("Item")
        return spreadsheet_response(
            headers, rows, export_format, sheet_title=str(figure.title), filename=f"dashboard-{figure.key}-{period}"
        )
    # The whole section in one "long" table (figure, item, series, value): one sheet that sorts and pivots.
    headers = [_("Figure"), _("Item"), _("Series"), _("Value"), _("Unit")]
    long_rows: list[list[object]] = [
        [figure.title, label, series.label, value, figure.unit]
        for figure in figures
        for series in figure.series
        for label, value in zip(figure.labels, series.values, strict=False)
    ]
    return spreadsheet_response(
        headers,
        long_rows,
        export_format,
        sheet_title=str(SECTION_LABELS[section]),
        filename=f"dashboard-{section}-{period}",
    )


@console_section("dashboard")
def monthly_report(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """A printable summary of one month for management (A4; "print to PDF" from the browser)."""
    if request.membership.role not in REPORT_ROLES:
        raise Http404
    today = timezone.localdate()
    last_full_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month, error = _month_from(request.GET.get("month"), default=last_full_month, latest=today.replace(day=1))
    report = metrics.monthly_report(request.network, month)
    kpis: list[Kpi] = report.get("kpis", [])
    figures: list[Figure] = report.get("figures", [])
    context = {
        "month": month,
        "month_label": period_label(f"{month:%Y-%m}"),
        "month_value": f"{month:%Y-%m}",
        "error": error,
        "report": report,
        "kpis": [
            (kpi, format_value(kpi.value, kpi.unit), format_value(kpi.previous, kpi.unit), _delta(kpi)) for kpi in kpis
        ],
        "charts": [_chart(figure) for figure in figures],
        "generated_on": today,
    }
    return render(request, "analytics/monthly_report.html", context)


# --- helpers -------------------------------------------------------------------------------------------


def _sections_for(request: NetworkRequest) -> tuple[str, ...]:
    if request.membership.role == Role.HR:
        return HR_SECTIONS
    return tuple(metrics.SECTIONS)


def _kpi_visible(request: NetworkRequest, kpi: Kpi) -> bool:
    return request.membership.role != Role.HR or kpi.key in HR_KPIS


def _filters(request: NetworkRequest) -> tuple[DashboardFilterForm, Filters | None, list[tuple[int, str]]]:
    """The filter form and the filters it gives. hr restricted to some companies chooses among those only
    (the first by default); restricted to none, the filters are None."""
    covered = covered_company_ids(request.membership)
    companies = [
        (company.pk, str(company))
        for company in Company.objects.filter(network=request.network).order_by("pk")
        if covered is None or company.pk in covered
    ]
    form = DashboardFilterForm(
        request.GET or None, companies=companies, today=timezone.localdate(), all_companies=covered is None
    )
    if covered is not None and not companies:
        return form, None, companies
    default_company = companies[0][0] if covered is not None else None
    return form, form.filters(default_company=default_company), companies


def _chart(figure: Figure) -> Chart:
    headers, rows = figure_table(figure)
    units: list[Unit] = [figure.unit] * len(figure.series)
    if figure.kind == "funnel" and figure.series:
        units.append("percent")  # the conversion column
    formatted = [[period_label(str(row[0])), *(_cell(value, unit) for value, unit in zip(row[1:], units, strict=False))]
                 for row in rows]  # fmt: skip
    return Chart(figure=figure, svg=render_chart(figure), headers=headers, rows=formatted)


def _cell(value: object, unit: Unit) -> str:
    # A table of rates may hold a count column (the cohort sizes of the retention table): metrics writes
    # counts as int and rates as float.
    if unit == "percent" and isinstance(value, int):
        unit = "count"
    return format_value(value, unit)  # type: ignore[arg-type]


def _delta(kpi: Kpi) -> str | None:
    """The change from the previous period, signed ("+3", "−1.5 pt" for percentages)."""
    if kpi.value is None or kpi.previous is None:
        return None
    change = kpi.value - kpi.previous
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    text = format_value(abs(change), "percent" if kpi.unit == "percent" else kpi.unit)
    if kpi.unit == "percent":
        text = text.removesuffix("%") + _(" pt")
    return f"{sign}{text}"


def _query_without(request: NetworkRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def _export_query(section: str, filters: Filters | None) -> str:
    if filters is None:
        return ""
    params: dict[str, str] = {
        "section": section,
        "range": "custom",
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
    }
    if filters.company_id is not None:
        params["company"] = str(filters.company_id)
    return urlencode(params)


def _month_from(value: str | None, *, default: date, latest: date) -> tuple[date, str | None]:
    """The month of "YYYY-MM", or `default` with a message when it is malformed or out of range."""
    if not value:
        return default, None
    try:
        year, month = (int(part) for part in value.split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        return default, _("Choose a month as YYYY-MM, for example 2026-04.")
    if chosen < date(2000, 1, 1) or chosen > latest:
        return default, _("Choose a month between January 2000 and this month.")
    return chosen, None
