"""The bell, the list, opening a notification, "mark all read" and the settings page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.notifications import services
from enishi.notifications.models import Notification, NotificationPreference
from enishi.notifications.topics import DIGEST_TOPIC, Delivery, DigestFrequency, Topic
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for


def make(net: PersonaNetwork, count: int, recipient: str = "alumnus1", actor: str = "alumnus2") -> list[Notification]:
    """`count` notifications with distinct actors' names resolved through select_related."""
    with scope(network=net.network):
        return [
            Notification.objects.create(
                network=net.network,
                recipient=net.memberships[recipient],
                topic=Topic.REPLIES,
                kind="comment",
                actor=net.memberships[actor],
                url=f"/n/{net.network.slug}/posts/{i}/",
                text=f"コメント{i}",
            )
            for i in range(count)
        ]


def test_the_bell_shows_the_unread_count_and_links_to_the_list(net_a: PersonaNetwork) -> None:
    items = make(net_a, 3)
    with scopes_disabled():
        Notification.objects.filter(pk=items[0].pk).update(read_at=timezone.now())
    home = reverse("network:home", args=["alpha"])

    page = client_for(net_a, "alumnus1").get(home).content.decode()

    assert 'class="bell-count" aria-hidden="true">2<' in page
    assert reverse("network:notifications", args=["alpha"]) in page
    assert "Notifications: 2 unread" in page
    assert 'class="bell-count"' not in client_for(net_a, "alumnus2").get(home).content.decode()


def test_the_bell_is_on_the_staff_side_too(net_a: PersonaNetwork) -> None:
    make(net_a, 1, recipient="editor")
    client = client_for(net_a, "editor")

    page = client.get(reverse("network:notifications", args=["alpha"])).content.decode()

    assert 'class="bell-count" aria-hidden="true">1<' in page


def test_the_list_shows_newest_first_and_only_mine(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    make(net_a, 2)
    make(net_a, 1, recipient="alumnus2", actor="supporter")
    make(net_b, 1)
    with scopes_disabled():
        Notification.objects.filter(recipient=net_a.memberships["alumnus1"], text="コメント1").update(text="最新")

    page = client_for(net_a, "alumnus1").get(reverse("network:notifications", args=["alpha"])).content.decode()

    assert page.index("最新") < page.index("コメント0")
    assert page.count('class="notification notification-unread"') == 2
    assert "commented on your post" in page


def test_the_list_runs_the_same_queries_for_10_and_200_notifications(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")
    url = reverse("network:notifications", args=["alpha"])
    counts = []
    for total in (10, 200):
        with scopes_disabled():
            Notification.objects.all().delete()
        make(net_a, total)
        client.get(url)  # warm the per-session caches
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(context.captured_queries))

    assert counts[0] == counts[1]


def test_opening_marks_read_and_goes_to_the_stored_path(net_a: PersonaNetwork) -> None:
    (item,) = make(net_a, 1)

    response = client_for(net_a, "alumnus1").get(reverse("network:notification_open", args=["alpha", item.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/n/alpha/posts/0/"
    with scopes_disabled():
        item.refresh_from_db()
    assert item.read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_opening_never_redirects_off_site(net_a: PersonaNetwork, url: str) -> None:
    (item,) = make(net_a, 1)
    with scopes_disabled():
        Notification.objects.filter(pk=item.pk).update(url=url)  # stored by a bug or by hand

    response = client_for(net_a, "alumnus1").get(reverse("network:notification_open", args=["alpha", item.pk]))

    assert response["Location"] == reverse("network:notifications", args=["alpha"])


def test_someone_elses_notification_is_404(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    (mine,) = make(net_a, 1)
    (theirs,) = make(net_b, 1)

    assert (
        client_for(net_a, "alumnus2").get(reverse("network:notification_open", args=["alpha", mine.pk])).status_code
        == 404
    )
    assert (
        client_for(net_a, "alumnus1").get(reverse("network:notification_open", args=["alpha", theirs.pk])).status_code
        == 404
    )
    with scopes_disabled():
        assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_mark_all_read_is_a_post_and_touches_only_mine(net_a: PersonaNetwork) -> None:
    make(net_a, 3)
    make(net_a, 1, recipient="alumnus2", actor="supporter")
    client = client_for(net_a, "alumnus1")
    url = reverse("network:notifications_read_all", args=["alpha"])

    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)

    assert "All notifications are marked as read." in response.content.decode()
    with scopes_disabled():
        unread = set(Notification.objects.filter(read_at__isnull=True).values_list("recipient_id", flat=True))
    assert unread == {net_a.memberships["alumnus2"].pk}


def settings_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "topic_news": "digest", "topic_replies": "email", "topic_mentions": "email", "topic_messages": "email",
        "topic_group_posts": "digest", "topic_events": "email", "topic_opportunities": "digest",
        "topic_newsletter": "on", "topic_surveys": "email", "digest_frequency": "weekly",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_settings_page_saves_only_what_differs_from_the_defaults(net_a: PersonaNetwork) -> None:
    from enishi.community.models import NewsCategory

    with scope(network=net_a.network):
        business = NewsCategory.objects.create(network=net_a.network, name_ja="事業ニュース", name_en="Business")
        interviews = NewsCategory.objects.create(network=net_a.network, name_ja="インタビュー", name_en="Interviews")
    client = client_for(net_a, "alumnus1")
    url = reverse("network:notification_settings", args=["alpha"])
    page = client.get(url).content.decode()
    assert "Comments on my posts" in page
    assert "Interviews" in page

    response = client.post(
        url,
        settings_data(topic_news="email", topic_newsletter="off", digest_frequency="monthly",
                      news_categories=[str(business.pk)]),
        follow=True,
    )  # fmt: skip

    assert "Your notification settings are saved." in response.content.decode()
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        rows = set(NotificationPreference.objects.values_list("topic", "subtopic", "value"))
        assert services.delivery_for(member, Topic.NEWS, str(interviews.pk)) == Delivery.OFF
        assert services.delivery_for(member, Topic.NEWS, str(business.pk)) == Delivery.EMAIL
        assert AuditEntry.objects.filter(action="notifications.settings_changed", actor=net_a.alumnus1).count() == 1
    assert rows == {
        ("news", "", "email"), ("newsletter", "", "off"), (DIGEST_TOPIC, "", DigestFrequency.MONTHLY),
        ("news", str(interviews.pk), "off"),
    }  # fmt: skip

    client.post(url, settings_data(news_categories=[str(business.pk), str(interviews.pk)]))
    with scope(network=net_a.network):
        assert not NotificationPreference.objects.exists()


def test_the_settings_page_refuses_a_choice_a_topic_does_not_have(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")

    response = client.post(
        reverse("network:notification_settings", args=["alpha"]), settings_data(topic_newsletter="digest")
    )

    assert response.status_code == 200
    with scopes_disabled():
        assert not NotificationPreference.objects.exists()


def test_the_account_menu_links_to_the_settings(net_a: PersonaNetwork) -> None:
    page = client_for(net_a, "alumnus1").get(reverse("network:notifications", args=["alpha"])).content.decode()

    assert reverse("network:notification_settings", args=["alpha"]) in page
