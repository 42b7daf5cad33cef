"""What an event brought: approved registrations through its join link, and opportunity actions from
the sources issue 7 registers (a fake one here)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.events import attribution, services
from enishi.events.attribution import Attribution, attribution_for, register_source
from enishi.events.models import Event
from enishi.intake.models import JoinChannel, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attribution, "ATTRIBUTION_SOURCES", [])


def published(net: PersonaNetwork, title: str) -> Event:
    start = timezone.now() + timedelta(days=10)
    with scope(network=net.network):
        event = Event.objects.create(network=net.network, title=title, starts_at=start,
                                     ends_at=start + timedelta(hours=2))  # fmt: skip
        return services.publish(event, net.editor)


def registrations(net: PersonaNetwork, channel: JoinChannel | None, status: str, count: int, tag: str) -> None:
    with scope(network=net.network):
        for index in range(count):
            user = User.objects.create_user(f"{tag}{index}@join.example", "x")
            Registration.objects.create(network=net.network, user=user, channel=channel, status=status)


def test_it_counts_approved_registrations_through_each_events_link(net_a: PersonaNetwork) -> None:
    meeting, seminar, quiet = (published(net_a, title) for title in ("異業種交流会", "DXセミナー", "読書会"))
    registrations(net_a, meeting.join_channel, Registration.Status.APPROVED, 3, "m")
    registrations(net_a, meeting.join_channel, Registration.Status.PENDING, 2, "p")  # not (yet) counted
    registrations(net_a, seminar.join_channel, Registration.Status.APPROVED, 1, "s")
    with scope(network=net_a.network):
        other = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.FLYER, label="チラシ")
    registrations(net_a, other, Registration.Status.APPROVED, 4, "f")
    registrations(net_a, None, Registration.Status.APPROVED, 1, "n")
    with scope(network=net_a.network), CaptureQueriesContext(connection) as queries:
        found = attribution_for([meeting, seminar, quiet])
    assert found == {meeting.pk: Attribution(3, 0), seminar.pk: Attribution(1, 0), quiet.pk: Attribution(0, 0)}
    assert len(queries) == 1


def test_it_sums_the_registered_opportunity_sources(net_a: PersonaNetwork, settings: pytest.FixtureRequest) -> None:
    settings.EVENT_ATTRIBUTION_DAYS = 14  # type: ignore[attr-defined]
    meeting, seminar = published(net_a, "異業種交流会"), published(net_a, "DXセミナー")
    asked: list[tuple[list[int], int]] = []

    def interests(event_ids: list[int], days: int) -> dict[int, int]:
        asked.append((sorted(event_ids), days))
        return {meeting.pk: 2, 999_999: 7}  # an id it was not asked about is ignored

    def applications(event_ids: list[int], days: int) -> dict[int, int]:
        return {meeting.pk: 1, seminar.pk: 5}

    register_source(interests)
    register_source(interests)  # twice is once
    register_source(applications)
    with scope(network=net_a.network), CaptureQueriesContext(connection) as queries:
        found = attribution_for([meeting, seminar])
    assert found == {meeting.pk: Attribution(0, 3), seminar.pk: Attribution(0, 5)}
    assert asked == [(sorted([meeting.pk, seminar.pk]), 14)]
    assert len(queries) == 1  # the registrations (the fake sources run none)


def test_it_returns_nothing_for_no_events(net_a: PersonaNetwork) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert attribution_for([]) == {}
    assert len(queries) == 0
