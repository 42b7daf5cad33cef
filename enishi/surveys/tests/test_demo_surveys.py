"""The demo's surveys: two closed ones whose results show (one anonymous with NPS, one named), and an
open one that alumni1@demo.example still has to answer; a reset removes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from enishi.demo.services import reset_demo
from enishi.networks.models import Network
from enishi.surveys import results, services
from enishi.surveys.models import Response, Survey, SurveyRecipient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


def test_it_fills_surveys_that_show_results() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    network = Network.objects.get(slug="demo")
    with scope(network=network):
        surveys = {survey.title: survey for survey in Survey.objects.filter(network=network)}
        titles = {"アルムナイ満足度調査 2026", "イベント参加後アンケート", "アルムナイ交流会 テーマ希望調査"}
        assert set(surveys) == titles
        satisfaction = surveys["アルムナイ満足度調査 2026"]
        assert (satisfaction.anonymous, satisfaction.status) == (True, Survey.Status.CLOSED)
        assert set(Response.objects.filter(survey=satisfaction).values_list("membership_id", "submitted_at")) == {
            (None, None)
        }
        found = results.survey_results(satisfaction)
        assert found.withheld is None
        assert found.total >= 50
        assert found.questions[0].nps is not None
        assert found.questions[0].nps["score"] is not None
        assert results.survey_results(satisfaction, "company", crosstab=True).crosstab is not None
        after = surveys["イベント参加後アンケート"]
        assert (after.anonymous, after.status) == (False, Survey.Status.CLOSED)
        assert Response.objects.filter(survey=after, submitted_at__isnull=False).count() >= 5
        waiting = surveys["アルムナイ交流会 テーマ希望調査"]
        sato = SurveyRecipient.objects.get(survey=waiting, membership__user__email="alumni1@demo.example")
        assert services.refusal_for(waiting, sato) is None
        assert Response.objects.filter(survey=waiting).count() >= 5
    reset_demo()
    with scopes_disabled():
        assert not Survey.objects.exists()
        assert not Response.objects.exists()
