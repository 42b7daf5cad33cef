"""The community on a phone (390 x 844): an alumnus reads the news, posts with a mention, likes and
comments on a colleague's post, is told of a reply by the bell, and stops those emails from the link
in the email (fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope, scopes_disabled

from browser_fixtures import Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.community.models import Comment, Mention, NewsItem, Post, Reaction
from enishi.community.services import add_comment, publish_news, save_post
from enishi.directory.indexing import reindex_members
from enishi.notifications.models import OutboundEmail
from enishi.notifications.services import wants_email
from enishi.notifications.topics import Topic
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def prepare(net: PersonaNetwork) -> Post:
    """Published news, and 鈴木 二葉 (alumnus2) listed in the directory with a post of her own."""
    colleague = net.memberships["alumnus2"]
    with scope(network=net.network):
        item = NewsItem.objects.create(network=net.network, title="本社の食堂がリニューアルしました",
                                       body="<p>テラス席ができました。</p>")  # fmt: skip
        publish_news(item, net.editor)
        grant_consent(colleague, ConsentPurpose.DIRECTORY_LISTING, notice=None)
        reindex_members(net.network, [colleague.pk])
        return save_post(Post(text="来週、データ分析の勉強会をします。"), colleague)


def test_alumnus_reads_posts_reacts_is_told_and_unsubscribes(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    colleague_post = prepare(verified)
    me = verified.memberships["alumnus1"]
    journey.go("/accounts/login/?next=/n/alpha/")
    log_in(journey, "alumnus1@a.example")
    assert journey.path() == "/n/alpha/"
    main = page.locator("main")
    assert "来週、データ分析の勉強会をします。" in main.inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("1-home")

    # Read the news from the home page.
    main.get_by_role("link", name="本社の食堂がリニューアルしました").click()
    wait_for(journey, r"/n/alpha/news/\d+/$")
    assert "テラス席ができました。" in main.inner_text()
    journey.shot("2-news")

    # Post, mentioning the colleague through the suggestions under the text box.
    journey.go("/n/alpha/posts/")
    box = page.locator("form#write textarea[name=text]")
    box.click()
    box.press_sequentially("@鈴木")
    page.locator(".mention-option").first.click()
    assert box.input_value() == "@鈴木二葉 "
    box.press_sequentially("さん、勉強会に参加します！")
    assert_no_horizontal_overflow(journey)
    journey.shot("3-writing")
    page.locator("form#write button[type=submit]").click()
    wait_for(journey, "/n/alpha/posts/$")
    mine = page.locator("article.post", has_text="勉強会に参加します")
    assert mine.locator("a.mention").inner_text() == "@鈴木二葉"
    with scopes_disabled():
        assert Mention.objects.filter(membership=verified.memberships["alumnus2"]).count() == 1

    # Like the colleague's post, then comment on it.
    theirs = page.locator("article.post", has_text="データ分析の勉強会")
    theirs.locator("form[action$='/like/'] button").click()
    wait_for(journey, "/n/alpha/posts/$")
    theirs = page.locator("article.post", has_text="データ分析の勉強会")
    assert theirs.locator("form[action$='/like/'] button").get_attribute("aria-pressed") == "true"
    theirs.locator(f"a[href='/n/alpha/posts/{colleague_post.pk}/']").click()
    wait_for(journey, rf"/n/alpha/posts/{colleague_post.pk}/$")
    page.locator("main form textarea[name=text]").fill("参加します。よろしくお願いします。")
    page.locator("main form:has(textarea[name=text]) button[type=submit]").click()
    wait_for(journey, rf"/n/alpha/posts/{colleague_post.pk}/$")
    assert "参加します。よろしくお願いします。" in page.locator("main").inner_text()
    with scopes_disabled():
        assert Reaction.objects.filter(post=colleague_post, membership=me).exists()
        assert Comment.objects.filter(post=colleague_post, author=me).exists()
    journey.shot("4-commented")

    # The colleague replies on my post: the bell shows it, and it leads to the post.
    with scope(network=verified.network), scopes_disabled():
        my_post = Post.objects.get(author=me)
        add_comment(my_post, verified.memberships["alumnus2"], "ぜひ！お待ちしています。")
    journey.go("/n/alpha/")
    bell = page.locator("a.bell")
    assert bell.locator(".bell-count").inner_text() == "1"
    assert_no_horizontal_overflow(journey)
    journey.shot("5-bell")
    bell.click()
    wait_for(journey, "/n/alpha/notifications/$")
    page.locator("a.notification-unread").first.click()
    wait_for(journey, rf"/n/alpha/posts/{my_post.pk}/$")
    assert "ぜひ！お待ちしています。" in page.locator("main").inner_text()

    # The reply also came by email; its unsubscribe link stops those emails (and only those).
    with scopes_disabled():
        email = OutboundEmail.objects.filter(to="alumnus1@a.example", kind="notification").latest("id")
    link = email.headers["List-Unsubscribe"].strip("<>")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.text_body
    journey.go(link.removeprefix(re.match(r"https?://[^/]+", link).group(0)))  # type: ignore[union-attr]
    assert_no_horizontal_overflow(journey)
    journey.shot("6-unsubscribe")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    journey.shot("7-unsubscribed")
    with scope(network=verified.network):
        assert not wants_email(me, Topic.REPLIES)
        assert wants_email(me, Topic.MENTIONS)
    journey.assert_no_page_problems()
