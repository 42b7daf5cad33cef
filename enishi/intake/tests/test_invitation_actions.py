"""One invitation's actions on the record page: resend, revoke, mark as bounced; refused cleanly when
the person is registered or the invitation is spent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.intake.models import AlumniInvitation, EmploymentRecord
from enishi.intake.tests.invitation_helpers import (
    audit_entries,
    days_ago,
    emails,
    english_client,
    invitations_of,
    make_invitation,
    make_record,
    messages_of,
    reload,
    snapshot_invitations,
)


@pytest.fixture
def record(net_a: PersonaNetwork) -> EmploymentRecord:
    return make_record(net_a, "A-001", email="aya@example.jp")


def act(net: PersonaNetwork, action: str, invitation: AlumniInvitation, slug: str = "alpha") -> list[str]:
    response = english_client(net, "hr").post(reverse(f"manage:intake_invitation_{action}", args=[slug, invitation.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:intake_record", args=[slug, invitation.record_id])
    return messages_of(response)


def test_it_resends_an_open_invitation_with_the_same_link_valid_for_longer(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    invitation = make_invitation(record, expires_at=timezone.now() + timedelta(days=3))

    said = act(net_a, "resend", invitation)

    after = reload(invitation)
    assert said == ["The invitation was sent again."]
    assert after.token == invitation.token
    assert after.expires_at - timezone.now() > timedelta(days=29)
    assert after.reminded_at is not None  # a resend counts as the reminder
    assert [(email.kind, email.to) for email in emails()] == [("alumni-invitation", "aya@example.jp")]
    assert invitation.token in emails()[0].text_body
    assert emails()[0].reference == f"alumni_invitation:{invitation.pk}"
    [entry] = audit_entries("alumni.invitation_resent")
    assert (entry.actor, entry.target_id, entry.data) == (
        net_a.hr, str(record.pk), {"invitation": invitation.pk, "same_link": True},
    )  # fmt: skip
    assert len(invitations_of(record)) == 1


def test_it_sends_a_new_link_for_an_expired_invitation(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    expired = make_invitation(record, email="old@example.jp", expires_at=days_ago(1))

    act(net_a, "resend", expired)

    old, new = invitations_of(record)
    assert old.revoked_at is not None
    assert (new.email, new.revoked_at, new.invited_by) == ("old@example.jp", None, net_a.hr)
    assert new.token != old.token
    assert [email.to for email in emails()] == ["old@example.jp"]
    assert audit_entries("alumni.invitation_resent")[0].data == {
        "invitation": new.pk, "replaces": old.pk, "same_link": False,
    }  # fmt: skip


def test_it_refuses_to_resend_to_an_address_that_bounced_until_hr_corrects_it(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    bounced = make_invitation(record, bounced_at=timezone.now())
    before = snapshot_invitations(net_a)

    refused = act(net_a, "resend", bounced)

    assert refused == ["Emails to aya@example.jp bounced. Correct the private email on the record, then send again."]
    assert snapshot_invitations(net_a) == before
    assert emails() == []
    with scopes_disabled():
        EmploymentRecord.objects.filter(pk=record.pk).update(private_email="aya.new@example.jp")

    act(net_a, "resend", bounced)

    old, new = invitations_of(record)
    assert (old.pk, new.email) == (bounced.pk, "aya.new@example.jp")
    assert [email.to for email in emails()] == ["aya.new@example.jp"]


def test_it_refuses_to_email_a_flyer(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    flyer = make_invitation(record, email="", delivery=AlumniInvitation.Delivery.FLYER)
    before = snapshot_invitations(net_a)

    refused = act(net_a, "resend", flyer)

    assert refused == [
        "A flyer cannot be resent. Print it again, or send an invitation by email (it replaces the flyer)."
    ]
    assert snapshot_invitations(net_a) == before
    assert emails() == []


def test_it_revokes_an_invitation_once(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    invitation = make_invitation(record)

    first = act(net_a, "revoke", invitation)
    revoked_at = reload(invitation).revoked_at
    second = act(net_a, "revoke", invitation)

    assert first == ["The invitation was revoked: its link and code no longer work."]
    assert second == ["This invitation was revoked or replaced by a newer one."]
    assert revoked_at is not None
    assert reload(invitation).revoked_at == revoked_at
    [entry] = audit_entries("alumni.invitation_revoked")
    assert (entry.actor, entry.data) == (net_a.hr, {"invitation": invitation.pk})


def test_it_marks_an_emailed_invitation_bounced_once_and_never_a_flyer(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    invitation = make_invitation(record)
    flyer = make_invitation(make_record(net_a, "A-002"), email="", delivery=AlumniInvitation.Delivery.FLYER)

    first = act(net_a, "bounced", invitation)
    bounced_at = reload(invitation).bounced_at
    second = act(net_a, "bounced", invitation)
    for_flyer = act(net_a, "bounced", flyer)

    assert first == ["The invitation was marked as bounced. No reminder will be sent."]
    assert second == ["This invitation is already marked as bounced."]
    assert for_flyer == ["This invitation was not sent by email."]
    assert bounced_at is not None
    assert reload(invitation).bounced_at == bounced_at
    assert reload(flyer).bounced_at is None
    [entry] = audit_entries("alumni.invitation_bounced")
    assert (entry.actor, entry.data) == (net_a.hr, {"invitation": invitation.pk, "source": "staff"})


@pytest.mark.parametrize("action", ["resend", "revoke", "bounced"])
def test_it_refuses_every_action_for_a_registered_person_or_an_accepted_invitation(
    action: str, net_a: PersonaNetwork
) -> None:
    registered = make_record(net_a, "A-010", email="m@example.jp", membership=net_a.memberships["alumnus1"])
    open_for_registered = make_invitation(registered)
    accepted = make_invitation(make_record(net_a, "A-011", email="a@example.jp"), accepted_at=timezone.now())
    before = snapshot_invitations(net_a)

    said = [act(net_a, action, invitation) for invitation in (open_for_registered, accepted)]

    assert said == [["This person is already registered."], ["This person is already registered."]]
    assert snapshot_invitations(net_a) == before
    assert emails() == []
    assert audit_entries(f"alumni.invitation_{'resent' if action == 'resend' else action}") == []


def test_it_refuses_actions_on_a_revoked_invitation(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    revoked = make_invitation(record, revoked_at=timezone.now())
    before = snapshot_invitations(net_a)

    said = [act(net_a, action, revoked) for action in ("resend", "bounced")]

    assert said == [["This invitation was revoked or replaced by a newer one."]] * 2
    assert snapshot_invitations(net_a) == before
    assert emails() == []


def test_it_answers_404_for_another_networks_invitation(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    foreign = make_invitation(make_record(net_b, "B-001", email="b@example.jp"))
    before = snapshot_invitations(net_b)
    client = english_client(net_a, "hr")

    for action in ("resend", "revoke", "bounced"):
        assert client.post(reverse(f"manage:intake_invitation_{action}", args=["alpha", foreign.pk])).status_code == 404

    assert snapshot_invitations(net_b) == before
    assert emails() == []


def test_it_shows_the_history_with_statuses_and_the_actions_that_apply(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    replaced = make_invitation(record, email="old@example.jp", revoked_at=timezone.now())
    current = make_invitation(record, opened_at=timezone.now(), reminded_at=timezone.now())

    response = english_client(net_a, "hr").get(reverse("manage:intake_record", args=["alpha", record.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert [inv.pk for inv in response.context["invitations"]] == [current.pk, replaced.pk]
    assert '<span class="badge badge-opened">Opened</span>' in page
    assert '<span class="badge badge-expired">Replaced or revoked</span>' in page
    for action in ("resend", "revoke", "bounced"):
        assert reverse(f"manage:intake_invitation_{action}", args=["alpha", current.pk]) in page
        assert reverse(f"manage:intake_invitation_{action}", args=["alpha", replaced.pk]) not in page
    assert reverse("manage:intake_record_flyer", args=["alpha", record.pk]) in page
    assert "Print a flyer" in page
