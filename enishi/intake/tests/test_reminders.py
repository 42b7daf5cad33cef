"""One reminder per unanswered email invitation, sent by the worker's maintenance, never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_scopes import scope, scopes_disabled
from pytest_django import DjangoCaptureOnCommitCallbacks

from conftest import PersonaNetwork
from enishi.intake import services
from enishi.intake.access import intake_settings
from enishi.intake.models import AlumniInvitation, EmploymentRecord
from enishi.intake.tests.invitation_helpers import days_ago, emails, make_invitation, make_record, reload
from enishi.notifications import emails as email_functions
from enishi.notifications.models import OutboundEmail
from enishi.ops.management.commands import worker


@pytest.fixture
def record(net_a: PersonaNetwork) -> EmploymentRecord:
    return make_record(net_a, "R-001", email="aya@example.jp", family_name="山本")


def sent_eight_days_ago(record: EmploymentRecord, **fields: object) -> AlumniInvitation:
    invitation = make_invitation(record, **fields)
    with scopes_disabled():
        AlumniInvitation.objects.filter(pk=invitation.pk).update(created_at=days_ago(8))
    return reload(invitation)


def test_it_reminds_once_after_the_networks_delay(
    net_a: PersonaNetwork, record: EmploymentRecord, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    invitation = sent_eight_days_ago(record)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_due_reminders()
        second = services.send_due_reminders()

    assert (first, second) == (1, 0)
    [email] = emails()
    assert (email.kind, email.to, email.status) == ("alumni-invitation-reminder", "aya@example.jp", "sent")
    assert email.reference == f"alumni_invitation:{invitation.pk}"
    assert f"http://testserver/n/alpha/join/{invitation.token}/" in email.text_body
    with translation.override("ja"):
        subject = gettext("Reminder: your invitation to %(network)s") % {"network": "アルファ"}
    assert email.subject == subject
    assert reload(invitation).reminded_at is not None


def test_it_waits_for_the_delay(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    invitation = make_invitation(record)
    with scopes_disabled():
        AlumniInvitation.objects.filter(pk=invitation.pk).update(created_at=days_ago(6))

    assert services.send_due_reminders() == 0
    assert services.send_due_reminders(now=timezone.now() + timedelta(days=2)) == 1
    assert len(emails("alumni-invitation-reminder")) == 1


@pytest.mark.parametrize(
    "state",
    [
        {"accepted_at": timezone.now()},
        {"bounced_at": timezone.now()},
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"reminded_at": timezone.now() - timedelta(days=1)},
        {"delivery": AlumniInvitation.Delivery.FLYER, "email": ""},
    ],
    ids=["accepted", "bounced", "revoked", "expired", "reminded", "flyer"],
)
def test_it_does_not_remind_a_spent_or_unsuitable_invitation(
    state: dict[str, object], net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    invitation = sent_eight_days_ago(record, **state)

    assert services.send_due_reminders() == 0

    assert emails() == []
    assert reload(invitation).reminded_at == invitation.reminded_at


def test_it_does_not_remind_a_person_who_registered_another_way(net_a: PersonaNetwork) -> None:
    registered = make_record(net_a, "R-002", email="m@example.jp", membership=net_a.memberships["alumnus1"])
    sent_eight_days_ago(registered)

    assert services.send_due_reminders() == 0
    assert emails() == []


def test_it_sends_no_reminder_where_the_network_switched_them_off(
    net_a: PersonaNetwork, net_b: PersonaNetwork, record: EmploymentRecord
) -> None:
    sent_eight_days_ago(record)
    sent_eight_days_ago(make_record(net_b, "B-001", email="b@example.jp"))
    with scope(network=net_a.network):
        rules = intake_settings(net_a.network)
        rules.reminder_days = 0
        rules.save()

    assert services.send_due_reminders() == 1

    assert [email.to for email in emails()] == ["b@example.jp"]


def test_it_never_sends_twice_when_two_workers_run_at_once(
    net_a: PersonaNetwork, record: EmploymentRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation = sent_eight_days_ago(record)
    original = email_functions.alumni_invitation_reminder
    during: list[int] = []

    def remind_while_another_worker_runs(invitation: AlumniInvitation) -> OutboundEmail:
        # The other worker read the same due list before this one claimed the invitation.
        if not during:
            during.append(services.send_due_reminders())
        return original(invitation)

    monkeypatch.setattr(email_functions, "alumni_invitation_reminder", remind_while_another_worker_runs)

    assert services.send_due_reminders() == 1
    assert during == [0]
    assert len(emails("alumni-invitation-reminder")) == 1
    assert reload(invitation).reminded_at is not None


def test_it_releases_the_claim_when_the_email_cannot_be_queued(
    net_a: PersonaNetwork, record: EmploymentRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation = sent_eight_days_ago(record)

    def broken(invitation: AlumniInvitation) -> OutboundEmail:
        raise RuntimeError("template missing")

    monkeypatch.setattr(email_functions, "alumni_invitation_reminder", broken)
    with pytest.raises(RuntimeError):
        services.send_due_reminders()
    monkeypatch.undo()

    assert reload(invitation).reminded_at is None
    assert services.send_due_reminders() == 1


def test_it_runs_reminders_and_automatic_invitations_in_the_workers_maintenance(
    net_a: PersonaNetwork, record: EmploymentRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_eight_days_ago(record)
    ran: list[str] = []

    def failing() -> int:
        ran.append("failing")
        raise RuntimeError("a broken job must not stop the others")

    monkeypatch.setattr(worker, "MAINTENANCE_JOBS", (failing, *worker.MAINTENANCE_JOBS))

    worker.run_maintenance()

    assert ran == ["failing"]
    assert services.send_due_reminders in worker.MAINTENANCE_JOBS
    assert services.send_automatic_invitations in worker.MAINTENANCE_JOBS
    assert [email.kind for email in emails()] == ["alumni-invitation-reminder"]
