"""Results: distributions, NPS, free text (with names when named), one-dimension cross-tabs and filters
with the group-size rule for anonymous surveys, and exports with formulas neutralised."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from conftest import PersonaNetwork
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for
from enishi.surveys import results as survey_results
from enishi.surveys.tests.helpers import add_question, answer, close, make_survey, open_survey

pytestmark = pytest.mark.django_db


def results_page(net: PersonaNetwork, survey_id: int, query: str = "", persona: str = "analyst") -> str:
    address = reverse("manage:survey_results", args=["alpha", survey_id]) + query
    response = client_for(net, persona).get(address)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_a_named_survey_with_names_and_any_group_size(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=False, big=3, small=1, closed=False)

    page = results_page(net_a, data.survey.pk)

    assert "NPS 50.0" in page  # 3 promoters (10), 1 detractor (2): (3 - 1) / 4
    assert "COMMENT-big0" in page
    assert "卒業　big0" in page
    assert "WHY-small0" in page
    assert "卒業　small0" in page
    by_company = results_page(net_a, data.survey.pk, "?by=company")
    assert "ベータ物流" in by_company
    assert "Compared by group" in by_company
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="survey.results_viewed", data__by="")
    assert entry.actor == net_a.analyst
    assert entry.target_id == str(data.survey.pk)


def test_it_computes_the_distribution_exactly(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=True, big=6, small=5)
    with scopes_disabled():
        found = survey_results.survey_results(data.survey)
    assert found.total == 11
    assert found.withheld is None
    nps, join, why, comment = found.questions
    assert nps.nps is not None
    assert nps.nps["score"] == round((6 - 5) * 100 / 11, 1)
    assert [(bar.label, bar.count) for bar in nps.nps["parts"]] == [
        ("Promoters (9–10)", 6), ("Passives (7–8)", 0), ("Detractors (0–6)", 5)
    ]  # fmt: skip
    assert [(bar.label, bar.count, bar.percent) for bar in join.bars] == [("はい", 6, 54.5), ("いいえ", 5, 45.5)]
    assert why.n == 5
    assert not why.withheld
    assert sorted(t.value for t in why.texts) == [f"WHY-small{i}" for i in range(5)]
    assert all(text.person is None for text in comment.texts)
    assert nps.chart is not None
    assert "<svg" in nps.chart


def test_it_withholds_an_anonymous_survey_until_closed_and_below_five(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=True, big=4, small=0, closed=False)

    page = results_page(net_a, data.survey.pk)
    assert "The answers of an anonymous survey are shown once it is closed." in page
    assert "COMMENT-" not in page

    close(net_a, data.survey)
    page = results_page(net_a, data.survey.pk)
    assert "Fewer than 5 answers: the results of an anonymous survey are not shown." in page
    assert "COMMENT-" not in page
    assert "NPS" not in page


def test_it_refuses_a_cross_tab_whose_small_groups_pool_below_five(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=True, big=6, small=3)

    page = results_page(net_a, data.survey.pk, "?by=company")

    assert "Some groups are too small to compare for an anonymous survey" in page
    assert "ベータ物流" not in page
    # Filtering to either company is refused: B is 3, and "everyone but A" is those same 3.
    for key in (str(net_a.company.pk), str(data.other.pk)):
        page = results_page(net_a, data.survey.pk, f"?by=company&group={key}")
        assert "This group, or everyone outside it, has fewer than 5 answers" in page
        assert "COMMENT-" not in page


def test_it_hides_a_branch_answered_by_fewer_than_five(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=True, big=6, small=3)

    page = results_page(net_a, data.survey.pk)

    assert "COMMENT-big0" in page  # the whole group of 9 is shown…
    assert "WHY-small" not in page  # …but not the reasons of the 3 who said いいえ
    assert "Not shown: fewer than 5 people answered this question (or fewer than 5 did not)." in page


def test_it_compares_and_filters_groups_of_five_or_more(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=True, big=6, small=5)

    page = results_page(net_a, data.survey.pk, "?by=company")
    assert "ベータ物流" in page
    assert "+100.0" in page
    assert "-100.0" in page
    page = results_page(net_a, data.survey.pk, f"?by=company&group={data.other.pk}")
    assert "Showing only: ベータ物流" in page
    assert "WHY-small0" in page
    assert "COMMENT-big0" not in page
    page = results_page(net_a, data.survey.pk, "?by=leave_year")
    assert "2015" in page
    assert "2020" in page


def test_it_exports_named_answers_with_formulas_neutralised(net_a: PersonaNetwork) -> None:
    survey = make_survey(net_a)
    question = add_question(survey, "text", "ご意見")
    choice = add_question(survey, "multiple", "関心", choices=["採用", "イベント"])
    open_survey(net_a, survey)
    answer(net_a, survey, net_a.memberships["alumnus1"], {question: ['=HYPERLINK("http://x","y")'],
                                                          choice: ["採用", "イベント"]})  # fmt: skip
    client = client_for(net_a, "analyst")
    address = reverse("manage:survey_export", args=["alpha", survey.pk])

    rows = list(csv.reader(io.StringIO(client.get(address + "?format=csv").content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Email", "Answered at", "Company", "Leave year", "Registration source", "ご意見", "関心"]
    assert rows[1][0] == "佐藤　一郎"
    assert rows[1][1] == "alumnus1@a.example"
    assert rows[1][6:] == ['\'=HYPERLINK("http://x","y")', "採用 / イベント"]
    book = load_workbook(io.BytesIO(client.get(address + "?format=xlsx").content))
    assert [cell.value for cell in book.active[2]][6] == '\'=HYPERLINK("http://x","y")'
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="survey.results_exported").count() == 2


def test_it_exports_anonymous_answers_without_person_in_random_order(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=True, big=8, small=0)
    client = client_for(net_a, "admin")
    address = reverse("manage:survey_export", args=["alpha", data.survey.pk]) + "?format=csv"

    orders = set()
    for _attempt in range(6):
        rows = list(csv.reader(io.StringIO(client.get(address).content.decode("utf-8-sig"))))
        assert rows[0] == ["友人に勧めますか", "イベントに参加しましたか", "参加しなかった理由", "ご意見"]
        assert sorted(row[3] for row in rows[1:]) == sorted(f"COMMENT-big{i}" for i in range(8))
        orders.add(tuple(row[3] for row in rows[1:]))
    assert len(orders) > 1  # shuffled each time: no order to join with anything


def test_it_refuses_to_export_an_open_anonymous_survey(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=True, big=6, small=0, closed=False)

    response = client_for(net_a, "analyst").get(
        reverse("manage:survey_export", args=["alpha", data.survey.pk]) + "?format=csv", follow=True
    )

    assert "The answers of an anonymous survey can be exported once it is closed." in response.content.decode()
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="survey.results_exported").exists()


def test_it_answers_odd_filters_with_a_message_not_an_error(net_a: PersonaNetwork, answered_factory) -> None:
    data = answered_factory(anonymous=False, big=2, small=1)

    assert "No answers in this group." in results_page(net_a, data.survey.pk, "?by=leave_year&group=abc")
    assert "No answers in this group." in results_page(net_a, data.survey.pk, "?by=company&group=99999999")
    page = results_page(net_a, data.survey.pk, "?by=nonsense&group=1")
    assert "COMMENT-big0" in page  # an unknown dimension shows everyone
