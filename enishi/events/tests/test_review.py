"""Defects found in the review of events (issue 6): each test failed before its fix."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.events import services
from enishi.events.models import Event, Rsvp
from enishi.events.tests.alumni_helpers import ONLINE_URL, answer_of, make_event, notices, register, text_of, url
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_staff_outside_the_events_console_see_the_online_link_only_with_a_seat(net_a: PersonaNetwork) -> None:
    # The coordinator is a third party, not the employer: without a seat, no link (nor HR, nor the analyst).
    event = make_event(net_a, format=Event.Format.HYBRID, online_url=ONLINE_URL)
    for persona in ("coordinator", "hr", "analyst"):
        response = client_for(net_a, persona).get(url("event_detail", net_a, event.pk))
        ics = client_for(net_a, persona).get(url("event_ics", net_a, event.pk))
        assert response.status_code == 200, persona
        assert ONLINE_URL not in response.content.decode(), persona
        assert ONLINE_URL not in text_of(ics), persona
    # Those who run events (and see the link in the console anyway) still see it.
    for persona in ("admin", "editor"):
        assert ONLINE_URL in client_for(net_a, persona).get(url("event_detail", net_a, event.pk)).content.decode()
    # A member of staff who takes a seat (current employees may attend) gets it like anyone confirmed.
    register(net_a, event, "hr")
    assert ONLINE_URL in client_for(net_a, "hr").get(url("event_detail", net_a, event.pk)).content.decode()


def test_cancelling_a_seat_of_a_cancelled_event_promotes_nobody(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, capacity=1)
    register(net_a, event, "alumnus1")
    register(net_a, event, "alumnus2")  # waitlisted
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)

    response = client_for(net_a, "alumnus1").post(url("event_cancel_rsvp", net_a, event.pk))

    assert response.status_code == 302
    waiting = answer_of(net_a, event, "alumnus2")
    assert waiting is not None
    assert waiting.status == Rsvp.Status.WAITLISTED
    assert notices(net_a, "alumnus2", "event_promoted") == []


def test_attendees_who_left_or_are_suspended_are_not_shown_to_the_others(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    register(net_a, event, "alumnus1", share_with_attendees=True)
    register(net_a, event, "alumnus2", share_with_attendees=True)
    register(net_a, event, "supporter", share_with_attendees=True)
    with scopes_disabled():
        Membership.objects.filter(pk=net_a.memberships["alumnus2"].pk).update(state=MembershipState.LEFT)
        Membership.objects.filter(pk=net_a.memberships["supporter"].pk).update(state=MembershipState.SUSPENDED)

    with scope(network=net_a.network):
        shown = {row.membership_id for row in services.attendees_shown_to(event, net_a.memberships["alumnus1"])}
    html = client_for(net_a, "alumnus1").get(url("event_attendees", net_a, event.pk)).content.decode()

    assert shown == {net_a.memberships["alumnus1"].pk}
    assert net_a.alumnus2.full_name not in html


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "9999-12"])
def test_a_month_out_of_range_in_the_filter_is_refused_not_a_crash(net_a: PersonaNetwork, month: str) -> None:
    make_event(net_a, title="来週の交流会")

    response = client_for(net_a, "alumnus1").get(url("events", net_a) + f"?month={month}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a month, e.g. 2026-12." in html
    assert "来週の交流会" in html  # invalid filters: every event, as for any other bad value


def test_a_malformed_link_scanned_at_the_door_is_an_unknown_code_not_a_crash(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    answer = register(net_a, event, "alumnus1")
    path = reverse("manage:event_check_in_scan", args=[net_a.network.slug, event.pk])

    response = client_for(net_a, "editor").post(
        path, {"token": f"https://[oops/check-in/t/{answer.check_in_token}/"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Unknown code: not a ticket of this event" in response.content.decode()
    checked = answer_of(net_a, event, "alumnus1")
    assert checked is not None
    assert checked.checked_in == ""
