"""The public join page and channel links: account, email code, who you were, then approval or queue."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.invitations import PENDING_INVITATION_SESSION_KEY
from enishi.accounts.models import User
from enishi.intake.access import intake_settings
from enishi.intake.models import AlumniInvitation, EmploymentRecord, JoinChannel, Registration
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import AuditEntry, Consent, NoticeAcceptance
from enishi.privacy.notices import publish_notice

NEW_PASSWORD = "a-long-new-password-2024"
JOIN = "/n/alpha/join/"


@pytest.fixture
def record(net_a: PersonaNetwork) -> EmploymentRecord:
    with scope(network=net_a.network):
        return EmploymentRecord.objects.create(
            network=net_a.network, company=net_a.company, employee_number="E-1001", family_name="山本",
            given_name="彩", family_name_kana="ヤマモト", given_name_kana="アヤ", hire_date=date(2015, 4, 1),
            leave_date=date(2023, 3, 31), private_email="aya.old@example.jp",
        )  # fmt: skip


def about_me(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "family_name": "山本", "given_name": "彩", "family_name_kana": "やまもと", "given_name_kana": "あや",
        "hire_year": "2015", "leave_year": "2023", "employee_number": "", "birth_date": "", "note": "",
        "former_family_name": "",
    }  # fmt: skip
    data.update(changes)
    return data


def sign_up_with_code(client: Client, email: str) -> None:
    """Screens 1 and 2: create the account, then type the code from the email."""
    response = client.post("/accounts/signup/", {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    with scopes_disabled():
        body = OutboundEmail.objects.filter(to=email).latest("pk").text_body
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE)
    assert code is not None
    response = client.post("/accounts/confirm-email/", {"code": code.group(1)})
    assert response.status_code == 302
    assert response["Location"] == JOIN  # back to the join page, signed in


def test_it_takes_a_visitor_from_the_join_page_to_the_network_in_three_screens(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    client = Client()
    landing = client.get(JOIN)
    assert landing.status_code == 200
    assert 'action="/accounts/signup/"' in landing.content.decode()

    sign_up_with_code(client, "aya@example.jp")
    form = client.get(JOIN)
    assert form.status_code == 200
    assert "intake/register.html" in [t.name for t in form.templates]
    company = str(net_a.company.pk)
    response = client.post(JOIN, about_me(company=company, consents=["directory_listing"]))

    assert response.status_code == 302
    assert response["Location"] == "/n/alpha/"
    user = User.objects.get(email="aya@example.jp")
    with scopes_disabled():
        membership = Membership.objects.get(network=net_a.network, user=user)
        record.refresh_from_db()
        registration = Registration.objects.get(user=user)
        assert list(Consent.objects.filter(membership=membership).values_list("purpose", flat=True)) == [
            "directory_listing"
        ]
        assert AuditEntry.objects.filter(action="registration.submitted", actor=user).count() == 1
    assert membership.state == MembershipState.ACTIVE
    assert record.membership == membership
    assert registration.status == Registration.Status.APPROVED
    assert registration.channel is None
    assert client.get("/n/alpha/").status_code == 200


def test_it_asks_for_the_notice_on_the_same_screen_and_records_its_version(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    with scope(network=net_a.network):
        notice = publish_notice(net_a.network, net_a.admin, "利用目的の本文", "Purposes")
    client = Client()
    client.get(JOIN)
    sign_up_with_code(client, "aya@example.jp")
    company = str(net_a.company.pk)

    refused = client.post(JOIN, about_me(company=company))
    assert refused.status_code == 400
    assert "利用目的の本文" in client.get(JOIN).content.decode()
    client.post(JOIN, about_me(company=company, accept_notice="on"))

    with scopes_disabled():
        membership = Membership.objects.get(user__email="aya@example.jp")
        assert NoticeAcceptance.objects.filter(membership=membership, notice=notice).exists()
    # Accepted while registering: the home page does not ask again.
    assert client.get("/n/alpha/").status_code == 200


def test_it_records_the_channel_link_and_counts_each_browser_once(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    with scope(network=net_a.network):
        link = JoinChannel.objects.create(
            network=net_a.network, kind=JoinChannel.Kind.PRESS, label="2026年4月 プレスリリース"
        )
    client = Client()
    path = reverse("network:channel", args=["alpha", link.token])

    first = client.get(path)
    client.get(path, follow=True)  # the browser follows the redirect to the join page
    Client().get(path)
    sign_up_with_code(client, "aya@example.jp")
    client.post(JOIN, about_me(company=str(net_a.company.pk)))

    assert first.status_code == 302
    assert first["Location"] == JOIN
    with scopes_disabled():
        link.refresh_from_db()
        registration = Registration.objects.get(user__email="aya@example.jp")
    assert link.visits == 2
    assert registration.channel == link


def test_it_tells_a_visitor_a_withdrawn_link_is_over(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        link = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.EVENT, revoked_at=timezone.now())
    response = Client().get(reverse("network:channel", args=["alpha", link.token]))

    assert response.status_code == 410
    with scopes_disabled():
        link.refresh_from_db()
    assert link.visits == 0


def test_it_puts_an_unmatched_person_in_the_queue_and_shows_them_where_they_stand(net_a: PersonaNetwork) -> None:
    client = Client()
    client.get(JOIN)
    sign_up_with_code(client, "someone@example.jp")

    client.post(JOIN, about_me(company=str(net_a.company.pk), family_name="田中", family_name_kana="たなか"))
    status = client.get(JOIN)
    home = client.get("/n/alpha/")

    assert "intake/registration_status.html" in [t.name for t in status.templates]
    assert home.status_code == 403  # waiting for approval
    with scopes_disabled():
        membership = Membership.objects.get(user__email="someone@example.jp")
    assert membership.state == MembershipState.PENDING


def test_it_keeps_what_was_typed_and_resumes_after_a_new_login(net_a: PersonaNetwork) -> None:
    client = Client()
    client.get(JOIN)
    sign_up_with_code(client, "later@example.jp")

    invalid = client.post(JOIN, about_me(company=str(net_a.company.pk), given_name_kana="Aya", leave_year=""))
    client.logout()
    again = Client()
    again.post("/accounts/login/", {"login": "later@example.jp", "password": NEW_PASSWORD})
    start = again.get("/")
    form = again.get(JOIN)

    assert invalid.status_code == 400
    assert "kana" in invalid.content.decode()
    with scopes_disabled():
        draft = Registration.objects.get(user__email="later@example.jp")
    assert draft.status == Registration.Status.DRAFT
    assert (draft.family_name, draft.hire_year, draft.given_name_kana) == ("山本", 2015, "")
    assert start.status_code == 302
    assert start["Location"] == JOIN
    assert 'value="山本"' in form.content.decode()


def test_it_saves_a_draft_on_request(net_a: PersonaNetwork) -> None:
    client = Client()
    client.get(JOIN)
    sign_up_with_code(client, "draft@example.jp")

    response = client.post(JOIN, {"family_name": "山本", "save_draft": "1"})

    assert response.status_code == 302
    with scopes_disabled():
        assert Registration.objects.get(user__email="draft@example.jp").family_name == "山本"
        assert not Membership.objects.filter(user__email="draft@example.jp").exists()


def test_it_refuses_a_huge_or_hostile_field_without_losing_the_rest(net_a: PersonaNetwork) -> None:
    client = Client()
    client.get(JOIN)
    sign_up_with_code(client, "big@example.jp")

    response = client.post(
        JOIN, about_me(company=str(net_a.company.pk), family_name="山" * 500, note="<script>alert(1)</script>")
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="big@example.jp").exists()
        assert Registration.objects.get(user__email="big@example.jp").hire_year == 2015


def test_it_keeps_sign_up_closed_when_the_network_joins_by_invitation_only(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        rules = intake_settings(net_a.network)
        rules.public_join = False
        rules.save()
    client = Client()

    page = client.get(JOIN)
    client.post("/accounts/signup/", {"email": "x@example.jp", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert 'action="/accounts/signup/"' not in page.content.decode()
    assert PENDING_INVITATION_SESSION_KEY not in client.session
    assert not User.objects.filter(email="x@example.jp").exists()


def test_it_only_lists_the_companies_whose_leavers_may_join(net_a: PersonaNetwork) -> None:
    from enishi.networks.models import Company

    with scope(network=net_a.network):
        sister = Company.objects.create(network=net_a.network, name_ja="縁ロジスティクス")
        other = Company.objects.create(network=net_a.network, name_ja="縁リサーチ")
        intake_settings(net_a.network).eligible_companies.set([sister, other])
    client = Client()
    client.get(JOIN)
    sign_up_with_code(client, "c@example.jp")

    body = client.get(JOIN).content.decode()
    refused = client.post(JOIN, about_me(company=str(net_a.company.pk)))

    assert "縁ロジスティクス" in body
    assert net_a.company.name_ja not in body
    assert refused.status_code == 400


# --- Flyer codes ----------------------------------------------------------------------------------


def flyer_invitation(net: PersonaNetwork, record: EmploymentRecord) -> AlumniInvitation:
    with scope(network=net.network):
        return AlumniInvitation.objects.create(
            network=net.network, record=record, email="", delivery=AlumniInvitation.Delivery.FLYER, invited_by=net.hr
        )


def test_it_opens_the_personal_invitation_of_a_flyer_code_typed_loosely(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    invitation = flyer_invitation(net_a, record)
    typed = f" {invitation.short_code[:5].lower()}－{invitation.short_code[5:]} "  # full-width hyphen, spaces

    response = Client().post(reverse("network:join_code", args=["alpha"]), {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == reverse("network:join", args=["alpha", invitation.token])


def test_it_refuses_an_unknown_code_and_stops_guessing(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    cache.clear()
    invitation = flyer_invitation(net_a, record)
    client = Client()
    path = reverse("network:join_code", args=["alpha"])

    answers = [client.post(path, {"code": "ZZZZZ-ZZZZZ"})["Location"] for _ in range(10)]
    blocked = client.post(path, {"code": invitation.short_code})

    assert set(answers) == {JOIN}
    assert blocked["Location"] == JOIN  # even the right code waits once the limit is reached


def test_it_registers_a_flyer_holder_with_the_address_they_choose(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    invitation = flyer_invitation(net_a, record)
    client = Client()
    client.get(reverse("network:join", args=["alpha", invitation.token]))

    client.post("/accounts/signup/", {"email": "aya.new@example.jp", "password1": NEW_PASSWORD,
                                      "password2": NEW_PASSWORD})  # fmt: skip

    with scopes_disabled():
        invitation.refresh_from_db()
        record.refresh_from_db()
    assert invitation.accepted_at is not None
    assert record.membership is not None
    assert record.membership.user.email == "aya.new@example.jp"
    # The address was not the one HR knows: it must still be verified before the account is used.
    assert "_auth_user_id" not in client.session


# --- Personal invitation by email: sign-up is joining -----------------------------------------------


def test_it_joins_at_sign_up_from_an_emailed_invitation_and_asks_consents_with_the_notice(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    with scope(network=net_a.network):
        publish_notice(net_a.network, net_a.admin, "利用目的", "Purposes")
        invitation = AlumniInvitation.objects.create(
            network=net_a.network, record=record, email="aya.old@example.jp", invited_by=net_a.hr
        )
    client = Client()
    client.get(reverse("network:join", args=["alpha", invitation.token]))

    signed_up = client.post("/accounts/signup/", {"email": "aya.old@example.jp", "password1": NEW_PASSWORD,
                                                  "password2": NEW_PASSWORD}, follow=True)  # fmt: skip
    notice_page = signed_up.redirect_chain[-1][0]
    client.post(notice_page, {"consents": ["rehire_contact", "coordinator_relay"]})

    assert notice_page == reverse("network:accept_notice", args=["alpha"])
    with scopes_disabled():
        membership = Membership.objects.get(user__email="aya.old@example.jp")
        purposes = set(Consent.objects.filter(membership=membership).values_list("purpose", flat=True))
    assert membership.state == MembershipState.ACTIVE
    assert purposes == {"rehire_contact", "coordinator_relay"}
    assert client.get("/n/alpha/").status_code == 200


# --- Referral links ---------------------------------------------------------------------------------


def test_it_gives_each_alumnus_one_referral_link_that_counts_who_joined(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    alumnus = net_a.client_for("alumnus1")
    page = alumnus.get(reverse("network:referral", args=["alpha"]))
    alumnus.get(reverse("network:referral", args=["alpha"]))
    with scopes_disabled():
        link = JoinChannel.objects.get(referrer=net_a.memberships["alumnus1"])
    client = Client()
    client.get(reverse("network:channel", args=["alpha", link.token]), follow=True)
    sign_up_with_code(client, "friend@example.jp")
    client.post(JOIN, about_me(company=str(net_a.company.pk)))

    assert page.status_code == 200
    assert link.token in page.content.decode()
    assert "<svg" in page.content.decode()
    with scopes_disabled():
        assert JoinChannel.objects.filter(kind=JoinChannel.Kind.REFERRAL).count() == 1
        assert Registration.objects.get(user__email="friend@example.jp").channel == link
    assert alumnus.get(reverse("network:referral", args=["alpha"])).context["registered"] == 1


def test_it_keeps_the_referral_page_for_alumni(net_a: PersonaNetwork) -> None:
    assert net_a.client_for("hr").get(reverse("network:referral", args=["alpha"])).status_code == 404


def test_it_sends_a_member_who_opens_the_join_page_home(net_a: PersonaNetwork) -> None:
    response = net_a.client_for("alumnus1").get(JOIN)

    assert response.status_code == 302
    assert response["Location"] == "/n/alpha/"


def test_it_expires_nothing_it_should_not(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        link = JoinChannel.objects.create(
            network=net_a.network, kind=JoinChannel.Kind.HOMEPAGE, expires_at=timezone.now() + timedelta(days=1)
        )
    assert Client().get(reverse("network:channel", args=["alpha", link.token])).status_code == 302
