"""Mentions, pictures and what the community tells people: comments, mentions, group posts, news.

Hidden and deleted posts leave the bell and the digest with them.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled
from PIL import Image

from conftest import PersonaNetwork
from enishi.community import mentions, tasks
from enishi.community.models import Group, GroupMember, Mention, NewsItem, Post, PostImage
from enishi.community.services import publish_news, save_post
from enishi.directory.indexing import reindex_members
from enishi.messaging.services import block
from enishi.notifications.models import Notification
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def listed(net: PersonaNetwork, *personas: str) -> None:
    """Put personas in the directory (only listed people can be mentioned)."""
    with scope(network=net.network):
        for persona in personas:
            grant_consent(net.memberships[persona], ConsentPurpose.DIRECTORY_LISTING)
        reindex_members(net.network, [net.memberships[persona].pk for persona in personas])


def post_as(net: PersonaNetwork, persona: str, text: str, **extra: object) -> Post:
    response = client_for(net, persona).post(reverse("network:posts", args=[net.network.slug]), {"text": text, **extra})
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        return Post.objects.filter(network=net.network).latest("id")


def notices(net: PersonaNetwork, persona: str, kind: str | None = None) -> list[Notification]:
    with scopes_disabled():
        found = Notification.objects.filter(network=net.network, recipient=net.memberships[persona])
        return list(found.filter(kind=kind) if kind else found)


def picture(name: str = "photo.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


# --- Mentions ------------------------------------------------------------------------------------


def test_a_mention_links_the_profile_and_tells_that_person_once(net_a: PersonaNetwork) -> None:
    listed(net_a, "alumnus2")
    post = post_as(net_a, "alumnus1", "@鈴木二葉さん、先日はありがとうございました！")

    profile = reverse("network:profile", args=["alpha", net_a.memberships["alumnus2"].pk])
    assert f'<a class="mention" href="{profile}">@鈴木二葉</a>さん' in post.html
    told = notices(net_a, "alumnus2", "mention")
    assert len(told) == 1
    assert told[0].url == reverse("network:post_detail", args=["alpha", post.pk])

    client_for(net_a, "alumnus1").post(
        reverse("network:post_edit", args=["alpha", post.pk]), {"text": post.text + " また今度。"}
    )
    assert len(notices(net_a, "alumnus2", "mention")) == 1  # an edit does not tell again


def test_only_listed_people_of_the_same_network_can_be_mentioned(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    listed(net_b, "alumnus2")  # 鈴木 二葉 of network B is listed there, not in A
    post = post_as(net_a, "alumnus1", "@鈴木二葉 こんにちは")
    assert 'class="mention"' not in post.html
    assert notices(net_a, "alumnus2") == []
    assert notices(net_b, "alumnus2") == []
    with scopes_disabled():
        assert not Mention.objects.exists()


def test_a_block_either_way_stops_mentions(net_a: PersonaNetwork) -> None:
    listed(net_a, "alumnus2")
    with scope(network=net_a.network):
        block(net_a.memberships["alumnus2"], net_a.memberships["alumnus1"])
    post = post_as(net_a, "alumnus1", "@鈴木二葉 見てますか")
    assert 'class="mention"' not in post.html
    assert notices(net_a, "alumnus2") == []


def test_a_name_that_fits_two_people_links_nobody(net_a: PersonaNetwork) -> None:
    listed(net_a, "alumnus1", "alumnus2")
    with scopes_disabled():
        net_a.alumnus2.family_name, net_a.alumnus2.given_name = "佐藤", "一郎"
        net_a.alumnus2.save()
    listed(net_a, "alumnus2")
    with scope(network=net_a.network):
        found = mentions.resolve(net_a.memberships["supporter"], "@佐藤一郎 さん")
    assert found == {}


def test_link_mentions_never_splits_a_longer_name() -> None:
    class Member:
        def __init__(self, pk: int) -> None:
            self.pk = pk

    html = "<p>@佐藤一郎 と @佐藤 さん</p>"
    linked = mentions.link_mentions(html, "alpha", {"佐藤一郎": Member(1), "佐藤": Member(2)})  # type: ignore[dict-item]
    assert linked.count('class="mention"') == 2
    assert f'href="{reverse("network:profile", args=["alpha", 1])}">@佐藤一郎</a>' in linked
    assert f'href="{reverse("network:profile", args=["alpha", 2])}">@佐藤</a> さん' in linked


# --- Comments ------------------------------------------------------------------------------------


def test_a_comment_tells_the_author_and_earlier_commenters(net_a: PersonaNetwork) -> None:
    post = post_as(net_a, "alumnus1", "転職しました")
    detail = reverse("network:post_detail", args=["alpha", post.pk])
    client_for(net_a, "alumnus2").post(detail, {"text": "おめでとう！"})
    client_for(net_a, "supporter").post(detail, {"text": "新天地でも頑張って"})

    assert [n.kind for n in notices(net_a, "alumnus1")] == ["comment", "comment"]
    assert [n.kind for n in notices(net_a, "alumnus2")] == ["comment_thread"]
    assert notices(net_a, "supporter") == []  # never told of one's own comment
    with translation.override("en"):
        bell = client_for(net_a, "alumnus1").get(reverse("network:notifications", args=["alpha"])).content.decode()
    assert "commented on your post" in bell


def test_hiding_or_deleting_a_post_takes_its_notices_away(net_a: PersonaNetwork) -> None:
    listed(net_a, "alumnus2")
    hidden = post_as(net_a, "alumnus1", "@鈴木二葉 さんへ")
    client_for(net_a, "alumnus2").post(reverse("network:post_detail", args=["alpha", hidden.pk]), {"text": "はい"})
    assert notices(net_a, "alumnus2")
    assert notices(net_a, "alumnus1")

    client_for(net_a, "supporter").post(reverse("network:post_action", args=["alpha", hidden.pk, "hide"]))
    assert notices(net_a, "alumnus2") == []
    assert notices(net_a, "alumnus1") == []

    deleted = post_as(net_a, "alumnus1", "@鈴木二葉 もう一度")
    assert notices(net_a, "alumnus2", "mention")
    client_for(net_a, "alumnus1").post(reverse("network:post_action", args=["alpha", deleted.pk, "delete"]))
    assert notices(net_a, "alumnus2") == []


# --- Group posts and news ------------------------------------------------------------------------


def test_a_group_post_reaches_its_members_only(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        group = Group.objects.create(network=net_a.network, name="関西OB会", policy=Group.Policy.APPROVAL)
        for persona in ("alumnus1", "alumnus2"):
            GroupMember.objects.create(network=net_a.network, group=group, membership=net_a.memberships[persona])
        post = save_post(Post(group=group, text="来月集まりましょう"), net_a.memberships["alumnus1"])
        tasks.announce_group_post.call(post.pk)  # a retried task tells nobody twice

    told = notices(net_a, "alumnus2", "group_post")
    assert len(told) == 1
    assert told[0].params == {"group": "関西OB会"}
    assert notices(net_a, "alumnus1") == []
    assert notices(net_a, "supporter") == []


def test_news_is_announced_once_to_its_readers_and_withdrawn_with_it(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        item = NewsItem.objects.create(network=net_a.network, title="新しい人事制度", body="<p>本文</p>")
        publish_news(item, net_a.editor)
        tasks.announce_news.call(item.pk)  # already announced: nothing more
    told = notices(net_a, "alumnus1", "news")
    assert len(told) == 1
    assert told[0].params == {"title": "新しい人事制度"}
    assert notices(net_a, "editor", "news") == []  # staff read the console, not the bell

    client_for(net_a, "editor").post(reverse("manage:news_action", args=["alpha", item.pk, "withdraw"]))
    assert notices(net_a, "alumnus1", "news") == []


def test_scheduled_news_is_announced_when_its_time_comes(net_a: PersonaNetwork) -> None:
    from datetime import timedelta

    from django.utils import timezone

    with scope(network=net_a.network):
        item = NewsItem.objects.create(network=net_a.network, title="予約した記事", body="<p>本文</p>")
        publish_news(item, net_a.editor, timezone.now() + timedelta(hours=2))
    assert tasks.announce_due_news() == 0
    assert notices(net_a, "alumnus2") == []
    with scopes_disabled():
        NewsItem.objects.filter(pk=item.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    assert tasks.announce_due_news() == 1
    assert len(notices(net_a, "alumnus2", "news")) == 1
    assert tasks.announce_due_news() == 0


# --- Pictures ------------------------------------------------------------------------------------


def test_a_post_carries_pictures_stripped_and_shown(
    net_a: PersonaNetwork, settings: object, tmp_path: object, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    post = post_as(net_a, "alumnus1", "写真です", images=[picture("a.jpg"), picture("b.png")])
    with scopes_disabled():
        images = list(PostImage.objects.filter(post=post))
    assert len(images) == 2
    assert all(image.image.name.endswith(".jpg") for image in images)
    page = client_for(net_a, "alumnus2").get(reverse("network:posts", args=["alpha"])).content.decode()
    assert images[0].image.url in page

    with django_capture_on_commit_callbacks(execute=True):
        client_for(net_a, "alumnus1").post(reverse("network:post_action", args=["alpha", post.pk, "delete"]))
    with scopes_disabled():
        assert not PostImage.objects.filter(post=post).exists()
    assert not images[0].image.storage.exists(images[0].image.name)


def test_too_many_or_broken_pictures_are_refused_and_the_text_kept(
    net_a: PersonaNetwork, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    client = client_for(net_a, "alumnus1")
    url = reverse("network:posts", args=["alpha"])
    with translation.override("en"):
        too_many = client.post(url, {"text": "五枚", "images": [picture(f"{n}.jpg") for n in range(5)]})
        broken = client.post(url, {"text": "壊れた画像", "images": [SimpleUploadedFile("x.jpg", b"not an image")]})
    assert too_many.status_code == 200
    assert "at most 4 pictures" in too_many.content.decode()
    assert broken.status_code == 200
    assert "not an image we can read" in broken.content.decode()
    assert "壊れた画像" in broken.content.decode()  # what was typed is kept
    with scopes_disabled():
        assert not Post.objects.filter(network=net_a.network).exists()


# --- The home feed -------------------------------------------------------------------------------


def test_the_home_feed_shows_posts_beside_the_news_in_constant_queries(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus2")
    home = reverse("network:home", args=["alpha"])

    def count_for(posts: int) -> int:
        with scope(network=net_a.network):
            Post.objects.filter(network=net_a.network).delete()
            for number in range(posts):
                save_post(Post(text=f"近況その{number}"), net_a.memberships["alumnus1"])
        client.get(home)  # the first visit of a session writes what later ones only read
        with CaptureQueriesContext(connection) as queries:
            page = client.get(home).content.decode()
        assert f"近況その{posts - 1}" in page
        return len(queries)

    assert count_for(3) == count_for(12)


def test_the_composer_suggests_listed_people_of_the_network_only(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    listed(net_a, "alumnus2")
    listed(net_b, "alumnus1")
    url = reverse("network:mention_suggestions", args=["alpha"])
    found = client_for(net_a, "alumnus1").get(url, {"q": "鈴木"}).json()["people"]
    assert found == [{"label": "鈴木\u3000二葉", "mention": "鈴木二葉"}]
    # 佐藤 一郎 of network B is listed there; asking from A finds nobody (A's 佐藤 is not listed)
    assert client_for(net_a, "alumnus2").get(url, {"q": "佐藤"}).json()["people"] == []
    page = client_for(net_a, "alumnus1").get(reverse("network:posts", args=["alpha"])).content.decode()
    assert f'data-mentions="{url}"' in page
