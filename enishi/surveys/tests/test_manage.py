"""The console: who may do what, the survey form, questions while draft (add, edit, reorder, remove),
frozen once open, opening fixes the audience, closing, reminders (button and worker job), preview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.events.models import Event, Rsvp
from enishi.networks.models import Company
from enishi.notifications.models import Notification
from enishi.ops.management.commands.worker import MAINTENANCE_JOBS
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for
from enishi.surveys import services
from enishi.surveys.models import Question, Survey, SurveyRecipient
from enishi.surveys.tests.helpers import add_alumni, add_question, make_survey, open_survey, standard_questions

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"manage:{name}", args=["alpha", *args])


def _questions(survey: Survey) -> list[tuple[str, int]]:
    with scopes_disabled():
        return list(Question.objects.filter(survey=survey).order_by("position").values_list("label", "position"))


def test_it_lets_each_role_do_its_part(net_a: PersonaNetwork) -> None:
    survey = make_survey(net_a)
    pages = {"list": url("surveys"), "detail": url("survey_detail", survey.pk), "new": url("survey_new"),
             "questions": url("survey_questions", survey.pk), "preview": url("survey_preview", survey.pk),
             "results": url("survey_results", survey.pk), "export": url("survey_export", survey.pk)}  # fmt: skip
    allowed = {
        "admin": set(pages),
        "editor": {"list", "detail", "new", "questions", "preview"},
        "analyst": {"list", "detail", "results", "export"},
    }
    for persona in ("admin", "editor", "analyst", "hr", "coordinator", "supporter", "alumnus1"):
        client = client_for(net_a, persona)
        for key, address in pages.items():
            status = client.get(address).status_code
            expected = {200, 302} if key in allowed.get(persona, set()) else {404}
            assert status in expected, (persona, key, status)


def test_it_creates_a_survey_with_a_clean_introduction(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "editor")
    data = {"title": "満足度調査", "description": '<p>ご協力ください</p><script>alert(1)</script>', "anonymous": "on",
            "audience": "network", "closes_at": (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "reminder_days": "3"}  # fmt: skip

    response = client.post(url("survey_new"), data)

    with scopes_disabled():
        survey = Survey.objects.get(title="満足度調査")
        assert survey.anonymous
        assert survey.status == Survey.Status.DRAFT
        assert survey.description == "<p>ご協力ください</p>"
        assert AuditEntry.objects.filter(action="survey.saved", target_id=str(survey.pk)).count() == 1
    assert response["Location"] == url("survey_questions", survey.pk)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"audience": "company"}, "company", "Choose one for this audience."),
        ({"closes_at": "2001-01-01T10:00"}, "closes_at", "Choose a closing time in the future."),
        ({"reminder_days": "99"}, "reminder_days", "Ensure this value is less than or equal to 30."),
    ],
)
def test_it_refuses_bad_settings(net_a: PersonaNetwork, change: dict, field: str, message: str) -> None:
    data = {"title": "調査", "audience": "network", "reminder_days": "3",
            "closes_at": (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"), **change}  # fmt: skip

    response = client_for(net_a, "editor").post(url("survey_new"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    with scopes_disabled():
        assert not Survey.objects.exists()


def test_it_adds_edits_reorders_and_removes_questions_while_draft(net_a: PersonaNetwork) -> None:
    survey = make_survey(net_a)
    client = client_for(net_a, "editor")
    client.post(url("survey_questions", survey.pk), {"label": "満足度", "kind": "scale", "required": "on"})
    client.post(url("survey_questions", survey.pk),
                {"label": "参加しましたか", "kind": "single", "choices_text": "はい\nいいえ\nはい\n"})  # fmt: skip
    with scopes_disabled():
        joined = Question.objects.get(label="参加しましたか")
        assert joined.choices == ["はい", "いいえ"]
    branch = {"label": "理由", "kind": "text", "show_if": joined.pk, "show_if_value": "いいえ"}
    response = client.post(url("survey_questions", survey.pk), branch)
    assert response.status_code == 302
    assert _questions(survey) == [("満足度", 0), ("参加しましたか", 1), ("理由", 2)]

    with scopes_disabled():
        why = Question.objects.get(label="理由")
        first = Question.objects.get(label="満足度")
    # "理由" cannot move above the question it depends on.
    client.post(url("survey_question_move", survey.pk, why.pk), {"direction": "up"}, follow=True)
    assert _questions(survey) == [("満足度", 0), ("参加しましたか", 1), ("理由", 2)]
    client.post(url("survey_question_move", survey.pk, first.pk), {"direction": "down"})
    assert _questions(survey) == [("参加しましたか", 0), ("満足度", 1), ("理由", 2)]
    # A question others depend on stays until they change.
    page = client.post(url("survey_question_delete", survey.pk, joined.pk), follow=True).content.decode()
    assert "Other questions depend on this one: change them first." in page
    client.post(url("survey_question", survey.pk, why.pk), {"label": "ご意見", "kind": "text"})
    client.post(url("survey_question_delete", survey.pk, joined.pk))
    assert _questions(survey) == [("満足度", 1), ("ご意見", 2)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "Q", "kind": "single", "choices_text": "一つだけ"}, "Give at least two choices, one per line."),
        ({"label": "", "kind": "text"}, "This field is required."),
        (
            {"label": "Q", "kind": "multiple", "choices_text": "\n".join(str(i) for i in range(31))},
            "At most 30 choices.",
        ),
    ],
)
def test_it_refuses_bad_questions(net_a: PersonaNetwork, data: dict, message: str) -> None:
    survey = make_survey(net_a)

    response = client_for(net_a, "editor").post(url("survey_questions", survey.pk), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _questions(survey) == []


def test_it_refuses_a_branch_on_an_answer_that_does_not_exist(net_a: PersonaNetwork) -> None:
    survey = make_survey(net_a)
    scale = add_question(survey, "scale", "満足度")

    response = client_for(net_a, "editor").post(url("survey_questions", survey.pk),
                                                {"label": "理由", "kind": "text", "show_if": scale.pk,
                                                 "show_if_value": "7"})  # fmt: skip

    assert response.status_code == 400
    assert "Write one of its answers exactly: 1, 2, 3, 4, 5" in response.content.decode()
    assert _questions(survey) == [("満足度", 0)]


def test_it_opens_fixing_the_audience_and_freezes_questions(net_a: PersonaNetwork) -> None:
    survey = make_survey(net_a, anonymous=True)
    questions = standard_questions(survey)
    client = client_for(net_a, "editor")

    response = client.post(url("survey_status", survey.pk), {"action": "open"}, follow=True)

    assert "The survey is open: 3 people are asked." in response.content.decode()
    with scopes_disabled():
        asked = set(SurveyRecipient.objects.filter(survey=survey).values_list("membership_id", flat=True))
    assert asked == {net_a.memberships[p].pk for p in ("supporter", "alumnus1", "alumnus2")}
    # A member who arrives later is not asked; questions are frozen; anonymity and audience are fixed.
    add_alumni(net_a, 1)
    before = _questions(survey)
    page = client.post(url("survey_questions", survey.pk), {"label": "追加", "kind": "text"}, follow=True)
    assert "This survey is open or closed: its questions can no longer change." in page.content.decode()
    client.post(url("survey_question_delete", survey.pk, questions["comment"].pk))
    client.post(url("survey_question_move", survey.pk, questions["comment"].pk), {"direction": "up"})
    assert _questions(survey) == before
    client.post(url("survey_edit", survey.pk), {"title": "新しい題", "anonymous": "", "audience": "company",
                                               "company": net_a.company.pk, "reminder_days": "1",
                                               "closes_at": survey.closes_at.strftime("%Y-%m-%dT%H:%M")})  # fmt: skip
    with scopes_disabled():
        survey.refresh_from_db()
        assert (survey.title, survey.anonymous, survey.audience) == ("新しい題", True, "network")
        assert SurveyRecipient.objects.filter(survey=survey).count() == 3
    page = client.post(url("survey_status", survey.pk), {"action": "open"}, follow=True).content.decode()
    assert "This survey is open or closed: its questions can no longer change." in page


def test_it_asks_a_company_or_the_attendees_of_an_event(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="別会社")
    mine = add_alumni(net_a, 2, company=other)
    survey = make_survey(net_a, audience=Survey.Audience.COMPANY, company=other)
    add_question(survey, "nps", "NPS")
    assert open_survey(net_a, survey) == 2
    with scopes_disabled():
        assert set(SurveyRecipient.objects.filter(survey=survey).values_list("company_id", flat=True)) == {other.pk}
        starts = timezone.now() - timedelta(days=1)
        event = Event.objects.create(network=net_a.network, title="交流会", status=Event.Status.PUBLISHED,
                                     starts_at=starts, ends_at=starts + timedelta(hours=2))  # fmt: skip
        Rsvp.objects.create(network=net_a.network, event=event, membership=mine[0], checked_in="venue")
        Rsvp.objects.create(network=net_a.network, event=event, membership=mine[1])  # confirmed, did not come
    after = make_survey(net_a, audience=Survey.Audience.EVENT, event=event, title="イベント参加後アンケート")
    add_question(after, "scale", "満足度")
    assert open_survey(net_a, after) == 1
    with scopes_disabled():
        assert list(SurveyRecipient.objects.filter(survey=after).values_list("membership_id", flat=True)) == [
            mine[0].pk
        ]


def test_it_reminds_by_hand_only_those_who_have_not_answered(net_a: PersonaNetwork) -> None:
    survey = make_survey(net_a)
    q = standard_questions(survey)
    open_survey(net_a, survey)
    with scope(network=net_a.network):
        services.submit_response(survey, net_a.memberships["alumnus1"], {q["nps"].pk: ["9"], q["join"].pk: ["はい"]})
    client = client_for(net_a, "editor")

    page = client.post(url("survey_status", survey.pk), {"action": "remind"}, follow=True).content.decode()
    again = client.post(url("survey_status", survey.pk), {"action": "remind"}, follow=True).content.decode()

    assert "Reminders sent: 2." in page
    assert "Reminders sent: 0." in again  # not twice within a day
    with scopes_disabled():
        reminded = set(Notification.objects.filter(kind="survey_reminder").values_list("recipient_id", flat=True))
    assert reminded == {net_a.memberships["supporter"].pk, net_a.memberships["alumnus2"].pk}


def test_it_reminds_automatically_once_and_closes_on_time(net_a: PersonaNetwork) -> None:
    assert services.survey_maintenance in MAINTENANCE_JOBS
    now = timezone.now()
    survey = make_survey(net_a, closes_at=now + timedelta(days=10), reminder_days=3)
    add_question(survey, "nps", "NPS")
    open_survey(net_a, survey)

    assert services.survey_maintenance(now) == 0  # not yet due
    assert services.survey_maintenance(now + timedelta(days=8)) == 1
    assert services.survey_maintenance(now + timedelta(days=8, hours=1)) == 0  # idempotent
    with scopes_disabled():
        assert Notification.objects.filter(kind="survey_reminder").count() == 3
    assert services.survey_maintenance(now + timedelta(days=11)) == 1
    with scopes_disabled():
        survey.refresh_from_db()
        assert survey.status == Survey.Status.CLOSED
        assert AuditEntry.objects.filter(action="survey.closed", actor__isnull=True).count() == 1
        assert Notification.objects.filter(kind="survey_reminder").count() == 3


def test_it_previews_the_answer_page_without_a_send_button(net_a: PersonaNetwork) -> None:
    survey = make_survey(net_a)
    standard_questions(survey)

    page = client_for(net_a, "editor").get(url("survey_preview", survey.pk)).content.decode()

    assert "Preview: this is the page alumni see. Nothing can be sent from here." in page
    assert "友人に勧めますか" in page
    assert "Send my answers" not in page


def test_it_closes_by_hand_and_refuses_closing_twice(net_a: PersonaNetwork) -> None:
    survey = make_survey(net_a)
    add_question(survey, "nps", "NPS")
    open_survey(net_a, survey)
    client = client_for(net_a, "admin")

    assert "The survey is closed." in client.post(url("survey_status", survey.pk), {"action": "close"},
                                                  follow=True).content.decode()  # fmt: skip
    assert "Only an open survey can be closed." in client.post(url("survey_status", survey.pk), {"action": "close"},
                                                               follow=True).content.decode()  # fmt: skip
    assert client.post(url("survey_status", survey.pk), {"action": "explode"}).status_code == 404


def test_it_asks_the_people_a_saved_segment_finds_when_it_opens(net_a: PersonaNetwork, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from enishi.profiles.models import SavedSegment

    with scopes_disabled():
        segment = SavedSegment.objects.create(network=net_a.network, name="佐藤さん", query={"q": ["佐藤"]})
    found = [net_a.memberships["alumnus1"].pk, net_a.memberships["editor"].pk]  # staff are never asked
    monkeypatch.setattr(services, "segment_member_ids", lambda chosen: found if chosen == segment else [])
    survey = make_survey(net_a, audience=Survey.Audience.SEGMENT, segment=segment)
    add_question(survey, "nps", "NPS")

    assert open_survey(net_a, survey) == 1
    with scopes_disabled():
        assert list(SurveyRecipient.objects.filter(survey=survey).values_list("membership_id", flat=True)) == [
            net_a.memberships["alumnus1"].pk
        ]
