"""News of new openings on a phone (390 x 844): hr counts the alumni who fit and subscribes them; the
alumnus sees on the opportunities page what news they get and stops it (fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scopes_disabled

from browser_fixtures import PHONE, Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.comeback.models import OpeningSubscription
from enishi.comeback.tests.test_subscriptions import give_intent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/n/alpha/manage/opportunities/subscriptions/"


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def test_hr_subscribes_the_alumni_who_fit_and_an_alumnus_stops_the_news(
    verified: PersonaNetwork, journey: Journey, browser: Any
) -> None:
    give_intent(verified.memberships["alumnus1"], ["side_job", "project"])
    give_intent(verified.memberships["alumnus2"], ["side_job"], not_now=True)  # not counted

    staff_context = browser.new_context(**PHONE)
    staff = Journey(page=staff_context.new_page(), base_url=journey.base_url, name=journey.name + "-hr")
    staff.go("/accounts/login/?next=" + PAGE)
    log_in(staff, verified.hr.email, totp=True)
    wait_for(staff, re.escape(PAGE) + "$")
    staff.page.locator("main input[name=kinds][value=side_job]").check()
    staff.page.locator("main form[method=get] button[type=submit]").click()
    wait_for(staff, re.escape(PAGE) + r"\?kinds=side_job$")
    facts = staff.page.locator("main section[aria-live] dl").inner_text()
    assert re.search(r"\b1\b", facts)
    assert_no_horizontal_overflow(staff)
    staff.shot("1-counted", full_page=True)
    staff.page.locator("main section[aria-live] form[method=post] button[type=submit]").click()
    wait_for(staff, re.escape(PAGE) + "$")
    assert staff.page.locator("main tr.subscription-row", has_text="佐藤").count() == 1
    assert_no_horizontal_overflow(staff)
    staff.shot("2-subscribed", full_page=True)
    staff.assert_no_page_problems()
    staff_context.close()

    page = journey.page
    journey.go("/accounts/login/?next=/n/alpha/opportunities/")
    log_in(journey, verified.alumnus1.email)
    wait_for(journey, "/n/alpha/opportunities/$")
    block = page.locator("main .opening-news")
    assert block.count() == 1
    assert_no_horizontal_overflow(journey)
    journey.shot("3-news-block")
    block.locator("form[action$='/news/stop/'] button[type=submit]").click()
    wait_for(journey, "/n/alpha/opportunities/$")
    assert page.locator("main form[action$='/news/start/']").count() == 1  # they can start it again
    assert_no_horizontal_overflow(journey)
    journey.shot("4-stopped")
    journey.assert_no_page_problems()
    with scopes_disabled():
        assert OpeningSubscription.objects.filter(cancelled_at__isnull=True).count() == 0
