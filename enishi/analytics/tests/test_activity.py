"""Active days: the first request of a member's day writes one row; the rest of the day writes nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.analytics.models import ActiveDay
from enishi.networks.models import Membership, Network
from enishi.networks.roles import MembershipState

# "INSERT OR IGNORE INTO" on SQLite, "INSERT INTO … ON CONFLICT DO NOTHING" on PostgreSQL.
OWN_TABLES = ("analytics_", "networks_", "directory_")
WRITE = re.compile(r'^(?P<verb>INSERT|UPDATE)\b(?:[^"]*?\bINTO)?\s+"(?P<table>\w+)"')


def today_in(network: Network) -> date:
    return timezone.localdate(timezone=ZoneInfo(network.time_zone))


def active_days(membership: Membership) -> list[date]:
    with scopes_disabled():
        return list(ActiveDay.objects.filter(membership=membership).order_by("day").values_list("day", flat=True))


def last_active_on(membership: Membership) -> date | None:
    with scopes_disabled():
        return Membership.objects.values_list("last_active_on", flat=True).get(pk=membership.pk)


def writes_during(client: Client, url: str) -> list[str]:
    """The INSERT and UPDATE statements one request runs (sessions aside)."""
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    statements: list[dict[str, Any]] = context.captured_queries
    writes = []
    for query in statements:
        match = WRITE.match(query["sql"])
        # Sessions aside, and what other apps refresh on a member's new active day (comeback's
        # matching terms): the writes of the activity record, of its rollups and of the directory.
        if match is not None and match.group("table").startswith(OWN_TABLES):
            writes.append(f"{match.group('verb')} {match.group('table')}")
    return writes


def test_it_records_the_first_request_of_the_day(net_a: PersonaNetwork) -> None:
    membership = net_a.memberships["alumnus1"]
    client = net_a.client_for("alumnus1")
    assert (active_days(membership), last_active_on(membership)) == ([], None)

    writes = writes_during(client, reverse("network:home", args=["alpha"]))

    today = today_in(net_a.network)
    # The directory's recency order follows the new active day (directory.indexing.touch); the first
    # active day of a month and of a week adds the member to the dashboard's rollups (an UPDATE that
    # finds no row yet, then an INSERT, for the month and for the week).
    rollup = ["UPDATE analytics_monthlycount", "INSERT analytics_monthlycount"]
    assert writes == ["INSERT analytics_activeday", "UPDATE networks_membership", "UPDATE directory_searchdocument",
                      *rollup, *rollup]  # fmt: skip
    assert active_days(membership) == [today]
    assert last_active_on(membership) == today


def test_it_writes_nothing_more_the_same_day(net_a: PersonaNetwork) -> None:
    membership = net_a.memberships["alumnus1"]
    client = net_a.client_for("alumnus1")
    home = reverse("network:home", args=["alpha"])
    client.get(home)

    later = [writes_during(client, url) for url in (home, reverse("network:directory", args=["alpha"]), home)]

    assert later == [[], [], []]
    assert active_days(membership) == [today_in(net_a.network)]


def test_it_records_the_next_day_again(net_a: PersonaNetwork) -> None:
    membership = net_a.memberships["alumnus1"]
    client = net_a.client_for("alumnus1")
    home = reverse("network:home", args=["alpha"])
    client.get(home)
    today = today_in(net_a.network)
    yesterday = today - timedelta(days=1)
    # As if the first visit had been yesterday: move its row and the membership's marker back a day.
    with scopes_disabled():
        ActiveDay.objects.filter(membership=membership).update(day=yesterday)
        Membership.objects.filter(pk=membership.pk).update(last_active_on=yesterday)

    writes = writes_during(client, home)

    # The directory's recency order follows the new active day (directory.indexing.touch); the
    # rollups are written only when today opens a new month or week (a Monday, the 1st).
    assert writes[:3] == ["INSERT analytics_activeday", "UPDATE networks_membership", "UPDATE directory_searchdocument"]
    new_period = today.weekday() == 0 or today.day == 1
    assert set(writes[3:]) == (
        {"UPDATE analytics_monthlycount", "INSERT analytics_monthlycount"} if new_period else set()
    )
    assert active_days(membership) == [yesterday, today]
    assert last_active_on(membership) == today


def test_it_counts_each_network_separately(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    person = net_a.alumnus1
    with scopes_disabled():
        in_b = Membership.objects.create(network=net_b.network, user=person, state=MembershipState.ACTIVE)
    in_a = net_a.memberships["alumnus1"]
    client = net_a.client_for("alumnus1")

    client.get(reverse("network:home", args=["alpha"]))
    client.get(reverse("network:home", args=["alpha"]))
    assert (len(active_days(in_a)), len(active_days(in_b))) == (1, 0)
    client.get(reverse("network:home", args=["beta"]))

    with scopes_disabled():
        per_network = {
            slug: ActiveDay.objects.filter(network__slug=slug, membership__user=person).count()
            for slug in ("alpha", "beta")
        }
        assert ActiveDay.objects.get(membership=in_b).network == net_b.network
    assert per_network == {"alpha": 1, "beta": 1}
    assert (last_active_on(in_a), last_active_on(in_b)) == (today_in(net_a.network), today_in(net_b.network))


def test_it_records_nothing_for_pages_outside_a_network(net_a: PersonaNetwork) -> None:
    membership = net_a.memberships["alumnus1"]
    client = net_a.client_for("alumnus1")

    assert client.get(reverse("account_email")).status_code == 200

    assert active_days(membership) == []


def test_it_records_nothing_for_a_pending_member(net_a: PersonaNetwork) -> None:
    membership = net_a.memberships["alumnus1"]
    with scopes_disabled():
        Membership.objects.filter(pk=membership.pk).update(state=MembershipState.PENDING)
    client = net_a.client_for("alumnus1")

    assert client.get(reverse("network:home", args=["alpha"])).status_code == 403

    assert (active_days(membership), last_active_on(membership)) == ([], None)
