"""The secretariat's shared inbox: inquiries, replies as 事務局, internal notes, assignment, status."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.messaging import manage_views
from enishi.messaging.models import SecretariatMessage, SecretariatThread
from enishi.notifications.models import Notification
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def ask(net: PersonaNetwork, persona: str = "alumnus1", subject: str = "住所変更について") -> SecretariatThread:
    response = client_for(net, persona).post(
        reverse("network:secretariat_new", args=[net.network.slug]),
        {"subject": subject, "text": "引っ越しました。源泉徴収票の送付先を変えたいです。"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        return SecretariatThread.objects.filter(network=net.network).latest("id")


def thread_url(thread: SecretariatThread, *, console: bool) -> str:
    if console:
        return reverse("manage:inbox_thread", args=["alpha", thread.pk])
    return reverse("network:secretariat_thread", args=["alpha", thread.pk])


def fresh(thread: SecretariatThread) -> SecretariatThread:
    with scopes_disabled():
        return SecretariatThread.objects.get(pk=thread.pk)


def audit_actions(net: PersonaNetwork) -> list[tuple[str, str, dict[str, object]]]:
    with scopes_disabled():
        return [
            (entry.action, entry.actor_label, entry.data)
            for entry in AuditEntry.objects.filter(network=net.network, action__startswith="secretariat_thread.")
            .exclude(action="secretariat_thread.viewed")
            .order_by("pk")
        ]


def test_an_inquiry_reaches_the_shared_inbox_of_admin_hr_and_editor_only(net_a: PersonaNetwork) -> None:
    thread = ask(net_a)
    assert (thread.status, thread.assignee_id, thread.alumnus_id) == ("new", None, net_a.memberships["alumnus1"].pk)

    for persona in ("admin", "hr", "editor"):
        listing = client_for(net_a, persona).get(reverse("manage:inbox", args=["alpha"])).content.decode()
        assert "住所変更について" in listing, persona
        assert client_for(net_a, persona).get(thread_url(thread, console=True)).status_code == 200
    for persona in ("analyst", "coordinator", "supporter", "alumnus2"):
        assert client_for(net_a, persona).get(reverse("manage:inbox", args=["alpha"])).status_code == 404, persona
        assert client_for(net_a, persona).get(thread_url(thread, console=True)).status_code == 404, persona
    # Another alumnus cannot open it from the alumni side either.
    assert client_for(net_a, "alumnus2").get(thread_url(thread, console=False)).status_code == 404


def test_a_reply_comes_from_the_secretariat_notifies_and_waits_for_the_alumnus(net_a: PersonaNetwork) -> None:
    thread = ask(net_a)
    hr = client_for(net_a, "hr")

    hr.post(thread_url(thread, console=True), {"kind": "reply", "text": "承知しました。新しい住所をお知らせください。"})

    thread = fresh(thread)
    assert (thread.status, thread.assignee_id, thread.alumnus_unread) == ("waiting", net_a.memberships["hr"].pk, 1)
    assert audit_actions(net_a) == [
        ("secretariat_thread.status_changed", "hr@a.example", {"status": "waiting", "previous": "new"}),
        ("secretariat_thread.assigned", "hr@a.example", {"assignee": net_a.memberships["hr"].pk, "previous": None}),
    ]
    with scopes_disabled():
        notification = Notification.objects.get(recipient=net_a.memberships["alumnus1"])
    assert (notification.kind, notification.actor_id, notification.reference, notification.url) == (
        "secretariat_message", None, f"secretariat_thread:{thread.pk}", f"/n/alpha/messages/secretariat/{thread.pk}/",
    )  # fmt: skip
    alumnus = client_for(net_a, "alumnus1")
    assert '<span class="tab-count">1' in alumnus.get(reverse("network:messages", args=["alpha"])).content.decode()
    page = alumnus.get(thread_url(thread, console=False)).content.decode()
    assert "新しい住所をお知らせください" in page
    assert "Secretariat" in page
    assert "人事" not in page  # the staff member's name stays inside the secretariat
    assert fresh(thread).alumnus_unread == 0
    with scopes_disabled():
        assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_internal_notes_never_reach_the_alumnus(net_a: PersonaNetwork) -> None:
    thread = ask(net_a)
    client_for(net_a, "admin").post(
        thread_url(thread, console=True), {"kind": "note", "text": "本人確認済み。内部メモ"}
    )

    assert (
        "本人確認済み。内部メモ" in client_for(net_a, "editor").get(thread_url(thread, console=True)).content.decode()
    )
    assert (
        "本人確認済み。内部メモ"
        not in client_for(net_a, "alumnus1").get(thread_url(thread, console=False)).content.decode()
    )
    assert fresh(thread).status == "new"  # a note changes nothing for the alumnus
    with scopes_disabled():
        assert not Notification.objects.exists()


def test_a_new_message_from_the_alumnus_reopens_a_closed_thread(net_a: PersonaNetwork) -> None:
    thread = ask(net_a)
    admin = client_for(net_a, "admin")
    admin.post(reverse("manage:inbox_assign", args=["alpha", thread.pk]), {"assignee": net_a.memberships["admin"].pk})
    admin.post(reverse("manage:inbox_status", args=["alpha", thread.pk]), {"status": "closed"})
    assert fresh(thread).status == "closed"

    response = client_for(net_a, "alumnus1").post(thread_url(thread, console=False), {"text": "追加で質問です"})

    assert response.status_code == 302
    assert fresh(thread).status == "in_progress"
    admin_id = net_a.memberships["admin"].pk
    assert audit_actions(net_a) == [
        ("secretariat_thread.assigned", "admin@a.example", {"assignee": admin_id, "previous": None}),
        ("secretariat_thread.status_changed", "admin@a.example", {"status": "closed", "previous": "new"}),
    ]


def test_it_assigns_only_to_staff_of_the_inbox(net_a: PersonaNetwork) -> None:
    thread = ask(net_a)
    assign = reverse("manage:inbox_assign", args=["alpha", thread.pk])
    admin = client_for(net_a, "admin")

    admin.post(assign, {"assignee": net_a.memberships["coordinator"].pk})
    admin.post(assign, {"assignee": net_a.memberships["alumnus2"].pk})
    assert fresh(thread).assignee_id is None
    assert audit_actions(net_a) == []

    admin.post(assign, {"assignee": net_a.memberships["editor"].pk})
    assert fresh(thread).assignee_id == net_a.memberships["editor"].pk
    client_for(net_a, "hr").post(assign, {"assignee": net_a.memberships["hr"].pk})  # "take it"
    assert fresh(thread).assignee_id == net_a.memberships["hr"].pk
    admin.post(assign, {"assignee": ""})
    assert fresh(thread).assignee_id is None
    assert [data["assignee"] for _action, _actor, data in audit_actions(net_a)] == [
        net_a.memberships["editor"].pk, net_a.memberships["hr"].pk, None,
    ]  # fmt: skip


def test_it_filters_the_inbox_by_status_and_assignee(net_a: PersonaNetwork) -> None:
    mine = ask(net_a, subject="退職証明書の発行")
    ask(net_a, "alumnus2", subject="OB会の写真")
    closed = ask(net_a, "supporter", subject="イベントの質問")
    hr = client_for(net_a, "hr")
    hr.post(reverse("manage:inbox_assign", args=["alpha", mine.pk]), {"assignee": net_a.memberships["hr"].pk})
    hr.post(reverse("manage:inbox_status", args=["alpha", closed.pk]), {"status": "closed"})
    url = reverse("manage:inbox", args=["alpha"])

    def subjects(query: str) -> list[str]:
        page = hr.get(f"{url}?{query}").content.decode()
        return [s for s in ("退職証明書の発行", "OB会の写真", "イベントの質問") if s in page]

    assert subjects("") == ["退職証明書の発行", "OB会の写真"]  # open ones by default
    assert subjects("status=all") == ["退職証明書の発行", "OB会の写真", "イベントの質問"]
    assert subjects("status=closed") == ["イベントの質問"]
    assert subjects("status=all&assignee=mine") == ["退職証明書の発行"]
    assert subjects("status=all&assignee=unassigned") == ["OB会の写真", "イベントの質問"]
    assert subjects(f"status=all&assignee={net_a.memberships['hr'].pk}") == ["退職証明書の発行"]


def test_the_inbox_runs_a_constant_number_of_queries(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manage_views, "INBOX_PAGE_SIZE", 200)
    client = client_for(net_a, "admin")
    url = reverse("manage:inbox", args=["alpha"]) + "?status=all"
    assert client.get(url).status_code == 200
    alumni = [net_a.memberships["alumnus1"], net_a.memberships["alumnus2"], net_a.memberships["supporter"]]
    staff = [net_a.memberships["admin"], net_a.memberships["hr"], None]
    counts = []
    for total in (10, 200):
        with scopes_disabled():
            existing = SecretariatThread.objects.count()
            for number in range(existing, total):
                thread = SecretariatThread.objects.create(
                    network=net_a.network, alumnus=alumni[number % 3], subject=f"問い合わせ{number}",
                    assignee=staff[number % 3], last_message_at=timezone.now(),
                )  # fmt: skip
                SecretariatMessage.objects.create(
                    network=net_a.network, thread=thread, kind="alumnus", author=alumni[number % 3], text="x", html="x"
                )
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).content.decode().count("/manage/inbox/") >= total
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_alumni_see_their_own_threads_with_a_new_reply_marker(net_a: PersonaNetwork) -> None:
    thread = ask(net_a, subject="カムバック制度について")
    ask(net_a, "alumnus2", subject="他の人の問い合わせ")
    client_for(net_a, "editor").post(thread_url(thread, console=True), {"kind": "reply", "text": "ご説明します"})

    listing = client_for(net_a, "alumnus1").get(reverse("network:secretariat_threads", args=["alpha"])).content.decode()

    assert "カムバック制度について" in listing
    assert "New reply" in listing
    assert "他の人の問い合わせ" not in listing
