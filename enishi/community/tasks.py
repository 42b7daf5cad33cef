"""Background work of the community: telling the readers of a news item and the members of a group.

Both fan-outs are idempotent and resumable: they skip the people who already have the notification,
so a retried or restarted task finishes the work without telling anyone twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks import task

from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.notifications.services import notify_each_once
from enishi.notifications.topics import Topic

if TYPE_CHECKING:
    from enishi.community.models import NewsItem

# A fan-out that has not finished after this long is taken over by the next maintenance run.
ANNOUNCE_LEASE = timedelta(minutes=15)


@task()
def announce_news(news_id: int) -> str:
    """Tell the readers of a news item that went live (bell, email or digest as each chose)."""
    from enishi.community.models import NewsItem

    with scopes_disabled():
        item = NewsItem.objects.filter(pk=news_id).select_related("network").first()
    if item is None:
        return "gone"
    now = timezone.now()
    with scope(network=item.network):
        claimed = (
            NewsItem.objects.filter(
                network=item.network, pk=news_id, status=NewsItem.Status.PUBLISHED, publish_at__lte=now,
                announced_at__isnull=True,
            )
            .filter(Q(announcing_since__isnull=True) | Q(announcing_since__lt=now - ANNOUNCE_LEASE))
            .update(announcing_since=now)
        )  # fmt: skip
        if not claimed:
            return "skipped"
        told = notify_each_once(
            news_readers(item), network_id=item.network_id, reference=news_reference(item.pk), kind="news",
            topic=Topic.NEWS, subtopic=str(item.category_id or ""),
            url=reverse("network:news_detail", args=[item.network.slug, item.pk]), params={"title": item.title},
            text="",
        )  # fmt: skip
        NewsItem.objects.filter(network=item.network, pk=news_id).update(announced_at=timezone.now())
    return f"told {told}"


def announce_due_news() -> int:
    """Maintenance job: enqueue the announcement of news whose scheduled time came (or whose
    announcement stopped half-way). Returns how many were enqueued."""
    from enishi.community.models import NewsItem

    now = timezone.now()
    with scopes_disabled():
        due = list(
            NewsItem.objects.filter(status=NewsItem.Status.PUBLISHED, publish_at__lte=now, announced_at__isnull=True)
            .filter(Q(announcing_since__isnull=True) | Q(announcing_since__lt=now - ANNOUNCE_LEASE))
            .values_list("pk", flat=True)[:100]
        )
    for news_id in due:
        announce_news.enqueue(news_id)
    return len(due)


def news_reference(news_id: int) -> str:
    return f"news:{news_id}"


def news_readers(item: NewsItem) -> QuerySet[Membership]:
    """The active alumni a news item is meant for (its audience: network, company or segment)."""
    from enishi.community.models import NewsItem, NewsRecipient
    from enishi.intake.models import EmploymentRecord

    members = Membership.objects.filter(network_id=item.network_id, role__in=ALUMNI_ROLES,
                                        state=MembershipState.ACTIVE)  # fmt: skip
    if item.audience == NewsItem.Audience.COMPANY:
        records = EmploymentRecord.objects.filter(network_id=item.network_id, company=item.company)
        return members.filter(pk__in=records.values("membership_id"))
    if item.audience == NewsItem.Audience.SEGMENT:
        chosen = NewsRecipient.objects.filter(network_id=item.network_id, item=item)
        return members.filter(pk__in=chosen.values("membership_id"))
    return members


@task()
def announce_group_post(post_id: int) -> str:
    """Tell the members of a group about a new post in it (not its author)."""
    from enishi.community.models import GroupMember, Post

    with scopes_disabled():
        post = Post.objects.filter(pk=post_id).select_related("network", "group", "author").first()
    if post is None or post.group is None:
        return "gone"
    with scope(network=post.network):
        if post.hidden_at or post.deleted_at:
            return "skipped"
        members = Membership.objects.filter(
            network_id=post.network_id, state=MembershipState.ACTIVE,
            pk__in=GroupMember.objects.filter(network_id=post.network_id, group=post.group,
                                              status=GroupMember.Status.MEMBER).values("membership_id"),
        )  # fmt: skip
        from enishi.community.services import post_reference

        told = notify_each_once(
            members, network_id=post.network_id, reference=post_reference(post.pk), kind="group_post",
            topic=Topic.GROUP_POSTS, subtopic="",
            url=reverse("network:post_detail", args=[post.network.slug, post.pk]),
            params={"group": post.group.name}, text=post.text, actor=post.author,
        )  # fmt: skip
    return f"told {told}"
