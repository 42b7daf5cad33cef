"""The fast path: our own SMTP client on a real loopback server (one connection, in this thread, so
that it sees the test's database)."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.header import decode_header, make_header

import pytest
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.newsletters import sending, services
from enishi.newsletters.models import Delivery, Newsletter
from enishi.newsletters.tests.smtp_sink import Sink


@pytest.fixture
def sink(net_a: PersonaNetwork, settings) -> Iterator[Sink]:  # type: ignore[no-untyped-def]
    with Sink(refuse=frozenset({net_a.alumnus2.email})) as running:
        settings.EMAIL_BACKEND = sending.SMTP_BACKEND
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", running.port
        settings.NEWSLETTER_SMTP_CONNECTIONS = 1
        yield running


def test_it_sends_mime_messages_and_records_a_refused_address_as_bounced(
    net_a: PersonaNetwork, newsletter: Newsletter, sink: Sink
) -> None:
    net_a.alumnus1.language = "en"
    net_a.alumnus1.save()
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    assert sending.send_newsletter_now(newsletter.pk, poll_seconds=0) == "sent"

    received = {recipient: email.message_from_bytes(content) for recipient, content, _at in sink.messages()}
    assert sorted(received) == sorted([net_a.supporter.email, net_a.alumnus1.email])
    english = received[net_a.alumnus1.email]
    assert str(make_header(decode_header(english["Subject"]))) == "Alumni letter, autumn"
    assert english["To"] == net_a.alumnus1.email
    assert english["List-Unsubscribe"].startswith("<http://testserver/n/alpha/unsubscribe/")
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = (part.get_payload(decode=True).decode() for part in english.get_payload())
    with scopes_disabled():
        delivery = Delivery.objects.get(membership=net_a.memberships["alumnus1"])
        refused = Delivery.objects.get(membership=net_a.memberships["alumnus2"])
    assert "Dear 佐藤\u3000一郎," in text
    assert f"/n/alpha/nl/c/{delivery.token}-2/" in html
    assert english["Message-ID"] == f"<nl.{delivery.token}@enishi.localhost>"
    assert refused.status == Delivery.Status.BOUNCED
    assert refused.error.startswith("550")
    with scope(network=net_a.network):
        report = services.report(newsletter)
    assert (report.recipients, report.sent, report.bounced, report.failed) == (3, 2, 1, 0)


def test_it_keeps_rows_queued_when_the_server_is_unreachable(
    net_a: PersonaNetwork, newsletter: Newsletter, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = sending.SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    settings.NEWSLETTER_SMTP_CONNECTIONS = 1
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    assert sending.send_newsletter_now(newsletter.pk, poll_seconds=0) == "no progress"
    with scopes_disabled():
        statuses = set(Delivery.objects.filter(newsletter=newsletter).values_list("status", "attempts"))
    assert statuses == {(Delivery.Status.QUEUED, 0)}
