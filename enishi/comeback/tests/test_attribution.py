"""Interests and applications by an event's checked-in attendees count as what the event brought."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.comeback import services
from enishi.comeback.attribution import opportunity_actions
from enishi.comeback.models import Interest
from enishi.comeback.tests.helpers import make_opportunity, membership
from enishi.events.attribution import ATTRIBUTION_SOURCES
from enishi.events.models import Event, Rsvp

pytestmark = pytest.mark.django_db


def test_actions_of_attendees_within_the_window_are_counted(net_a: PersonaNetwork) -> None:
    assert opportunity_actions in ATTRIBUTION_SOURCES
    ended = timezone.now() - timedelta(days=3)
    with scopes_disabled():
        event = Event.objects.create(network=net_a.network, title="交流会", status=Event.Status.PUBLISHED,
                                     starts_at=ended - timedelta(hours=2), ends_at=ended)  # fmt: skip
        Rsvp.objects.create(network=net_a.network, event=event, membership=membership(net_a, "alumnus1"),
                            checked_in=Rsvp.CheckIn.VENUE)  # fmt: skip
        Rsvp.objects.create(network=net_a.network, event=event, membership=membership(net_a, "alumnus2"))
        first, second = make_opportunity(net_a), make_opportunity(net_a, title="副業")
        services.express_interest(first, membership(net_a, "alumnus1"))
        services.apply(second, membership(net_a, "alumnus1"), {}, None)
        services.express_interest(first, membership(net_a, "alumnus2"))  # did not come: not counted
        assert opportunity_actions([event.pk], 30) == {event.pk: 2}
        Interest.objects.filter(membership=membership(net_a, "alumnus1")).update(
            created_at=ended - timedelta(days=1)
        )  # before the event: not counted
        assert opportunity_actions([event.pk], 30) == {event.pk: 1}
        assert opportunity_actions([event.pk], 0) == {}
