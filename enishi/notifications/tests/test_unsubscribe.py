"""One-click unsubscribe (RFC 8058): signed links, a GET that changes nothing, a POST without login or CSRF."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.notifications import services
from enishi.notifications.models import Notification, NotificationPreference, OutboundEmail
from enishi.notifications.topics import DIGEST_TOPIC, Delivery, DigestFrequency, Topic
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for


@pytest.fixture(autouse=True)
def _https_site(settings: pytest.FixtureRequest) -> None:
    settings.SITE_URL = "https://alumni.example"  # type: ignore[attr-defined]


def link(net: PersonaNetwork, topic: str, subtopic: str = "", persona: str = "alumnus1") -> str:
    with scope(network=net.network):
        url = services.unsubscribe_url(net.memberships[persona], topic, subtopic)
    assert url.startswith("https://alumni.example/n/")
    return url.removeprefix("https://alumni.example")


def anonymous() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def choice(net: PersonaNetwork, topic: str, persona: str = "alumnus1") -> str:
    with scope(network=net.network):
        member = net.memberships[persona]
        if topic == DIGEST_TOPIC:
            return services.digest_frequency(member)
        return services.delivery_for(member, topic)


def test_the_headers_point_at_the_https_link(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        headers = services.unsubscribe_headers(net_a.memberships["alumnus1"], Topic.MESSAGES)

    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"] == f"<https://alumni.example{link(net_a, Topic.MESSAGES)}>"


def test_get_shows_what_will_stop_and_changes_nothing(net_a: PersonaNetwork) -> None:
    response = anonymous().get(link(net_a, Topic.MESSAGES))

    page = response.content.decode()
    assert response.status_code == 200
    assert "You will no longer receive emails about “Messages”." in page
    assert '<form method="post"' in page
    assert choice(net_a, Topic.MESSAGES) == Delivery.EMAIL
    with scopes_disabled():
        assert not NotificationPreference.objects.exists()


def test_one_click_post_without_login_or_csrf_turns_the_topic_to_app_only(net_a: PersonaNetwork) -> None:
    url = link(net_a, Topic.MESSAGES)

    response = anonymous().post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "Done: no more emails about “Messages”." in response.content.decode()
    assert choice(net_a, Topic.MESSAGES) == Delivery.APP
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="notifications.unsubscribed")
    assert entry.actor == net_a.alumnus1
    assert entry.data == {"topic": "messages", "subtopic": ""}

    again = anonymous().post(url, {"List-Unsubscribe": "One-Click"})  # idempotent

    assert again.status_code == 200
    assert choice(net_a, Topic.MESSAGES) == Delivery.APP
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="notifications.unsubscribed").count() == 1


def test_a_digest_topic_moves_to_app_only_too(net_a: PersonaNetwork) -> None:
    anonymous().post(link(net_a, Topic.NEWS, subtopic="5"))

    assert choice(net_a, Topic.NEWS) == Delivery.APP


def test_the_newsletter_link_turns_newsletters_off(net_a: PersonaNetwork) -> None:
    anonymous().post(link(net_a, Topic.NEWSLETTER))

    with scope(network=net_a.network):
        assert not services.wants_email(net_a.memberships["alumnus1"], Topic.NEWSLETTER)
    assert choice(net_a, Topic.NEWSLETTER) == Delivery.OFF


def test_the_digest_link_sets_the_frequency_to_never(net_a: PersonaNetwork) -> None:
    anonymous().post(link(net_a, DIGEST_TOPIC))

    assert choice(net_a, DIGEST_TOPIC) == DigestFrequency.NEVER


def test_it_touches_only_the_person_of_the_token(net_a: PersonaNetwork) -> None:
    anonymous().post(link(net_a, Topic.MESSAGES))

    assert choice(net_a, Topic.MESSAGES, persona="alumnus2") == Delivery.EMAIL


def test_a_signed_in_member_of_another_network_can_use_it(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    client = client_for(net_b, "alumnus1")

    assert client.post(link(net_a, Topic.MESSAGES)).status_code == 200
    assert choice(net_a, Topic.MESSAGES) == Delivery.APP


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_a_clear_400_and_changes_nothing(net_a: PersonaNetwork, method: str) -> None:
    url = link(net_a, Topic.MESSAGES)
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = url.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))

    response = getattr(anonymous(), method)(tampered)

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert choice(net_a, Topic.MESSAGES) == Delivery.EMAIL


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_networks_token_under_this_slug_is_404(
    net_a: PersonaNetwork, net_b: PersonaNetwork, method: str
) -> None:
    url_b = link(net_b, Topic.MESSAGES)

    response = getattr(anonymous(), method)(url_b.replace("/n/beta/", "/n/alpha/"))

    assert response.status_code == 404
    assert choice(net_b, Topic.MESSAGES) == Delivery.EMAIL


def test_the_done_page_links_to_the_settings(net_a: PersonaNetwork) -> None:
    page = anonymous().post(link(net_a, Topic.REPLIES)).content.decode()

    assert "/n/alpha/notifications/settings/" in page


def test_an_unknown_slug_is_404(net_a: PersonaNetwork) -> None:
    assert anonymous().get(link(net_a, Topic.MESSAGES).replace("/n/alpha/", "/n/nowhere/")).status_code == 404


def test_a_notification_email_carries_the_link_of_its_own_topic(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        services.notify(net_a.memberships["alumnus1"], topic=Topic.MENTIONS, kind="mention", url="/n/alpha/posts/1/",
                        actor=net_a.memberships["alumnus2"])  # fmt: skip
        email = OutboundEmail.objects.get()
    url = email.headers["List-Unsubscribe"].strip("<>").removeprefix("https://alumni.example")

    assert url in email.text_body
    anonymous().post(url)
    assert choice(net_a, Topic.MENTIONS) == Delivery.APP
    assert choice(net_a, Topic.REPLIES) == Delivery.EMAIL
    with scopes_disabled():
        assert Notification.objects.count() == 1


def test_without_a_language_cookie_the_page_speaks_the_language_of_the_email(net_a: PersonaNetwork) -> None:
    user = net_a.alumnus1
    user.language = "en"
    user.save(update_fields=["language"])

    page = Client().get(link(net_a, Topic.MESSAGES)).content.decode()

    assert '<html lang="en">' in page
