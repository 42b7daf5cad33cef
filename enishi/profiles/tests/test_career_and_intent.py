from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.profiles.models import CareerEntry, FieldGroup, Intent, Profile
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def entries(net: PersonaNetwork, persona: str = "alumnus1") -> list[tuple[str, date | None, date | None]]:
    with scopes_disabled():
        rows = CareerEntry.objects.filter(profile__membership=net.memberships[persona]).order_by("pk")
        return [(row.organisation, row.started_on, row.ended_on) for row in rows]


def test_it_adds_edits_and_deletes_a_career_entry(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")
    new = reverse("network:career_new", args=["alpha"])

    response = client.post(new, {"organisation": "北斗物流", "role_title": "物流企画", "started_on": "2020-04",
                                 "ended_on": "", "description": "倉庫の自動化"})  # fmt: skip

    assert response.status_code == 302
    assert entries(net_a) == [("北斗物流", date(2020, 4, 1), None)]
    with scopes_disabled():
        entry = CareerEntry.objects.get()
    edit = reverse("network:career_edit", args=["alpha", entry.pk])
    client.post(edit, {"organisation": "北斗物流株式会社", "started_on": "2020-04", "ended_on": "2023-03"})
    assert entries(net_a) == [("北斗物流株式会社", date(2020, 4, 1), date(2023, 3, 1))]

    response = client.post(reverse("network:career_delete", args=["alpha", entry.pk]))

    assert response.status_code == 302
    assert entries(net_a) == []


@pytest.mark.parametrize(
    ("started", "ended", "message"),
    [
        ("2022-04", "2021-03", "The end comes before the start."),
        ("2999-01", "", "The start cannot be in the future."),
        ("1900-01", "", "Enter a year after 1940."),
        ("not a date", "", "Enter a valid date."),
    ],
)
def test_it_refuses_impossible_dates_and_keeps_the_entry_typed(
    net_a: PersonaNetwork, started: str, ended: str, message: str
) -> None:
    response = client_for(net_a, "alumnus1").post(
        reverse("network:career_new", args=["alpha"]),
        {"organisation": "KEEP-THIS-ORG", "started_on": started, "ended_on": ended},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "KEEP-THIS-ORG" in response.content.decode()
    assert entries(net_a) == []


def test_it_refuses_another_members_career_entry(net_a: PersonaNetwork) -> None:
    client_for(net_a, "alumnus2").post(
        reverse("network:career_new", args=["alpha"]), {"organisation": "二葉の会社", "started_on": "2019-01"}
    )
    with scopes_disabled():
        theirs = CareerEntry.objects.get()
    client = client_for(net_a, "alumnus1")

    assert client.get(reverse("network:career_edit", args=["alpha", theirs.pk])).status_code == 404
    edit = reverse("network:career_edit", args=["alpha", theirs.pk])
    assert client.post(edit, {"organisation": "x"}).status_code == 404
    assert client.post(reverse("network:career_delete", args=["alpha", theirs.pk])).status_code == 404
    assert entries(net_a, "alumnus2") == [("二葉の会社", date(2019, 1, 1), None)]


def test_it_saves_not_now_with_a_date_to_ask_again(net_a: PersonaNetwork) -> None:
    ask_again = date.today() + timedelta(days=200)

    response = client_for(net_a, "alumnus1").post(
        reverse("network:intent_edit", args=["alpha"]),
        {"not_now": "on", "not_now_reason": "childcare", "ask_again_on": ask_again.isoformat(),
         "return_modes": ["side_job"], "visibility_intent": "me"},
    )  # fmt: skip

    assert response.status_code == 302
    with scopes_disabled():
        intent = Intent.objects.select_related("profile").get()
    assert (intent.not_now, intent.not_now_reason, intent.ask_again_on) == (True, "childcare", ask_again)
    assert intent.return_modes == ["side_job"]
    assert intent.profile.visibility_of(FieldGroup.INTENT) == "me"
    assert intent.profile.confirmed_at is not None


def test_it_forgets_the_reason_when_not_now_is_unticked(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")
    url = reverse("network:intent_edit", args=["alpha"])
    client.post(url, {"not_now": "on", "not_now_reason": "caregiving", "visibility_intent": "staff"})

    client.post(url, {"not_now_reason": "caregiving", "return_modes": ["full_time", "project"],
                      "earliest": "six_months", "open_to_mentor": "on", "visibility_intent": "staff"})  # fmt: skip

    with scopes_disabled():
        intent = Intent.objects.get()
    assert (intent.not_now, intent.not_now_reason, intent.earliest, intent.open_to_mentor) == (
        False, "", "six_months", True,
    )  # fmt: skip
    assert intent.return_modes == ["full_time", "project"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ask_again_on", "2001-01-01", "Choose a date in the future, within ten years."),
        ("return_modes", "astronaut", "Select a valid choice"),
        ("hours", "h" * 500, "at most 120 characters"),
    ],
)
def test_it_refuses_a_bad_intent_and_changes_nothing(
    net_a: PersonaNetwork, field: str, value: str, message: str
) -> None:
    response = client_for(net_a, "alumnus1").post(
        reverse("network:intent_edit", args=["alpha"]),
        {"collaboration_offer": "KEEP-THIS-OFFER", "visibility_intent": "staff", field: value},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "KEEP-THIS-OFFER" in response.content.decode()
    with scopes_disabled():
        assert (Intent.objects.count(), Profile.objects.count()) == (0, 0)
