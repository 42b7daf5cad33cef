"""Demo notifications: the latest news in everyone's bell (waiting for the weekly digest), older news
already sent in a digest and read, and a few people's own choices on the settings page.

Comments, mentions and messages reach the bell through the community's and messaging's own verbs
(demo/community.py, demo/messaging.py), which call notify() like the pages do.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from enishi.community.models import NewsCategory, NewsItem
from enishi.demo.services import Target
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.notifications.models import Notification
from enishi.notifications.services import notify, notify_many, set_preference
from enishi.notifications.topics import DIGEST_TOPIC, Delivery, DigestFrequency, Topic

# Each person's choices: (email, topic, subtopic category index or None, value).
CHOICES = (
    ("alumni1@demo.example", Topic.NEWS, 2, Delivery.OFF),  # 職場の今: not interested
    ("alumni1@demo.example", Topic.OPPORTUNITIES, None, Delivery.EMAIL),
    ("alumni2@demo.example", DIGEST_TOPIC, None, DigestFrequency.MONTHLY),
    ("alumni2@demo.example", Topic.NEWSLETTER, None, Delivery.OFF),
    ("supporter@demo.example", Topic.GROUP_POSTS, None, Delivery.EMAIL),
)
NEWS_IN_BELL_DAYS = 45


def seed_notifications(target: Target, today: date) -> int:
    """Returns how many notifications it stored."""
    network = target.network
    stored = 0
    with transaction.atomic(), scope(network=network):
        alumni = Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
        since = timezone.make_aware(datetime.combine(today - timedelta(days=NEWS_IN_BELL_DAYS), time.min))
        news = list(
            NewsItem.objects.filter(network=network, status=NewsItem.Status.PUBLISHED, publish_at__gte=since)
            .select_related("category")
            .order_by("publish_at")
        )
        latest = news[-1] if news else None
        for item in news:
            path = reverse("network:news_detail", args=[network.slug, item.pk])
            subtopic = str(item.category_id or "")
            if item is latest:  # announced to everyone, waiting in their bell for the weekly digest
                stored += notify_many(alumni.order_by("pk"), topic=Topic.NEWS, subtopic=subtopic, kind="news",
                                      url=path, params={"title": item.title}, reference=f"news:{item.pk}")  # fmt: skip
            else:  # an older one: in a digest already, and read by the demo alumnus
                stored += _told_before(target, item, path, subtopic)
            assert item.publish_at is not None
            Notification.objects.filter(network=network, reference=f"news:{item.pk}").update(created_at=item.publish_at)
        _choices(target)
    return stored


def _told_before(target: Target, item: NewsItem, path: str, subtopic: str) -> int:
    network = target.network
    alumnus = Membership.objects.filter(network=network, user__email="alumni1@demo.example").first()
    if alumnus is None:
        return 0
    told = notify(alumnus, topic=Topic.NEWS, subtopic=subtopic, kind="news", url=path,
                  params={"title": item.title}, reference=f"news:{item.pk}")  # fmt: skip
    if told is None:
        return 0
    assert item.publish_at is not None
    sent = item.publish_at + timedelta(days=7)
    Notification.objects.filter(pk=told.pk).update(digested_at=sent, read_at=sent + timedelta(hours=5))
    return 1


def _choices(target: Target) -> None:
    network = target.network
    categories = list(NewsCategory.objects.filter(network=network).order_by("position", "pk"))
    emails = {choice[0] for choice in CHOICES}
    members = Membership.objects.filter(network=network, user__email__in=emails).select_related("user")
    people = {member.user.email: member for member in members}
    for email, topic, category, value in CHOICES:
        member = people.get(email)
        if member is None or (category is not None and category >= len(categories)):
            continue
        subtopic = str(categories[category].pk) if category is not None else ""
        set_preference(member, topic, value, subtopic=subtopic)
