"""News by editors: drafts, publication and scheduling, audiences, pinning, read counts, sanitising."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.community import views as community_views
from enishi.community.models import NewsItem, NewsRead
from enishi.community.services import news_for, publish_news
from enishi.intake.models import EmploymentRecord
from enishi.networks.models import Company
from enishi.profiles.models import SavedSegment
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def write(net: PersonaNetwork, **fields: object) -> int:
    """The editor saves a news item through the console; returns its id."""
    data = {"title": "食堂がリニューアルしました", "body": "<p>新しい食堂です。</p>", "audience": "network", **fields}
    response = client_for(net, "editor").post(reverse("manage:news_new", args=[net.network.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        return NewsItem.objects.filter(network=net.network).latest("id").pk


def news_page(net: PersonaNetwork, persona: str) -> str:
    return client_for(net, persona).get(reverse("network:news", args=[net.network.slug])).content.decode()


def test_a_draft_is_for_editors_and_a_publication_for_everyone(net_a: PersonaNetwork) -> None:
    news_id = write(net_a, body='<p onclick="alert(1)">新しい食堂です。</p><script>alert(1)</script>')
    detail = reverse("network:news_detail", args=["alpha", news_id])
    with scopes_disabled():
        item = NewsItem.objects.get(pk=news_id)
    assert item.body == "<p>新しい食堂です。</p>"
    assert "食堂" not in news_page(net_a, "alumnus1")
    assert client_for(net_a, "alumnus1").get(detail).status_code == 404

    client_for(net_a, "editor").post(
        reverse("manage:news_edit", args=["alpha", news_id]),
        {"title": item.title, "body": item.body, "audience": "network", "publish": "1"},
    )

    assert "食堂がリニューアルしました" in news_page(net_a, "alumnus1")
    reader = client_for(net_a, "alumnus1")
    assert "新しい食堂です。" in reader.get(detail).content.decode()
    reader.get(detail)
    with scopes_disabled():
        assert NewsRead.objects.filter(item_id=news_id).count() == 1
    console = client_for(net_a, "editor").get(reverse("manage:content", args=["alpha"])).content.decode()
    assert "食堂がリニューアルしました" in console


def test_scheduled_news_waits_for_its_time(net_a: PersonaNetwork) -> None:
    news_id = write(net_a)
    with scope(network=net_a.network):
        item = NewsItem.objects.get(pk=news_id)
        publish_news(item, net_a.users["editor"], timezone.now() + timedelta(days=1))
        assert item.is_scheduled
        assert not news_for(net_a.memberships["alumnus1"]).exists()
        NewsItem.objects.filter(pk=news_id).update(publish_at=timezone.now() - timedelta(minutes=1))
        assert list(news_for(net_a.memberships["alumnus1"])) == [item]


def test_company_and_segment_audiences(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="ベータ商事")
        EmploymentRecord.objects.create(
            network=net_a.network, company=net_a.company, employee_number="E1", family_name="佐藤",
            given_name="一郎", membership=net_a.memberships["alumnus1"],
        )  # fmt: skip
        segment = SavedSegment.objects.create(network=net_a.network, name="佐藤さん", query={"q": ["佐藤"]})
    from enishi.directory.indexing import reindex_members

    reindex_members(net_a.network, [net_a.memberships["alumnus1"].pk, net_a.memberships["alumnus2"].pk])
    for title, audience, extra in (
        ("会社A向け", "company", {"company": net_a.company.pk}),
        ("会社B向け", "company", {"company": other.pk}),
        ("セグメント向け", "segment", {"segment": segment.pk}),
    ):
        news_id = write(net_a, title=title, audience=audience, **extra)
        with scope(network=net_a.network):
            publish_news(NewsItem.objects.get(pk=news_id), net_a.users["editor"])

    first, second = news_page(net_a, "alumnus1"), news_page(net_a, "alumnus2")

    assert "会社A向け" in first
    assert "セグメント向け" in first
    assert "会社B向け" not in first
    assert "会社A向け" not in second
    assert "セグメント向け" not in second


def test_a_missing_company_is_refused_and_nothing_is_saved(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "editor")
    response = client.post(reverse("manage:news_new", args=["alpha"]),
                           {"title": "t", "body": "<p>b</p>", "audience": "company"})  # fmt: skip
    assert "Choose the company whose alumni should read this." in response.content.decode()
    with scopes_disabled():
        assert not NewsItem.objects.exists()


def test_pinned_news_comes_first_and_withdrawn_news_disappears(net_a: PersonaNetwork) -> None:
    ids = []
    for title in ("古いお知らせ", "新しいお知らせ"):
        news_id = write(net_a, title=title)
        with scope(network=net_a.network):
            publish_news(NewsItem.objects.get(pk=news_id), net_a.users["editor"])
        ids.append(news_id)
    editor = client_for(net_a, "editor")
    editor.post(reverse("manage:news_action", args=["alpha", ids[0], "pin"]))
    page = news_page(net_a, "alumnus1")
    assert page.index("古いお知らせ") < page.index("新しいお知らせ")

    editor.post(reverse("manage:news_action", args=["alpha", ids[0], "withdraw"]))

    assert "古いお知らせ" not in news_page(net_a, "alumnus1")
    assert client_for(net_a, "alumnus1").get(reverse("network:news_detail", args=["alpha", ids[0]])).status_code == 404


def test_only_editors_and_admins_write_news(net_a: PersonaNetwork) -> None:
    url = reverse("manage:news_new", args=["alpha"])
    assert client_for(net_a, "admin").get(url).status_code == 200
    for persona in ("hr", "alumnus1", "supporter"):
        assert client_for(net_a, persona).get(url).status_code in (403, 404), persona


def test_the_news_page_runs_a_constant_number_of_queries(
    net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(community_views, "NEWS_PAGE_SIZE", 200)
    client = client_for(net_a, "alumnus1")
    url = reverse("network:news", args=["alpha"])
    assert client.get(url).status_code == 200
    counts = []
    for total in (10, 200):
        with scopes_disabled():
            NewsItem.objects.bulk_create(
                NewsItem(
                    network=net_a.network,
                    title=f"お知らせ{n}",
                    body="<p>x</p>",
                    status=NewsItem.Status.PUBLISHED,
                    publish_at=timezone.now(),
                )
                for n in range(total - NewsItem.objects.count())
            )
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).content.decode().count('class="card news-item"') == total
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
