"""The digest job: due or not, nothing to send, sent once, withdrawn items absent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.networks.roles import MembershipState
from enishi.notifications import services
from enishi.notifications.models import Notification, OutboundEmail
from enishi.notifications.topics import DIGEST_TOPIC, Delivery, DigestFrequency, Topic
from enishi.ops.management.commands.worker import MAINTENANCE_JOBS

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _https_site(settings: pytest.FixtureRequest) -> None:
    settings.SITE_URL = "https://alumni.example"  # type: ignore[attr-defined]


def news(
    net: PersonaNetwork, title: str, days_ago: float, persona: str = "alumnus1", reference: str = ""
) -> Notification:
    """A news notification (digest by default) created `days_ago` before NOW."""
    with scope(network=net.network):
        item = services.notify(net.memberships[persona], topic=Topic.NEWS, kind="news", url="/n/alpha/news/1/",
                               params={"title": title}, reference=reference or f"news:{title}")  # fmt: skip
        assert item is not None
        Notification.objects.filter(pk=item.pk).update(created_at=NOW - timedelta(days=days_ago))
    return item


def digests() -> list[OutboundEmail]:
    with scopes_disabled():
        return list(OutboundEmail.objects.filter(kind="digest").order_by("pk"))


def test_the_job_is_a_maintenance_job() -> None:
    assert services.send_digests in MAINTENANCE_JOBS
    assert services.prune_old_notifications in MAINTENANCE_JOBS


def test_a_weekly_digest_is_due_when_the_oldest_waiting_item_is_a_week_old(net_a: PersonaNetwork) -> None:
    news(net_a, "六日前", days_ago=6)

    assert services.send_digests(NOW) == 0

    news(net_a, "八日前", days_ago=8)

    assert services.send_digests(NOW) == 1
    (email,) = digests()
    assert email.to == net_a.alumnus1.email
    assert "六日前" in email.text_body  # everything waiting goes, not only the old one
    assert "八日前" in email.text_body
    assert email.text_body.index("六日前") < email.text_body.index("八日前")  # newest first
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/n/alpha/unsubscribe/" in email.html_body


def test_running_twice_sends_once(net_a: PersonaNetwork) -> None:
    news(net_a, "古い", days_ago=10)

    assert services.send_digests(NOW) == 1
    assert services.send_digests(NOW) == 0
    assert services.send_digests(NOW + timedelta(days=30)) == 0
    assert len(digests()) == 1
    with scopes_disabled():
        assert not Notification.objects.filter(digested_at__isnull=True).exists()


def test_nothing_to_send_sends_no_email(net_a: PersonaNetwork) -> None:
    assert services.send_digests(NOW) == 0

    assert digests() == []


def test_read_email_now_and_app_only_items_are_not_repeated(net_a: PersonaNetwork) -> None:
    read = news(net_a, "既読", days_ago=9)
    with scopes_disabled():
        Notification.objects.filter(pk=read.pk).update(read_at=NOW)
        member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        services.notify(
            member, topic=Topic.MESSAGES, kind="message", url="/n/alpha/", actor=net_a.memberships["alumnus2"]
        )
        services.set_preference(member, Topic.OPPORTUNITIES, Delivery.APP)
        services.notify(member, topic=Topic.OPPORTUNITIES, kind="news", url="/n/alpha/", params={"title": "求人"})
        Notification.objects.update(created_at=NOW - timedelta(days=9))

    assert services.send_digests(NOW) == 0


def test_a_withdrawn_item_is_not_in_the_digest(net_a: PersonaNetwork) -> None:
    news(net_a, "残る", days_ago=8)
    news(net_a, "消える投稿", days_ago=8, reference="post:66")
    with scope(network=net_a.network):
        services.withdraw(network=net_a.network, reference="post:66")

    services.send_digests(NOW)

    (email,) = digests()
    assert "残る" in email.text_body
    assert "消える投稿" not in email.text_body
    assert "消える投稿" not in email.html_body


def test_a_monthly_digest_waits_a_month(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        services.set_preference(net_a.memberships["alumnus1"], DIGEST_TOPIC, DigestFrequency.MONTHLY)
    news(net_a, "二週間前", days_ago=14)

    assert services.send_digests(NOW) == 0

    news(net_a, "一か月前", days_ago=31)

    assert services.send_digests(NOW) == 1


def test_never_sends_no_digest(net_a: PersonaNetwork) -> None:
    news(net_a, "古い", days_ago=40)
    with scope(network=net_a.network):
        services.set_preference(net_a.memberships["alumnus1"], DIGEST_TOPIC, DigestFrequency.NEVER)

    assert services.send_digests(NOW) == 0


def test_each_person_gets_their_own_digest_in_their_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    news(net_a, "Aの一", days_ago=8)
    news(net_a, "Aの二", days_ago=8, persona="alumnus2")
    news(net_b, "Bの一", days_ago=8)

    assert services.send_digests(NOW) == 3
    bodies = {email.to: email.text_body for email in digests()}
    assert "Aの一" in bodies[net_a.alumnus1.email]
    assert "Aの二" not in bodies[net_a.alumnus1.email]
    assert "Bの一" in bodies[net_b.alumnus1.email]
    assert "/n/beta/" in bodies[net_b.alumnus1.email]


def test_a_member_who_left_gets_no_digest(net_a: PersonaNetwork) -> None:
    news(net_a, "古い", days_ago=8)
    with scopes_disabled():
        membership = net_a.memberships["alumnus1"]
        membership.state = MembershipState.LEFT
        membership.save(update_fields=["state"])

    assert services.send_digests(NOW) == 0
    assert digests() == []


def test_a_long_digest_lists_the_newest_and_counts_the_rest(net_a: PersonaNetwork) -> None:
    for i in range(services.DIGEST_LIMIT + 3):
        news(net_a, f"記事{i:02d}", days_ago=8 + i / 100)

    services.send_digests(NOW)

    (email,) = digests()
    assert "記事00" in email.text_body
    assert f"記事{services.DIGEST_LIMIT + 2:02d}" not in email.text_body
    assert "/n/alpha/notifications/" in email.text_body
    assert str(services.DIGEST_LIMIT + 3) in email.subject


def test_a_claimed_item_is_not_claimed_again(net_a: PersonaNetwork) -> None:
    """What a second worker sees after the first committed: nothing left to claim."""
    item = news(net_a, "古い", days_ago=8)
    with scopes_disabled():
        Notification.objects.filter(pk=item.pk).update(digested_at=NOW)

    with scope(network=net_a.network):
        assert services.due_for_digest(net_a.network, NOW) == []
        assert services._send_digest(net_a.network, net_a.memberships["alumnus1"].pk, NOW) == 0
    assert digests() == []


def test_old_notifications_are_pruned(net_a: PersonaNetwork) -> None:
    old = news(net_a, "去年", days_ago=400)
    news(net_a, "今年", days_ago=10)

    assert services.prune_old_notifications(NOW) == 1
    with scopes_disabled():
        assert not Notification.objects.filter(pk=old.pk).exists()
        assert Notification.objects.count() == 1
