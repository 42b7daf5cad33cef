"""Starting and sending a newsletter through Django's email backend (locmem in tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.networks.roles import MembershipState
from enishi.newsletters import sending, services
from enishi.newsletters.models import Delivery, LinkClick, Newsletter, NewsletterLink
from enishi.newsletters.tests.conftest import HOSTILE, make_newsletter
from enishi.notifications.services import set_preference
from enishi.notifications.topics import Delivery as Choice
from enishi.notifications.topics import Topic
from enishi.privacy.models import AuditEntry

ALUMNI = ("supporter", "alumnus1", "alumnus2")


def _send(newsletter: Newsletter) -> str:
    return sending.send_newsletter_now(newsletter.pk, poll_seconds=0)


def test_it_creates_one_delivery_per_active_alumnus_once(net_a: PersonaNetwork, newsletter: Newsletter) -> None:
    net_a.memberships["alumnus2"].state = MembershipState.SUSPENDED
    net_a.memberships["alumnus2"].save()
    with scope(network=net_a.network):
        assert services.start_sending(newsletter, net_a.editor) is True
        assert services.start_sending(newsletter, net_a.editor) is False  # a second start creates nothing
        rows = Delivery.objects.filter(newsletter=newsletter)
        assert sorted(rows.values_list("membership_id", flat=True)) == sorted(
            [net_a.memberships["supporter"].pk, net_a.memberships["alumnus1"].pk]
        )
        assert set(rows.values_list("status", flat=True)) == {Delivery.Status.QUEUED}
        assert list(NewsletterLink.objects.filter(newsletter=newsletter).values_list("position", "url")) == [
            (1, "https://example.com/event?a=1&b=2"),
            (2, "https://example.org/en"),
        ]
        assert AuditEntry.objects.filter(network=net_a.network, action="newsletter.sent").count() == 1
        newsletter.refresh_from_db()
        assert newsletter.status == Newsletter.Status.SENDING


def test_it_sends_each_recipient_once_in_their_language(net_a: PersonaNetwork, newsletter: Newsletter) -> None:
    net_a.alumnus1.language = "en"
    net_a.alumnus1.save()
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    assert _send(newsletter) == "sent"
    assert _send(newsletter) == "not sending"  # a second run (a retried task) sends nothing
    assert sorted(message.to[0] for message in mail.outbox) == sorted(net_a.users[name].email for name in ALUMNI)
    by_address = {message.to[0]: message for message in mail.outbox}
    english = by_address[net_a.alumnus1.email]
    japanese = by_address[net_a.alumnus2.email]
    assert english.subject == "Alumni letter, autumn"
    assert japanese.subject == "アルムナイ通信 秋号"
    assert "Dear 佐藤\u3000一郎," in english.body
    assert "鈴木\u3000二葉" in japanese.body
    assert "近況のお知らせです。" in japanese.body
    with scopes_disabled():
        delivery = Delivery.objects.get(membership=net_a.memberships["alumnus1"])
        assert delivery.status == Delivery.Status.SENT
        assert delivery.sent_at is not None
        newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT
    html = english.alternatives[0].content
    # links go through the click redirect; the open pixel and unsubscribe link are the recipient's own
    assert f"/n/alpha/nl/c/{delivery.token}-1/" in html
    assert f"/n/alpha/nl/c/{delivery.token}-2/" in html
    assert "https://example.org/en" not in html
    assert f"/n/alpha/nl/o/{delivery.token}/" in html
    unsubscribe = english.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/n/alpha/unsubscribe/")
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in html
    assert unsubscribe.strip("<>") in english.body
    assert f"/n/alpha/nl/c/{delivery.token}-2/" in english.body  # the text part lists the links too


def test_it_skips_members_who_turned_newsletters_off(net_a: PersonaNetwork, newsletter: Newsletter) -> None:
    with scope(network=net_a.network):
        set_preference(net_a.memberships["alumnus2"], Topic.NEWSLETTER, Choice.OFF)
        services.start_sending(newsletter, net_a.editor)
    _send(newsletter)
    assert net_a.alumnus2.email not in [message.to[0] for message in mail.outbox]
    assert len(mail.outbox) == 2
    with scope(network=net_a.network):
        report = services.report(newsletter)
    assert (report.recipients, report.sent, report.skipped, report.failed, report.bounced) == (2, 2, 1, 0, 0)


def test_it_sends_hostile_html_sanitised(net_a: PersonaNetwork) -> None:
    newsletter = make_newsletter(net_a, body_ja=HOSTILE, subject_en="", body_en="")
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    _send(newsletter)
    html = mail.outbox[0].alternatives[0].content
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "ようこそ" in html


def test_pause_stops_claiming_and_resume_finishes(net_a: PersonaNetwork, newsletter: Newsletter) -> None:
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
        assert services.pause(newsletter, net_a.editor) is True
    assert _send(newsletter) == "not sending"
    assert mail.outbox == []
    with scope(network=net_a.network):
        assert services.resume(newsletter, net_a.editor) is True
    assert _send(newsletter) == "sent"
    assert len(mail.outbox) == 3
    with scopes_disabled():
        actions = list(AuditEntry.objects.filter(network=net_a.network).values_list("action", flat=True))
    assert {"newsletter.paused", "newsletter.resumed"} <= set(actions)


def test_cancel_sends_nothing_more(net_a: PersonaNetwork, newsletter: Newsletter) -> None:
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
        assert services.cancel(newsletter, net_a.editor) is True
    assert _send(newsletter) == "not sending"
    assert mail.outbox == []
    with scopes_disabled():
        assert Delivery.objects.filter(newsletter=newsletter, status=Delivery.Status.QUEUED).count() == 3


def test_a_claim_held_by_a_live_sender_is_not_taken(net_a: PersonaNetwork, newsletter: Newsletter) -> None:
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    with scopes_disabled():
        held = Delivery.objects.filter(newsletter=newsletter).order_by("pk").first()
        assert held is not None
        Delivery.objects.filter(pk=held.pk).update(status=Delivery.Status.SENDING, claimed_at=timezone.now(),
                                                   claimed_by="another-worker:1")  # fmt: skip
    ledger = sending.Ledger(newsletter.pk, "me", own_connection=False)
    _claim, _at, rows = ledger.claim()
    assert held.pk not in [row.id for row in rows]
    assert len(rows) == 2
    # once its lease has expired (the other worker died), it is claimable again
    with scopes_disabled():
        Delivery.objects.filter(pk=held.pk).update(claimed_at=timezone.now() - timedelta(seconds=3600))
    _claim, _at, rows = ledger.claim()
    assert [row.id for row in rows] == [held.pk]


def test_a_row_put_back_below_the_last_claim_is_claimed_again(net_a: PersonaNetwork, newsletter: Newsletter) -> None:
    """Queued rows are claimed after the highest id this sender claimed; rows put back below it (a
    release, a retry) are found from the start of the range once nothing is left above."""
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    ledger = sending.Ledger(newsletter.pk, "me", own_connection=False)
    try:
        claim_id, _at, rows = ledger.claim()
        assert len(rows) == 3
        lowest = rows[0].id
        ledger.retry_or_fail(lowest, claim_id, "451 try again")
        _claim, _at, again = ledger.claim()
        assert [row.id for row in again] == [lowest]
    finally:
        ledger.close()


@pytest.mark.django_db(transaction=True)  # autocommit, as the senders run: the failed statement aborts nothing
def test_a_mark_sent_whose_prepared_statement_is_gone_is_recorded_all_the_same(
    net_a: PersonaNetwork, newsletter: Newsletter
) -> None:
    """PostgreSQL: behind a pooler the prepared mark-sent statement may be missing on the server
    connection; the row is then marked with an ordinary statement, before the next message."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL only")
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)  # in autocommit its task sends at once: undo that
    with scopes_disabled():
        Delivery.objects.filter(newsletter=newsletter).update(status=Delivery.Status.QUEUED, claimed_by="")
        Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.SENDING)
    ledger = sending.Ledger(newsletter.pk, "me", own_connection=False)
    try:
        claim_id, _at, rows = ledger.claim()
        ledger.pg.exec_(b"DEALLOCATE " + ledger.mark_name)  # as another server connection would be
        ledger.mark_sent(rows[0].id, claim_id, wait=False)
        ledger.settle()
        assert ledger.pg is None  # no more prepared statements on this connection
        ledger.mark_sent(rows[1].id, claim_id)
    finally:
        ledger.close()
    with scopes_disabled():
        statuses = dict(Delivery.objects.filter(newsletter=newsletter).values_list("pk", "status"))
    assert statuses == {
        rows[0].id: Delivery.Status.SENT,
        rows[1].id: Delivery.Status.SENT,
        rows[2].id: Delivery.Status.SENDING,
    }


@pytest.mark.django_db(transaction=True)
def test_a_claim_whose_prepared_statement_is_gone_runs_unprepared(
    net_a: PersonaNetwork, newsletter: Newsletter
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL only")
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)  # in autocommit its task sends at once: undo that
    with scopes_disabled():
        Delivery.objects.filter(newsletter=newsletter).update(status=Delivery.Status.QUEUED, claimed_by="")
        Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.SENDING)
    ledger = sending.Ledger(newsletter.pk, "me", own_connection=False)
    try:
        claim_id, _at, rows = ledger.claim()
        ledger.retry_or_fail(rows[0].id, claim_id, "451 try again")
        ledger.pg.exec_(b"DEALLOCATE ALL")  # as another server connection would be
        _claim, _at, again = ledger.claim()
        assert [row.id for row in again] == [rows[0].id]
        assert ledger.pg is None
    finally:
        ledger.close()


def test_test_send_creates_no_delivery(
    net_a: PersonaNetwork, newsletter: Newsletter, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with scope(network=net_a.network), django_capture_on_commit_callbacks(execute=True):
        services.test_send(newsletter, net_a.editor, "someone@example.net", "en")
    assert [message.to for message in mail.outbox] == [["someone@example.net"]]
    assert mail.outbox[0].subject == "[TEST] Alumni letter, autumn"
    with scopes_disabled():
        assert not Delivery.objects.filter(newsletter=newsletter).exists()
        newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT


def test_scheduled_newsletter_starts_when_due(net_a: PersonaNetwork, newsletter: Newsletter) -> None:
    with scope(network=net_a.network):
        services.schedule(newsletter, net_a.editor, timezone.now() + timedelta(hours=1))
    assert services.newsletter_maintenance() == 0
    with scopes_disabled():
        Newsletter.objects.filter(pk=newsletter.pk).update(send_at=timezone.now() - timedelta(minutes=1))
    # the immediate task backend runs the send on commit; here we only check it started
    assert services.newsletter_maintenance() == 1
    with scopes_disabled():
        newsletter.refresh_from_db()
        assert newsletter.status == Newsletter.Status.SENDING
        assert Delivery.objects.filter(newsletter=newsletter).count() == 3


def test_open_and_click_are_recorded_once_and_redirect_only_to_the_newsletters_links(
    net_a: PersonaNetwork, newsletter: Newsletter, client
) -> None:  # type: ignore[no-untyped-def]
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    _send(newsletter)
    with scopes_disabled():
        delivery = Delivery.objects.get(membership=net_a.memberships["alumnus1"])
    response = client.get(f"/n/alpha/nl/o/{delivery.token}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    response = client.get(f"/n/alpha/nl/c/{delivery.token}-1/?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/event?a=1&b=2"
    client.get(f"/n/alpha/nl/c/{delivery.token}-1/")
    assert client.get(f"/n/alpha/nl/c/{delivery.token}-9/").status_code == 404
    assert client.get(f"/n/alpha/nl/c/{delivery.token[:-2]}zz-1/").status_code == 404
    assert client.get(f"/n/beta/nl/c/{delivery.token}-1/").status_code == 404  # another network's URL
    with scope(network=net_a.network):
        report = services.report(newsletter)
        assert LinkClick.objects.filter(delivery=delivery).count() == 1
    assert (report.opened, report.clicked, report.links[0][1], report.links[1][1]) == (1, 1, 1, 0)


def test_the_fast_unsubscribe_token_is_the_notifications_token() -> None:
    """The sender signs tokens with a precomputed key: the very string notifications would make (so
    the unsubscribe view accepts it), for small and large ids, and it changes with the secret key."""
    from types import SimpleNamespace

    from django.test import override_settings

    from enishi.notifications.services import read_unsubscribe_token, unsubscribe_token

    for network_id, membership_id in ((1, 1), (7, 11), (11, 111), (12345, 10**12)):
        stub = SimpleNamespace(pk=membership_id, network_id=network_id)
        token = sending.newsletter_unsubscribe_token(network_id, membership_id)
        assert token == unsubscribe_token(stub, Topic.NEWSLETTER)  # type: ignore[arg-type]
        assert read_unsubscribe_token(token) == {"n": network_id, "m": membership_id, "t": "newsletter", "s": ""}
    before = sending.newsletter_unsubscribe_token(1, 1)
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert sending.newsletter_unsubscribe_token(1, 1) != before
        stub = SimpleNamespace(pk=1, network_id=1)
        assert sending.newsletter_unsubscribe_token(1, 1) == unsubscribe_token(stub, Topic.NEWSLETTER)  # type: ignore[arg-type]


def test_base64_parts_are_mime_base64_with_crlf_lines() -> None:
    import base64

    for text in ("", "a", "お知らせ" * 19, "x" * 57, "x" * 58, "同窓会のご案内\n" * 200):
        assert sending._base64(text) == base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")
