"""Capacity holds when many people answer at the same moment (PostgreSQL: real concurrent
transactions, each thread on its own connection; the event's row lock serialises seat decisions)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.events import services
from enishi.events.models import Event, Rsvp
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState, Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every writer (one database lock), so there is no concurrency to test there",
    ),
]

CAPACITY = 25
PEOPLE = 40


def alumni(net: PersonaNetwork, count: int) -> list[Membership]:
    with scopes_disabled():
        people = [
            User.objects.create_user(f"crowd{index}@a.example", "x", family_name="群衆", given_name=str(index))
            for index in range(count)
        ]
        return [
            Membership.objects.create(
                network=net.network,
                role=Role.ALUMNUS,
                state=MembershipState.ACTIVE,
                activated_at=timezone.now(),
                user=user,
            )
            for user in people
        ]


def at_once(net: PersonaNetwork, calls: list[Callable[[], object]]) -> list[BaseException]:
    """Run every call in its own thread (its own connection), all released together; their errors."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            with scope(network=net.network):
                connection.ensure_connection()  # connect before the start, not in the race
                barrier.wait(timeout=60)
                call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def statuses(event: Event) -> dict[str, int]:
    with scopes_disabled():
        rows = Rsvp.objects.filter(event=event).values_list("status", flat=True)
        return {status: list(rows).count(status) for status in Rsvp.Status.values}


@pytest.fixture
def event(net_a: PersonaNetwork) -> Event:
    start = timezone.now() + timedelta(days=5)
    with scopes_disabled():
        return Event.objects.create(network=net_a.network, title="満員御礼の交流会", starts_at=start,
                                    ends_at=start + timedelta(hours=2), capacity=CAPACITY,
                                    status=Event.Status.PUBLISHED)  # fmt: skip


def test_it_never_gives_more_seats_than_the_capacity(net_a: PersonaNetwork, event: Event) -> None:
    crowd = alumni(net_a, PEOPLE)
    errors = at_once(net_a, [lambda member=member: services.rsvp(event, member) for member in crowd])
    assert errors == []
    assert statuses(event) == {"confirmed": CAPACITY, "waitlisted": PEOPLE - CAPACITY, "cancelled": 0}
    with scopes_disabled():
        waiting = list(Rsvp.objects.filter(event=event, status=Rsvp.Status.WAITLISTED).order_by("queued_at", "id"))
    assert all(answer.confirmed_at is None for answer in waiting)


def test_concurrent_cancellations_promote_without_exceeding_the_capacity(net_a: PersonaNetwork, event: Event) -> None:
    crowd = alumni(net_a, PEOPLE + 5)
    with scope(network=net_a.network):
        for member in crowd[:PEOPLE]:
            services.rsvp(event, member)
        leaving = list(Rsvp.objects.filter(event=event, status=Rsvp.Status.CONFIRMED).order_by("pk")[:10])
    # Ten confirmed people cancel while five newcomers answer, all at the same moment.
    calls: list[Callable[[], object]] = [lambda answer=answer: services.cancel_rsvp(answer) for answer in leaving]
    calls += [lambda member=member: services.rsvp(event, member) for member in crowd[PEOPLE:]]
    errors = at_once(net_a, calls)
    assert errors == []
    assert statuses(event) == {"confirmed": CAPACITY, "waitlisted": PEOPLE + 5 - CAPACITY - 10, "cancelled": 10}
    with scope(network=net_a.network):
        assert services.seats_taken(event) == CAPACITY
