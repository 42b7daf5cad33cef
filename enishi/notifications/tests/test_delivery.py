"""Emails go through the task queue to a real SMTP server, once, in the recipient's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django_scopes import scope
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.networks.models import Network, StaffInvitation
from enishi.networks.roles import Role
from enishi.networks.services import invite_staff
from enishi.notifications.models import OutboundEmail
from enishi.notifications.services import queue_rendered_email
from enishi.notifications.tasks import MAX_ATTEMPTS, STALE_SENDING_MINUTES, deliver_email, requeue_undelivered_emails
from enishi.notifications.tests.conftest import LoopbackSMTP, ReceivedEmail

NEWCOMER = "new.staff@example.jp"
SENDER = "noreply@enishi.localhost"


def invite(network: Network, actor: User, email: str, capture: DjangoCaptureOnCommitCallbacks) -> StaffInvitation:
    """Invite as the staff console would: inside the network's scope, delivery after commit."""
    with scope(network=network), capture(execute=True):
        return invite_staff(network, actor, email, Role.HR)


def queue_plain_email(
    capture: DjangoCaptureOnCommitCallbacks, *, execute: bool, to: str = "someone@example.jp"
) -> OutboundEmail:
    """Queue a pre-rendered email; with execute=False its delivery task is dropped, for tests to run by hand."""
    with capture(execute=execute):
        return queue_rendered_email(
            kind="test-message", to=to, language="ja", subject="件名", text_body="本文", html_body="<p>本文</p>"
        )


def only_message(smtp: LoopbackSMTP) -> ReceivedEmail:
    messages = smtp.messages
    assert len(messages) == 1, [m.subject for m in messages]
    return messages[0]


def expected_invitation_texts(invitation: StaffInvitation, language: str) -> dict[str, str]:
    """What the invitation must say, from the message catalogue directly (not from the templates)."""
    with translation.override(language):
        network = invitation.network.name
        return {
            "subject": gettext("Invitation to the secretariat of %(network)s") % {"network": network},
            "invited": gettext("You are invited to join the secretariat of %(network)s as %(role)s.")
            % {"network": network, "role": gettext("HR / recruiting")},
            "accept": gettext("Accept the invitation"),
            # Django's own locale formats: Japanese dates read 2025年1月2日 whatever our catalogue holds.
            "valid_until": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
        }


def test_it_delivers_a_staff_invitation_in_the_networks_language_to_a_newcomer(
    net_a: PersonaNetwork, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    invitation = invite(net_a.network, net_a.admin, NEWCOMER, django_capture_on_commit_callbacks)

    received = only_message(smtp_server)
    expected = expected_invitation_texts(invitation, "ja")
    assert received.mail_from == SENDER
    assert received.rcpt_tos == [NEWCOMER]
    assert received.message["To"] == NEWCOMER
    assert received.message["From"] == "Enishi <noreply@enishi.localhost>"
    assert received.subject == expected["subject"]
    assert "アルファ" in received.subject
    assert "ALPHA Network" not in received.subject
    accept_url = "http://testserver" + reverse("network:accept_staff_invitation", args=["alpha", invitation.token])
    valid_until = timezone.localtime(invitation.expires_at)
    japanese_date = f"{valid_until.year}年{valid_until.month}月{valid_until.day}日"
    assert expected["valid_until"] == japanese_date
    for body in (received.text, received.html):
        assert expected["invited"] in body
        assert accept_url in body
        assert japanese_date in body
    assert expected["accept"] in received.html

    email = OutboundEmail.objects.get()
    assert (email.kind, email.to, email.language, email.network) == ("staff-invitation", NEWCOMER, "ja", net_a.network)
    assert (email.status, email.attempts, email.error) == (OutboundEmail.Status.SENT, 1, "")


def test_it_delivers_a_staff_invitation_in_english_to_a_user_who_reads_english(
    net_a: PersonaNetwork,
    outsider: User,
    smtp_server: LoopbackSMTP,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    outsider.language = "en"
    outsider.save(update_fields=["language"])

    invitation = invite(net_a.network, net_a.admin, outsider.email, django_capture_on_commit_callbacks)

    received = only_message(smtp_server)
    expected = expected_invitation_texts(invitation, "en")
    assert received.rcpt_tos == [outsider.email]
    assert received.subject == "Invitation to the secretariat of ALPHA Network"
    assert received.subject == expected["subject"]
    assert "アルファ" not in received.subject
    assert "年" not in received.text
    for body in (received.text, received.html):
        assert expected["invited"] in body
        assert expected["valid_until"] in body
    assert OutboundEmail.objects.get().language == "en"


def test_it_declares_the_recipients_language_in_the_html_part(
    net_a: PersonaNetwork,
    outsider: User,
    smtp_server: LoopbackSMTP,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    outsider.language = "en"
    outsider.save(update_fields=["language"])

    invite(net_a.network, net_a.admin, outsider.email, django_capture_on_commit_callbacks)

    assert '<html lang="en">' in only_message(smtp_server).html


def test_it_does_not_html_escape_the_subject_and_text_part(
    net_a: PersonaNetwork, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    net_a.network.name_ja = "縁 & 絆 <グループ>"
    net_a.network.save(update_fields=["name_ja"])

    invite(net_a.network, net_a.admin, NEWCOMER, django_capture_on_commit_callbacks)

    received = only_message(smtp_server)
    assert "縁 & 絆 <グループ>" in received.subject
    assert "縁 & 絆 <グループ>" in received.text
    assert "縁 &amp; 絆 &lt;グループ&gt;" in received.html


@pytest.mark.parametrize(("language", "other_language"), [("en", "ja"), ("ja", "en")])
def test_it_delivers_allauths_password_reset_in_the_users_language(
    net_a: PersonaNetwork,
    smtp_server: LoopbackSMTP,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    language: str,
    other_language: str,
) -> None:
    cache.clear()  # allauth's rate limits count in the cache, shared by the whole session
    user = net_a.alumnus1
    user.language = language
    user.save(update_fields=["language"])

    # The request asks for the other language: the email must follow the account, not the browser.
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(headers={"accept-language": other_language}).post(
            "/accounts/password/reset/", {"email": user.email}
        )

    assert response.status_code == 302
    received = only_message(smtp_server)
    assert received.rcpt_tos == [user.email]
    with translation.override(language):
        expected_subject = "[Enishi] " + gettext("Password Reset Email")
    with translation.override(other_language):
        wrong_subject = "[Enishi] " + gettext("Password Reset Email")
    assert expected_subject != wrong_subject  # allauth ships Japanese: the check can tell the languages apart
    assert received.subject == expected_subject
    assert "http://testserver/accounts/password/reset/key/" in received.text
    email = OutboundEmail.objects.get()
    assert (email.kind, email.language, email.network, email.status) == (
        "password_reset_key",
        language,
        None,
        OutboundEmail.Status.SENT,
    )


def test_it_sends_once_when_the_task_runs_twice(
    db: None, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    email = queue_plain_email(django_capture_on_commit_callbacks, execute=False)

    assert deliver_email.call(email.pk) == "sent"
    assert deliver_email.call(email.pk) == "skipped"

    received = only_message(smtp_server)
    assert received.subject == "件名"
    assert received.text.strip() == "本文"
    assert received.html.strip() == "<p>本文</p>"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (OutboundEmail.Status.SENT, 1, "")
    assert email.sent_at is not None
    assert timezone.now() - email.sent_at < timedelta(seconds=30)


def test_it_sends_once_when_the_task_is_enqueued_again_after_delivery(
    db: None, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    email = queue_plain_email(django_capture_on_commit_callbacks, execute=True)

    second = deliver_email.enqueue(email.pk)

    assert second.return_value == "skipped"
    assert len(smtp_server.messages) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)


def test_it_does_not_enqueue_delivery_before_the_transaction_commits(
    db: None, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_rendered_email(
            kind="test-message", to="someone@example.jp", language="ja", subject="件名", text_body="本文"
        )

    assert len(callbacks) == 1
    assert smtp_server.messages == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, 0)


def test_it_marks_a_refused_delivery_failed_and_sends_it_when_requeued(
    db: None,
    settings: Settings,
    smtp_server: LoopbackSMTP,
    closed_port: int,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.EMAIL_PORT = closed_port
    email = queue_plain_email(django_capture_on_commit_callbacks, execute=True)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at) == (OutboundEmail.Status.FAILED, 1, None)
    assert "Connection refused" in email.error
    assert smtp_server.messages == []

    settings.EMAIL_PORT = smtp_server.port
    assert requeue_undelivered_emails() == 1

    assert only_message(smtp_server).rcpt_tos == ["someone@example.jp"]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (OutboundEmail.Status.SENT, 2, "")
    assert email.sent_at is not None
    assert requeue_undelivered_emails() == 0
    assert len(smtp_server.messages) == 1


def test_it_gives_up_after_the_last_attempt(
    db: None, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    email = queue_plain_email(django_capture_on_commit_callbacks, execute=False)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.FAILED, attempts=MAX_ATTEMPTS, error="Connection refused"
    )

    assert requeue_undelivered_emails() == 0

    assert smtp_server.messages == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.FAILED, MAX_ATTEMPTS)


def test_it_recovers_an_email_a_dead_worker_left_half_sent(
    db: None, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    stuck = queue_plain_email(django_capture_on_commit_callbacks, execute=False, to="stuck@example.jp")
    recent = queue_plain_email(django_capture_on_commit_callbacks, execute=False, to="recent@example.jp")
    now = timezone.now()
    OutboundEmail.objects.filter(pk=stuck.pk).update(
        status=OutboundEmail.Status.SENDING, attempts=1, claimed_at=now - timedelta(minutes=STALE_SENDING_MINUTES + 1)
    )
    OutboundEmail.objects.filter(pk=recent.pk).update(
        status=OutboundEmail.Status.SENDING, attempts=1, claimed_at=now - timedelta(minutes=STALE_SENDING_MINUTES - 1)
    )

    assert requeue_undelivered_emails() == 1

    assert only_message(smtp_server).rcpt_tos == ["stuck@example.jp"]
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert (stuck.status, stuck.attempts, stuck.error) == (OutboundEmail.Status.SENT, 2, "")
    assert (recent.status, recent.attempts) == (OutboundEmail.Status.SENDING, 1)


def test_it_does_not_take_an_old_email_from_the_worker_sending_it(
    db: None,
    smtp_server: LoopbackSMTP,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # An email that waited in a backlog longer than the stale limit is being sent when the worker's
    # maintenance (heartbeat thread, or another worker) runs: simulate that moment inside the send.
    email = queue_plain_email(django_capture_on_commit_callbacks, execute=False)
    old = timezone.now() - timedelta(minutes=STALE_SENDING_MINUTES + 5)
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=old)
    original_send = SMTPBackend.send_messages
    sends: list[int] = []
    requeued_during_send: list[int] = []

    def send_while_maintenance_runs(backend: SMTPBackend, messages: Any) -> int:
        sends.append(len(messages))
        if len(sends) == 1:
            requeued_during_send.append(requeue_undelivered_emails())
        return original_send(backend, messages)

    monkeypatch.setattr(SMTPBackend, "send_messages", send_while_maintenance_runs)

    assert deliver_email.call(email.pk) == "sent"

    assert len(smtp_server.messages) == 1
    assert sends == [1]
    assert requeued_during_send == [0]


def test_it_sends_an_email_whose_enqueue_was_lost(
    db: None, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    lost = queue_plain_email(django_capture_on_commit_callbacks, execute=False, to="lost@example.jp")
    fresh = queue_plain_email(django_capture_on_commit_callbacks, execute=False, to="fresh@example.jp")
    OutboundEmail.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    assert requeue_undelivered_emails() == 1

    assert only_message(smtp_server).rcpt_tos == ["lost@example.jp"]
    fresh.refresh_from_db()
    assert fresh.status == OutboundEmail.Status.QUEUED


def test_it_never_claims_an_email_past_its_attempts(
    db: None, smtp_server: LoopbackSMTP, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    email = queue_plain_email(django_capture_on_commit_callbacks, execute=False)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED, attempts=MAX_ATTEMPTS)

    assert deliver_email.call(email.pk) == "skipped"
    assert smtp_server.messages == []
