"""A survey on a phone (390 x 844): an alumnus opens the anonymous survey from "my surveys", answers
「いいえ」 so that the branched question appears (static JS), writes the reason and sends; the thank-you
page follows and the answer is stored without the person (fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from browser_fixtures import Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.surveys.models import Answer, Response, SurveyRecipient
from enishi.surveys.tests.helpers import make_survey, open_survey, standard_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def test_alumnus_answers_a_branched_anonymous_survey_on_a_phone(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    survey = make_survey(verified, anonymous=True, title="アルムナイ満足度調査 2026")
    q = standard_questions(survey)
    open_survey(verified, survey)
    answer_path = f"/n/alpha/surveys/{survey.pk}/"

    journey.go("/accounts/login/?next=/n/alpha/surveys/")
    log_in(journey, verified.alumnus1.email)
    wait_for(journey, "/n/alpha/surveys/$")
    assert "アルムナイ満足度調査 2026" in page.locator("main").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("1-my-surveys")
    page.locator(f'main a[href="{answer_path}"]').first.click()
    wait_for(journey, re.escape(answer_path) + "$")

    # The branch waits hidden until 「いいえ」 is chosen; the NPS scale fits the phone.
    branch = page.locator(f"#question-{q['why'].pk}")
    assert branch.is_hidden()
    page.locator(f'input[name="q{q["nps"].pk}"][value="8"]').check()
    page.locator(f'input[name="q{q["join"].pk}"][value="いいえ"]').check()
    branch.wait_for(state="visible")
    page.locator(f'textarea[name="q{q["why"].pk}"]').fill("平日夜は子育てで参加が難しいです")
    assert_no_horizontal_overflow(journey)
    journey.shot("2-branch-shown", full_page=True)
    # Back to 「はい」 hides it again; then 「いいえ」 for good.
    page.locator(f'input[name="q{q["join"].pk}"][value="はい"]').check()
    branch.wait_for(state="hidden")
    page.locator(f'input[name="q{q["join"].pk}"][value="いいえ"]').check()
    branch.wait_for(state="visible")
    page.locator("main form.survey-form button[type=submit]").click()

    wait_for(journey, re.escape(answer_path) + "thanks/$")
    assert_no_horizontal_overflow(journey)
    journey.shot("3-thanks")
    with scopes_disabled():
        stored = Response.objects.get(survey=survey)
        assert (stored.membership_id, stored.submitted_at) == (None, None)
        assert sorted(Answer.objects.filter(response=stored).values_list("question_id", "value")) == sorted(
            [(q["nps"].pk, "8"), (q["join"].pk, "いいえ"), (q["why"].pk, "平日夜は子育てで参加が難しいです")]
        )
        assert SurveyRecipient.objects.get(survey=survey, membership=verified.memberships["alumnus1"]).answered
    journey.assert_no_page_problems()


def test_analyst_reads_anonymous_results_on_a_phone(verified: PersonaNetwork, journey: Journey) -> None:
    from enishi.surveys.tests.conftest import build_answered

    data = build_answered(verified, anonymous=True, big=6, small=5)
    results = f"/n/alpha/manage/surveys/{data.survey.pk}/results/"
    page = journey.page

    journey.go(f"/accounts/login/?next={results}")
    log_in(journey, verified.analyst.email, totp=True)
    wait_for(journey, re.escape(results) + "$")
    assert page.locator("main svg.chart-svg, main .chart svg").count() == 2  # the NPS and the single choice
    assert "NPS 9.1" in page.locator("main").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("1-results")
    page.locator("main select#by").select_option("company")
    page.locator("main form.filters button[type=submit]").click()
    wait_for(journey, re.escape(results) + r"\?by=company$")
    assert "ベータ物流" in page.locator("main").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("2-by-company")
    journey.assert_no_page_problems()
