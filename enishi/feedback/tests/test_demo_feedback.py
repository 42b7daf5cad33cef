"""The demo's feedback: fifteen pieces in every state, some anonymous, three replies, one
「声から生まれた改善」 post linked to two of them; seeding twice adds nothing; a reset removes it all."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from enishi.community.models import NewsItem
from enishi.demo.feedback import seed_feedback
from enishi.demo.services import Target, reset_demo
from enishi.feedback.models import Feedback, FeedbackNews, FeedbackReply, FeedbackTopic
from enishi.networks.models import Company, Network

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


def test_it_fills_the_feedback_box_with_the_whole_loop() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    network = Network.objects.get(slug="demo")
    with scope(network=network):
        items = Feedback.objects.filter(network=network)
        assert items.count() == 15
        assert set(items.values_list("status", flat=True)) == set(Feedback.Status.values)
        anonymous = items.filter(anonymous=True)
        assert anonymous.count() == 5
        assert not anonymous.filter(membership__isnull=False).exists()
        assert not anonymous.filter(created_at__isnull=False).exists()
        assert all(day.weekday() == 0 for day in anonymous.values_list("received_on", flat=True))
        assert FeedbackReply.objects.filter(network=network).values("feedback").distinct().count() == 3
        [news] = NewsItem.objects.filter(network=network, category__name_ja="声から生まれた改善")
        assert news.is_live
        linked = Feedback.objects.filter(network=network, news_links__news=news)
        assert linked.count() == 2
        assert set(linked.values_list("status", flat=True)) == {"acted_on"}
        assert linked.filter(membership__user__email="alumni1@demo.example").count() == 1
        target = Target(network=network, companies=list(Company.objects.filter(network=network)), codes=[],
                        password_hash="")  # fmt: skip
        assert seed_feedback(target, timezone.localdate()) == 0
        assert Feedback.objects.filter(network=network).count() == 15
    reset_demo()
    with scopes_disabled():
        assert not Feedback.objects.exists()
        assert not FeedbackTopic.objects.exists()
        assert not FeedbackNews.objects.exists()
