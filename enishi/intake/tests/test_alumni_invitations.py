"""A leaver invited by HR registers from the personal link: pre-verified, linked to their record."""

from __future__ import annotations

from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.intake import services
from enishi.intake.models import AlumniInvitation, EmploymentRecord
from enishi.lib.errors import ActionRefused
from enishi.networks.models import Membership
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import AuditEntry

PASSWORD = "a-long-new-password-2024"


@pytest.fixture
def record(net_a: PersonaNetwork) -> EmploymentRecord:
    with scope(network=net_a.network):
        return EmploymentRecord.objects.create(
            network=net_a.network, company=net_a.company, employee_number="L-001", family_name="山本",
            given_name="彩", family_name_kana="ヤマモト", given_name_kana="アヤ", private_email="aya@example.jp",
            leave_date=date(2024, 3, 31),
        )  # fmt: skip


def invite(net: PersonaNetwork, record: EmploymentRecord) -> AlumniInvitation:
    response = net.client_for("hr").post(reverse("manage:intake_record_invite", args=["alpha", record.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        return AlumniInvitation.objects.filter(record=record).latest("pk")


def join_path(invitation: AlumniInvitation) -> str:
    return reverse("network:join", args=["alpha", invitation.token])


def test_it_invites_a_leaver_by_email_and_audits_it(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    invitation = invite(net_a, record)

    with scopes_disabled():
        assert invitation.email == "aya@example.jp"
        assert list(OutboundEmail.objects.values_list("kind", "to")) == [("alumni-invitation", "aya@example.jp")]
        assert AuditEntry.objects.filter(action="alumni.invited", target_id=str(record.pk)).count() == 1
    assert invitation.token in OutboundEmail.objects.get().text_body


def test_it_refuses_to_invite_without_an_address(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    with scopes_disabled():
        EmploymentRecord.objects.filter(pk=record.pk).update(private_email="")

    client = net_a.client_for("hr")
    client.post(reverse("manage:intake_record_invite", args=["alpha", record.pk]))

    with scopes_disabled():
        assert AlumniInvitation.objects.count() == 0
        assert OutboundEmail.objects.count() == 0


def test_it_registers_an_invited_leaver_as_the_account_is_created(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    invitation = invite(net_a, record)
    client = Client()

    welcome = client.get(join_path(invitation))
    signup = client.post(
        f"/accounts/signup/?next={join_path(invitation)}",
        {"email": "aya@example.jp", "password1": PASSWORD, "password2": PASSWORD},
    )
    joined = client.get(join_path(invitation))  # where sign-up leads: already a member, so home

    assert welcome.status_code == 200
    assert "山本" in welcome.content.decode()
    assert signup.status_code == 302
    assert signup["Location"] == join_path(invitation)  # pre-verified: no confirmation email round trip
    assert joined["Location"] == "/n/alpha/"
    user = User.objects.get(email="aya@example.jp")
    assert EmailAddress.objects.get(user=user).verified is True
    assert (user.family_name, user.given_name_kana) == ("山本", "アヤ")
    with scopes_disabled():
        membership = Membership.objects.get(network=net_a.network, user=user)
        record.refresh_from_db()
        invitation.refresh_from_db()
    assert (membership.role, membership.state) == ("alumnus", "active")
    assert record.membership_id == membership.pk
    assert invitation.accepted_at is not None
    assert invitation.opened_at is not None
    assert Client().get(join_path(invitation)).status_code == 410  # used: nobody can replay it


def test_it_replaces_the_old_link_when_inviting_again(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    first = invite(net_a, record)
    second = invite(net_a, record)

    assert Client().get(join_path(first)).status_code == 410
    assert Client().get(join_path(second)).status_code == 200


def test_it_hides_the_link_from_someone_signed_in_with_another_address(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    invitation = invite(net_a, record)

    assert net_a.client_for("alumnus1").get(join_path(invitation)).status_code == 404


def test_it_refuses_a_second_registration_of_the_same_invitation(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    invitation = invite(net_a, record)
    person = User.objects.create_user("aya@example.jp", PASSWORD)
    with scope(network=net_a.network):
        services.accept_alumni_invitation(invitation, person)
        with pytest.raises(ActionRefused):
            services.accept_alumni_invitation(invitation, person)
        assert Membership.objects.filter(network=net_a.network, user=person).count() == 1
