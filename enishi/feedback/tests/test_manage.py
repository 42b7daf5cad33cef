"""The feedback console: who reads and who triages, status, note, reply, export, anonymity against
every staff page, export and audit entry, and constant queries."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from conftest import PersonaNetwork
from enishi.feedback.models import Feedback, FeedbackReply, FeedbackTopic
from enishi.feedback.tests.helpers import make_feedback, topic
from enishi.notifications.models import Notification, OutboundEmail
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def manage_url(net: PersonaNetwork, name: str, *args: Any) -> str:
    return reverse(f"manage:{name}", args=[net.network.slug, *args])


def state_of(net: PersonaNetwork) -> dict[str, list[dict[str, Any]]]:
    with scopes_disabled():
        return {
            "feedback": list(Feedback.objects.filter(network=net.network).order_by("pk").values()),
            "replies": list(FeedbackReply.objects.filter(network=net.network).order_by("pk").values()),
            "topics": list(FeedbackTopic.objects.filter(network=net.network).order_by("pk").values()),
            "notifications": list(Notification.objects.filter(network=net.network).order_by("pk").values()),
        }


def test_admin_editor_and_analyst_read_the_console_others_do_not(net_a: PersonaNetwork) -> None:
    item = make_feedback(net_a)
    for persona in ("admin", "editor", "analyst"):
        client = client_for(net_a, persona)
        assert client.get(manage_url(net_a, "feedback")).status_code == 200
        assert client.get(manage_url(net_a, "feedback_detail", item.pk)).status_code == 200
        assert client.get(manage_url(net_a, "feedback_export") + "?format=csv").status_code == 200
    for persona in ("hr", "coordinator", "supporter", "alumnus1"):
        client = client_for(net_a, persona)
        assert client.get(manage_url(net_a, "feedback")).status_code == 404
        assert client.get(manage_url(net_a, "feedback_detail", item.pk)).status_code == 404


def test_the_analyst_reads_but_never_changes(net_a: PersonaNetwork) -> None:
    item = make_feedback(net_a)
    client = client_for(net_a, "analyst")
    page = client.get(manage_url(net_a, "feedback_detail", item.pk)).content.decode()
    assert "Send the reply" not in page
    before = state_of(net_a)

    answers = [
        client.post(manage_url(net_a, "feedback_detail", item.pk), {"set_status": "1", "status-status": "read"}),
        client.post(manage_url(net_a, "feedback_detail", item.pk), {"reply": "1", "reply-text": "こんにちは"}),
        client.post(manage_url(net_a, "feedback_detail", item.pk), {"save_note": "1", "note-note": "メモ"}),
        client.get(manage_url(net_a, "feedback_topics")),
        client.post(manage_url(net_a, "feedback_topics"), {"new-name_ja": "新しい話題", "new-position": "9"}),
        client.get(manage_url(net_a, "feedback_change") + f"?feedback={item.pk}"),
        client.post(manage_url(net_a, "feedback_change"), {"feedback": item.pk, "title": "t", "body": "b"}),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)
    assert state_of(net_a) == before


def test_editor_triages_and_notes(net_a: PersonaNetwork) -> None:
    item = make_feedback(net_a)
    client = client_for(net_a, "editor")

    client.post(manage_url(net_a, "feedback_detail", item.pk), {"set_status": "1", "status-status": "acted_on"})
    client.post(manage_url(net_a, "feedback_detail", item.pk), {"save_note": "1", "note-note": "  人事部に共有済み "})

    with scopes_disabled():
        item.refresh_from_db()
        assert item.status == Feedback.Status.ACTED_ON
        assert item.acted_on_at is not None
        assert item.staff_note == "人事部に共有済み"
        actions = list(AuditEntry.objects.filter(network=net_a.network, action__startswith="feedback.")
                       .values_list("action", flat=True).order_by("pk"))  # fmt: skip
    assert actions == ["feedback.status_changed", "feedback.noted"]
    page = client_for(net_a, "alumnus1").get(reverse("network:my_feedback", args=[net_a.network.slug]))
    assert "人事部に共有済み" not in page.content.decode()  # the internal note stays internal


def test_an_unknown_status_changes_nothing(net_a: PersonaNetwork) -> None:
    item = make_feedback(net_a)
    before = state_of(net_a)

    response = client_for(net_a, "admin").post(
        manage_url(net_a, "feedback_detail", item.pk), {"set_status": "1", "status-status": "deleted"}
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert state_of(net_a) == before


def test_a_reply_reaches_the_author_by_notification_email_and_my_feedback(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: Any
) -> None:
    item = make_feedback(net_a, "alumnus1", text="OB会の開催頻度を上げてほしい")
    client = client_for(net_a, "admin")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(manage_url(net_a, "feedback_detail", item.pk),
                               {"reply": "1", "reply-text": "次回から四半期ごとに開催します"})  # fmt: skip

    assert response.status_code == 302
    with scopes_disabled():
        item.refresh_from_db()
        assert item.status == Feedback.Status.READ
        [answer] = FeedbackReply.objects.filter(feedback=item)
        assert answer.text == "次回から四半期ごとに開催します"
        assert answer.author == net_a.admin
        [notice] = Notification.objects.filter(kind="feedback_reply")
        assert notice.recipient == net_a.memberships["alumnus1"]
        assert notice.url == f"/n/{net_a.network.slug}/feedback/mine/"
        assert notice.delivery == Notification.Delivery.EMAIL
        assert OutboundEmail.objects.filter(to=net_a.alumnus1.email).count() == 1
        assert AuditEntry.objects.filter(action="feedback.replied", target_id=str(item.pk)).count() == 1
    page = client_for(net_a, "alumnus1").get(reverse("network:my_feedback", args=[net_a.network.slug]))
    assert "次回から四半期ごとに開催します" in page.content.decode()


def test_an_empty_reply_changes_nothing(net_a: PersonaNetwork) -> None:
    item = make_feedback(net_a)
    before = state_of(net_a)

    response = client_for(net_a, "admin").post(manage_url(net_a, "feedback_detail", item.pk),
                                                {"reply": "1", "reply-text": "  "})  # fmt: skip

    assert response.status_code == 400
    assert "Write the reply." in response.content.decode()
    assert state_of(net_a) == before


def test_anonymous_feedback_cannot_be_answered(net_a: PersonaNetwork) -> None:
    item = make_feedback(net_a, None)
    client = client_for(net_a, "admin")
    page = client.get(manage_url(net_a, "feedback_detail", item.pk)).content.decode()
    assert "Anonymous feedback cannot be answered: nobody knows who sent it." in page
    assert "Send the reply" not in page
    before = state_of(net_a)

    response = client.post(manage_url(net_a, "feedback_detail", item.pk), {"reply": "1", "reply-text": "返信"})

    assert response.status_code == 400
    assert "返信" in response.content.decode()  # what was typed is still there
    assert state_of(net_a) == before


def test_another_networks_feedback_is_a_404_and_changes_nothing(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    item = make_feedback(net_b, "alumnus1")
    before = state_of(net_b)
    client = client_for(net_a, "admin")

    answers = [
        client.get(manage_url(net_a, "feedback_detail", item.pk)),
        client.post(manage_url(net_a, "feedback_detail", item.pk), {"reply": "1", "reply-text": "x"}),
        client.post(manage_url(net_a, "feedback_detail", item.pk), {"set_status": "1", "status-status": "read"}),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert state_of(net_b) == before


def test_the_list_filters_by_status_topic_and_sender(net_a: PersonaNetwork) -> None:
    make_feedback(net_a, "alumnus1", text="名前つき新規")
    make_feedback(net_a, None, text="匿名既読", status=Feedback.Status.READ)
    client = client_for(net_a, "admin")

    def texts(query: str) -> list[str]:
        page = client.get(manage_url(net_a, "feedback") + query).content.decode()
        return [text for text in ("名前つき新規", "匿名既読") if text in page]

    assert texts("") == ["名前つき新規", "匿名既読"]
    assert texts("?status=read") == ["匿名既読"]
    assert texts("?kind=named") == ["名前つき新規"]
    assert texts("?kind=anonymous") == ["匿名既読"]
    assert texts(f"?topic={topic(net_a, 1).pk}") == []
    assert texts("?status=bogus&kind=bogus&topic=x") == ["名前つき新規", "匿名既読"]


def export_rows(net: PersonaNetwork, persona: str, export_format: str, query: str = "") -> list[list[str]]:
    response = client_for(net, persona).get(manage_url(net, "feedback_export") + f"?format={export_format}{query}")
    assert response.status_code == 200
    if export_format == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_neutralises_formulas_and_names_only_named_senders(net_a: PersonaNetwork) -> None:
    make_feedback(net_a, "alumnus1", text='=HYPERLINK("http://evil.example")')
    make_feedback(net_a, None, text="+匿名の式")

    for export_format in ("csv", "xlsx"):
        table = export_rows(net_a, "analyst", export_format)
        header, *body = table
        assert header[:5] == ["Received", "Topic", "Sender", "Name", "Email"]
        by_sender = {row[2]: row for row in body}
        assert by_sender["Named"][3] == net_a.alumnus1.full_name
        assert by_sender["Named"][4] == net_a.alumnus1.email
        assert by_sender["Named"][6] == '\'=HYPERLINK("http://evil.example")'
        assert by_sender["Anonymous"][3:5] == ["", ""]
        assert by_sender["Anonymous"][6] == "'+匿名の式"
    with scopes_disabled():
        assert AuditEntry.objects.filter(network=net_a.network, action="feedback.exported").count() == 2


def test_nothing_staff_can_open_ties_anonymous_feedback_to_its_author(net_a: PersonaNetwork) -> None:
    """An alumnus sends only anonymous feedback; every staff page, export and audit entry is searched for
    anything that names them."""
    author = net_a.alumnus1
    membership_id = net_a.memberships["alumnus1"].pk
    client = client_for(net_a, "alumnus1")
    client.post(reverse("network:feedback", args=[net_a.network.slug]),
                {"topic": topic(net_a).pk, "text": "上司との関係がつらかった", "anonymous": "on"})  # fmt: skip
    with scopes_disabled():
        item = Feedback.objects.get(network=net_a.network)
    admin = client_for(net_a, "admin")
    admin.post(manage_url(net_a, "feedback_detail", item.pk), {"set_status": "1", "status-status": "read"})
    admin.post(manage_url(net_a, "feedback_detail", item.pk), {"save_note": "1", "note-note": "共有"})
    admin.post(manage_url(net_a, "feedback_change"),
               {"feedback": item.pk, "title": "1on1を導入しました", "body": "全社で始めます"})  # fmt: skip

    identifying = [author.email, author.family_name + " " + author.given_name, author.full_name, author.family_name,
                   author.full_name_kana]  # fmt: skip
    pages = [
        admin.get(manage_url(net_a, "feedback")).content.decode(),
        admin.get(manage_url(net_a, "feedback") + "?kind=anonymous").content.decode(),
        admin.get(manage_url(net_a, "feedback_detail", item.pk)).content.decode(),
        *(
            "\n".join(",".join(row) for row in export_rows(net_a, "admin", export_format))
            for export_format in ("csv", "xlsx")
        ),
    ]
    for index, page in enumerate(pages):
        assert "上司との関係がつらかった" in page, index
        for value in identifying:
            assert value not in page, (index, value)
    with scopes_disabled():
        item.refresh_from_db()
        assert item.membership_id is None
        assert item.created_at is None
        # The author's only audit entry is their login; nothing about the feedback names them.
        entries = list(AuditEntry.objects.filter(network=net_a.network).order_by("pk"))
        assert [entry.action for entry in entries if entry.actor_id == author.pk] == ["auth.login"]
        about = [entry for entry in entries if entry.action.startswith("feedback") or entry.action.startswith("news")]
        assert {entry.action for entry in about} == {
            "feedback.status_changed", "feedback.noted", "feedback.news_published", "news.saved", "news.published",
            "feedback.listed", "feedback.viewed", "feedback.exported",
        }  # fmt: skip
        for entry in about:
            text = f"{entry.actor_label} {entry.target_label} {entry.data}"
            assert "membership" not in str(entry.data)
            assert membership_id not in entry.data.values()
            assert str(membership_id) not in entry.data.values()
            assert all(value not in text for value in identifying)
        # Nobody is told that their voice led to a change: nobody is known.
        assert Notification.objects.filter(kind="feedback_acted_on").count() == 0


def test_the_console_list_runs_a_constant_number_of_queries(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "admin")
    counts: dict[str, list[int]] = {"list": [], "export": []}
    created = 0
    for total in (10, 200):
        while created < total:
            make_feedback(net_a, "alumnus1" if created % 2 else None, text=f"声{created}")
            created += 1
        with scopes_disabled():
            replied = Feedback.objects.filter(network=net_a.network, anonymous=False).first()
            assert replied is not None
            FeedbackReply.objects.create(network=net_a.network, feedback=replied, text="返信")
        for key, url in (("list", manage_url(net_a, "feedback")),
                         ("export", manage_url(net_a, "feedback_export") + "?format=csv")):  # fmt: skip
            client.get(url)
            with CaptureQueriesContext(connection) as context:
                response = client.get(url)
            assert response.status_code == 200
            counts[key].append(len(context.captured_queries))
        page = client.get(manage_url(net_a, "feedback")).content.decode()
        assert page.count('class="feedback-row"') == min(total, 50)
    assert counts["list"][0] == counts["list"][1], counts
    assert counts["export"][0] == counts["export"][1], counts


def test_topics_are_edited_and_only_unused_ones_deleted(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "editor")
    used = topic(net_a, 0)
    unused = topic(net_a, 4)
    make_feedback(net_a)  # under the first topic

    new_topic = {"new-name_ja": "地域活動", "new-name_en": "Local activities", "new-position": "9"}
    added = client.post(manage_url(net_a, "feedback_topics"), new_topic)
    twice = client.post(manage_url(net_a, "feedback_topics"), {"new-name_ja": "地域活動", "new-position": "9"})
    renamed = client.post(manage_url(net_a, "feedback_topic_edit", used.pk),
                          {"name_ja": "制度・働き方・評価", "name_en": "", "position": "0"})  # fmt: skip
    refused = client.post(manage_url(net_a, "feedback_topic_delete", used.pk))
    deleted = client.post(manage_url(net_a, "feedback_topic_delete", unused.pk))

    assert [added.status_code, twice.status_code, renamed.status_code] == [302, 400, 302]
    assert "A topic of this name exists already." in twice.content.decode()
    assert refused.status_code == deleted.status_code == 302
    with scopes_disabled():
        names = list(FeedbackTopic.objects.filter(network=net_a.network).values_list("name_ja", flat=True))
    assert names == ["制度・働き方・評価", "事業・サービス", "アルムナイ施策", "採用", "地域活動"]
