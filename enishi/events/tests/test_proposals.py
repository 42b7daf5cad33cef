"""Events proposed by alumni and supporters: the proposal waits for the secretariat, who are told;
the host edits it while it waits, reads the reason of a refusal, and sees their attendees."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.events import services
from enishi.events.models import Event
from enishi.events.tests.alumni_helpers import make_event, notices, url
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def proposal(**fields: Any) -> dict[str, Any]:
    starts = timezone.now() + timedelta(days=20)
    return {
        "title": "元営業部の勉強会",
        "description": "営業の今を語り合います。\n\n資料: https://example.com/slides",
        "format": "offline",
        "venue_name": "渋谷のレンタルスペース",
        "venue_address": "東京都渋谷区道玄坂1-2-3",
        "online_url": "",
        "starts_at": local(starts),
        "ends_at": local(starts + timedelta(hours=2)),
        "capacity": "20",
        "max_plus_ones": "1",
        "registration_deadline": "",
        **fields,
    }


def events_of(net: PersonaNetwork) -> list[Event]:
    with scopes_disabled():
        return list(Event.objects.filter(network=net.network))


def test_an_alumnus_proposes_and_the_secretariat_is_told(net_a: PersonaNetwork) -> None:
    response = client_for(net_a, "alumnus1").post(url("event_propose", net_a), proposal(), follow=True)

    (event,) = events_of(net_a)
    assert response.redirect_chain[-1][0] == url("event_proposal", net_a, event.pk)
    assert "Thank you. The secretariat will look at your proposal and tell you." in response.content.decode()
    assert (event.status, event.host_id, event.capacity, event.max_plus_ones) == (
        Event.Status.PROPOSED,
        net_a.memberships["alumnus1"].pk,
        20,
        1,
    )
    assert event.description == (
        '<p>営業の今を語り合います。</p>\n<p>資料: <a href="https://example.com/slides" '
        'rel="noopener noreferrer nofollow ugc">https://example.com/slides</a></p>'
    )
    for persona in ("admin", "editor"):
        (notice,) = notices(net_a, persona, "event_proposed")
        assert notice.url == reverse("manage:event_edit", args=["alpha", event.pk])
    assert notices(net_a, "hr", "event_proposed") == []
    # Not published: the others do not see it.
    assert "元営業部の勉強会" not in client_for(net_a, "alumnus2").get(url("events", net_a)).content.decode()
    assert client_for(net_a, "alumnus2").get(url("event_detail", net_a, event.pk)).status_code == 404


def test_hostile_html_in_a_description_is_made_harmless(net_a: PersonaNetwork) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="steal()"><a href="javascript:alert(2)">x</a>'
    client_for(net_a, "supporter").post(url("event_propose", net_a), proposal(description=hostile))

    (event,) = events_of(net_a)
    assert set(re.findall(r"<(\w+)", event.description)) == {"p"}  # no tag of the input survives
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in event.description  # shown as the text that was typed
    html = client_for(net_a, "supporter").get(url("event_proposal", net_a, event.pk)).content.decode()
    assert "<script>alert(1)" not in html
    assert 'onerror="steal()"' not in html


def test_staff_cannot_propose_here(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "editor")
    assert client.get(url("event_propose", net_a)).status_code == 404
    assert client.post(url("event_propose", net_a), proposal()).status_code == 404
    assert events_of(net_a) == []


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"ends_at": "starts"}, "The event must end after it starts."),
        ({"starts_at": "past"}, "The event must start in the future."),
        ({"venue_name": ""}, "Say where the event takes place."),
        ({"registration_deadline": "after"}, "Registration must close before the event starts."),
        ({"online_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"capacity": "0"}, "Leave it empty for no limit, or give at least one seat."),
    ],
)
def test_a_bad_proposal_is_refused_with_a_message_and_nothing_saved(
    net_a: PersonaNetwork, change: dict[str, str], field_error: str
) -> None:
    data = proposal()
    for key, value in change.items():
        if value == "starts":
            value = data["starts_at"]
        elif value == "past":
            value = local(timezone.now() - timedelta(days=1))
        elif value == "after":
            value = data["ends_at"]
        data[key] = value

    response = client_for(net_a, "alumnus1").post(url("event_propose", net_a), data)

    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert "渋谷のレンタルスペース" in response.content.decode() or data["venue_name"] == ""
    assert events_of(net_a) == []


def test_the_host_edits_the_proposal_while_it_waits(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")
    client.post(url("event_propose", net_a), proposal())
    (event,) = events_of(net_a)

    form = client.get(url("event_proposal", net_a, event.pk)).content.decode()
    assert "営業の今を語り合います。\n\n資料: https://example.com/slides</textarea>" in form  # back as plain text
    response = client.post(
        url("event_proposal", net_a, event.pk), proposal(title="元営業部の勉強会（第2回）"), follow=True
    )

    assert "Your proposal is updated." in response.content.decode()
    (event,) = events_of(net_a)
    assert (event.title, event.status) == ("元営業部の勉強会（第2回）", Event.Status.PROPOSED)
    assert event.description.count("<p>") == 2  # unchanged by the round trip
    assert client_for(net_a, "alumnus2").get(url("event_proposal", net_a, event.pk)).status_code == 404
    assert client_for(net_a, "editor").get(url("event_proposal", net_a, event.pk)).status_code == 404


def test_a_declined_proposal_shows_the_reason_and_cannot_be_changed(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")
    client.post(url("event_propose", net_a), proposal())
    (event,) = events_of(net_a)
    with scope(network=net_a.network):
        services.decline(event, net_a.editor, "同じ週に全社イベントがあるため、日程を変えてご提案ください。")

    html = client.get(url("event_proposal", net_a, event.pk)).content.decode()
    refused = client.post(url("event_proposal", net_a, event.pk), proposal(title="変えたい"), follow=True)

    assert "同じ週に全社イベントがあるため、日程を変えてご提案ください。" in html
    assert 'name="title"' not in html
    assert "This proposal can no longer be changed." in refused.content.decode()
    (event,) = events_of(net_a)
    assert event.title == "元営業部の勉強会"
    (notice,) = notices(net_a, "alumnus1", "event_declined")
    assert notice.url == url("event_proposal", net_a, event.pk)


def test_once_approved_the_host_finds_the_event_and_their_attendees(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, status=Event.Status.PROPOSED, host=net_a.memberships["supporter"])
    with scope(network=net_a.network):
        services.approve(event, net_a.editor)
        services.rsvp(event, net_a.memberships["alumnus1"])

    html = client_for(net_a, "supporter").get(url("event_proposal", net_a, event.pk)).content.decode()
    mine = client_for(net_a, "supporter").get(url("events", net_a) + "?when=mine").content.decode()

    assert url("event_detail", net_a, event.pk) in html
    assert url("event_hosted_attendees", net_a, event.pk) in html
    assert "Attendees (1 coming, 0 waiting)" in html
    assert url("event_proposal", net_a, event.pk) in mine
    assert len(notices(net_a, "supporter", "event_approved")) == 1
