"""Coordination on a phone (390 x 844): a coordinator writes an interview and a summary for HR, the
alumnus approves that exact text in the app, hr reads it on the relays page, and the interview notes
reach none of the pages hr opens (fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scopes_disabled

from browser_fixtures import PHONE, Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.coordination.models import Interview, Relay
from enishi.coordination.tests.helpers import agree, engage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKER = "NOTES-MARKER-7f3a9c"
SUMMARY = "経理の経験を活かして、来年4月以降の正社員での復帰を希望されています。"


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def second_tab(browser: Any, journey: Journey, who: str) -> tuple[Any, Journey]:
    context = browser.new_context(**PHONE)
    return context, Journey(page=context.new_page(), base_url=journey.base_url, name=f"{journey.name}-{who}")


def test_coordinator_relay_approved_by_the_alumnus_reaches_hr_without_the_notes(
    verified: PersonaNetwork, journey: Journey, browser: Any
) -> None:
    engage(verified)
    agree(verified, "alumnus1")
    alumnus = verified.memberships["alumnus1"]

    # The coordinator writes the interview, notes with a marker, then a summary for HR.
    coordinator_context, coordinator = second_tab(browser, journey, "coordinator")
    page = coordinator.page
    coordinator.go("/accounts/login/?next=/n/alpha/manage/interviews/")
    log_in(coordinator, verified.coordinator.email, totp=True)
    wait_for(coordinator, "/n/alpha/manage/interviews/$")
    assert_no_horizontal_overflow(coordinator)
    coordinator.shot("1-interviews")
    page.locator(f"main a[href='/n/alpha/manage/interviews/new/{alumnus.pk}/']").click()
    wait_for(coordinator, f"/n/alpha/manage/interviews/new/{alumnus.pk}/$")
    form = page.locator("main form")
    form.locator("input[name=held_at]").fill("2026-12-01T14:00")
    form.locator("textarea[name=current_work]").fill("会計事務所で月次決算を担当")
    form.locator("textarea[name=intent]").fill("正社員での復帰に前向き")
    form.locator("textarea[name=notes]").fill(f"家族の事情で転居の可能性あり。{MARKER}")
    assert_no_horizontal_overflow(coordinator)
    coordinator.shot("2-interview-form", full_page=True)
    form.locator("button[type=submit]").click()
    wait_for(coordinator, r"/n/alpha/manage/interviews/\d+/$")
    with scopes_disabled():
        interview = Interview.objects.get(alumnus=alumnus)
    assert MARKER in interview.notes
    page.locator(f"main a[href='/n/alpha/manage/interviews/{interview.pk}/relay/']").click()
    wait_for(coordinator, f"/n/alpha/manage/interviews/{interview.pk}/relay/$")
    page.locator("main textarea[name=summary]").fill(SUMMARY)
    assert_no_horizontal_overflow(coordinator)
    coordinator.shot("3-summary")
    page.locator("main form button[type=submit]").click()
    wait_for(coordinator, f"/n/alpha/manage/interviews/{interview.pk}/$")
    page.wait_for_selector("main .messages")
    coordinator.shot("4-sent")
    coordinator.assert_no_page_problems()
    coordinator_context.close()
    with scopes_disabled():
        relay = Relay.objects.get(interview=interview)
    assert relay.status == Relay.Status.AWAITING

    # The alumnus finds it on the privacy page, reads the exact text and approves it.
    alumnus_page = journey.page
    journey.go("/accounts/login/?next=/n/alpha/privacy/")
    log_in(journey, verified.alumnus1.email)
    wait_for(journey, "/n/alpha/privacy/$")
    alumnus_page.locator(f"main a[href='/n/alpha/coordination/relays/{relay.pk}/']").click()
    wait_for(journey, f"/n/alpha/coordination/relays/{relay.pk}/$")
    assert alumnus_page.locator("main .relay-summary").inner_text().strip() == SUMMARY
    assert MARKER not in alumnus_page.content()
    assert_no_horizontal_overflow(journey)
    journey.shot("5-relay")
    alumnus_page.locator("main form[action$='/approve/'] button[type=submit]").click()
    wait_for(journey, f"/n/alpha/coordination/relays/{relay.pk}/$")
    alumnus_page.wait_for_selector("main .messages")
    assert alumnus_page.locator("main form[action$='/approve/']").count() == 0
    journey.shot("6-approved")
    journey.assert_no_page_problems()
    with scopes_disabled():
        relay.refresh_from_db()
    assert relay.status == Relay.Status.APPROVED

    # hr reads the summary on the relays page; nothing hr opens carries the notes.
    hr_context, hr = second_tab(browser, journey, "hr")
    bodies: list[str] = []

    def keep_body(response: Any) -> None:
        ours = response.url.startswith(journey.base_url) and not 300 <= response.status < 400  # a redirect: no body
        if ours and response.request.resource_type in ("document", "xhr", "fetch"):
            bodies.append(response.text())

    hr.page.on("response", keep_body)
    hr.go("/accounts/login/?next=/n/alpha/manage/relays/")
    log_in(hr, verified.hr.email, totp=True)
    wait_for(hr, "/n/alpha/manage/relays/$")
    card = hr.page.locator("main li.card", has_text="佐藤")
    assert SUMMARY in card.inner_text()
    assert_no_horizontal_overflow(hr)
    hr.shot("7-relays")
    looked_at = ["/n/alpha/manage/", "/n/alpha/manage/members/", f"/n/alpha/manage/members/{alumnus.pk}/",
                 "/n/alpha/manage/directory/", "/n/alpha/manage/opportunities/", "/n/alpha/manage/audit/",
                 "/n/alpha/manage/interviews/", f"/n/alpha/manage/interviews/{interview.pk}/"]  # fmt: skip
    for path in looked_at:
        hr.go(path)
        bodies.append(hr.page.content())
    hr_context.close()
    assert len(bodies) > len(looked_at)
    assert any(SUMMARY in body for body in bodies)
    assert not [body for body in bodies if MARKER in body]
