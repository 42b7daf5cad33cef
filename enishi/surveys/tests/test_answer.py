"""The alumni side: my surveys, answering with branching (server side), required only when shown,
one answer per person (also under a double submit), closed and not-in-audience surveys."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.lib.errors import ActionRefused
from enishi.notifications.models import Notification
from enishi.profiles.tests.conftest import client_for
from enishi.surveys import services
from enishi.surveys.models import Answer, Response, Survey, SurveyRecipient
from enishi.surveys.tests.helpers import add_question, make_survey, open_survey, standard_questions

pytestmark = pytest.mark.django_db


def _open(net: PersonaNetwork, *, anonymous: bool = False) -> tuple[Survey, dict]:
    survey = make_survey(net, anonymous=anonymous)
    questions = standard_questions(survey)
    open_survey(net, survey)
    return survey, questions


def _rows(net: PersonaNetwork) -> dict[str, list]:
    with scopes_disabled():
        return {
            "responses": list(Response.objects.filter(network=net.network).values()),
            "answers": list(Answer.objects.filter(network=net.network).order_by("pk").values()),
            "recipients": list(SurveyRecipient.objects.filter(network=net.network).order_by("pk").values()),
        }


def test_it_lists_my_open_and_answered_surveys(net_a: PersonaNetwork, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        survey, questions = _open(net_a)
    client = client_for(net_a, "alumnus1")
    page = client.get(reverse("network:surveys", args=["alpha"])).content.decode()
    assert "Waiting for your answer" in page
    assert survey.title in page
    with scopes_disabled():
        told = Notification.objects.get(recipient=net_a.memberships["alumnus1"], kind="survey_open")
    assert told.reference == f"survey:{survey.pk}"

    client.post(reverse("network:survey_answer", args=["alpha", survey.pk]),
                {f"q{questions['nps'].pk}": "9", f"q{questions['join'].pk}": "はい"})  # fmt: skip

    page = client.get(reverse("network:surveys", args=["alpha"])).content.decode()
    assert "Waiting for your answer" not in page
    assert "Answered" in page


def test_it_stores_a_named_answer_with_branching_dropped(net_a: PersonaNetwork) -> None:
    survey, q = _open(net_a)
    client = client_for(net_a, "alumnus1")
    url = reverse("network:survey_answer", args=["alpha", survey.pk])

    # 「はい」: the branch "why not" is hidden, so its answer (sent anyway, e.g. without JS) is dropped.
    response = client.post(url, {f"q{q['nps'].pk}": "10", f"q{q['join'].pk}": "はい", f"q{q['why'].pk}": "忙しい",
                                 f"q{q['comment'].pk}": "ありがとう"})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == reverse("network:survey_thanks", args=["alpha", survey.pk])
    with scopes_disabled():
        stored = Response.objects.get(survey=survey)
        assert stored.membership == net_a.memberships["alumnus1"]
        assert stored.submitted_at is not None
        assert sorted(stored.answers.values_list("question__label", "value")) == sorted(
            [("友人に勧めますか", "10"), ("イベントに参加しましたか", "はい"), ("ご意見", "ありがとう")]
        )
        assert SurveyRecipient.objects.get(survey=survey, membership=net_a.memberships["alumnus1"]).answered
    assert "Thank you for your answers" in client.get(response["Location"]).content.decode()


def test_it_requires_a_branch_only_when_shown(net_a: PersonaNetwork) -> None:
    survey, q = _open(net_a)
    client = client_for(net_a, "alumnus1")
    url = reverse("network:survey_answer", args=["alpha", survey.pk])
    before = _rows(net_a)

    response = client.post(url, {f"q{q['nps'].pk}": "3", f"q{q['join'].pk}": "いいえ"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "This question needs an answer." in page
    assert 'value="3" checked' in page  # what they chose is kept
    assert _rows(net_a) == before

    response = client.post(url, {f"q{q['nps'].pk}": "3", f"q{q['join'].pk}": "いいえ", f"q{q['why'].pk}": "遠い"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Answer.objects.filter(question=q["why"]).get().value == "遠い"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nps", "11", "Choose one of the answers offered."),
        ("join", "たぶん", "Choose one of the answers offered."),
        ("comment", "x" * 4001, "At most 4000 characters."),
    ],
)
def test_it_refuses_bad_answers_and_changes_nothing(
    net_a: PersonaNetwork, field: str, value: str, message: str
) -> None:
    survey, q = _open(net_a)
    before = _rows(net_a)
    data = {f"q{q['nps'].pk}": "5", f"q{q['join'].pk}": "はい", f"q{q[field].pk}": value}

    response = client_for(net_a, "alumnus1").post(reverse("network:survey_answer", args=["alpha", survey.pk]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _rows(net_a) == before


def test_it_refuses_a_second_answer_and_changes_nothing(net_a: PersonaNetwork) -> None:
    survey, q = _open(net_a)
    client = client_for(net_a, "alumnus1")
    url = reverse("network:survey_answer", args=["alpha", survey.pk])
    client.post(url, {f"q{q['nps'].pk}": "8", f"q{q['join'].pk}": "はい"})
    before = _rows(net_a)

    response = client.post(url, {f"q{q['nps'].pk}": "0", f"q{q['join'].pk}": "はい"}, follow=True)

    assert "You have already answered this survey. Thank you!" in response.content.decode()
    assert _rows(net_a) == before


def test_it_refuses_a_closed_survey_and_one_not_for_me(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    survey, q = _open(net_a)
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    before = _rows(net_a)
    client = client_for(net_a, "alumnus1")
    url = reverse("network:survey_answer", args=["alpha", survey.pk])

    page = client.get(url).content.decode()
    assert "This survey is closed." in page
    client.post(url, {f"q{q['nps'].pk}": "8", f"q{q['join'].pk}": "はい"})
    assert _rows(net_a) == before

    # Staff are not in the audience; a draft is nobody's; another network's survey does not exist here.
    draft = make_survey(net_a, title="下書き")
    for persona, target in (("editor", survey.pk), ("alumnus1", draft.pk)):
        response = client_for(net_a, persona).get(reverse("network:survey_answer", args=["alpha", target]))
        assert response.status_code == 404
        assert "This survey is not addressed to you, or it does not exist." in response.content.decode()
    response = client_for(net_b, "alumnus1").get(reverse("network:survey_answer", args=["beta", survey.pk]))
    assert response.status_code == 404
    assert survey.title not in response.content.decode()


def test_it_shows_every_question_with_a_note_without_javascript(net_a: PersonaNetwork) -> None:
    survey, q = _open(net_a)
    with translation.override("en"):
        page = client_for(net_a, "alumnus1").get(reverse("network:survey_answer", args=["alpha", survey.pk]))
    html = page.content.decode()
    assert f'id="question-{q["why"].pk}" data-show-if="q{q["join"].pk}" data-show-if-value="いいえ"' in html
    assert "Answer only if you answered “いいえ” to “イベントに参加しましたか”." in html
    assert "enishi/surveys.js" in html
    assert "<script>" not in html


def test_it_takes_one_answer_under_a_double_submit(net_a: PersonaNetwork) -> None:
    survey, q = _open(net_a)
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        services.submit_response(survey, member, {q["nps"].pk: ["9"], q["join"].pk: ["はい"]})
        with pytest.raises(ActionRefused):
            services.submit_response(survey, member, {q["nps"].pk: ["1"], q["join"].pk: ["はい"]})
    with scopes_disabled():
        assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_takes_one_answer_from_two_simultaneous_submits(net_a: PersonaNetwork) -> None:
    """Two threads submit at once; the row lock on the recipient lets one through."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers anyway; the row lock is exercised on PostgreSQL")
    survey, q = _open(net_a, anonymous=True)
    member = net_a.memberships["alumnus1"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            with scope(network=net_a.network):
                barrier.wait()
                services.submit_response(survey, member, {q["nps"].pk: ["9"], q["join"].pk: ["はい"]})
            outcomes.append("stored")
        except ActionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "stored"]
    with scopes_disabled():
        assert Response.objects.filter(survey=survey).count() == 1


def test_it_needs_an_open_draft_with_a_question_and_a_date(net_a: PersonaNetwork) -> None:
    empty = make_survey(net_a)
    with scope(network=net_a.network), translation.override("en"):
        with pytest.raises(ActionRefused, match="Add at least one question"):
            services.open_survey(empty, net_a.editor)
        add_question(empty, "nps", "NPS")
        Survey.objects.filter(pk=empty.pk).update(closes_at=timezone.now() - timedelta(days=1))
        with pytest.raises(ActionRefused, match="Set a closing date in the future"):
            services.open_survey(empty, net_a.editor)
        assert not SurveyRecipient.objects.filter(survey=empty).exists()
