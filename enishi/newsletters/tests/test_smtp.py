"""The fast path: our own SMTP client on a real loopback server (one connection, in this thread, so
that it sees the test's database)."""

from __future__ import annotations

import asyncio
import email
import threading
from collections.abc import Iterator
from email.header import decode_header, make_header
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from bench.smtp_sink import SinkProtocol, Tally
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


@pytest.fixture
def pipelining_sink(net_a: PersonaNetwork, settings) -> Iterator[Tally]:  # type: ignore[no-untyped-def]
    """The benchmark's lean sink (it offers PIPELINING, aiosmtpd does not), in a thread of its own."""
    tally = Tally(record=True)
    loop = asyncio.new_event_loop()
    refuse = frozenset({net_a.alumnus2.email.encode()})
    server = loop.run_until_complete(loop.create_server(lambda: SinkProtocol(tally, refuse), "127.0.0.1", 0))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = sending.SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.sockets[0].getsockname()[1]
    settings.NEWSLETTER_SMTP_CONNECTIONS = 1
    try:
        yield tally
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def test_with_pipelining_the_next_envelope_leaves_with_the_end_of_a_message(
    net_a: PersonaNetwork, newsletter: Newsletter, pipelining_sink: Tally, monkeypatch: pytest.MonkeyPatch
) -> None:
    envelopes_alone = []
    send_envelope = sending._send_envelope

    def counted(*args: Any) -> Any:
        envelopes_alone.append(args)
        return send_envelope(*args)

    monkeypatch.setattr(sending, "_send_envelope", counted)
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    assert sending.send_newsletter_now(newsletter.pk, poll_seconds=0) == "sent"

    # three rows, one refused at RCPT: whatever their order, at least one envelope went out with the
    # previous message's final "." instead of on its own (without PIPELINING: three)
    assert len(envelopes_alone) < 3
    assert sorted(recipient for recipient, _content in pipelining_sink.received) == sorted(
        [net_a.supporter.email, net_a.alumnus1.email]
    )
    for recipient, content in pipelining_sink.received:
        assert email.message_from_bytes(content)["To"] == recipient
    with scopes_disabled():
        statuses = dict(Delivery.objects.filter(newsletter=newsletter).values_list("membership__user__email", "status"))
    assert statuses == {
        net_a.supporter.email: Delivery.Status.SENT,
        net_a.alumnus1.email: Delivery.Status.SENT,
        net_a.alumnus2.email: Delivery.Status.BOUNCED,
    }


def test_a_refused_envelope_sent_ahead_does_not_stop_the_batch(
    net_a: PersonaNetwork, newsletter: Newsletter, pipelining_sink: Tally, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refused recipient in the middle of the batch: its envelope went out with the first message."""
    envelopes_alone = []
    send_envelope = sending._send_envelope

    def counted(*args: Any) -> Any:
        envelopes_alone.append(args)
        return send_envelope(*args)

    monkeypatch.setattr(sending, "_send_envelope", counted)
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    with scopes_disabled():
        ids = list(Delivery.objects.filter(newsletter=newsletter).order_by("pk").values_list("pk", flat=True))
        refused = Delivery.objects.get(membership=net_a.memberships["alumnus2"]).pk
        # put the refused row in the middle of the claim's order (ids decide it)
        middle = ids[1]
        if refused != middle:
            holder = Delivery.objects.get(pk=middle)
            victim = Delivery.objects.get(pk=refused)
            holder.email, victim.email = victim.email, holder.email
            Delivery.objects.bulk_update([holder, victim], ["email"])
    assert sending.send_newsletter_now(newsletter.pk, poll_seconds=0) == "sent"
    with scopes_disabled():
        by_id = dict(Delivery.objects.filter(newsletter=newsletter).values_list("pk", "status"))
    assert by_id == {ids[0]: Delivery.Status.SENT, ids[1]: Delivery.Status.BOUNCED, ids[2]: Delivery.Status.SENT}
    assert len(pipelining_sink.received) == 2
    assert max(pipelining_sink.per_recipient.values()) == 1
    # the first message's alone; the refused one with the first's end; the last alone after the RSET
    assert len(envelopes_alone) == 2
