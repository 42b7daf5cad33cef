"""The adversary's test (issue 8, "Must hold"): try to tie an anonymous answer to a person through every
staff page, export, the audit log, ids and their order, and timestamps. Nothing may tie them."""

from __future__ import annotations

import io
import uuid

import pytest
from django.db import models
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from conftest import PersonaNetwork
from enishi.notifications.models import Notification
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for
from enishi.surveys.models import Answer, Response, SurveyRecipient
from enishi.surveys.tests.conftest import build_answered

pytestmark = pytest.mark.django_db


def datetime_fields(model: type[models.Model]) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if isinstance(field, models.DateField)]


def test_it_stores_nothing_that_names_the_person_or_the_time(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        audit_before = AuditEntry.objects.count()
        notifications_before = Notification.objects.count()
    data = build_answered(net_a, anonymous=True, big=6, small=5, closed=False)
    people = data.big + data.small

    with scopes_disabled():
        responses = list(Response.objects.filter(survey=data.survey))
        assert len(responses) == 11
        assert {(r.membership_id, r.submitted_at) for r in responses} == {(None, None)}
        assert all(isinstance(r.pk, uuid.UUID) for r in responses)
        assert all(isinstance(pk, uuid.UUID) for pk in Answer.objects.values_list("pk", flat=True))
        # The only times the answer tables could hold: none on answers, and the named-only one on responses.
        assert datetime_fields(Answer) == []
        assert datetime_fields(Response) == ["submitted_at"]
        assert datetime_fields(SurveyRecipient) == ["reminded_at"]
        rows = SurveyRecipient.objects.filter(survey=data.survey, membership__in=people)
        assert set(rows.values_list("answered", "reminded_at")) == {(True, None)}
        # Answering wrote no audit entry and no notification: only the opening did (one entry, counts).
        opened = AuditEntry.objects.filter(network=net_a.network).exclude(pk__lte=audit_before)
        assert [(e.action, e.data) for e in opened] == [("survey.opened", {"recipients": 14})]
        assert not AuditEntry.objects.filter(actor__in=[p.user for p in people]).exists()
        assert Notification.objects.filter(kind="survey_open").count() + notifications_before == (
            Notification.objects.count()
        )


def test_no_staff_page_export_or_log_pairs_an_answer_with_a_person(net_a: PersonaNetwork) -> None:
    data = build_answered(net_a, anonymous=True, big=6, small=5)
    people = data.big + data.small
    with scopes_disabled():
        identities = [(p.user.full_name, p.user.email, p.user.given_name) for p in people]
    secrets = [f"COMMENT-{given}" for _name, _email, given in identities] + [
        f"WHY-{p.user.given_name}" for p in data.small
    ]
    slug, pk = "alpha", data.survey.pk
    results = reverse("manage:survey_results", args=[slug, pk])
    export = reverse("manage:survey_export", args=[slug, pk])
    addresses = [reverse("manage:surveys", args=[slug]), reverse("manage:survey_detail", args=[slug, pk]), results]
    for dimension in ("company", "leave_year", "source"):
        addresses.append(f"{results}?by={dimension}")
    for key in ("", str(net_a.company.pk), str(data.other.pk), "2015", "2020", "page", "secretariat"):
        for dimension in ("company", "leave_year", "source"):
            addresses.append(f"{results}?by={dimension}&group={key}")
    addresses += [f"{export}?format=csv", f"{export}?format=csv-sjis", f"{export}?format=xlsx"]
    addresses += [reverse("manage:members", args=[slug])]
    addresses += [reverse("manage:member_detail", args=[slug, p.pk]) for p in people]
    addresses += [reverse("manage:audit", args=[slug])]  # last: it holds every view above

    seen_secrets = 0
    for persona in ("admin", "analyst", "editor"):
        client = client_for(net_a, persona)
        for address in addresses:
            response = client.get(address, follow=True)
            if response.status_code == 404:
                continue
            text = _text(response)
            shown = [secret for secret in secrets if secret in text]
            named = [identity for identity in identities if identity[0] in text or identity[1] in text]
            seen_secrets += len(shown)
            assert not (shown and named), (persona, address, shown[:2], named[:2])
    assert seen_secrets > 0  # the sweep really reached the answers


def _text(response) -> str:  # type: ignore[no-untyped-def]
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(cell.value) for row in book.active.iter_rows() for cell in row)
    if "shift_jis" in response.get("Content-Type", ""):
        return response.content.decode("cp932")
    return response.content.decode("utf-8-sig")


def test_the_order_of_free_text_answers_is_not_the_order_they_came_in(net_a: PersonaNetwork) -> None:
    data = build_answered(net_a, anonymous=True, big=11, small=0)
    arrival = [f"COMMENT-big{i}" for i in range(11)]

    page = client_for(net_a, "analyst").get(reverse("manage:survey_results", args=["alpha", data.survey.pk]))
    text = page.content.decode()
    shown = sorted(arrival, key=lambda value: text.index(value + "</li>"))

    with scopes_disabled():
        by_random_id = list(
            Answer.objects.filter(question=data.questions["comment"]).order_by("pk").values_list("value", flat=True)
        )
    assert shown == by_random_id  # ordered by the random ids only
    assert shown != arrival


def test_the_request_log_does_not_name_who_sent_an_anonymous_answer(
    net_a: PersonaNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    from enishi.surveys.tests.helpers import make_survey, open_survey, standard_questions

    survey = make_survey(net_a, anonymous=True)
    q = standard_questions(survey)
    open_survey(net_a, survey)
    client = client_for(net_a, "alumnus1")
    address = reverse("network:survey_answer", args=["alpha", survey.pk])
    with caplog.at_level("INFO", logger="enishi.request"):
        client.get(address)
        client.post(address, {f"q{q['nps'].pk}": "7", f"q{q['join'].pk}": "はい"})

    lines = [(r.method, r.user_id) for r in caplog.records if r.name == "enishi.request"]  # type: ignore[attr-defined]
    assert lines == [("GET", net_a.alumnus1.pk), ("POST", None)]
