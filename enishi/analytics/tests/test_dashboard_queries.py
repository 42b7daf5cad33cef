"""The dashboard's pages run the same number of queries with 10 members as with 200 (DESIGN.md, "Performance"),
every section, the exports and the monthly report, on the real figures of enishi.analytics.metrics."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.analytics import rollups
from enishi.analytics.models import ActiveDay
from enishi.networks.models import Company, Membership, Network
from enishi.networks.roles import MembershipState, Role
from enishi.profiles.tests.conftest import client_for

FEW, MANY = 10, 200
SECTIONS = ("registrations", "activity", "events", "comeback", "feedback")


def add_members(network: Network, count: int) -> None:
    """`count` alumni who joined over the last year, each active on two days."""
    today = timezone.localdate()
    with scopes_disabled():
        start = User.objects.count()
        users = User.objects.bulk_create(User(email=f"m{start + i}@q.example", password="!") for i in range(count))
        memberships = Membership.objects.bulk_create(
            Membership(
                network=network,
                user=user,
                role=Role.ALUMNUS,
                state=MembershipState.ACTIVE,
                activated_at=timezone.make_aware(datetime.combine(today - timedelta(days=(i * 7) % 360), time(9))),
            )
            for i, user in enumerate(users)
        )
        ActiveDay.objects.bulk_create(
            ActiveDay(network=network, membership=membership, day=today - timedelta(days=days))
            for membership in memberships
            for days in (1, 40)
        )
    rollups.rebuild(network)


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def urls(network: Network) -> list[str]:
    dashboard = reverse("manage:dashboard", args=[network.slug])
    export = reverse("manage:dashboard_export", args=[network.slug])
    return [
        *(f"{dashboard}?section={name}" for name in SECTIONS),
        f"{dashboard}?range=last_fiscal_year",
        f"{export}?section=activity&format=xlsx",
        f"{export}?section=registrations&figure=registered&format=csv",
        reverse("manage:dashboard_report", args=[network.slug]),
    ]


@pytest.mark.parametrize("persona", ["admin", "hr"])
def test_it_shows_the_dashboard_in_constant_queries(persona: str, net_a: PersonaNetwork) -> None:
    network = net_a.network
    client = client_for(net_a, persona)
    pages = urls(network) if persona == "admin" else [reverse("manage:dashboard", args=[network.slug])]
    client.get(pages[0])  # the first request of the day records activity
    add_members(network, FEW)

    few = {url: queries_for(client, url) for url in pages}
    add_members(network, MANY - FEW)
    with scopes_disabled():
        Company.objects.bulk_create(Company(network=network, name_ja=f"子会社{i}", position=i) for i in range(20))
    many = {url: queries_for(client, url) for url in pages}

    print({url: (few[url], many[url]) for url in pages})
    assert many == few
