"""The feedback box on a phone (390 x 844): an alumnus sends named feedback, an admin answers it from
the console, and the alumnus reads the reply in "My feedback" (fixtures in browser_fixtures.py).

Selectors avoid the interface's words: the new strings' Japanese arrives with the catalogue."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scopes_disabled

from browser_fixtures import PHONE, Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.feedback.models import Feedback, FeedbackReply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "アルムナイ交流会を土曜日にも開いてほしいです。平日夜は子育て中で参加できません。"
REPLY = "ご意見ありがとうございます。次回から土曜日の午後にも開催します。"


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def test_alumnus_sends_feedback_admin_replies_alumnus_reads_it(
    verified: PersonaNetwork, journey: Journey, browser: Any
) -> None:
    page = journey.page
    journey.go("/accounts/login/?next=/n/alpha/feedback/")
    log_in(journey, verified.alumnus1.email)
    wait_for(journey, "/n/alpha/feedback/$")
    assert page.locator("main .feedback-anonymity li").count() == 3
    assert_no_horizontal_overflow(journey)
    journey.shot("1-form", full_page=True)
    page.locator("main select[name=topic]").select_option(index=2)
    page.locator("main textarea[name=text]").fill(TEXT)
    page.locator("main form.feedback-form button[type=submit]").click()
    wait_for(journey, "/n/alpha/feedback/mine/$")
    assert TEXT in page.locator("main .feedback-item").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("2-mine")
    with scopes_disabled():
        item = Feedback.objects.get(network=verified.network)
        assert item.membership == verified.memberships["alumnus1"]

    staff_context = browser.new_context(**PHONE)
    staff = Journey(page=staff_context.new_page(), base_url=journey.base_url, name=journey.name + "-admin")
    staff.go("/accounts/login/?next=/n/alpha/manage/feedback/")
    log_in(staff, verified.admin.email, totp=True)
    wait_for(staff, "/n/alpha/manage/feedback/$")
    row = staff.page.locator("main tr.feedback-row")
    assert row.count() == 1
    assert_no_horizontal_overflow(staff)
    staff.shot("3-console-list", full_page=True)
    row.locator(f"a[href$='/manage/feedback/{item.pk}/']").click()
    wait_for(staff, f"/n/alpha/manage/feedback/{item.pk}/$")
    staff.page.locator("main textarea[name='reply-text']").fill(REPLY)
    staff.page.locator("main button[name=reply]").click()
    wait_for(staff, f"/n/alpha/manage/feedback/{item.pk}/$")
    assert REPLY in staff.page.locator("main .feedback-reply").inner_text()
    assert_no_horizontal_overflow(staff)
    staff.shot("4-console-replied", full_page=True)
    staff.assert_no_page_problems()
    staff_context.close()
    with scopes_disabled():
        assert FeedbackReply.objects.filter(feedback=item).count() == 1

    journey.go("/n/alpha/feedback/mine/")
    assert REPLY in page.locator("main .feedback-reply").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("5-reply-read")
    journey.assert_no_page_problems()
