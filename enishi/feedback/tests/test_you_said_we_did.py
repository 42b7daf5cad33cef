"""「声から生まれた改善」: staff publish news linked to feedback; the feedback becomes "acted on", named
authors are told, and alumni see the post on the feedback page. Also the dashboard's monthly counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.community.models import NewsCategory, NewsItem
from enishi.feedback import services
from enishi.feedback.models import Feedback, FeedbackNews
from enishi.feedback.tests.helpers import make_feedback
from enishi.notifications.models import Notification
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def change_url(net: PersonaNetwork) -> str:
    return reverse("manage:feedback_change", args=[net.network.slug])


def state_of(net: PersonaNetwork) -> dict[str, list[dict[str, Any]]]:
    with scopes_disabled():
        return {
            "feedback": list(Feedback.objects.filter(network=net.network).order_by("pk").values()),
            "links": list(FeedbackNews.objects.filter(network=net.network).order_by("pk").values()),
            "news": list(NewsItem.objects.filter(network=net.network).order_by("pk").values()),
            "categories": list(NewsCategory.objects.filter(network=net.network).order_by("pk").values()),
            "notifications": list(Notification.objects.filter(network=net.network).order_by("pk").values()),
        }


def test_it_publishes_news_linked_to_the_feedback_and_tells_named_authors(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: Any
) -> None:
    named = make_feedback(net_a, "alumnus1", text="副業の相談窓口がほしい")
    anonymous = make_feedback(net_a, None, text="副業のルールが分かりにくい")
    untouched = make_feedback(net_a, "alumnus2", text="別の話")
    client = client_for(net_a, "editor")
    form = client.get(change_url(net_a) + f"?feedback={named.pk}&feedback={anonymous.pk}")
    assert form.status_code == 200
    assert "副業の相談窓口がほしい" in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(net_a), {
            "feedback": [named.pk, anonymous.pk], "title": "副業相談窓口を開設しました",
            "body": "皆さんの声から、副業の相談窓口を開設しました。",
        })  # fmt: skip

    assert response.status_code == 302
    with scopes_disabled():
        news = NewsItem.objects.get(network=net_a.network)
        assert news.title == "副業相談窓口を開設しました"
        assert news.status == NewsItem.Status.PUBLISHED
        assert news.is_live
        assert news.audience == NewsItem.Audience.NETWORK
        assert news.category is not None
        assert news.category.name_ja == "声から生まれた改善"
        assert news.category.name_en == "You said, we did"
        assert "<p>皆さんの声から、副業の相談窓口を開設しました。</p>" in news.body
        linked = set(FeedbackNews.objects.filter(news=news).values_list("feedback_id", flat=True))
        assert linked == {named.pk, anonymous.pk}
        statuses = dict(Feedback.objects.filter(network=net_a.network).values_list("pk", "status"))
        assert statuses == {named.pk: "acted_on", anonymous.pk: "acted_on", untouched.pk: "new"}
        told = list(Notification.objects.filter(kind="feedback_acted_on").values_list("recipient_id", "url", "params"))
        assert told == [(net_a.memberships["alumnus1"].pk, f"/n/alpha/news/{news.pk}/",
                         {"title": "副業相談窓口を開設しました"})]  # fmt: skip
    alumni_page = client_for(net_a, "alumnus2").get(reverse("network:feedback", args=["alpha"])).content.decode()
    assert "副業相談窓口を開設しました" in alumni_page
    assert f"/n/alpha/news/{news.pk}/" in alumni_page
    mine = client_for(net_a, "alumnus1").get(reverse("network:my_feedback", args=["alpha"])).content.decode()
    assert "Your feedback led to:" in mine
    assert "副業相談窓口を開設しました" in mine
    detail = client.get(reverse("manage:feedback_detail", args=["alpha", anonymous.pk])).content.decode()
    assert "副業相談窓口を開設しました" in detail


def test_the_category_is_created_once_and_reused(net_a: PersonaNetwork) -> None:
    first, second = make_feedback(net_a), make_feedback(net_a, "alumnus2")
    with scopes_disabled():
        services.publish_you_said_we_did(net_a.network, net_a.memberships["admin"], [first], "一", "本文")
        services.publish_you_said_we_did(net_a.network, net_a.memberships["admin"], [second], "二", "本文")
        assert NewsCategory.objects.filter(network=net_a.network, name_ja="声から生まれた改善").count() == 1
        assert NewsItem.objects.filter(network=net_a.network, category__name_ja="声から生まれた改善").count() == 2


def test_a_missing_title_keeps_what_was_typed_and_changes_nothing(net_a: PersonaNetwork) -> None:
    item = make_feedback(net_a)
    before = state_of(net_a)

    response = client_for(net_a, "admin").post(change_url(net_a), {"feedback": item.pk, "title": " ",
                                                                   "body": "ここに書いた本文"})  # fmt: skip

    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the post a title." in page
    assert "ここに書いた本文" in page
    assert state_of(net_a) == before


def test_feedback_of_another_network_is_refused_and_nothing_changes(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    ours = make_feedback(net_a)
    theirs = make_feedback(net_b)
    before_a, before_b = state_of(net_a), state_of(net_b)
    client = client_for(net_a, "admin")

    mixed = client.post(change_url(net_a), {"feedback": [ours.pk, theirs.pk], "title": "改善", "body": "本文です"})
    only_theirs = client.get(change_url(net_a) + f"?feedback={theirs.pk}")
    nothing = client.get(change_url(net_a))

    assert mixed.status_code == 400
    assert "Some of the chosen feedback could not be found. Choose it again from the list." in mixed.content.decode()
    assert "本文です" in mixed.content.decode()
    assert only_theirs.status_code == nothing.status_code == 302
    assert state_of(net_a) == before_a
    assert state_of(net_b) == before_b


def test_withdrawn_news_is_no_longer_linked_on_alumni_pages(net_a: PersonaNetwork) -> None:
    item = make_feedback(net_a)
    with scopes_disabled():
        news = services.publish_you_said_we_did(
            net_a.network, net_a.memberships["admin"], [item], "撤回される記事", "本文"
        )
        news.status = NewsItem.Status.DRAFT
        news.save(update_fields=["status"])
    client = client_for(net_a, "alumnus1")

    assert "撤回される記事" not in client.get(reverse("network:feedback", args=["alpha"])).content.decode()
    assert "撤回される記事" not in client.get(reverse("network:my_feedback", args=["alpha"])).content.decode()


def test_counts_gives_received_and_acted_on_per_month(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    make_feedback(net_a, received_on=date(2026, 1, 5))
    make_feedback(net_a, None, received_on=date(2026, 1, 26))
    make_feedback(net_a, received_on=date(2026, 3, 2))
    make_feedback(net_a, received_on=date(2025, 12, 31))  # before the range
    make_feedback(net_b, received_on=date(2026, 1, 6))  # another network
    acted = make_feedback(net_a, received_on=date(2026, 1, 7), status=Feedback.Status.ACTED_ON)
    with scopes_disabled():
        acted.acted_on_at = timezone.make_aware(timezone.datetime(2026, 2, 10, 12, 0))
        acted.save(update_fields=["acted_on_at"])

        result = services.counts(net_a.network, date(2026, 1, 1), date(2026, 3, 31))

    assert result == {
        "2026-01": {"received": 3, "acted_on": 0},
        "2026-02": {"received": 0, "acted_on": 1},
        "2026-03": {"received": 1, "acted_on": 0},
    }
