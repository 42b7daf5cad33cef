"""The demo's events: past ones with attendance, upcoming ones with RSVPs and a waitlist, an alumnus's
proposal, a cancellation; and a reset that removes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from enishi.demo.services import reset_demo
from enishi.events import services
from enishi.events.attribution import attribution_for
from enishi.events.models import Event, EventPhoto, Rsvp
from enishi.intake.models import JoinChannel
from enishi.networks.models import Membership, Network
from enishi.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


def test_it_fills_events_that_look_alive() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    network = Network.objects.get(slug="demo")
    with scope(network=network):
        events = Event.objects.filter(network=network)
        published = events.filter(status=Event.Status.PUBLISHED)
        past = [event for event in published if event.is_past]
        upcoming = [event for event in published if not event.is_past]
        assert len(past) == 3
        assert len(upcoming) == 4
        assert {event.format for event in upcoming} == {"offline", "online", "hybrid"}
        assert events.filter(status=Event.Status.PROPOSED, host__user__email="alumni3@demo.example").count() == 1
        assert events.filter(status=Event.Status.CANCELLED).exclude(cancel_reason="").count() == 1
        # Every published event has its join link; the gathering brought registrations.
        linked = JoinChannel.objects.filter(network=network, kind=JoinChannel.Kind.EVENT, event__isnull=False)
        assert linked.count() == events.exclude(status=Event.Status.PROPOSED).count() == 8
        gathering = events.get(title__startswith="縁グループ OB・OG交流会")  # the intake demo's event link
        approved = gathering.join_channel.registrations.filter(status="approved").count()  # type: ignore[union-attr]
        assert approved > 0
        assert attribution_for([gathering])[gathering.pk].registrations == approved
        # Attendance of past events, photos, thank-yous.
        for event in past:
            assert event.thanked_at is not None
            assert Rsvp.objects.filter(event=event).exclude(checked_in="").count() > 10
        assert EventPhoto.objects.filter(network=network).count() == 4
        latest = max(past, key=lambda event: event.starts_at)
        thanked = Notification.objects.filter(network=network, kind="event_thanks")
        assert thanked.count() == Rsvp.objects.filter(event=latest).exclude(checked_in="").count()
        # Capacity holds everywhere; the year-end party is full with a waitlist.
        counts = services.counts_for(published)
        for event in published:
            assert event.capacity is None or counts[event.pk].confirmed <= event.capacity
        full = events.get(title="年末アルムナイ忘年会")
        assert counts[full.pk].confirmed == 40
        assert counts[full.pk].waitlisted == 7
        # The demo alumni: alumni1 holds seats (a ticket), alumni2 waits for the full one.
        alumni1 = Membership.objects.get(network=network, user__email="alumni1@demo.example")
        alumni2 = Membership.objects.get(network=network, user__email="alumni2@demo.example")
        ahead = Rsvp.objects.filter(membership=alumni1, status=Rsvp.Status.CONFIRMED, event__in=upcoming)
        assert ahead.count() == 2
        assert [answer.event for answer in services.attended_events(alumni1)] == [gathering]  # their history
        assert services.rsvp_of(full, alumni2).status == Rsvp.Status.WAITLISTED  # type: ignore[union-attr]
        # Staff were told of the alumnus's proposal.
        assert Notification.objects.filter(network=network, kind="event_proposed").exists()


def test_the_reset_removes_the_events() -> None:
    call_command("seed_demo", "--alumni", "100", verbosity=0)
    reset_demo()
    with scopes_disabled():
        assert Event.objects.count() == 0
        assert Rsvp.objects.count() == 0
        assert Network.objects.filter(slug__in=("demo", "other")).count() == 0
