"""Every list page runs the same number of queries whatever the number of rows (DESIGN.md, "Performance").

Each test measures a page with a few rows and with many, and asserts the two counts are equal. The
counts are printed (`pytest -s`) and recorded as junit properties.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.networks.models import Company, Membership, Network, StaffInvitation
from enishi.networks.roles import MembershipState, Role
from enishi.privacy.models import AuditEntry

FEW, MANY = 10, 200

RecordProperty = Callable[[str, object], None]


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def warmed_up(client: Client, url: str) -> Client:
    """The first request of the day records activity; measure the requests after it."""
    assert client.get(url).status_code == 200
    return client


def add_members(network: Network, count: int, *, role: str = Role.ALUMNUS) -> None:
    with scopes_disabled():
        start = User.objects.count()
        users = User.objects.bulk_create(
            User(
                email=f"member{start + i}@bulk.example",
                password="!",
                family_name=f"姓{start + i}",
                given_name="名",
                family_name_kana=f"セイ{start + i}",
                given_name_kana="メイ",
            )
            for i in range(count)
        )
        today = timezone.localdate()
        Membership.objects.bulk_create(
            Membership(network=network, user=user, role=role, state=MembershipState.ACTIVE, last_active_on=today)
            for user in users
        )


def members_in(network: Network) -> int:
    with scopes_disabled():
        return Membership.objects.filter(network=network).count()


def add_audit_entries(network: Network, actor: User, count: int) -> None:
    with scopes_disabled():
        AuditEntry.objects.bulk_create(
            AuditEntry(
                network=network,
                actor=actor,
                actor_label=actor.email,
                action="member.viewed",
                target_type="networks.membership",
                target_id=str(i),
                target_label=f"member {i}",
                data={"n": i},
            )
            for i in range(count)
        )


def audit_entries_in(network: Network) -> int:
    with scopes_disabled():
        return AuditEntry.objects.filter(network=network).count()


def report(record_property: RecordProperty, page: str, few: int, many: int) -> None:
    print(f"\n{page}: {few} queries with {FEW} rows, {many} with {MANY}")
    record_property(f"queries {page}", few)


def test_it_lists_members_in_constant_queries(net_a: PersonaNetwork, record_property: RecordProperty) -> None:
    network = net_a.network
    url = reverse("manage:members", args=[network.slug])
    client = warmed_up(net_a.client_for("admin"), url)
    add_members(network, FEW - members_in(network))
    assert client.get(url).context["page"].paginator.count == FEW

    few = queries_for(client, url)
    add_members(network, MANY - FEW)
    assert client.get(url).context["page"].paginator.count == MANY
    many = queries_for(client, url)
    last_page = queries_for(client, f"{url}?page=4")

    report(record_property, "members list", few, many)
    assert many == few
    assert last_page == few


def test_it_shows_the_alumni_home_in_constant_queries(net_a: PersonaNetwork, record_property: RecordProperty) -> None:
    network = net_a.network
    url = reverse("network:home", args=[network.slug])
    client = warmed_up(net_a.client_for("alumnus1"), url)
    add_members(network, FEW - members_in(network))

    few = queries_for(client, url)
    add_members(network, MANY - FEW)
    assert members_in(network) == MANY
    many = queries_for(client, url)

    report(record_property, "alumni home", few, many)
    assert many == few


def test_it_shows_the_audit_log_in_constant_queries(net_a: PersonaNetwork, record_property: RecordProperty) -> None:
    network = net_a.network
    url = reverse("manage:audit", args=[network.slug])
    client = warmed_up(net_a.client_for("admin"), url)
    add_audit_entries(network, net_a.admin, FEW - audit_entries_in(network))
    assert client.get(url).context["page"].paginator.count == FEW

    few = queries_for(client, url)
    # Each look at the log adds an "audit viewed" entry, after the page is drawn.
    add_audit_entries(network, net_a.admin, MANY - audit_entries_in(network))
    assert client.get(url).context["page"].paginator.count == MANY
    many = queries_for(client, url)
    filtered = queries_for(client, f"{url}?action=member.viewed&actor=admin")

    report(record_property, "audit log", few, many)
    assert many == few
    assert filtered == few


def test_it_shows_the_dashboard_in_constant_queries(net_a: PersonaNetwork, record_property: RecordProperty) -> None:
    network = net_a.network
    url = reverse("manage:dashboard", args=[network.slug])
    client = warmed_up(net_a.client_for("admin"), url)
    add_members(network, FEW - members_in(network))

    few = queries_for(client, url)
    add_members(network, MANY - FEW)
    with scopes_disabled():
        Company.objects.bulk_create(Company(network=network, name_ja=f"子会社{i}", position=i) for i in range(20))
    many = queries_for(client, url)

    report(record_property, "dashboard", few, many)
    assert many == few


def test_it_lists_staff_and_invitations_in_constant_queries(
    net_a: PersonaNetwork, record_property: RecordProperty
) -> None:
    network = net_a.network
    url = reverse("manage:staff", args=[network.slug])
    client = warmed_up(net_a.client_for("admin"), url)

    def invite(count: int) -> None:
        with scopes_disabled():
            start = StaffInvitation.objects.count()
            StaffInvitation.objects.bulk_create(
                StaffInvitation(
                    network=network, email=f"s{start + i}@a.example", role=Role.EDITOR, invited_by=net_a.admin
                )
                for i in range(count)
            )

    invite(FEW)
    few = queries_for(client, url)
    invite(MANY - FEW)
    add_members(network, MANY, role=Role.EDITOR)
    many = queries_for(client, url)

    report(record_property, "staff page", few, many)
    assert many == few


def test_it_picks_among_networks_in_constant_queries(net_a: PersonaNetwork, record_property: RecordProperty) -> None:
    person = net_a.alumnus1
    client = net_a.client_for("alumnus1")

    def join_networks(count: int) -> None:
        with scopes_disabled():
            start = Network.objects.count()
            for i in range(start, start + count):
                network = Network.objects.create(slug=f"extra-{i}", name_ja=f"追加{i}")
                Membership.objects.create(network=network, user=person, state=MembershipState.ACTIVE)

    join_networks(1)
    few = queries_for(client, reverse("home"))
    join_networks(18)
    many = queries_for(client, reverse("home"))

    print(f"\nnetwork picker: {few} queries with 2 networks, {many} with 20")
    record_property("queries network picker", few)
    assert many == few
