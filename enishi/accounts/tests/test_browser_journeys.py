"""Journeys people take, driven in headless Chromium on a phone-sized screen (DESIGN.md, "Testing").

The browser fixtures (`browser`, `journey`, `log_in`…) live in browser_fixtures.py at the project root.
"""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from browser_fixtures import DESKTOP, Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.networks.models import Membership
from enishi.networks.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alumnus_logs_in_on_a_phone(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    journey.go("/")
    assert page.locator("html").get_attribute("lang") == "ja"
    journey.shot("1-landing")

    page.locator('main a[href^="/accounts/login/"]').first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    journey.shot("2-login-form")
    log_in(journey, "alumnus1@a.example")

    assert journey.path() == "/n/alpha/"
    heading = page.locator("main h1")
    assert "佐藤" in heading.inner_text()
    tabs = page.locator("nav.tabs")
    assert tabs.is_visible()
    assert tabs.locator("a").count() == 7  # with Messages; no console tab for an alumnus
    assert tabs.locator('a[aria-current="page"]').get_attribute("href") == "/n/alpha/"
    assert_no_horizontal_overflow(journey)
    journey.shot("3-home")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last_card = page.locator("main .card").last.bounding_box()
    assert last_card is not None
    assert last_card["y"] + last_card["height"] <= tabs.bounding_box()["y"], "the tab bar hides the end of the page"
    journey.shot("4-home-scrolled-to-the-end")
    journey.assert_no_page_problems()


def test_alumnus_switches_language_and_it_is_remembered(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    journey.go("/accounts/login/?next=/n/alpha/directory/")
    log_in(journey, "alumnus1@a.example")
    assert journey.path() == "/n/alpha/directory/"
    assert page.locator("html").get_attribute("lang") == "ja"
    journey.shot("1-directory-ja")

    page.locator('form.lang-switch button[value="en"]').click()
    page.wait_for_selector("html[lang=en]")
    assert journey.path() == "/n/alpha/directory/"
    assert page.locator("nav.tabs").get_by_role("link", name="Directory").is_visible()
    assert page.locator("form.lang-switch button").inner_text().strip() == "日本語"
    assert User.objects.get(email="alumnus1@a.example").language == "en"
    assert_no_horizontal_overflow(journey)
    journey.shot("2-directory-en")

    page.locator('form.lang-switch button[value="ja"]').click()
    page.wait_for_selector("html[lang=ja]")
    assert journey.path() == "/n/alpha/directory/"
    assert page.locator("form.lang-switch button").inner_text().strip() == "English"
    assert User.objects.get(email="alumnus1@a.example").language == "ja"
    journey.shot("3-directory-ja-again")
    journey.assert_no_page_problems()


def test_staff_member_logs_in_with_totp_and_reaches_the_console(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    journey.go("/accounts/login/")
    log_in(journey, "hr@a.example", totp=True)

    assert journey.path() == "/n/alpha/manage/"
    assert page.locator("body").get_attribute("class") == "console"
    assert page.locator(".stats .stat").count() == 1  # hr's dashboard: the comeback part and its one KPI
    console_nav = page.locator("nav.console-nav")
    assert console_nav.is_visible()
    # HR sees the dashboard, inbox, members, intake and opportunities sections (roles.CONSOLE_SECTIONS).
    hrefs = console_nav.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [
        "/n/alpha/manage/",
        "/n/alpha/manage/inbox/",
        "/n/alpha/manage/members/",
        "/n/alpha/manage/intake/",
        "/n/alpha/manage/opportunities/",
        "/n/alpha/me/",
    ]
    assert console_nav.locator('a[aria-current="page"]').get_attribute("href") == "/n/alpha/manage/"
    journey.shot("1-dashboard-phone", full_page=True)

    page.set_viewport_size(DESKTOP)
    console_nav.locator('a[href="/n/alpha/manage/members/"]').click()
    page.wait_for_url(re.compile(r"/n/alpha/manage/members/$"))
    assert page.locator("table.table tbody tr").count() == len(verified.users)
    journey.shot("2-members-desktop", full_page=True)
    journey.assert_no_page_problems()


def test_admin_filters_members_by_role_and_opens_one(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    journey.go("/accounts/login/")
    log_in(journey, "admin@a.example", totp=True)
    assert journey.path() == "/n/alpha/manage/"

    page.locator('nav.console-nav a[href="/n/alpha/manage/members/"]').click()
    page.wait_for_url(re.compile(r"/n/alpha/manage/members/$"))
    rows = page.locator("table.table tbody tr")
    assert rows.count() == len(verified.users)
    journey.shot("1-members-phone", full_page=True)

    page.locator('form.filters select[name="role"]').select_option(Role.ALUMNUS.value)
    page.locator('form.filters button[type="submit"]').click()
    page.wait_for_url(re.compile(r"role=alumnus"))
    names = [text.split("\n")[0].strip() for text in rows.locator("td:first-child").all_inner_texts()]
    assert names == ["佐藤\u3000一郎", "鈴木\u3000二葉"]  # ordered by kana: サトウ, スズキ
    assert_no_horizontal_overflow(journey)
    journey.shot("2-members-filtered", full_page=True)

    rows.first.locator("a").click()
    with scopes_disabled():
        membership = Membership.objects.get(network=verified.network, user=verified.alumnus1)
    page.wait_for_url(re.compile(rf"/n/alpha/manage/members/{membership.pk}/$"))
    assert page.locator("main h1").inner_text().strip() == "佐藤\u3000一郎"
    assert "alumnus1@a.example" in page.locator("dl.facts").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("3-member-detail", full_page=True)
    journey.assert_no_page_problems()
