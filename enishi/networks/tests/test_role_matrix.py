"""Who may open which console section, and who may change members, staff and settings.

`CONSOLE_SECTIONS` in roles.py is the single source of truth: this test reads it rather than
repeating it, and checks the pages and the refusals against it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from conftest import PERSONAS, PersonaNetwork
from enishi.accounts.models import User
from enishi.networks import services
from enishi.networks.models import Company, Membership, Network, StaffInvitation
from enishi.networks.roles import CONSOLE_SECTIONS, MembershipState, Role, sections_for
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import AuditEntry

PERSONA_NAMES = [persona[0] for persona in PERSONAS]
ROLE_OF = {persona[0]: persona[1] for persona in PERSONAS}
NOT_ADMIN = [name for name in PERSONA_NAMES if name != "admin"]


def english_client(net: PersonaNetwork, persona: str) -> Client:
    client = net.client_for(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def messages_of(response: HttpResponse) -> list[str]:
    """The messages a view queued, read without following the redirect (which would audit a view)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def snapshot(network: Network) -> dict[str, list[dict[str, Any]]]:
    with scopes_disabled():
        return {
            "network": list(Network.objects.filter(pk=network.pk).values()),
            "companies": list(Company.objects.filter(network=network).order_by("pk").values()),
            "memberships": list(
                Membership.objects.filter(network=network).order_by("pk").values("pk", "role", "state", "suspended_at")
            ),
            "staff_invitations": list(StaffInvitation.objects.filter(network=network).order_by("pk").values()),
            "audit_entries": list(AuditEntry.objects.filter(network=network).order_by("pk").values()),
            "outbound_emails": list(OutboundEmail.objects.filter(network=network).order_by("pk").values()),
        }


def audit_entries(network: Network, action: str) -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(network=network, action=action).order_by("pk"))


def settings_data(network: Network, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name_ja": network.name_ja,
        "name_en": network.name_en,
        "accent_colour": network.accent_colour,
        "languages": list(network.languages),
        "staff_mfa_required": "on" if network.staff_mfa_required else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def add_member(net: PersonaNetwork, email: str, state: str) -> Membership:
    with scopes_disabled():
        user = User.objects.create_user(email, "unused-password-123")
        return Membership.objects.create(network=net.network, user=user, role=Role.ALUMNUS, state=state)


def reload(membership: Membership) -> Membership:
    with scopes_disabled():
        return Membership.objects.get(pk=membership.pk)


# --- Console pages ---------------------------------------------------------------------------


def test_it_gives_alumni_and_supporters_no_console_section() -> None:
    assert sections_for(Role.ALUMNUS) == []
    assert sections_for(Role.SUPPORTER) == []


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_opens_exactly_the_sections_of_the_role(persona: str, net_a: PersonaNetwork) -> None:
    client = net_a.client_for(persona)
    role = ROLE_OF[persona]

    statuses = {
        section.key: client.get(reverse(section.url_name, args=[net_a.network.slug])).status_code
        for section in CONSOLE_SECTIONS
    }

    assert statuses == {section.key: 200 if role in section.roles else 404 for section in CONSOLE_SECTIONS}


@pytest.mark.parametrize("persona", NOT_ADMIN)
def test_it_hides_the_settings_pages_from_everyone_but_the_admin(persona: str, net_a: PersonaNetwork) -> None:
    client = net_a.client_for(persona)
    slug = net_a.network.slug
    urls = [
        reverse("manage:companies", args=[slug]),
        reverse("manage:company_new", args=[slug]),
        reverse("manage:company_edit", args=[slug, net_a.company.pk]),
        reverse("manage:staff", args=[slug]),
    ]

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)


# --- Refused changes -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOT_ADMIN)
def test_it_refuses_member_staff_and_settings_changes_to_everyone_but_the_admin(
    persona: str, net_a: PersonaNetwork
) -> None:
    suspended = add_member(net_a, "suspended@a.example", MembershipState.SUSPENDED)
    with scopes_disabled():
        invitation = StaffInvitation.objects.create(
            network=net_a.network, email="invited@a.example", role=Role.EDITOR, invited_by=net_a.admin
        )
    network = net_a.network
    slug = network.slug
    target = net_a.memberships["editor"]
    client = net_a.client_for(persona)  # logging in writes an audit entry: before the snapshot
    before = snapshot(network)

    posts: list[tuple[str, dict[str, Any]]] = [
        (reverse("manage:member_action", args=[slug, target.pk, "role"]), {"role": Role.ADMIN}),
        (reverse("manage:member_action", args=[slug, target.pk, "suspend"]), {"reason": "no"}),
        (reverse("manage:member_action", args=[slug, suspended.pk, "reactivate"]), {}),
        (reverse("manage:staff", args=[slug]), {"email": "new@a.example", "role": Role.HR}),
        (reverse("manage:revoke_invitation", args=[slug, invitation.pk]), {}),
        (reverse("manage:settings", args=[slug]), settings_data(network, name_ja="乗っ取り")),
        (reverse("manage:company_new", args=[slug]), {"name_ja": "新会社", "position": 1}),
        (reverse("manage:company_edit", args=[slug, net_a.company.pk]), {"name_ja": "改名", "position": 0}),
    ]
    statuses = {url: client.post(url, data).status_code for url, data in posts}

    assert statuses == {url: 404 for url, _ in posts}
    assert snapshot(network) == before


def test_it_lets_hr_read_members_but_not_change_them(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("hr")
    target = net_a.memberships["alumnus1"]

    response = client.get(reverse("manage:member_detail", args=[net_a.network.slug, target.pk]))

    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert (
        reverse("manage:member_action", args=[net_a.network.slug, target.pk, "role"]) not in response.content.decode()
    )


# --- What the admin may do -------------------------------------------------------------------


def test_it_lets_the_admin_change_a_role_and_audits_it(net_a: PersonaNetwork) -> None:
    target = net_a.memberships["alumnus1"]
    url = reverse("manage:member_action", args=[net_a.network.slug, target.pk, "role"])

    response = english_client(net_a, "admin").post(url, {"role": Role.HR})

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("manage:member_detail", args=[net_a.network.slug, target.pk]),
    )
    assert messages_of(response) == ["The role was changed."]
    assert reload(target).role == Role.HR
    [entry] = audit_entries(net_a.network, "member.role_changed")
    assert (entry.actor, entry.actor_label) == (net_a.admin, net_a.admin.email)
    assert (entry.target_type, entry.target_id) == ("networks.membership", str(target.pk))
    assert entry.data == {"previous": Role.ALUMNUS, "new": Role.HR}


def test_it_refuses_an_unknown_role(net_a: PersonaNetwork) -> None:
    target = net_a.memberships["alumnus1"]
    url = reverse("manage:member_action", args=[net_a.network.slug, target.pk, "role"])
    client = english_client(net_a, "admin")
    before = snapshot(net_a.network)

    response = client.post(url, {"role": "superuser"})

    assert response.status_code == 302
    assert messages_of(response) == ["Choose a role from the list."]
    assert snapshot(net_a.network) == before


def test_it_lets_the_admin_suspend_and_reactivate_and_audits_both(net_a: PersonaNetwork) -> None:
    target = net_a.memberships["alumnus1"]
    client = english_client(net_a, "admin")
    slug = net_a.network.slug

    response = client.post(reverse("manage:member_action", args=[slug, target.pk, "suspend"]), {"reason": "spam"})

    assert messages_of(response) == ["The member was suspended and can no longer sign in to this network."]
    suspended = reload(target)
    assert suspended.state == MembershipState.SUSPENDED
    assert suspended.suspended_at is not None
    [entry] = audit_entries(net_a.network, "member.suspended")
    assert (entry.actor, entry.target_id) == (net_a.admin, str(target.pk))
    assert entry.data == {"previous": MembershipState.ACTIVE, "reason": "spam"}

    client.cookies.pop("messages")  # read by the member page the browser would show next
    response = client.post(reverse("manage:member_action", args=[slug, target.pk, "reactivate"]))

    assert messages_of(response) == ["The member was reactivated."]
    reactivated = reload(target)
    assert (reactivated.state, reactivated.suspended_at) == (MembershipState.ACTIVE, None)
    [entry] = audit_entries(net_a.network, "member.reactivated")
    assert (entry.actor, entry.target_id, entry.data) == (net_a.admin, str(target.pk), {})


def test_it_lets_the_admin_invite_staff_and_audits_it(net_a: PersonaNetwork) -> None:
    url = reverse("manage:staff", args=[net_a.network.slug])

    response = english_client(net_a, "admin").post(url, {"email": "New@A.example", "role": Role.EDITOR})

    assert (response.status_code, response["Location"]) == (302, url)
    assert messages_of(response) == ["Invitation sent to New@A.example."]
    with scopes_disabled():
        [invitation] = StaffInvitation.objects.filter(network=net_a.network)
    assert (invitation.email, invitation.role, invitation.invited_by) == ("new@a.example", Role.EDITOR, net_a.admin)
    [entry] = audit_entries(net_a.network, "staff.invited")
    assert (entry.actor, entry.target_id, entry.data) == (net_a.admin, str(invitation.pk), {"role": Role.EDITOR})


def test_it_lets_the_admin_change_settings_and_audits_the_fields(net_a: PersonaNetwork) -> None:
    network = net_a.network
    url = reverse("manage:settings", args=[network.slug])

    response = english_client(net_a, "admin").post(
        url, settings_data(network, name_en="Alpha Alumni", accent_colour="#112233")
    )

    assert (response.status_code, response["Location"]) == (302, url)
    assert messages_of(response) == ["Settings saved."]
    network.refresh_from_db()
    assert (network.name_en, network.accent_colour) == ("Alpha Alumni", "#112233")
    [entry] = audit_entries(network, "network.settings_changed")
    assert (entry.actor, entry.data) == (net_a.admin, {"fields": ["accent_colour", "name_en"]})


# --- Rules that protect the network from its own admin ---------------------------------------


def test_it_refuses_the_admin_a_change_of_their_own_role(net_a: PersonaNetwork) -> None:
    own = net_a.memberships["admin"]
    url = reverse("manage:member_action", args=[net_a.network.slug, own.pk, "role"])
    client = english_client(net_a, "admin")
    before = snapshot(net_a.network)

    response = client.post(url, {"role": Role.ALUMNUS})

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("manage:member_detail", args=[net_a.network.slug, own.pk]),
    )
    assert messages_of(response) == ["You cannot change your own role. Ask another administrator."]
    # The member page audits the view that follows the redirect; nothing else was written.
    assert [e.action for e in audit_entries(net_a.network, "member.role_changed")] == []
    after = snapshot(net_a.network)
    assert after["memberships"] == before["memberships"]
    assert after["network"] == before["network"]


def test_it_refuses_the_admin_to_suspend_themself(net_a: PersonaNetwork) -> None:
    own = net_a.memberships["admin"]
    url = reverse("manage:member_action", args=[net_a.network.slug, own.pk, "suspend"])
    client = english_client(net_a, "admin")
    before = snapshot(net_a.network)

    response = client.post(url, {"reason": ""})

    assert messages_of(response) == ["You cannot suspend yourself."]
    assert audit_entries(net_a.network, "member.suspended") == []
    assert snapshot(net_a.network)["memberships"] == before["memberships"]


def test_it_keeps_the_last_active_admin_from_being_demoted(net_a: PersonaNetwork) -> None:
    last_admin = net_a.memberships["admin"]
    before = snapshot(net_a.network)

    with (
        scope(network=net_a.network),
        translation.override("en"),
        pytest.raises(services.ActionRefused, match=r"^A network needs at least one active administrator\.$"),
    ):
        services.change_role(last_admin, net_a.hr, Role.HR)

    assert snapshot(net_a.network) == before


def test_it_keeps_the_last_active_admin_from_being_suspended(net_a: PersonaNetwork) -> None:
    last_admin = net_a.memberships["admin"]
    before = snapshot(net_a.network)

    with (
        scope(network=net_a.network),
        translation.override("en"),
        pytest.raises(services.ActionRefused, match=r"^A network needs at least one active administrator\.$"),
    ):
        services.suspend_member(last_admin, net_a.hr, "")

    assert snapshot(net_a.network) == before


def test_it_lets_one_of_two_admins_demote_the_other(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        services.change_role(net_a.memberships["editor"], net_a.admin, Role.ADMIN)
    second = net_a.memberships["editor"]
    url = reverse("manage:member_action", args=[net_a.network.slug, net_a.memberships["admin"].pk, "role"])

    response = english_client(net_a, "editor").post(url, {"role": Role.HR})

    assert messages_of(response) == ["The role was changed."]
    assert reload(net_a.memberships["admin"]).role == Role.HR
    assert reload(second).role == Role.ADMIN
    [promotion, demotion] = audit_entries(net_a.network, "member.role_changed")
    assert (promotion.actor, promotion.data) == (net_a.admin, {"previous": Role.EDITOR, "new": Role.ADMIN})
    assert (demotion.actor, demotion.data) == (net_a.editor, {"previous": Role.ADMIN, "new": Role.HR})


def test_it_lets_the_admin_demote_a_suspended_admin(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        other = net_a.memberships["hr"]
        other.role, other.state = Role.ADMIN, MembershipState.SUSPENDED
        other.save(update_fields=["role", "state"])

    url = reverse("manage:member_action", args=[net_a.network.slug, other.pk, "role"])

    response = english_client(net_a, "admin").post(url, {"role": Role.ALUMNUS})

    assert messages_of(response) == ["The role was changed."]
    assert (reload(other).role, reload(other).state) == (Role.ALUMNUS, MembershipState.SUSPENDED)
    [entry] = audit_entries(net_a.network, "member.role_changed")
    assert (entry.actor, entry.data) == (net_a.admin, {"previous": Role.ADMIN, "new": Role.ALUMNUS})
