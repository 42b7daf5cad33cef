"""Business verbs of the community: news so far (save, publish or schedule, pin, withdraw, read)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from enishi.accounts.models import User
from enishi.community.models import NewsItem, NewsRead, NewsRecipient
from enishi.directory.services import segment_member_ids
from enishi.intake.models import EmploymentRecord
from enishi.lib.richtext import clean_html
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES
from enishi.privacy.services import audit

RECIPIENT_BATCH_SIZE = 5000


def save_news(item: NewsItem, actor: User, changed: list[str], request: HttpRequest | None = None) -> NewsItem:
    """Save a news item as the editor left it (its text sanitised); publishing is a separate verb."""
    with transaction.atomic():
        item.body = clean_html(item.body)
        if item.audience != NewsItem.Audience.COMPANY:
            item.company = None
        if item.audience != NewsItem.Audience.SEGMENT:
            item.segment = None
        if item.pk is None:
            item.author = actor
        item.save()
        audit(item.network, actor, "news.saved", item, request=request, fields=sorted(changed))
    return item


def publish_news(
    item: NewsItem, actor: User, at: datetime | None = None, request: HttpRequest | None = None
) -> NewsItem:
    """Publish now, or schedule for `at`. A segment's members are fixed now (the search runs once)."""
    with transaction.atomic():
        item.status = NewsItem.Status.PUBLISHED
        item.publish_at = at or timezone.now()
        item.save(update_fields=["status", "publish_at", "updated_at"])
        NewsRecipient.objects.filter(network=item.network, item=item).delete()
        if item.audience == NewsItem.Audience.SEGMENT and item.segment is not None:
            ids = segment_member_ids(item.segment)
            NewsRecipient.objects.bulk_create(
                [NewsRecipient(network=item.network, item=item, membership_id=member_id) for member_id in ids],
                batch_size=RECIPIENT_BATCH_SIZE,
            )
        audit(item.network, actor, "news.published", item, request=request, publish_at=item.publish_at.isoformat())
    return item


def withdraw_news(item: NewsItem, actor: User, request: HttpRequest | None = None) -> NewsItem:
    """Back to draft: gone from every feed at once; reads are kept."""
    with transaction.atomic():
        item.status = NewsItem.Status.DRAFT
        item.save(update_fields=["status", "updated_at"])
        audit(item.network, actor, "news.withdrawn", item, request=request)
    return item


def set_pinned(item: NewsItem, actor: User, pinned: bool, request: HttpRequest | None = None) -> NewsItem:
    with transaction.atomic():
        item.pinned = pinned
        item.save(update_fields=["pinned", "updated_at"])
        audit(item.network, actor, "news.pinned" if pinned else "news.unpinned", item, request=request)
    return item


def delete_news(item: NewsItem, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit(item.network, actor, "news.deleted", item, request=request, title=item.title)
        item.delete()


def news_for(membership: Membership) -> QuerySet[NewsItem]:
    """The live news this member may read: published, due, and meant for them (pinned first)."""
    network_id = membership.network_id
    live = NewsItem.objects.filter(
        network_id=network_id, status=NewsItem.Status.PUBLISHED, publish_at__lte=timezone.now()
    ).select_related("category")
    if membership.role not in ALUMNI_ROLES:
        return live  # staff see every live item, whatever its audience
    companies = EmploymentRecord.objects.filter(network_id=network_id, membership=membership).values("company_id")
    chosen = NewsRecipient.objects.filter(network_id=network_id, item=OuterRef("pk"), membership=membership)
    return live.filter(
        Q(audience=NewsItem.Audience.NETWORK)
        | Q(audience=NewsItem.Audience.COMPANY, company_id__in=companies)
        | (Q(audience=NewsItem.Audience.SEGMENT) & Exists(chosen))
    )


def mark_read(item: NewsItem, membership: Membership) -> None:
    """The first opening counts; later ones write nothing."""
    NewsRead.objects.bulk_create(
        [NewsRead(network_id=item.network_id, item=item, membership=membership)], ignore_conflicts=True
    )


def unread_ids(membership: Membership, items: list[NewsItem]) -> set[int]:
    read = set(
        NewsRead.objects.filter(
            network_id=membership.network_id, membership=membership, item__in=[item.pk for item in items]
        ).values_list("item_id", flat=True)
    )
    return {item.pk for item in items} - read
