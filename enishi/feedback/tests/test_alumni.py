"""The alumni side of the feedback box: the always-open form, named and anonymous sending, bad input,
"My feedback" and the latest "you said, we did" posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.feedback import services
from enishi.feedback.models import MAX_FEEDBACK_CHARS, Feedback, FeedbackReply, FeedbackTopic
from enishi.feedback.tests.helpers import make_feedback, topic
from enishi.notifications.models import Notification, OutboundEmail
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def url_of(net: PersonaNetwork, name: str = "network:feedback") -> str:
    return reverse(name, args=[net.network.slug])


def rows(net: PersonaNetwork) -> list[dict[str, object]]:
    with scopes_disabled():
        return list(Feedback.objects.filter(network=net.network).order_by("pk").values())


def test_it_shows_the_form_with_the_default_topics_and_says_what_anonymous_means(net_a: PersonaNetwork) -> None:
    response = client_for(net_a, "alumnus1").get(url_of(net_a))

    page = response.content.decode()
    assert response.status_code == 200
    for name in ("Policies and ways of working", "Business and services", "Alumni programme", "Recruiting", "Other"):
        assert name in page
    assert "only the week it was sent (not the day or time)" in page
    assert "Nobody can reply" in page


def test_it_shows_the_topics_in_japanese_by_default(net_a: PersonaNetwork) -> None:
    page = client_for(net_a, "alumnus1", language="ja").get(url_of(net_a)).content.decode()

    for name in ("制度・働き方", "事業・サービス", "アルムナイ施策", "採用", "その他"):
        assert name in page


def test_it_stores_named_feedback_with_its_author_and_day(net_a: PersonaNetwork) -> None:
    chosen = topic(net_a, 1)
    response = client_for(net_a, "supporter").post(url_of(net_a), {"topic": chosen.pk, "text": "  説明会が良かった  "})

    assert response.status_code == 302
    assert response["Location"] == url_of(net_a, "network:my_feedback")
    [row] = rows(net_a)
    assert row["membership_id"] == net_a.memberships["supporter"].pk
    assert row["anonymous"] is False
    assert row["text"] == "説明会が良かった"
    assert row["topic_id"] == chosen.pk
    assert row["received_on"] == timezone.localdate()
    assert row["created_at"] is not None
    assert row["status"] == Feedback.Status.NEW


def test_it_stores_anonymous_feedback_without_person_time_audit_or_notice(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")  # logging in is audited: before the counts
    with scopes_disabled():
        audit_before = AuditEntry.objects.count()
        notices_before = Notification.objects.count()
        emails_before = OutboundEmail.objects.count()

    response = client.post(
        url_of(net_a), {"topic": topic(net_a).pk, "text": "評価制度が不透明でした", "anonymous": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == url_of(net_a)
    [row] = rows(net_a)
    today = timezone.localdate()
    assert row["membership_id"] is None
    assert row["anonymous"] is True
    assert row["created_at"] is None
    assert row["received_on"] == today - timedelta(days=today.weekday())
    assert row["received_on"].weekday() == 0
    with scopes_disabled():
        assert AuditEntry.objects.count() == audit_before
        assert Notification.objects.count() == notices_before
        assert OutboundEmail.objects.count() == emails_before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write what you would like to tell us."),
        ("   ", "Write what you would like to tell us."),
        ("あ" * (MAX_FEEDBACK_CHARS + 1), f"Ensure this value has at most {MAX_FEEDBACK_CHARS} characters"),
    ],
)
def test_it_refuses_empty_or_huge_text_and_keeps_what_was_typed(net_a: PersonaNetwork, text: str, message: str) -> None:
    response = client_for(net_a, "alumnus1").post(url_of(net_a), {"topic": topic(net_a).pk, "text": text})

    assert response.status_code == 400
    assert message in response.content.decode()
    if text.strip():
        assert text in response.content.decode()
    assert rows(net_a) == []


def test_it_refuses_a_topic_of_another_network_and_keeps_the_text(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    foreign = topic(net_b)

    response = client_for(net_a, "alumnus1").post(url_of(net_a), {"topic": foreign.pk, "text": "大切な意見"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a topic from the list." in page
    assert "大切な意見" in page
    assert rows(net_a) == []
    assert rows(net_b) == []


def test_it_keeps_hostile_html_as_plain_text(net_a: PersonaNetwork) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    client = client_for(net_a, "alumnus1")
    client.post(url_of(net_a), {"topic": topic(net_a).pk, "text": hostile})

    [row] = rows(net_a)
    assert row["text"] == hostile  # stored as typed: it is plain text, escaped wherever it is shown
    for page in (
        client.get(url_of(net_a, "network:my_feedback")).content.decode(),
        client_for(net_a, "admin").get(reverse("manage:feedback", args=[net_a.network.slug])).content.decode(),
        client_for(net_a, "admin")
        .get(reverse("manage:feedback_detail", args=[net_a.network.slug, row["id"]]))
        .content.decode(),
    ):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;script&gt;alert(1)&lt;/scr…" in page


def test_staff_do_not_use_the_alumni_form(net_a: PersonaNetwork) -> None:
    for persona in ("admin", "editor", "hr", "analyst", "coordinator"):
        assert client_for(net_a, persona).get(url_of(net_a)).status_code == 404
        assert client_for(net_a, persona).get(url_of(net_a, "network:my_feedback")).status_code == 404


def test_my_feedback_lists_only_my_named_feedback_with_replies_and_status(net_a: PersonaNetwork) -> None:
    mine = make_feedback(net_a, "alumnus1", text="私の名前つきの声", status=Feedback.Status.READ)
    make_feedback(net_a, None, text="匿名の声")
    make_feedback(net_a, "supporter", text="他の人の声")
    with scopes_disabled():
        FeedbackReply.objects.create(network=net_a.network, feedback=mine, text="ご意見ありがとうございます")

    page = client_for(net_a, "alumnus1").get(url_of(net_a, "network:my_feedback")).content.decode()

    assert "私の名前つきの声" in page
    assert "ご意見ありがとうございます" in page
    assert "Read" in page
    assert "匿名の声" not in page
    assert "他の人の声" not in page


def test_my_feedback_is_empty_for_someone_who_only_sent_anonymously(net_a: PersonaNetwork) -> None:
    make_feedback(net_a, None, text="匿名の声")

    page = client_for(net_a, "alumnus1").get(url_of(net_a, "network:my_feedback")).content.decode()

    assert "You have not sent named feedback yet." in page
    assert "匿名の声" not in page


def test_it_creates_the_default_topics_once_per_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scopes_disabled():
        first = services.topics_of(net_a.network)
        again = services.topics_of(net_a.network)
        services.topics_of(net_b.network)
        assert [t.pk for t in first] == [t.pk for t in again]
        assert FeedbackTopic.objects.filter(network=net_a.network).count() == 5
        assert FeedbackTopic.objects.filter(network=net_b.network).count() == 5
    with translation.override("en"):
        assert [t.name for t in first] == [
            "Policies and ways of working", "Business and services", "Alumni programme", "Recruiting", "Other",
        ]  # fmt: skip


def test_the_request_log_does_not_name_who_posted_the_form(
    net_a: PersonaNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for(net_a, "alumnus1")
    with caplog.at_level("INFO", logger="enishi.request"):
        client.post(url_of(net_a), {"topic": topic(net_a).pk, "text": "匿名で", "anonymous": "on"})
        client.get(url_of(net_a))

    lines = [(record.method, record.user_id) for record in caplog.records if record.name == "enishi.request"]  # type: ignore[attr-defined]
    assert ("POST", None) in lines
    assert ("GET", net_a.alumnus1.pk) in lines
    assert ("POST", net_a.alumnus1.pk) not in lines
