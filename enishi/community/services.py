"""Business verbs of the community: news so far (save, publish or schedule, pin, withdraw, read)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from enishi.accounts.models import User
from enishi.community.models import (
    Comment,
    Group,
    GroupMember,
    NewsItem,
    NewsRead,
    NewsRecipient,
    Post,
    Reaction,
    Report,
)
from enishi.directory.services import segment_member_ids
from enishi.intake.models import EmploymentRecord
from enishi.lib.richtext import clean_html, text_to_html
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, STAFF_ROLES, Role
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


# --- Alumni posts -------------------------------------------------------------------------------

MODERATOR_ROLES = frozenset({Role.SUPPORTER, *STAFF_ROLES}) - {Role.COORDINATOR}
# Staff among the moderators: they read every group and organise any of them.
STAFF_MODERATOR_ROLES = MODERATOR_ROLES - {Role.SUPPORTER}


def can_post(membership: Membership) -> bool:
    return membership.role in ALUMNI_ROLES or membership.role in STAFF_ROLES


def save_post(post: Post, author: Membership) -> Post:
    """A new post, or the author's edit of their own (the text becomes safe HTML again)."""
    post.html = text_to_html(post.text)
    if post.pk is None:
        post.network_id = author.network_id
        post.author = author
    else:
        post.edited_at = timezone.now()
    post.save()
    return post


def delete_post(post: Post) -> None:
    """By its author: gone from every feed; the row stays for any report about it."""
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at"])


def hide_post(post: Post, moderator: Membership, request: HttpRequest | None = None) -> None:
    """By a supporter or staff: gone from every feed, recorded in the audit log."""
    with transaction.atomic():
        _hide(post, moderator.user)
        audit(post.network, moderator.user, "post.hidden", post, request=request)


def _hide(post: Post, actor: User) -> None:
    post.hidden_at = timezone.now()
    post.hidden_by = actor
    post.save(update_fields=["hidden_at", "hidden_by"])


def add_comment(post: Post, author: Membership, text: str) -> Comment:
    return Comment.objects.create(
        network_id=post.network_id, post=post, author=author, text=text, html=text_to_html(text)
    )


def delete_comment(comment: Comment) -> None:
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])


def toggle_reaction(post: Post, membership: Membership) -> bool:
    """Like, or take the like back; returns whether the member now likes the post."""
    deleted, _rows = Reaction.objects.filter(network_id=post.network_id, post=post, membership=membership).delete()
    if deleted:
        return False
    Reaction.objects.bulk_create(
        [Reaction(network_id=post.network_id, post=post, membership=membership)], ignore_conflicts=True
    )
    return True


def visible_posts(membership: Membership, group: Group | None = None) -> QuerySet[Post]:
    """The posts of the main feed (or of one group) that nobody hid or deleted, with their counts
    and the viewer's like. Whether the viewer may read the group is the caller's check."""
    return readable_posts(membership).filter(group=group)


def readable_posts(membership: Membership) -> QuerySet[Post]:
    """Every live post the member may read: the main feed, open groups, groups they belong to."""
    network_id = membership.network_id
    live_comments = Comment.objects.filter(network_id=network_id, post=OuterRef("pk"), deleted_at__isnull=True)
    belongs = GroupMember.objects.filter(
        network_id=network_id, group=OuterRef("group"), membership=membership, status=GroupMember.Status.MEMBER
    )
    readable: Q = Q(group__isnull=True) | Q(group__policy=Group.Policy.OPEN) | Q(Exists(belongs))
    if membership.role in STAFF_MODERATOR_ROLES:
        readable = Q()  # staff read every group
    return (
        Post.objects.filter(network_id=network_id, hidden_at__isnull=True, deleted_at__isnull=True)
        .filter(readable)
        .select_related("author__user", "author__profile")
        .annotate(
            comment_count=Coalesce(
                Subquery(live_comments.order_by().values("post").annotate(n=Count("pk")).values("n")), 0
            ),
            reaction_count=Coalesce(
                Subquery(
                    Reaction.objects.filter(network_id=network_id, post=OuterRef("pk"))
                    .order_by()
                    .values("post")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            liked=Exists(Reaction.objects.filter(network_id=network_id, post=OuterRef("pk"), membership=membership)),
        )
    )


def visible_comments(post: Post) -> QuerySet[Comment]:
    return Comment.objects.filter(network_id=post.network_id, post=post, deleted_at__isnull=True).select_related(
        "author__user", "author__profile"
    )


def report_post(post: Post, reporter: Membership, reason: str, note: str) -> Report:
    """Into the moderation queue; a second report by the same person changes their reason."""
    report, _created = Report.objects.update_or_create(
        network_id=post.network_id, post=post, reporter=reporter, defaults={"reason": reason, "note": note}
    )
    return report


def decide_report(report: Report, actor: User, hide: bool, request: HttpRequest | None = None) -> None:
    """Keep or hide the reported post; every open report of that post is decided with it."""
    with transaction.atomic():
        post = Post.objects.select_for_update().get(network_id=report.network_id, pk=report.post_id)
        if hide and post.hidden_at is None:
            _hide(post, actor)
        decision = Report.Decision.HIDDEN if hide else Report.Decision.KEPT
        Report.objects.filter(network_id=report.network_id, post=post, decided_at__isnull=True).update(
            decision=decision, decided_by=actor, decided_at=timezone.now()
        )
        audit(post.network, actor, "post.hidden" if hide else "post.kept", post, request=request)


def open_reports(network_id: int) -> QuerySet[Report]:
    return (
        Report.objects.filter(network_id=network_id, decided_at__isnull=True)
        .select_related("post__author__user", "reporter__user")
        .order_by("created_at", "id")
    )


# --- Groups -------------------------------------------------------------------------------------


def create_group(group: Group, creator: Membership) -> Group:
    """A new group; its creator (a supporter or staff) is its first organiser."""
    with transaction.atomic():
        group.network_id = creator.network_id
        group.created_by = creator
        group.save()
        GroupMember.objects.create(network_id=group.network_id, group=group, membership=creator, organiser=True)
    return group


def status_in(group: Group, membership: Membership) -> GroupMember | None:
    return GroupMember.objects.filter(network_id=group.network_id, group=group, membership=membership).first()


def can_read(group: Group, membership: Membership, member: GroupMember | None) -> bool:
    if group.policy == Group.Policy.OPEN or membership.role in STAFF_MODERATOR_ROLES:
        return True
    return member is not None and member.status == GroupMember.Status.MEMBER


def can_organise(membership: Membership, member: GroupMember | None) -> bool:
    return (member is not None and member.organiser) or membership.role in STAFF_MODERATOR_ROLES


def join_group(group: Group, membership: Membership) -> GroupMember:
    """Join an open group at once, or ask to join one that needs approval (asking twice is harmless)."""
    status = GroupMember.Status.MEMBER if group.policy == Group.Policy.OPEN else GroupMember.Status.PENDING
    member, _created = GroupMember.objects.get_or_create(
        network_id=group.network_id, group=group, membership=membership, defaults={"status": status}
    )
    return member


def leave_group(group: Group, membership: Membership) -> None:
    GroupMember.objects.filter(network_id=group.network_id, group=group, membership=membership).delete()


def pending_requests(group: Group) -> QuerySet[GroupMember]:
    """Requests to join a group by approval, for its organisers."""
    return GroupMember.objects.filter(
        network_id=group.network_id, group=group, status=GroupMember.Status.PENDING
    ).select_related("membership__user")


def decide_member(member: GroupMember, approve: bool) -> None:
    if approve:
        member.status = GroupMember.Status.MEMBER
        member.save(update_fields=["status"])
    else:
        member.delete()


def groups_for(membership: Membership) -> QuerySet[Group]:
    """The network's groups with their member counts and the viewer's standing."""
    network_id = membership.network_id
    mine = GroupMember.objects.filter(network_id=network_id, group=OuterRef("pk"), membership=membership)
    counted = (
        GroupMember.objects.filter(network_id=network_id, group=OuterRef("pk"), status=GroupMember.Status.MEMBER)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Group.objects.filter(network_id=network_id).annotate(
        member_count=Coalesce(Subquery(counted), 0), my_status=Subquery(mine.values("status")[:1])
    )
