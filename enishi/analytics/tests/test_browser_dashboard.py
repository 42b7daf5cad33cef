"""An analyst opens the dashboard on a phone (390 x 844) and on a desktop (1280 x 800), changes the date
range, and opens a figure's table view; screenshots in test-artifacts/screenshots/ (browser_fixtures.py)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from browser_fixtures import DESKTOP, Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.analytics import rollups
from enishi.analytics.models import ActiveDay
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DASHBOARD = "/n/alpha/manage/"


def a_year_of_members(net: PersonaNetwork, count: int = 24) -> None:
    """`count` alumni who joined over the last year, active on a few days of most months since."""
    today = timezone.localdate()
    with scopes_disabled():
        days = []
        for n in range(count):
            joined = today - timedelta(days=15 * n + 3)
            user = User.objects.create_user(f"member{n}@dashboard.example", "unused-password-123")
            membership = Membership.objects.create(
                network=net.network,
                user=user,
                role=Role.ALUMNUS,
                state=MembershipState.ACTIVE,
                activated_at=timezone.make_aware(datetime.combine(joined, time(10))),
            )
            day = joined
            while day <= today:
                if (day.toordinal() + n) % 3:  # two members in three are active in a given month
                    days.append(ActiveDay(network=net.network, membership=membership, day=day))
                day += timedelta(days=30)
        ActiveDay.objects.bulk_create(days)
    rollups.rebuild(net.network)


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def test_analyst_reads_the_dashboard_on_a_phone(verified: PersonaNetwork, journey: Journey) -> None:
    a_year_of_members(verified)
    page = journey.page

    journey.go("/accounts/login/?next=" + DASHBOARD)
    log_in(journey, verified.analyst.email, totp=True)
    wait_for(journey, re.escape(DASHBOARD) + "$")
    assert page.locator("main .dashboard-kpis .stat").count() == 5
    assert page.locator("main .subnav a[aria-current=page]").get_attribute("href") == "?section=registrations"
    assert page.locator("main svg.chart-svg").count() >= 3
    assert_no_horizontal_overflow(journey)
    journey.shot("1-dashboard-phone")

    # The last fiscal year: the figures are swapped in by htmx and the address keeps the filters.
    page.locator("main select[name=range]").select_option("last_fiscal_year")
    wait_for(journey, re.escape(DASHBOARD) + r"\?.*range=last_fiscal_year")
    page.wait_for_selector("main .dashboard-period")
    assert "4月1日" in page.locator("main .dashboard-period").inner_text()
    assert page.locator("main select[name=range]").input_value() == "last_fiscal_year"

    # Custom dates in the wrong order: a clear message, the default figures stay.
    page.locator("main select[name=range]").select_option("custom")
    page.locator("main input[name=start]").fill("2026-03-01")
    page.locator("main input[name=end]").fill("2026-01-31")
    page.locator("main form[data-dashboard-filters] button[type=submit]").click()
    page.wait_for_selector("main .dashboard-filters .message-error, main .dashboard-filters .error")
    assert page.locator("main .dashboard-filters .message-error").count() == 1
    assert page.locator("main select[name=range]").input_value() == "custom"

    # The activity section, and the table view of the MAU figure.
    page.locator("main .subnav a[href*='section=activity']").click()
    wait_for(journey, re.escape(DASHBOARD) + r"\?.*section=activity")
    figure = page.locator("main #figure-mau_ratio")
    figure.locator("summary").click()
    table = figure.locator("table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 1
    assert_no_horizontal_overflow(journey)
    journey.shot("2-table-view-phone", full_page=True)
    journey.assert_no_page_problems()


def test_analyst_reads_the_dashboard_and_the_monthly_report_on_a_desktop(
    verified: PersonaNetwork, journey: Journey
) -> None:
    a_year_of_members(verified)
    page = journey.page
    page.set_viewport_size(DESKTOP)

    journey.go("/accounts/login/?next=" + DASHBOARD + "?section=activity")
    log_in(journey, verified.analyst.email, totp=True)
    wait_for(journey, re.escape(DASHBOARD))
    assert page.locator("main svg.chart-svg").count() >= 3
    journey.shot("1-dashboard-desktop", full_page=True)
    page.locator("main select[name=range]").select_option("this_fiscal_year")
    wait_for(journey, re.escape(DASHBOARD) + r"\?.*range=this_fiscal_year")
    page.locator("main #figure-mau_ratio summary").click()
    assert page.locator("main #figure-mau_ratio table").is_visible()
    journey.shot("2-table-view-desktop", full_page=True)

    # In English too (the README's picture), the top of the page as a desktop screen shows it.
    page.locator("header button[name=language][value=en]").click()
    page.wait_for_selector("html[lang=en]")
    page.locator("main .subnav a[href*='section=registrations']").click()
    wait_for(journey, re.escape(DASHBOARD) + r"\?.*section=registrations")
    journey.shot("3-dashboard-desktop-en")

    page.locator("main a[href$='/dashboard/report/']").click()
    wait_for(journey, re.escape(DASHBOARD + "dashboard/report/"))
    assert page.locator("main .report-kpis tbody tr").count() == 5
    page.emulate_media(media="print")
    journey.shot("4-monthly-report-print", full_page=True)
    journey.assert_no_page_problems()
