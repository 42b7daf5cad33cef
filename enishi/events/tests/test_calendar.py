"""Calendars: one event's .ics, and the member's secret feed (confirmed and waitlisted events, the
online link only for a confirmed seat, a new address revokes the old one)."""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.events import calendar, services
from enishi.events.models import CalendarFeed, Event
from enishi.events.tests.alumni_helpers import ONLINE_URL, make_event, register, text_of, url
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db

HOST = urlsplit(settings.SITE_URL).hostname


def parsed(body: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def feed_token(net: PersonaNetwork, persona: str) -> str:
    with scope(network=net.network):
        return calendar.feed_of(net.memberships[persona]).token


def test_the_ics_of_one_event(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, format=Event.Format.HYBRID, online_url=ONLINE_URL)
    register(net_a, event, "alumnus1")

    response = client_for(net_a, "alumnus1").get(url("event_ics", net_a, event.pk))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-{event.pk}.ics"'
    (component,) = parsed(response.content)
    assert str(component["uid"]) == f"event-{event.pk}@{HOST}"
    assert component["sequence"] == 0
    assert str(component["status"]) == "CONFIRMED"
    assert component.decoded("dtstart") == event.starts_at
    assert "DTSTART:" + event.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") in text_of(response)
    assert str(component["location"]) == "本社 20階 カフェテリア 東京都千代田区丸の内1-1-1"
    assert str(component["url"]).endswith(url("event_detail", net_a, event.pk))
    assert ONLINE_URL in str(component["description"])


def test_a_cancelled_and_changed_event_carries_its_status_and_sequence(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    register(net_a, event, "alumnus1")
    with scope(network=net_a.network):
        event.venue_name = "別館 3階"
        services.save_event(event, net_a.editor, ["venue_name"])
        services.cancel_event(event, net_a.editor, "台風のため")

    (component,) = parsed(client_for(net_a, "alumnus1").get(url("event_ics", net_a, event.pk)).content)

    assert str(component["status"]) == "CANCELLED"
    assert component["sequence"] == 2
    assert str(component["uid"]) == f"event-{event.pk}@{HOST}"


def test_the_ics_hides_the_link_from_the_waitlist_and_strangers(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, format=Event.Format.ONLINE, online_url=ONLINE_URL, venue_name="", capacity=1)
    register(net_a, event, "alumnus1")
    register(net_a, event, "alumnus2")
    for persona in ("alumnus2", "supporter"):
        response = client_for(net_a, persona).get(url("event_ics", net_a, event.pk))
        assert response.status_code == 200
        assert ONLINE_URL not in text_of(response), persona
        (component,) = parsed(response.content)
        assert str(component["location"]) == "Online"


def test_the_settings_page_makes_the_feed_once_and_shows_its_secret_address(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")
    first = client.get(url("event_calendar", net_a)).content.decode()
    second = client.get(url("event_calendar", net_a)).content.decode()

    with scopes_disabled():
        feed = CalendarFeed.objects.get(membership=net_a.memberships["alumnus1"])
        assert CalendarFeed.objects.count() == 1
    address = settings.SITE_URL + url("event_calendar_feed", net_a, feed.token)
    assert address in first
    assert address in second
    assert "webcal://" + settings.SITE_URL.split("://")[1] + url("event_calendar_feed", net_a, feed.token) in first


def test_the_feed_serves_my_confirmed_and_waitlisted_events_without_login(net_a: PersonaNetwork) -> None:
    confirmed = make_event(net_a, title="確定の会", format=Event.Format.HYBRID, online_url=ONLINE_URL, capacity=1)
    waiting = make_event(
        net_a, title="待ちの会", format=Event.Format.ONLINE, online_url=ONLINE_URL + "-2", venue_name="", capacity=1
    )
    cancelled_by_me = make_event(net_a, title="やめた会")
    not_mine = make_event(net_a, title="知らない会")
    long_ago = timezone.now() - timedelta(days=120)
    old = make_event(net_a, title="昔の会", starts_at=long_ago, ends_at=long_ago + timedelta(hours=2))
    recent_start = timezone.now() - timedelta(days=20)
    recent = make_event(net_a, title="最近の会", starts_at=recent_start, ends_at=recent_start + timedelta(hours=2))
    register(net_a, confirmed, "alumnus1")
    register(net_a, waiting, "alumnus2")
    register(net_a, waiting, "alumnus1")
    answer = register(net_a, cancelled_by_me, "alumnus1")
    with scope(network=net_a.network):
        services.cancel_rsvp(answer)
    with scopes_disabled():
        from enishi.events.models import Rsvp

        for past in (old, recent):
            Rsvp.objects.create(network=net_a.network, event=past, membership=net_a.memberships["alumnus1"])
    assert not_mine.pk

    response = Client().get(url("event_calendar_feed", net_a, feed_token(net_a, "alumnus1")))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    components = {str(component["uid"]): component for component in parsed(response.content)}
    assert set(components) == {f"event-{e.pk}@{HOST}" for e in (confirmed, waiting, recent)}
    text = text_of(response)
    assert ONLINE_URL + "\\n" in text or ONLINE_URL + "\r\n" in text  # the confirmed event's link
    assert ONLINE_URL + "-2" not in text  # the waitlisted one's never
    waiting_component = components[f"event-{waiting.pk}@{HOST}"]
    assert str(waiting_component["status"]) == "TENTATIVE"
    assert "待ちの会" in str(waiting_component["summary"])
    with scopes_disabled():
        assert CalendarFeed.objects.get(membership=net_a.memberships["alumnus1"]).last_fetched_at is not None


def test_a_new_address_revokes_the_old_one(net_a: PersonaNetwork) -> None:
    old = feed_token(net_a, "alumnus1")
    client = client_for(net_a, "alumnus1")

    response = client.post(url("event_calendar", net_a), follow=True)

    new = feed_token(net_a, "alumnus1")
    assert new != old
    assert "Your calendar has a new address. The old one no longer works." in response.content.decode()
    assert Client().get(url("event_calendar_feed", net_a, old)).status_code == 404
    assert Client().get(url("event_calendar_feed", net_a, new)).status_code == 200


def test_unknown_other_network_and_departed_members_tokens_are_404(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    theirs = feed_token(net_b, "alumnus1")
    mine = feed_token(net_a, "alumnus2")

    assert Client().get(url("event_calendar_feed", net_a, "not-a-token")).status_code == 404
    assert Client().get(url("event_calendar_feed", net_a, theirs)).status_code == 404
    assert Client().get(url("event_calendar_feed", net_b, theirs)).status_code == 200
    with scopes_disabled():
        Membership.objects.filter(pk=net_a.memberships["alumnus2"].pk).update(state=MembershipState.LEFT)
    assert Client().get(url("event_calendar_feed", net_a, mine)).status_code == 404


def test_the_feed_speaks_the_members_language(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, capacity=1)
    register(net_a, event, "alumnus2")
    register(net_a, event, "alumnus1")
    user = net_a.users["alumnus1"]
    user.language = "en"
    user.save(update_fields=["language"])

    (component,) = parsed(Client().get(url("event_calendar_feed", net_a, feed_token(net_a, "alumnus1"))).content)

    assert str(component["summary"]) == f"(Waitlist) {event.title}"
