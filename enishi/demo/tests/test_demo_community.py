"""The demo's community: categories, a year of news with reads, alumni posts with comments and likes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from enishi.community.models import (
    Comment,
    Group,
    GroupMember,
    NewsCategory,
    NewsItem,
    NewsRead,
    Post,
    Reaction,
    Report,
)

pytestmark = pytest.mark.django_db


def test_it_fills_news_and_posts() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    with scopes_disabled():
        news = NewsItem.objects.filter(network__slug="demo")
        # The fifth, 声から生まれた改善, is made by the feedback demo's "you said, we did" post.
        assert NewsCategory.objects.filter(network__slug="demo").count() == 5
        assert set(news.exclude(category=None).values_list("category__name_ja", flat=True)) == {
            "事業ニュース", "社内制度の変化", "職場の今", "インタビュー", "声から生まれた改善",
        }  # fmt: skip
        assert news.filter(status=NewsItem.Status.DRAFT).count() == 1
        assert news.filter(pinned=True).count() == 1
        assert NewsRead.objects.filter(network__slug="demo").count() > 100
        posts = Post.objects.filter(network__slug="demo")
        assert posts.count() >= 6
        assert posts.exclude(activity_on=None).exists()  # a seminar announced by an alumnus
        assert Comment.objects.filter(network__slug="demo").exists()
        assert Reaction.objects.filter(network__slug="demo").exists()
        assert Report.objects.filter(network__slug="demo", decided_at=None).count() == 1
        groups = Group.objects.filter(network__slug="demo")
        assert groups.count() == 3
        assert GroupMember.objects.filter(group__in=groups, status="pending").count() == 1
        assert Post.objects.filter(group__in=groups).count() == 3
