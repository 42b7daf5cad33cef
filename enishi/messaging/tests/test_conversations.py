"""One-to-one messages between alumni: consent, blocks, reading, limits, isolation, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.messaging import services
from enishi.messaging import views as messaging_views
from enishi.messaging.models import MESSAGE_MAX_LENGTH, Block, Conversation, Message
from enishi.messaging.tests.conftest import allow_messages, refuse_messages
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState, Role
from enishi.notifications.models import Notification
from enishi.profiles.tests.conftest import client_for, list_in_directory

pytestmark = pytest.mark.django_db


def start_url(net: PersonaNetwork, persona: str) -> str:
    return reverse("network:message_start", args=[net.network.slug, net.memberships[persona].pk])


def profile_page(net: PersonaNetwork, viewer: str, shown: str) -> str:
    url = reverse("network:profile", args=[net.network.slug, net.memberships[shown].pk])
    return client_for(net, viewer).get(url).content.decode()


def rows() -> dict[str, Any]:
    with scopes_disabled():
        return {
            "conversations": list(Conversation.objects.order_by("pk").values()),
            "messages": list(Message.objects.order_by("pk").values()),
        }


def the_conversation() -> Conversation:
    with scopes_disabled():
        return Conversation.objects.get()


def test_it_sends_a_message_to_someone_who_consents_and_marks_it_read_on_opening(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus2")
    assert "Send a message" in profile_page(net_a, "alumnus1", "alumnus2")
    sender = client_for(net_a, "alumnus1")

    response = sender.post(start_url(net_a, "alumnus2"), {"text": "お久しぶりです。\nhttps://example.com/a を見ました"})

    talk = the_conversation()
    assert response.status_code == 302
    assert response["Location"] == reverse("network:conversation", args=["alpha", talk.pk])
    assert (talk.started_by_id, talk.last_excerpt) == (
        net_a.memberships["alumnus1"].pk,
        "お久しぶりです。 https://example.com/a を見ました",
    )
    assert talk.unread_for(net_a.memberships["alumnus2"].pk) == 1
    assert talk.unread_for(net_a.memberships["alumnus1"].pk) == 0
    with scopes_disabled():
        notification = Notification.objects.get(recipient=net_a.memberships["alumnus2"])
    assert (notification.kind, notification.topic, notification.actor_id, notification.reference, notification.url) == (
        "message", "messages", net_a.memberships["alumnus1"].pk, f"conversation:{talk.pk}",
        f"/n/alpha/messages/{talk.pk}/",
    )  # fmt: skip

    reader = client_for(net_a, "alumnus2")
    inbox = reader.get(reverse("network:messages", args=["alpha"])).content.decode()
    assert "conversation-unread" in inbox
    assert '<span class="tab-count">1' in inbox
    page = reader.get(reverse("network:conversation", args=["alpha", talk.pk])).content.decode()
    assert "お久しぶりです。" in page
    assert '<a href="https://example.com/a" rel=' in page
    assert the_conversation().unread_for(net_a.memberships["alumnus2"].pk) == 0
    with scopes_disabled():
        assert Notification.objects.get(pk=notification.pk).read_at is not None
    assert "conversation-unread" not in reader.get(reverse("network:messages", args=["alpha"])).content.decode()


def test_it_refuses_someone_who_has_not_consented_and_stores_nothing(net_a: PersonaNetwork) -> None:
    list_in_directory(net_a, "alumnus2")
    assert "Send a message" not in profile_page(net_a, "alumnus1", "alumnus2")
    client = client_for(net_a, "alumnus1")
    before = rows()

    page = client.get(start_url(net_a, "alumnus2"))
    response = client.post(start_url(net_a, "alumnus2"), {"text": "こんにちは"})

    assert page.status_code == 200
    assert "This person does not receive messages from other alumni at the moment." in page.content.decode()
    assert response.status_code == 403
    assert "This person does not receive messages from other alumni at the moment." in response.content.decode()
    assert rows() == before


def test_it_lets_people_answer_whoever_wrote_to_them_first(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus1")  # alumnus2 never consented
    client_for(net_a, "alumnus2").post(start_url(net_a, "alumnus1"), {"text": "質問があります"})
    talk = the_conversation()
    url = reverse("network:conversation", args=["alpha", talk.pk])

    response = client_for(net_a, "alumnus1").post(url, {"text": "どうぞ"})

    assert response.status_code == 302
    with scopes_disabled():
        assert list(Message.objects.order_by("pk").values_list("text", flat=True)) == ["質問があります", "どうぞ"]
    talk = the_conversation()  # answering reads what one answers
    assert talk.unread_for(net_a.memberships["alumnus1"].pk) == 0
    assert talk.unread_for(net_a.memberships["alumnus2"].pk) == 1


def test_withdrawing_stops_new_messages_but_keeps_the_conversation_readable(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus2")
    client_for(net_a, "alumnus1").post(start_url(net_a, "alumnus2"), {"text": "最初のメッセージ"})
    talk = the_conversation()
    url = reverse("network:conversation", args=["alpha", talk.pk])
    refuse_messages(net_a, "alumnus2")
    before = rows()

    response = client_for(net_a, "alumnus1").post(url, {"text": "もう一通"})

    assert response.status_code == 403
    assert "This person does not receive messages from other alumni at the moment." in response.content.decode()
    assert "もう一通" in response.content.decode()  # what was typed is still in the box
    assert rows() == before
    for persona in ("alumnus1", "alumnus2"):
        assert "最初のメッセージ" in client_for(net_a, persona).get(url).content.decode()
    assert "Send a message" not in profile_page(net_a, "alumnus1", "alumnus2")


def test_a_block_stops_messages_both_ways_until_it_is_lifted(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus1", "alumnus2")
    blocker = client_for(net_a, "alumnus2")
    blocker.post(reverse("network:message_block", args=["alpha", net_a.memberships["alumnus1"].pk]))
    with scope(network=net_a.network):
        assert services.is_blocked(net_a.memberships["alumnus1"], net_a.memberships["alumnus2"])
        assert services.is_blocked(net_a.memberships["alumnus2"], net_a.memberships["alumnus1"])
        assert services.blocked_ids(net_a.memberships["alumnus1"]) == {net_a.memberships["alumnus2"].pk}
        assert services.blocked_ids(net_a.memberships["alumnus2"]) == {net_a.memberships["alumnus1"].pk}
        assert services.blocked_ids(net_a.memberships["supporter"]) == set()
    before = rows()

    refused = client_for(net_a, "alumnus1").post(start_url(net_a, "alumnus2"), {"text": "ブロックされた"})
    refused_back = blocker.post(start_url(net_a, "alumnus1"), {"text": "こちらからも"})

    assert refused.status_code == refused_back.status_code == 403
    assert "You cannot send a message to this person." in refused.content.decode()
    assert rows() == before
    assert "Send a message" not in profile_page(net_a, "alumnus1", "alumnus2")
    settings_page = blocker.get(reverse("network:message_settings", args=["alpha"])).content.decode()
    assert "佐藤　一郎" in settings_page

    blocker.post(reverse("network:message_unblock", args=["alpha", net_a.memberships["alumnus1"].pk]))

    with scopes_disabled():
        assert not Block.objects.exists()
    assert client_for(net_a, "alumnus1").post(start_url(net_a, "alumnus2"), {"text": "解除後"}).status_code == 302


def test_it_keeps_what_was_typed_when_a_message_is_too_long(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus2")
    text = "あ" * (MESSAGE_MAX_LENGTH + 1)

    response = client_for(net_a, "alumnus1").post(start_url(net_a, "alumnus2"), {"text": text})

    page = response.content.decode()
    assert response.status_code == 200
    assert f"A message can be at most {MESSAGE_MAX_LENGTH} characters; this one has {MESSAGE_MAX_LENGTH + 1}." in page
    assert text in page
    assert rows() == {"conversations": [], "messages": []}


def test_it_shows_hostile_text_as_text(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus2")
    client_for(net_a, "alumnus1").post(
        start_url(net_a, "alumnus2"),
        {"text": "<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3)"},
    )
    page = client_for(net_a, "alumnus2").get(reverse("network:conversation", args=["alpha", the_conversation().pk]))

    html = page.content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_nobody_else_reads_a_conversation_staff_included(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus2")
    client_for(net_a, "alumnus1").post(start_url(net_a, "alumnus2"), {"text": "二人だけの話"})
    url = reverse("network:conversation", args=["alpha", the_conversation().pk])

    for persona in ("supporter", "admin", "hr", "editor", "analyst", "coordinator"):
        assert client_for(net_a, persona).get(url).status_code == 404, persona
        assert client_for(net_a, persona).post(url, {"text": "割り込み"}).status_code == 404, persona
    for persona in ("admin", "hr", "editor", "analyst", "coordinator"):
        assert client_for(net_a, persona).get(reverse("network:messages", args=["alpha"])).status_code == 404


def test_staff_and_people_who_left_cannot_be_messaged(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus2")
    with scopes_disabled():
        Membership.objects.filter(pk=net_a.memberships["alumnus2"].pk).update(state=MembershipState.LEFT)
    client = client_for(net_a, "alumnus1")

    assert client.get(start_url(net_a, "alumnus2")).status_code == 404
    assert client.post(start_url(net_a, "alumnus2"), {"text": "x"}).status_code == 404
    assert client.get(start_url(net_a, "hr")).status_code == 404
    assert client.get(start_url(net_a, "alumnus1")).status_code == 404  # oneself
    assert rows() == {"conversations": [], "messages": []}


def test_an_alumnus_of_another_network_can_neither_message_nor_find_a_member(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    allow_messages(net_a, "alumnus2")
    target = net_a.memberships["alumnus2"].pk
    outsider = client_for(net_b, "alumnus1")

    for slug in ("alpha", "beta"):
        url = reverse("network:message_start", args=[slug, target])
        assert outsider.get(url).status_code == 404
        assert outsider.post(url, {"text": "他のネットワークから"}).status_code == 404
        block = reverse("network:message_block", args=[slug, target])
        assert outsider.post(block).status_code == 404
    assert rows() == {"conversations": [], "messages": []}
    with scopes_disabled():
        assert not Block.objects.exists()


def test_a_long_conversation_opens_on_its_latest_page(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(messaging_views, "MESSAGES_PAGE_SIZE", 3)
    allow_messages(net_a, "alumnus2")
    client = client_for(net_a, "alumnus1")
    client.post(start_url(net_a, "alumnus2"), {"text": "番号0"})
    url = reverse("network:conversation", args=["alpha", the_conversation().pk])
    for number in range(1, 7):
        client.post(url, {"text": f"番号{number}"})

    latest = client.get(url).content.decode()
    first = client.get(url + "?page=1").content.decode()

    assert [f"番号{n}" in latest for n in range(7)] == [False, False, False, False, False, False, True]
    assert "Earlier messages" in latest
    assert [f"番号{n}" in first for n in range(7)] == [True, True, True, False, False, False, False]


def test_the_inbox_runs_a_constant_number_of_queries(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(messaging_views, "CONVERSATIONS_PAGE_SIZE", 200)
    me = net_a.memberships["alumnus1"]
    client = client_for(net_a, "alumnus1")
    url = reverse("network:messages", args=["alpha"])
    assert client.get(url).status_code == 200
    counts = []
    for total in (10, 200):
        with scopes_disabled():
            existing = Conversation.objects.count()
            for number in range(existing, total):
                user = User.objects.create_user(
                    f"peer{number}@a.example", "x", family_name="相手", given_name=str(number)
                )
                peer = Membership.objects.create(
                    network=net_a.network, user=user, role=Role.ALUMNUS, state=MembershipState.ACTIVE
                )
                low, high = sorted((me, peer), key=lambda m: m.pk)
                Conversation.objects.create(
                    network=net_a.network, member_low=low, member_high=high, started_by=peer, last_sender=peer,
                    last_message_at=timezone.now(), last_excerpt=f"こんにちは{number}", low_unread=1, high_unread=1,
                )  # fmt: skip
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).content.decode().count('class="card conversation') == total
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_someone_outside_the_directory_is_not_there_even_by_id(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus2", listed=False)
    client = client_for(net_a, "alumnus1")

    response = client.get(start_url(net_a, "alumnus2"))

    assert response.status_code == 404
    assert "鈴木" not in response.content.decode()
    assert client.post(start_url(net_a, "alumnus2"), {"text": "x"}).status_code == 404
    assert rows() == {"conversations": [], "messages": []}


def test_the_profile_offers_blocking_to_alumni_only(net_a: PersonaNetwork) -> None:
    allow_messages(net_a, "alumnus2")
    assert 'action="/n/alpha/messages/people/' in profile_page(net_a, "alumnus1", "alumnus2")
    admin_view = profile_page(net_a, "admin", "alumnus2")
    assert "Send a message" not in admin_view
    assert "/messages/" not in admin_view
    assert "Send a message" not in profile_page(net_a, "alumnus2", "alumnus2")  # one's own profile

    client_for(net_a, "alumnus1").post(
        reverse("network:message_block", args=["alpha", net_a.memberships["alumnus2"].pk])
    )

    page = profile_page(net_a, "alumnus1", "alumnus2")
    assert "Unblock" in page
    assert "Send a message" not in page


def test_no_operator_admin_page_shows_messages() -> None:
    from django.contrib import admin

    assert [model for model in admin.site._registry if model._meta.app_label == "messaging"] == []


def test_merging_duplicate_members_moves_their_messages(net_a: PersonaNetwork) -> None:
    from enishi.networks.signals import members_merged

    allow_messages(net_a, "alumnus1", "alumnus2", "supporter")
    kept, merged, other = (net_a.memberships[name] for name in ("alumnus1", "alumnus2", "supporter"))
    with scope(network=net_a.network):
        services.send_message(other, kept, "keptへ")
        services.send_message(other, merged, "mergedへ")
        services.send_message(merged, other, "mergedから")
        services.send_message(kept, merged, "自分同士")
        services.block(merged, other)
        thread = services.open_inquiry(merged, "住所変更", "別アカウントから")

        members_merged.send(sender=Membership, network=net_a.network, kept=kept, merged=merged)

    with scopes_disabled():
        talk = Conversation.objects.get()
        assert {talk.member_low_id, talk.member_high_id} == {kept.pk, other.pk}
        assert list(Message.objects.filter(conversation=talk).values_list("text", "sender_id")) == [
            ("keptへ", other.pk), ("mergedへ", other.pk), ("mergedから", kept.pk),
        ]  # fmt: skip
        assert talk.unread_for(kept.pk) == 1  # "keptへ" unread; "mergedへ" was read by answering it
        assert talk.unread_for(other.pk) == 1
        assert talk.last_sender_id == kept.pk
        assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(kept.pk, other.pk)]
        thread.refresh_from_db()
        assert thread.alumnus_id == kept.pk


def test_the_consent_is_offered_wherever_the_other_purposes_are(net_a: PersonaNetwork) -> None:
    from enishi.intake.join_forms import RegistrationForm

    privacy = client_for(net_a, "alumnus1").get(reverse("network:privacy", args=["alpha"])).content.decode()

    assert "Messages from other alumni" in privacy
    assert "alumni_messages" in dict(RegistrationForm.base_fields["consents"].choices)  # type: ignore[attr-defined]
    assert RegistrationForm.base_fields["consents"].required is False  # unticked means no
