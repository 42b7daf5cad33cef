"""Alumni posts: writing (sanitised), comments, likes, the author's edits and deletions, hiding."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.community import views as community_views
from enishi.community.models import Comment, Post, Reaction, Report
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def feed(net: PersonaNetwork, persona: str) -> str:
    return client_for(net, persona).get(reverse("network:posts", args=[net.network.slug])).content.decode()


def post_as(net: PersonaNetwork, persona: str, text: str, **extra: str) -> Post:
    response = client_for(net, persona).post(reverse("network:posts", args=[net.network.slug]), {"text": text, **extra})
    assert response.status_code == 302
    with scopes_disabled():
        return Post.objects.filter(network=net.network).latest("id")


def test_an_alumnus_posts_and_others_read_it_safely(net_a: PersonaNetwork) -> None:
    text = "セミナーをします <script>alert(1)</script>\n詳しくは https://example.com/seminar を"
    post = post_as(net_a, "alumnus1", text, activity_on="2026-12-20", activity_url="https://example.com/seminar")
    page = feed(net_a, "alumnus2")

    assert "セミナーをします" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="https://example.com/seminar"' in page
    assert post.activity_on is not None


def test_comments_and_likes(net_a: PersonaNetwork) -> None:
    post = post_as(net_a, "alumnus1", "近況です")
    other = client_for(net_a, "alumnus2")
    detail = reverse("network:post_detail", args=["alpha", post.pk])
    like = reverse("network:post_action", args=["alpha", post.pk, "like"])

    other.post(detail, {"text": "おめでとうございます！"})
    other.post(like)
    with scopes_disabled():
        assert Comment.objects.filter(post=post).count() == 1
        assert Reaction.objects.filter(post=post).count() == 1
    assert "おめでとうございます！" in other.get(detail).content.decode()
    other.post(like)  # the second tap takes the like back
    with scopes_disabled():
        assert Reaction.objects.filter(post=post).count() == 0


def test_only_the_author_edits_or_deletes(net_a: PersonaNetwork) -> None:
    post = post_as(net_a, "alumnus1", "最初の文")
    edit = reverse("network:post_edit", args=["alpha", post.pk])
    assert client_for(net_a, "alumnus2").post(edit, {"text": "乗っ取り"}).status_code == 404
    assert client_for(net_a, "alumnus1").post(edit, {"text": "直した文"}).status_code == 302
    assert "直した文" in feed(net_a, "alumnus2")

    delete = reverse("network:post_action", args=["alpha", post.pk, "delete"])
    assert client_for(net_a, "alumnus2").post(delete).status_code == 404
    client_for(net_a, "alumnus1").post(delete)
    assert "直した文" not in feed(net_a, "alumnus2")


def test_a_supporter_hides_a_post_for_everyone_and_it_is_audited(net_a: PersonaNetwork) -> None:
    post = post_as(net_a, "alumnus1", "不適切な投稿")
    hide = reverse("network:post_action", args=["alpha", post.pk, "hide"])
    assert client_for(net_a, "alumnus2").post(hide).status_code == 404

    client_for(net_a, "supporter").post(hide)

    for persona in ("alumnus1", "alumnus2", "supporter"):
        assert "不適切な投稿" not in feed(net_a, persona)
    assert client_for(net_a, "alumnus2").get(reverse("network:post_detail", args=["alpha", post.pk])).status_code == 404
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="post.hidden").count() == 1


def test_the_feed_runs_a_constant_number_of_queries(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(community_views, "POSTS_PAGE_SIZE", 200)
    client = client_for(net_a, "alumnus2")
    url = reverse("network:posts", args=["alpha"])
    assert client.get(url).status_code == 200
    counts = []
    for total in (10, 200):
        with scopes_disabled():
            author = net_a.memberships["alumnus1"]
            existing = Post.objects.filter(network=net_a.network).count()
            for number in range(existing, total):
                post = Post.objects.create(network=net_a.network, author=author, text=f"投稿{number}", html="<p>x</p>")
                Reaction.objects.create(network=net_a.network, post=post, membership=net_a.memberships["alumnus2"])
                Comment.objects.create(network=net_a.network, post=post, author=author, text="c", html="<p>c</p>")
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).content.decode().count('class="card post"') == total
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_a_report_reaches_the_moderators_who_hide_the_post(net_a: PersonaNetwork) -> None:
    post = post_as(net_a, "alumnus1", "怪しい勧誘です")
    report_url = reverse("network:post_report", args=["alpha", post.pk])
    reporter = client_for(net_a, "alumnus2")
    assert reporter.post(report_url, {"reason": "bogus"}).status_code == 200  # refused, nothing saved
    with scopes_disabled():
        assert not Report.objects.exists()

    reporter.post(report_url, {"reason": "spam", "note": "同じ内容が何度も"})
    client_for(net_a, "supporter").post(report_url, {"reason": "spam"})
    editor = client_for(net_a, "editor")
    queue = editor.get(reverse("manage:moderation", args=["alpha"])).content.decode()
    assert "怪しい勧誘です" in queue
    assert "同じ内容が何度も" in queue
    with scopes_disabled():
        first = Report.objects.filter(post=post).order_by("id").first()
    assert first is not None

    editor.post(reverse("manage:report_action", args=["alpha", first.pk, "hide"]))

    assert "怪しい勧誘です" not in feed(net_a, "alumnus2")
    with scopes_disabled():
        assert set(Report.objects.filter(post=post).values_list("decision", flat=True)) == {"hidden"}
    assert editor.post(reverse("manage:report_action", args=["alpha", first.pk, "keep"])).status_code == 404
    assert "怪しい勧誘です" not in editor.get(reverse("manage:moderation", args=["alpha"])).content.decode()


def test_keeping_a_reported_post_closes_its_reports(net_a: PersonaNetwork) -> None:
    post = post_as(net_a, "alumnus1", "普通の投稿")
    client_for(net_a, "alumnus2").post(reverse("network:post_report", args=["alpha", post.pk]), {"reason": "other"})
    with scopes_disabled():
        report = Report.objects.get()
    client_for(net_a, "admin").post(reverse("manage:report_action", args=["alpha", report.pk, "keep"]))

    assert "普通の投稿" in feed(net_a, "alumnus2")
    with scopes_disabled():
        assert Report.objects.get().decision == "kept"
    assert client_for(net_a, "alumnus1").get(reverse("manage:moderation", args=["alpha"])).status_code in (403, 404)


def test_a_long_thread_opens_on_its_latest_comments(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(community_views, "COMMENTS_PAGE_SIZE", 3)
    post = post_as(net_a, "alumnus1", "長いスレッド")
    with scopes_disabled():
        Comment.objects.bulk_create(
            Comment(network=net_a.network, post=post, author=net_a.memberships["alumnus2"], text=f"c{n}", html=f"c{n}!")
            for n in range(7)
        )
    client = client_for(net_a, "alumnus1")
    detail = reverse("network:post_detail", args=["alpha", post.pk])
    with translation.override("en"):
        latest = client.get(detail).content.decode()
        oldest = client.get(detail, {"page": 1}).content.decode()
    assert "c6!" in latest
    assert "c0!" not in latest
    assert "Older comments" in latest
    assert "c0!" in oldest
    assert "Newer comments" in oldest


def test_the_feed_counts_at_most_its_page_limit(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting every post would scan millions of rows: past the limit the page says "Page N" only."""
    monkeypatch.setattr(community_views, "POSTS_PAGE_SIZE", 2)
    monkeypatch.setattr(community_views, "FEED_MAX_PAGES", 3)
    for number in range(8):
        post_as(net_a, "alumnus1", f"投稿{number}")
    client = client_for(net_a, "alumnus2")
    url = reverse("network:posts", args=["alpha"])
    with translation.override("en"):
        first = client.get(url).content.decode()
        last = client.get(url, {"page": 3}).content.decode()
    assert "Page 1<" in first
    assert "Page 1 of" not in first
    assert "投稿7" in first
    assert "投稿3" in last
    assert 'rel="next"' not in last  # older posts than the limit are not paged to


def test_a_short_feed_says_how_many_pages(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(community_views, "POSTS_PAGE_SIZE", 2)
    for number in range(3):
        post_as(net_a, "alumnus1", f"投稿{number}")
    with translation.override("en"):
        page = client_for(net_a, "alumnus2").get(reverse("network:posts", args=["alpha"])).content.decode()
    assert "Page 1 of 2" in page
