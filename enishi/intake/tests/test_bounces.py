"""A permanent SMTP refusal bounces the email (never retried) and marks its invitation bounced."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django_scopes import scopes_disabled
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from conftest import PersonaNetwork
from enishi.intake.models import EmploymentRecord, InvitationStatus
from enishi.intake.tests.invitation_helpers import audit_entries, make_record, reload
from enishi.notifications.models import OutboundEmail
from enishi.notifications.signals import email_bounced
from enishi.notifications.tasks import deliver_email, is_permanent_refusal, requeue_undelivered_emails
from enishi.notifications.tests.conftest import LOOPBACK, unused_port


@dataclass
class RefusingHandler:
    """An SMTP server that answers RCPT with a fixed reply (550: no such mailbox; 450: try later)."""

    reply: str
    rcpt_seen: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.rcpt_seen.append(address)
        return self.reply


@pytest.fixture
def refusing_smtp(settings: Settings) -> Iterator[RefusingHandler]:
    handler = RefusingHandler(reply="550 5.1.1 <nobody@example.jp>: Recipient address rejected: User unknown")
    controller = Controller(handler, hostname=LOOPBACK, port=unused_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = LOOPBACK, controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def record(net_a: PersonaNetwork) -> EmploymentRecord:
    return make_record(net_a, "X-001", email="nobody@example.jp")


def invite(net: PersonaNetwork, record: EmploymentRecord, capture: DjangoCaptureOnCommitCallbacks) -> None:
    with capture(execute=True):
        response = net.client_for("hr").post(reverse("manage:intake_record_invite", args=["alpha", record.pk]))
    assert response.status_code == 302


def test_it_bounces_a_refused_invitation_and_marks_it_on_the_invitation(
    net_a: PersonaNetwork,
    record: EmploymentRecord,
    refusing_smtp: RefusingHandler,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    announced: list[OutboundEmail] = []

    def listen(sender: type[OutboundEmail], email: OutboundEmail, **kwargs: Any) -> None:
        announced.append(email)

    email_bounced.connect(listen)
    try:
        invite(net_a, record, django_capture_on_commit_callbacks)
    finally:
        email_bounced.disconnect(listen)

    email = OutboundEmail.objects.get()
    assert refusing_smtp.rcpt_seen == ["nobody@example.jp"]
    assert (email.status, email.attempts, email.sent_at) == (OutboundEmail.Status.BOUNCED, 1, None)
    assert "550" in email.error
    assert [bounced.pk for bounced in announced] == [email.pk]
    with scopes_disabled():
        invitation = record.invitations.get()
    assert invitation.bounced_at is not None
    assert invitation.status == InvitationStatus.BOUNCED
    [entry] = audit_entries("alumni.invitation_bounced")
    assert (entry.actor, entry.target_id, entry.data) == (
        None, str(record.pk), {"invitation": invitation.pk, "source": "smtp", "email": email.pk},
    )  # fmt: skip
    # Never retried: neither by the maintenance nor by a duplicated task.
    assert requeue_undelivered_emails() == 0
    assert deliver_email.call(email.pk) == "skipped"
    assert refusing_smtp.rcpt_seen == ["nobody@example.jp"]
    # And the records list shows it.
    listed = net_a.client_for("hr").get(reverse("manage:intake", args=["alpha"]), {"status": "bounced"})
    assert [r.pk for r in listed.context["page"].object_list] == [record.pk]


def test_it_retries_a_temporary_refusal_and_leaves_the_invitation_alone(
    net_a: PersonaNetwork,
    record: EmploymentRecord,
    refusing_smtp: RefusingHandler,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    refusing_smtp.reply = "450 4.2.1 Mailbox busy, try again later"

    invite(net_a, record, django_capture_on_commit_callbacks)

    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts) == (OutboundEmail.Status.FAILED, 1)
    with scopes_disabled():
        assert reload(record.invitations.get()).bounced_at is None
    assert audit_entries("alumni.invitation_bounced") == []
    assert requeue_undelivered_emails() == 1  # tried again
    assert refusing_smtp.rcpt_seen == ["nobody@example.jp", "nobody@example.jp"]


def test_it_bounces_an_email_without_a_reference_without_touching_any_invitation(
    db: None, refusing_smtp: RefusingHandler, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from enishi.notifications.services import queue_rendered_email

    with django_capture_on_commit_callbacks(execute=True):
        email = queue_rendered_email(kind="test-message", to="nobody@example.jp", language="ja", subject="件名",
                                     text_body="本文")  # fmt: skip

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.BOUNCED
    assert audit_entries("alumni.invitation_bounced") == []


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.jp": (550, b"User unknown")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.jp": (553, b"Mailbox name not allowed")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.jp": (450, b"Mailbox busy")}), False),
        (smtplib.SMTPRecipientsRefused({}), False),
        (smtplib.SMTPDataError(554, b"Message rejected"), True),
        (smtplib.SMTPDataError(451, b"Local error"), False),
        # 5xx about our own configuration: fixed by the operator, then retried.
        (smtplib.SMTPSenderRefused(550, b"Sender rejected", "noreply@enishi.localhost"), False),
        (smtplib.SMTPAuthenticationError(535, b"Authentication failed"), False),
        (smtplib.SMTPHeloError(501, b"Bad HELO"), False),
        (smtplib.SMTPConnectError(554, b"No service"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
    ],
)
def test_it_tells_a_permanent_refusal_from_a_passing_failure(error: Exception, permanent: bool) -> None:
    assert is_permanent_refusal(error) is permanent
