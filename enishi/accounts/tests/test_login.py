from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django.test import Client
from django_scopes import scopes_disabled

from conftest import PASSWORD, PersonaNetwork
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import AuditEntry


def test_it_logs_an_alumnus_in_by_email_and_lands_on_their_network(net_a: PersonaNetwork) -> None:
    email = net_a.alumnus1.email
    client = Client()

    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/n/alpha/"
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(action="auth.login").values_list("network__slug", "actor_label"))
    assert entries == [("alpha", email)]


def test_it_lets_a_person_of_two_networks_pick_one(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    from enishi.networks.models import Membership

    person = net_a.alumnus2
    with scopes_disabled():
        Membership.objects.create(network=net_b.network, user=person, role="alumnus", state="active")
    client = Client()
    client.force_login(person)

    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/n/alpha/"' in body
    assert 'href="/n/beta/"' in body


def test_it_records_logout_in_the_audit_log(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("editor")

    client.post("/accounts/logout/")

    with scopes_disabled():
        assert AuditEntry.objects.filter(action="auth.logout", actor=net_a.editor).count() == 1


def test_it_rate_limits_failed_logins_for_one_account(net_a: PersonaNetwork) -> None:
    email = net_a.alumnus1.email
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": email, "password": "wrong-password"})
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()

    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})

    # Even the right password is refused until the window passes: the account is protected.
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="auth.login").count() == 0


def test_it_requires_email_verification_before_login(net_a: PersonaNetwork) -> None:
    EmailAddress.objects.filter(user=net_a.alumnus1).update(verified=False)
    client = Client()

    response = client.post("/accounts/login/", {"login": net_a.alumnus1.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    with scopes_disabled():
        sent = OutboundEmail.objects.get()
    assert (sent.kind, sent.to) == ("email_confirmation_signup", net_a.alumnus1.email)
    # The email carries a short code typed on the same screen (no switching browsers on a phone).
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", sent.text_body, re.MULTILINE)
    assert code is not None

    response = client.post("/accounts/confirm-email/", {"code": "WRONG1"})
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/confirm-email/", {"code": code.group(1)})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(net_a.alumnus1.pk)
