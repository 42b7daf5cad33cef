"""notify(): who gets a notification, how (bell, email now, digest), and what it never does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation
from django_scopes import scope, scopes_disabled
from pytest_django import DjangoCaptureOnCommitCallbacks

from conftest import PersonaNetwork
from enishi.networks.roles import MembershipState
from enishi.notifications import services
from enishi.notifications.kinds import KINDS
from enishi.notifications.models import Notification, NotificationPreference, OutboundEmail
from enishi.notifications.topics import DIGEST_TOPIC, Delivery, DigestFrequency, Topic

POST_URL = "/n/alpha/posts/12/"


@pytest.fixture(autouse=True)
def _https_site(settings: pytest.FixtureRequest) -> None:
    settings.SITE_URL = "https://alumni.example"  # type: ignore[attr-defined]


def comment(
    net: PersonaNetwork, recipient: str = "alumnus1", actor: str = "alumnus2", **extra: object
) -> Notification | None:
    arguments: dict[str, object] = {
        "topic": Topic.REPLIES, "kind": "comment", "url": POST_URL, "reference": "post:12",
        "actor": net.memberships[actor] if actor else None, "text": "<p>いいですね、<b>参加します</b></p>",
    }  # fmt: skip
    arguments.update(extra)
    with scope(network=net.network):
        return services.notify(net.memberships[recipient], **arguments)  # type: ignore[arg-type]


def test_it_stores_the_kind_and_params_and_emails_a_topic_set_to_email_now(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification = comment(net_a)

    assert notification is not None
    assert (notification.kind, notification.reference, notification.delivery) == ("comment", "post:12", "email")
    assert notification.text == "いいですね、参加します"  # a plain excerpt, tags gone
    assert notification.emailed_at is not None
    with scopes_disabled():
        email = OutboundEmail.objects.get(kind="notification")
    assert email.to == net_a.alumnus1.email
    assert email.reference == f"notification:{notification.pk}"
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.headers["List-Unsubscribe"].startswith("<https://alumni.example/n/alpha/unsubscribe/")
    assert " ".join(net_a.alumnus2.full_name.split()) in email.subject
    assert f"/n/alpha/notifications/{notification.pk}/" in email.text_body
    assert "/n/alpha/unsubscribe/" in email.text_body
    assert "/n/alpha/unsubscribe/" in email.html_body
    assert len(mail.outbox) == 1  # delivered after commit
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_it_renders_the_sentence_at_display_time_from_kind_and_params(net_a: PersonaNetwork) -> None:
    notification = comment(net_a)
    assert notification is not None
    actor = net_a.alumnus2
    actor.given_name = "二葉子"
    actor.save()
    with scopes_disabled():
        notification = Notification.objects.select_related("actor__user").get(pk=notification.pk)

    with translation.override("en"):
        english = services.sentence(notification)

    assert english == f"{actor.full_name} commented on your post"  # today's name, the viewer's language
    assert "二葉子" in english


def test_it_fills_title_and_group_from_params_and_tolerates_missing_ones(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        news = services.notify(net_a.memberships["alumnus1"], topic=Topic.NEWS, kind="news", url="/n/alpha/news/3/",
                               params={"title": "新しい人事制度"})  # fmt: skip
        group = services.notify(net_a.memberships["alumnus1"], topic=Topic.GROUP_POSTS, kind="group_post",
                                url="/n/alpha/groups/2/", actor=net_a.memberships["alumnus2"])  # fmt: skip
    assert news is not None
    assert group is not None
    with translation.override("en"):
        assert services.sentence(news) == "New: 新しい人事制度"
        assert services.sentence(group) == f"{net_a.alumnus2.full_name} posted in "


def test_every_kind_renders_in_every_language(net_a: PersonaNetwork) -> None:
    for kind in KINDS:
        item = Notification(kind=kind, params={"title": "T", "group": "G"}, actor=None)
        for language in ("ja", "en"):
            with translation.override(language):
                assert services.sentence(item).strip(), kind


@pytest.mark.parametrize("state", [MembershipState.SUSPENDED, MembershipState.LEFT, MembershipState.INVITED])
def test_it_records_nothing_for_a_recipient_who_is_not_active(net_a: PersonaNetwork, state: str) -> None:
    with scopes_disabled():
        membership = net_a.memberships["alumnus1"]
        membership.state = state
        membership.save(update_fields=["state"])

    assert comment(net_a) is None
    with scopes_disabled():
        assert not Notification.objects.exists()
        assert not OutboundEmail.objects.exists()


def test_it_records_nothing_when_the_actor_is_the_recipient(net_a: PersonaNetwork) -> None:
    assert comment(net_a, actor="alumnus1") is None
    with scopes_disabled():
        assert not Notification.objects.exists()


def test_it_refuses_an_actor_of_another_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scopes_disabled(), pytest.raises(ValueError, match="networks"):
        services.notify(net_a.memberships["alumnus1"], topic=Topic.REPLIES, kind="comment", url=POST_URL,
                        actor=net_b.memberships["alumnus2"])  # fmt: skip
    with scopes_disabled():
        assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "posts/12/", "/\\evil.example"]
)
def test_it_refuses_a_url_that_is_not_a_local_path(net_a: PersonaNetwork, url: str) -> None:
    with pytest.raises(ValueError, match="local path"):
        comment(net_a, url=url)


def test_it_refuses_an_unknown_topic_or_kind(net_a: PersonaNetwork) -> None:
    with pytest.raises(ValueError, match="topic"):
        comment(net_a, topic="gossip")
    with pytest.raises(ValueError, match="kind"):
        comment(net_a, kind="gossip")


def test_a_topic_set_to_off_records_nothing(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        services.set_preference(net_a.memberships["alumnus1"], Topic.REPLIES, Delivery.OFF)

    assert comment(net_a) is None
    with scopes_disabled():
        assert not Notification.objects.exists()


def test_app_only_and_digest_send_no_email_now(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        services.set_preference(net_a.memberships["alumnus1"], Topic.REPLIES, Delivery.APP)
        services.set_preference(net_a.memberships["alumnus2"], Topic.REPLIES, Delivery.DIGEST)

    app = comment(net_a, recipient="alumnus1", actor="supporter")
    digest = comment(net_a, recipient="alumnus2", actor="supporter")

    assert app is not None
    assert app.delivery == "app"
    assert digest is not None
    assert digest.delivery == "digest"
    with scopes_disabled():
        assert not OutboundEmail.objects.exists()


def test_defaults_honour_no_pressure(net_a: PersonaNetwork) -> None:
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        choices = {topic: services.delivery_for(member, topic) for topic in Topic.values}
        assert services.digest_frequency(member) == DigestFrequency.WEEKLY
        assert not NotificationPreference.objects.exists()  # defaults cost no rows

    assert choices == {
        "news": "digest", "replies": "email", "mentions": "email", "messages": "email", "group_posts": "digest",
        "events": "email", "opportunities": "digest", "newsletter": "on", "surveys": "email",
    }  # fmt: skip


def test_a_choice_equal_to_the_default_deletes_its_row(net_a: PersonaNetwork) -> None:
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        assert services.set_preference(member, Topic.NEWS, Delivery.EMAIL)
        assert NotificationPreference.objects.count() == 1
        assert not services.set_preference(member, Topic.NEWS, Delivery.EMAIL)
        assert services.set_preference(member, Topic.NEWS, Delivery.DIGEST)
        assert not NotificationPreference.objects.exists()


def test_a_news_category_turned_off_silences_only_that_category(net_a: PersonaNetwork) -> None:
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        services.set_preference(member, Topic.NEWS, Delivery.OFF, subtopic="7")
        off = services.notify(member, topic=Topic.NEWS, subtopic="7", kind="news", url="/n/alpha/news/1/")
        on = services.notify(member, topic=Topic.NEWS, subtopic="8", kind="news", url="/n/alpha/news/2/")
        plain = services.notify(member, topic=Topic.NEWS, kind="news", url="/n/alpha/news/3/")

    assert off is None
    assert on is not None
    assert on.delivery == "digest"
    assert plain is not None


def test_digest_never_keeps_digest_topics_in_the_bell_only(net_a: PersonaNetwork) -> None:
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        waiting = services.notify(member, topic=Topic.NEWS, kind="news", url="/n/alpha/news/1/")
        services.set_preference(member, DIGEST_TOPIC, DigestFrequency.NEVER)
        later = services.notify(member, topic=Topic.NEWS, kind="news", url="/n/alpha/news/2/")
        assert waiting is not None
        assert later is not None
        waiting.refresh_from_db()

    assert (waiting.delivery, later.delivery) == ("app", "app")


def test_wants_email(net_a: PersonaNetwork) -> None:
    one, two = net_a.memberships["alumnus1"], net_a.memberships["alumnus2"]
    with scope(network=net_a.network):
        services.set_preference(two, Topic.NEWSLETTER, Delivery.OFF)
        assert services.wants_email(one, Topic.NEWSLETTER)
        assert not services.wants_email(two, Topic.NEWSLETTER)
        assert services.wants_email(one, Topic.MESSAGES)
        assert not services.wants_email(one, Topic.NEWS)  # digest by default
        assert services.wants_email(one, DIGEST_TOPIC)
        opted_out = set(
            services.opted_out_of_email(net_a.network, Topic.NEWSLETTER).values_list("membership_id", flat=True)
        )
    assert opted_out == {two.pk}
    with scopes_disabled():
        one.state = MembershipState.SUSPENDED
        one.save(update_fields=["state"])
    with scope(network=net_a.network):
        assert not services.wants_email(one, Topic.MESSAGES)


def test_a_newsletter_notification_is_in_the_bell_only(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        item = services.notify(net_a.memberships["alumnus1"], topic=Topic.NEWSLETTER, kind="newsletter",
                               url="/n/alpha/", params={"title": "12月号"})  # fmt: skip
        assert item is not None
        assert item.delivery == "app"
        assert not OutboundEmail.objects.exists()


def test_it_rolls_back_with_the_callers_transaction(net_a: PersonaNetwork) -> None:
    def failing_action() -> None:
        with transaction.atomic():
            comment(net_a)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_action()

    with scopes_disabled():
        assert not Notification.objects.exists()
        assert not OutboundEmail.objects.exists()


def test_a_queue_that_is_down_does_not_break_the_callers_action(
    net_a: PersonaNetwork,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("queue down")

    monkeypatch.setattr(services, "deliver_email", SimpleNamespace(enqueue=down))
    with django_capture_on_commit_callbacks(execute=True):
        notification = comment(net_a)

    assert notification is not None
    with scopes_disabled():
        assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED  # the worker re-queues it


def test_a_broken_email_template_does_not_break_the_callers_action(
    net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enishi.notifications import emails

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("template error")

    monkeypatch.setattr(emails, "notification", broken)
    notification = comment(net_a)

    assert notification is not None
    assert notification.emailed_at is None
    with scopes_disabled():
        assert Notification.objects.count() == 1


def test_withdraw_deletes_the_notifications_about_a_thing_in_its_network_only(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    comment(net_a)
    comment(net_a, recipient="supporter")
    comment(net_a, reference="post:13")
    with scope(network=net_b.network):
        services.notify(net_b.memberships["alumnus1"], topic=Topic.REPLIES, kind="comment", url="/n/beta/posts/12/",
                        reference="post:12")  # fmt: skip

    with scope(network=net_a.network):
        assert services.withdraw(network=net_a.network, reference="post:12") == 2
        assert list(Notification.objects.values_list("reference", flat=True)) == ["post:13"]
        assert services.withdraw(network=net_a.network, reference="") == 0
    with scope(network=net_b.network):
        assert Notification.objects.filter(reference="post:12").count() == 1


def test_notify_many_follows_the_same_rules_in_one_pass(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    members = net_a.memberships
    with scopes_disabled():
        members["supporter"].state = MembershipState.LEFT
        members["supporter"].save(update_fields=["state"])
    with scope(network=net_a.network):
        services.set_preference(members["alumnus2"], Topic.GROUP_POSTS, Delivery.OFF)
        services.set_preference(members["hr"], Topic.GROUP_POSTS, Delivery.EMAIL)
        with django_capture_on_commit_callbacks(execute=True):
            stored = services.notify_many(
                [members[name] for name in ("alumnus1", "alumnus2", "supporter", "hr", "editor")],
                topic=Topic.GROUP_POSTS, kind="group_post", url="/n/alpha/groups/1/", actor=members["editor"],
                params={"group": "東京OB会"}, reference="post:40",
            )  # fmt: skip
        recipients = set(Notification.objects.values_list("recipient_id", "delivery"))

    assert stored == 2
    assert recipients == {(members["alumnus1"].pk, "digest"), (members["hr"].pk, "email")}
    assert [message.to for message in mail.outbox] == [[net_a.hr.email]]


def test_mark_read_about_marks_only_that_members_notifications_about_that_thing(net_a: PersonaNetwork) -> None:
    comment(net_a)
    comment(net_a, reference="post:13")
    comment(net_a, recipient="supporter")

    with scope(network=net_a.network):
        assert services.mark_read_about(net_a.memberships["alumnus1"], "post:12") == 1
        read = list(Notification.objects.filter(read_at__isnull=False).values_list("recipient_id", "reference"))

    assert read == [(net_a.memberships["alumnus1"].pk, "post:12")]
