"""Constant queries: the console list, my surveys, the answer page and the results page cost the same
with 10 or 200 rows (surveys, questions, answers)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.profiles.tests.conftest import client_for
from enishi.surveys.models import Answer, Question, Response, Survey, SurveyRecipient
from enishi.surveys.tests.helpers import add_alumni, add_question, make_survey

pytestmark = pytest.mark.django_db


def queries(client, address: str) -> int:  # type: ignore[no-untyped-def]
    client.get(address)  # the first visit records the day's activity: not under test
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def add_surveys(net: PersonaNetwork, count: int, start: int) -> None:
    member = net.memberships["alumnus1"]
    for index in range(start, start + count):
        survey = make_survey(net, title=f"調査{index}", status=Survey.Status.OPEN)
        add_question(survey, "nps", "NPS")
        with scopes_disabled():
            SurveyRecipient.objects.create(
                network=net.network, survey=survey, membership=member, answered=index % 2 == 0
            )


def test_the_lists_cost_the_same_for_10_and_200_surveys(net_a: PersonaNetwork) -> None:
    console = client_for(net_a, "editor")
    mine = client_for(net_a, "alumnus1")
    add_surveys(net_a, 10, 0)
    few = (
        queries(console, reverse("manage:surveys", args=["alpha"])),
        queries(mine, reverse("network:surveys", args=["alpha"])),
    )
    add_surveys(net_a, 190, 10)
    many = (
        queries(console, reverse("manage:surveys", args=["alpha"])),
        queries(mine, reverse("network:surveys", args=["alpha"])),
    )
    assert few == many


def fill(survey: Survey, members: list, questions: list[Question]) -> None:  # type: ignore[type-arg]
    with scopes_disabled():
        for index, member in enumerate(members):
            response = Response.objects.create(network_id=survey.network_id, survey=survey, membership=member,
                                               company_id=None, source="page")  # fmt: skip
            Answer.objects.bulk_create(
                [Answer(network_id=survey.network_id, response=response, question=question,
                        value=f"text {index}" if question.kind == "text" else str(index % 5 + 1))
                 for question in questions]
            )  # fmt: skip


def test_the_results_cost_the_same_for_10_and_200_answers(net_a: PersonaNetwork) -> None:
    members = add_alumni(net_a, 200)
    client = client_for(net_a, "analyst")
    counts = []
    for size in (10, 200):
        survey = make_survey(net_a, title=f"{size}", status=Survey.Status.OPEN)
        questions = [add_question(survey, "scale", "満足度"), add_question(survey, "text", "ご意見"),
                     add_question(survey, "multiple", "関心", choices=["1", "2", "3"])]  # fmt: skip
        fill(survey, members[:size], questions)
        counts.append((
            queries(client, reverse("manage:survey_results", args=["alpha", survey.pk])),
            queries(client, reverse("manage:survey_results", args=["alpha", survey.pk]) + "?by=company"),
        ))  # fmt: skip
    assert counts[0] == counts[1]


def test_the_answer_and_results_pages_cost_the_same_for_10_and_200_questions(net_a: PersonaNetwork) -> None:
    members = add_alumni(net_a, 6)
    counts = []
    for size in (10, 200):
        survey = make_survey(net_a, title=f"{size}", status=Survey.Status.OPEN)
        questions = [add_question(survey, "scale" if i % 2 else "text", f"Q{i}") for i in range(size)]
        with scopes_disabled():
            SurveyRecipient.objects.create(network=net_a.network, survey=survey,
                                           membership=net_a.memberships["alumnus2"])  # fmt: skip
        fill(survey, members, questions)
        counts.append((
            queries(client_for(net_a, "alumnus2"), reverse("network:survey_answer", args=["alpha", survey.pk])),
            queries(client_for(net_a, "admin"), reverse("manage:survey_results", args=["alpha", survey.pk])),
        ))  # fmt: skip
    assert counts[0] == counts[1]
