"""Comeback on a phone (390 x 844): an alumnus finds a recommended opportunity and taps 「話を聞いてみたい」, hr moves
them through two stages of the pipeline, and the alumnus reads the new status on "my applications"
(fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scopes_disabled

from browser_fixtures import PHONE, Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.comeback import matching
from enishi.comeback.models import Candidate, Interest
from enishi.comeback.tests.helpers import make_opportunity
from enishi.profiles import services as profiles
from enishi.profiles.models import Skill
from enishi.profiles.vocabulary import ReturnMode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "経理部 カムバック採用（正社員・決算担当）"


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def test_alumnus_taps_interest_hr_moves_them_alumnus_sees_it(
    verified: PersonaNetwork, journey: Journey, browser: Any
) -> None:
    page = journey.page
    make_opportunity(verified, title="営業部 業務委託（週2日）")  # another one in the list
    opportunity = make_opportunity(verified, title=TITLE, department="経理部")
    detail = f"/n/alpha/opportunities/{opportunity.pk}/"
    with scopes_disabled():
        # 佐藤 knows 簿記, the skill the opportunity requires, and is open to full-time work.
        skill, _created = Skill.objects.get_or_create(key="簿記", defaults={"name": "簿記"})
        opportunity.required_skills.set([skill])
        matching.index_opportunity(opportunity)
        me = verified.memberships["alumnus1"]
        profile = profiles.profile_of(me)
        profiles.save_profile(profile, me.user, [], skills=["簿記"])
        intent = profiles.intent_of(profile)
        intent.return_modes = [ReturnMode.FULL_TIME]
        profiles.save_intent(profile, me.user, intent, ["return_modes"])

    # The alumnus finds it recommended at the top of the open opportunities, with why, and opens it.
    journey.go("/accounts/login/?next=/n/alpha/opportunities/")
    log_in(journey, verified.alumnus1.email)
    wait_for(journey, "/n/alpha/opportunities/$")
    recommended = page.locator("main .recommended-card")
    assert recommended.count() == 1
    assert TITLE in recommended.inner_text()
    assert "共通するスキル：簿記" in recommended.inner_text()
    assert page.locator("main .opportunity-card:not(.recommended-card)").count() == 2
    assert_no_horizontal_overflow(journey)
    journey.shot("1-list")
    recommended.get_by_role("link", name=TITLE).click()
    wait_for(journey, re.escape(detail) + "$")
    assert_no_horizontal_overflow(journey)
    journey.shot("2-detail")

    # One tap on 「話を聞いてみたい」; the page says it was received.
    page.get_by_role("button", name="話を聞いてみたい").click()
    wait_for(journey, re.escape(detail) + "$")
    page.wait_for_selector("main .messages")
    main_text = page.locator("main").inner_text()
    assert "ありがとうございます。担当者からご連絡します。" in main_text
    assert "受付済み・確認中" in page.locator("main #my-status").inner_text()  # 興味あり is not shown to them
    assert page.get_by_role("button", name="話を聞いてみたい").count() == 0
    assert_no_horizontal_overflow(journey)
    journey.shot("3-received")
    with scopes_disabled():
        assert Interest.objects.filter(opportunity=opportunity, membership=me).count() == 1
        candidate = Candidate.objects.get(opportunity=opportunity)

    # hr, on a phone too, opens the candidates of that opportunity and moves them twice.
    staff_context = browser.new_context(**PHONE)
    staff = Journey(page=staff_context.new_page(), base_url=journey.base_url, name=journey.name + "-hr")
    candidates = f"/n/alpha/manage/opportunities/{opportunity.pk}/candidates/"
    staff.go("/accounts/login/?next=" + candidates)
    log_in(staff, verified.hr.email, totp=True)
    wait_for(staff, re.escape(candidates) + "$")
    row = staff.page.locator("main tr.candidate-row", has_text="佐藤")
    assert row.count() == 1
    assert_no_horizontal_overflow(staff)
    staff.shot("4-candidates", full_page=True)
    for step, stage_name in (("5", "カジュアル面談"), ("6", "面接")):
        staff.page.locator(f"main input[name=candidate][value='{candidate.pk}']").check()
        staff.page.locator("main select[name=stage]").select_option(label=stage_name)
        staff.page.locator("main form[action$='/candidates/move/'] button[type=submit]").click()
        wait_for(staff, re.escape(candidates) + "$")
        assert stage_name in staff.page.locator("main tr.candidate-row", has_text="佐藤").inner_text()
        assert_no_horizontal_overflow(staff)
        staff.shot(f"{step}-moved", full_page=True)
        with scopes_disabled():
            assert Candidate.objects.get(pk=candidate.pk).stage.name == stage_name
    staff.assert_no_page_problems()
    staff_context.close()

    # The alumnus sees where they stand on "my applications".
    journey.go("/n/alpha/opportunities/mine/")
    card = page.locator("main .card", has_text=TITLE)
    assert "面接" in card.inner_text()
    assert "受付済み・確認中" not in card.inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("7-mine")
    journey.assert_no_page_problems()
