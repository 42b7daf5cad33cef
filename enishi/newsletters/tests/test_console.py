"""The newsletter console: who may open it, compose and preview, test send, send, pause, report."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.newsletters import sending, services
from enishi.newsletters.models import Delivery, Newsletter
from enishi.newsletters.tests.conftest import HOSTILE, make_newsletter
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for


@pytest.mark.parametrize(("persona", "status"), [("admin", 200), ("editor", 200), ("hr", 404), ("analyst", 404),
                                                 ("alumnus1", 404), ("supporter", 404)])  # fmt: skip
def test_it_opens_the_console_to_admin_and_editor_only(net_a: PersonaNetwork, persona: str, status: int) -> None:
    newsletter = make_newsletter(net_a)
    client = client_for(net_a, persona)
    assert client.get("/n/alpha/manage/content/newsletters/").status_code == status
    assert client.get(f"/n/alpha/manage/content/newsletters/{newsletter.pk}/").status_code == status
    assert client.get(f"/n/alpha/manage/content/newsletters/{newsletter.pk}/report/").status_code == status


def test_it_refuses_a_send_by_an_alumnus_and_changes_nothing(net_a: PersonaNetwork) -> None:
    newsletter = make_newsletter(net_a)
    response = client_for(net_a, "alumnus1").post(f"/n/alpha/manage/content/newsletters/{newsletter.pk}/send/")
    assert response.status_code == 404
    with scopes_disabled():
        newsletter.refresh_from_db()
        assert not Delivery.objects.exists()
    assert newsletter.status == Newsletter.Status.DRAFT


def test_it_composes_sanitises_and_previews_both_languages(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "editor")
    response = client.post("/n/alpha/manage/content/newsletters/new/", {
        "subject_ja": "秋号", "body_ja": HOSTILE, "subject_en": "Autumn", "body_en": "<p>Hello<script>x()</script></p>",
        "audience": "network",
    })  # fmt: skip
    with scopes_disabled():
        newsletter = Newsletter.objects.get(network=net_a.network)
    assert response.status_code == 302
    assert response["Location"] == f"/n/alpha/manage/content/newsletters/{newsletter.pk}/"
    assert "<script" not in newsletter.body_ja
    assert "onerror" not in newsletter.body_ja
    assert newsletter.body_en == "<p>Hello</p>"
    page = client.get(response["Location"]).content.decode()
    assert "ようこそ" in page
    assert "<p>Hello</p>" in page
    assert "alert(" not in page
    with scopes_disabled():
        assert AuditEntry.objects.filter(network=net_a.network, action="newsletter.saved").count() == 1


def test_it_wants_both_english_fields_or_neither(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "editor")
    with translation.override("en"):
        response = client.post("/n/alpha/manage/content/newsletters/new/", {
            "subject_ja": "秋号", "body_ja": "<p>本文</p>", "subject_en": "Autumn", "body_en": "",
            "audience": "network",
        })  # fmt: skip
    assert response.status_code == 200
    assert "The English version needs both a subject and a text (or neither)." in response.content.decode()
    with scopes_disabled():
        assert not Newsletter.objects.exists()


def test_test_send_marks_the_subject_and_creates_no_recipient(
    net_a: PersonaNetwork,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    newsletter = make_newsletter(net_a)
    client = client_for(net_a, "editor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/n/alpha/manage/content/newsletters/{newsletter.pk}/test/",
                               {"to": "editor@a.example", "language": "ja"})  # fmt: skip
    assert response.status_code == 302
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["editor@a.example"], "[TEST] アルムナイ通信 秋号")
    ]
    with scopes_disabled():
        assert not Delivery.objects.exists()


def test_send_pause_resume_and_report_through_the_console(
    net_a: PersonaNetwork,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    newsletter = make_newsletter(net_a)
    client = client_for(net_a, "editor")
    base = f"/n/alpha/manage/content/newsletters/{newsletter.pk}"
    with django_capture_on_commit_callbacks(execute=True):  # the immediate task backend sends on commit
        response = client.post(f"{base}/send/")
    assert response["Location"] == f"{base}/report/"
    assert len(mail.outbox) == 3
    assert client.post(f"{base}/send/").status_code == 302  # a second click sends nothing more
    assert len(mail.outbox) == 3
    with scope(network=net_a.network):
        report = services.report(newsletter)
    assert (report.recipients, report.sent, report.delivered, report.opened) == (3, 3, 3, 0)
    page = client.get(f"{base}/report/").content.decode()
    assert "lower bound" in page
    assert "https://example.com/event?a=1&amp;b=2" in page
    progress = client.get(f"{base}/progress/", headers={"HX-Request": "true"})
    assert progress.status_code == 200
    assert progress["HX-Refresh"] == "true"  # sent: the whole report replaces the polling panel


def test_pause_and_resume_are_audited(net_a: PersonaNetwork) -> None:
    newsletter = make_newsletter(net_a)
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    client = client_for(net_a, "editor")
    base = f"/n/alpha/manage/content/newsletters/{newsletter.pk}"
    client.post(f"{base}/pause/")
    polled = client.get(f"{base}/progress/")
    assert 'hx-trigger="every' not in polled.content.decode()  # paused: no more polling
    client.post(f"{base}/resume/")
    client.post(f"{base}/cancel/")
    with scopes_disabled():
        actions = list(
            AuditEntry.objects.filter(network=net_a.network, action__startswith="newsletter.")
            .order_by("pk")
            .values_list("action", flat=True)
        )
        newsletter.refresh_from_db()
    assert actions == ["newsletter.saved", "newsletter.sent", "newsletter.paused", "newsletter.resumed",
                       "newsletter.cancelled"]  # fmt: skip
    assert newsletter.status == Newsletter.Status.CANCELLED


def test_the_list_runs_the_same_queries_for_2_and_12_newsletters(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "editor")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/n/alpha/manage/content/newsletters/").status_code == 200
        return len(queries)

    for _ in range(2):
        make_newsletter(net_a)
    count()  # the first request of the day also records the member's activity
    few = count()
    for _ in range(10):
        newsletter = make_newsletter(net_a)
    with scope(network=net_a.network):
        services.start_sending(newsletter, net_a.editor)
    sending.send_newsletter_now(newsletter.pk, poll_seconds=0)
    assert count() == few
