"""The figures the dashboard reads: response counts and NPS per survey closing in a date range."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.surveys import services
from enishi.surveys.models import Survey
from enishi.surveys.tests.conftest import build_answered

pytestmark = pytest.mark.django_db


def test_it_counts_recipients_and_answers_per_survey_and_company(net_a: PersonaNetwork) -> None:
    data = build_answered(net_a, anonymous=True, big=6, small=3)
    today = timezone.localdate()
    with scopes_disabled():
        closes = timezone.localdate(Survey.objects.get(pk=data.survey.pk).closes_at)
        counts = services.response_counts(net_a.network, today, today + timedelta(days=30))
        by_big = services.response_counts(net_a.network, today, today + timedelta(days=30), net_a.company.pk)
        by_small = services.response_counts(net_a.network, today, today + timedelta(days=30), data.other.pk)
        outside = services.response_counts(net_a.network, today - timedelta(days=30), today - timedelta(days=1))

    # 6 + 3 alumni answered; the personas supporter, alumnus1 and alumnus2 were asked too.
    assert counts == [services.SurveyResponseCount(data.survey.pk, "アルムナイ満足度調査", closes, True, 12, 9)]
    assert [(row.recipients, row.answered) for row in by_big] == [(6, 6)]
    assert by_small == []  # anonymous, 3 answers in that company: not broken down
    assert outside == []


def test_it_gives_the_nps_of_each_survey(net_a: PersonaNetwork) -> None:
    data = build_answered(net_a, anonymous=True, big=6, small=5)
    today = timezone.localdate()
    with scopes_disabled():
        closes = timezone.localdate(Survey.objects.get(pk=data.survey.pk).closes_at)
        rows = services.nps_by_survey(net_a.network, today, today + timedelta(days=30))
        by_small = services.nps_by_survey(net_a.network, today, today + timedelta(days=30), data.other.pk)

    assert rows == [services.SurveyNps("アルムナイ満足度調査", closes, round(100 / 11, 1), 11)]
    assert by_small == [services.SurveyNps("アルムナイ満足度調査", closes, -100.0, 5)]


def test_it_hides_the_nps_of_an_open_or_small_anonymous_survey(net_a: PersonaNetwork) -> None:
    data = build_answered(net_a, anonymous=True, big=6, small=3, closed=False)
    today = timezone.localdate()
    with scopes_disabled():
        open_rows = services.nps_by_survey(net_a.network, today, today + timedelta(days=30))
        Survey.objects.filter(pk=data.survey.pk).update(status=Survey.Status.CLOSED)
        small = services.nps_by_survey(net_a.network, today, today + timedelta(days=30), data.other.pk)

    assert [(row.score, row.n) for row in open_rows] == [(None, 9)]
    assert [(row.score, row.n) for row in small] == [(None, 3)]


def test_nps_is_promoters_minus_detractors() -> None:
    assert services.nps({"10": 5, "9": 1, "8": 2, "3": 2}) == (40.0, 6, 2, 2, 10)
    assert services.nps({}) == (None, 0, 0, 0, 0)
