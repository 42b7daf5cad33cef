"""A person invited to the staff creates their account from the invitation link; no one else can."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.invitations import PENDING_INVITATION_SESSION_KEY
from enishi.accounts.models import User
from enishi.networks import services
from enishi.networks.models import Membership, StaffInvitation

NEW_PASSWORD = "a-long-new-password-2024"


def invite(net: PersonaNetwork, email: str = "new.hr@example.jp", role: str = "hr") -> StaffInvitation:
    with scope(network=net.network):
        return services.invite_staff(net.network, net.admin, email, role)


def accept_path(invitation: StaffInvitation) -> str:
    return f"/n/{invitation.network.slug}/join/staff/{invitation.token}/"


def test_it_keeps_sign_up_closed_without_an_invitation(net_a: PersonaNetwork) -> None:
    client = Client()

    page = client.get("/accounts/signup/")
    client.post(
        "/accounts/signup/",
        {"email": "stranger@example.jp", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert page.status_code == 200
    assert next(t.name for t in page.templates) == "account/signup_closed.html"
    assert not User.objects.filter(email="stranger@example.jp").exists()


def test_it_shows_a_visitor_the_invitation_and_opens_sign_up(net_a: PersonaNetwork) -> None:
    invitation = invite(net_a)
    client = Client()

    response = client.get(accept_path(invitation))

    assert response.status_code == 200
    body = response.content.decode()
    assert "new.hr@example.jp" in body
    assert f"/accounts/signup/?next={accept_path(invitation)}" in body
    assert client.session[PENDING_INVITATION_SESSION_KEY]["path"] == accept_path(invitation)
    assert next(t.name for t in client.get("/accounts/signup/").templates) == "account/signup.html"


def test_it_tells_a_visitor_an_expired_invitation_is_over(net_a: PersonaNetwork) -> None:
    invitation = invite(net_a)
    with scopes_disabled():
        StaffInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = Client()

    response = client.get(accept_path(invitation))

    assert response.status_code == 410
    assert PENDING_INVITATION_SESSION_KEY not in client.session
    assert next(t.name for t in client.get("/accounts/signup/").templates) == "account/signup_closed.html"


def test_it_takes_an_invited_person_from_link_to_staff_member(net_a: PersonaNetwork) -> None:
    invitation = invite(net_a)
    client = Client()
    client.get(accept_path(invitation))

    signup = client.post(
        f"/accounts/signup/?next={accept_path(invitation)}",
        {"email": "new.hr@example.jp", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    # The link was sent to this address: opening it proves it, so no confirmation round trip.
    assert signup.status_code == 302
    assert signup["Location"] == accept_path(invitation)
    user = User.objects.get(email="new.hr@example.jp")
    assert EmailAddress.objects.get(user=user).verified is True

    accepted = client.post(accept_path(invitation))

    assert accepted.status_code == 302
    assert accepted["Location"] == "/n/alpha/"
    with scopes_disabled():
        membership = Membership.objects.get(network=net_a.network, user=user)
        invitation.refresh_from_db()
    assert (membership.role, membership.state) == ("hr", "active")
    assert invitation.accepted_at is not None
    assert PENDING_INVITATION_SESSION_KEY not in client.session


def test_it_lists_waiting_invitations_on_the_start_page(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    invitation = invite(net_b, email=net_a.editor.email, role="analyst")
    client = net_a.client_for("editor")

    response = client.get("/")

    assert response.status_code == 200
    assert accept_path(invitation) in response.content.decode()
    assert 'href="/n/alpha/"' in response.content.decode()


def test_it_opens_sign_up_only_for_the_invited_address(net_a: PersonaNetwork) -> None:
    invitation = invite(net_a)
    client = Client()
    client.get(accept_path(invitation))

    response = client.post(
        "/accounts/signup/", {"email": "someone.else@example.jp", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert "new.hr@example.jp" in response.content.decode()
    assert not User.objects.filter(email="someone.else@example.jp").exists()


def test_it_forgets_an_invitation_revoked_after_the_visit(net_a: PersonaNetwork) -> None:
    invitation = invite(net_a)
    client = Client()
    client.get(accept_path(invitation))
    with scope(network=net_a.network):
        services.revoke_staff_invitation(invitation, net_a.admin)

    page = client.get("/accounts/signup/")

    assert next(t.name for t in page.templates) == "account/signup_closed.html"
    assert PENDING_INVITATION_SESSION_KEY not in client.session
