"""The join links console: create, list with counts, revoke; alumni's referral links read-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.intake.models import JoinChannel, Registration
from enishi.intake.tests.invitation_helpers import audit_entries, english_client, messages_of
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState, Role

LINKS = reverse("manage:intake_channels", args=["alpha"])


def links_of(net: PersonaNetwork) -> list[dict[str, Any]]:
    with scopes_disabled():
        return list(JoinChannel.objects.filter(network=net.network).order_by("pk").values())


def add_registrations(net: PersonaNetwork, link: JoinChannel, statuses: list[str]) -> None:
    with scopes_disabled():
        for status in statuses:
            user = User.objects.create_user(f"applicant{User.objects.count()}@example.jp", "applicant-password-1")
            Registration.objects.create(network=net.network, user=user, channel=link, status=status)


def test_it_creates_a_link_and_lists_it_with_its_address_and_counts(net_a: PersonaNetwork) -> None:
    client = english_client(net_a, "hr")
    until = timezone.localdate() + timedelta(days=30)

    response = client.post(LINKS, {"kind": "event", "label": "Career fair Osaka", "expires_on": until.isoformat()})

    assert (response.status_code, response["Location"]) == (302, LINKS)
    assert messages_of(response) == ["The link “Career fair Osaka” was created."]
    with scopes_disabled():
        link = JoinChannel.objects.get(network=net_a.network)
    assert (link.kind, link.label, link.created_by, link.revoked_at) == ("event", "Career fair Osaka", net_a.hr, None)
    assert link.expires_at is not None
    assert timezone.localtime(link.expires_at).date() == until
    [entry] = audit_entries("join_channel.created")
    assert (entry.actor, entry.target_id, entry.data) == (net_a.hr, str(link.pk), {"kind": "event"})

    with scopes_disabled():
        JoinChannel.objects.filter(pk=link.pk).update(visits=7)
    statuses = [Registration.Status.DRAFT, Registration.Status.PENDING, Registration.Status.APPROVED,
                Registration.Status.APPROVED]  # fmt: skip
    add_registrations(net_a, link, statuses)
    page = client.get(LINKS)

    [shown] = page.context["links"]
    assert (shown.visits, shown.requests, shown.approved) == (7, 3, 2)
    assert f"http://testserver/n/alpha/j/{link.token}/" in page.content.decode()
    assert reverse("manage:intake_channel_flyer", args=["alpha", link.pk]) in page.content.decode()


def test_it_refuses_a_referral_kind_and_a_past_expiry_and_creates_nothing(net_a: PersonaNetwork) -> None:
    client = english_client(net_a, "hr")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    referral = client.post(LINKS, {"kind": "referral", "label": "mine"})
    past = client.post(LINKS, {"kind": "press", "label": "old news", "expires_on": yesterday})

    assert referral.status_code == 400
    assert "kind" in referral.context["form"].errors
    assert past.status_code == 400
    assert past.context["form"].non_field_errors() == ["The expiry date is in the past."]
    assert links_of(net_a) == []
    assert audit_entries("join_channel.created") == []


def test_it_revokes_a_link_once(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        link = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.HOMEPAGE, label="Site")
    client = english_client(net_a, "hr")
    url = reverse("manage:intake_channel_revoke", args=["alpha", link.pk])

    first = client.post(url)
    revoked = links_of(net_a)
    client.get(LINKS)  # shows (and so consumes) the first message
    second = client.post(url)

    assert messages_of(first) == ["The link “Site” was revoked: it no longer opens the join page."]
    assert messages_of(second) == ["This link is already revoked."]
    assert revoked[0]["revoked_at"] is not None
    assert links_of(net_a) == revoked
    assert [entry.data for entry in audit_entries("join_channel.revoked")] == [{"kind": "homepage"}]
    assert client.get(url).status_code == 405


def test_it_lists_referral_links_read_only_with_the_referrer(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        referral = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.REFERRAL,
                                              referrer=net_a.memberships["alumnus2"], visits=3)  # fmt: skip
    add_registrations(net_a, referral, [Registration.Status.APPROVED])
    client = english_client(net_a, "hr")
    before = links_of(net_a)

    page = client.get(LINKS)
    revoke = client.post(reverse("manage:intake_channel_revoke", args=["alpha", referral.pk]))
    flyer = client.get(reverse("manage:intake_channel_flyer", args=["alpha", referral.pk]))

    assert page.context["links"] == []
    [shown] = page.context["referrals"].object_list
    assert (shown.pk, shown.visits, shown.requests, shown.approved) == (referral.pk, 3, 1, 1)
    assert "鈴木　二葉" in page.content.decode()
    assert reverse("manage:intake_channel_revoke", args=["alpha", referral.pk]) not in page.content.decode()
    assert (revoke.status_code, flyer.status_code) == (404, 404)
    assert links_of(net_a) == before


def test_it_keeps_other_networks_links_and_other_roles_out(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scopes_disabled():
        foreign = JoinChannel.objects.create(network=net_b.network, kind=JoinChannel.Kind.PRESS, label="B")
    before = links_of(net_b)
    hr = net_a.client_for("hr")

    assert hr.post(reverse("manage:intake_channel_revoke", args=["alpha", foreign.pk])).status_code == 404
    assert hr.get(reverse("manage:intake_channel_flyer", args=["alpha", foreign.pk])).status_code == 404
    assert "B" not in [str(link) for link in hr.get(LINKS).context["links"]]
    for persona in ("editor", "analyst", "alumnus1"):
        client = net_a.client_for(persona)
        assert client.get(LINKS).status_code == 404, persona
        assert client.post(LINKS, {"kind": "press"}).status_code == 404, persona
    assert links_of(net_b) == before
    assert links_of(net_a) == []


def test_it_lists_few_or_many_links_with_the_same_number_of_queries(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("hr")

    def add(count: int) -> None:
        with scopes_disabled():
            for _number in range(count):
                link = JoinChannel.objects.create(network=net_a.network, kind="event", created_by=net_a.hr)
                add_registrations(net_a, link, [Registration.Status.APPROVED])
                user = User.objects.create_user(f"referrer{User.objects.count()}@example.jp", "referrer-password-1")
                referrer = Membership.objects.create(network=net_a.network, user=user, role=Role.ALUMNUS,
                                                     state=MembershipState.ACTIVE)  # fmt: skip
                referral = JoinChannel.objects.create(network=net_a.network, kind="referral", referrer=referrer)
                add_registrations(net_a, referral, [Registration.Status.PENDING])

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(LINKS).status_code == 200
        return len(context.captured_queries)

    add(2)
    client.get(LINKS)
    few = count()
    add(20)
    assert few == count()
