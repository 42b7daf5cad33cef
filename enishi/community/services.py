"""Business verbs of the community: news so far (save, publish or schedule, pin, withdraw, read)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.files import File
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from enishi.accounts.models import User
from enishi.community import mentions, tasks
from enishi.community.models import (
    Comment,
    Group,
    GroupMember,
    Mention,
    NewsItem,
    NewsRead,
    NewsRecipient,
    Post,
    PostImage,
    Reaction,
    Report,
)
from enishi.directory.services import segment_member_ids
from enishi.intake.models import EmploymentRecord
from enishi.lib.richtext import clean_html, text_to_html
from enishi.messaging.services import blocked_ids
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, STAFF_ROLES, Role
from enishi.notifications.services import notify, notify_many, withdraw
from enishi.notifications.topics import Topic
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
        if item.is_live:  # a scheduled item is announced by the maintenance job when its time comes
            news_id = item.pk
            transaction.on_commit(lambda: tasks.announce_news.enqueue(news_id), robust=True)
    return item


def withdraw_news(item: NewsItem, actor: User, request: HttpRequest | None = None) -> NewsItem:
    """Back to draft: gone from every feed, bell and digest at once; reads are kept. Published
    again, it is announced again."""
    with transaction.atomic():
        item.status = NewsItem.Status.DRAFT
        item.announced_at = item.announcing_since = None
        item.save(update_fields=["status", "announced_at", "announcing_since", "updated_at"])
        withdraw(network=item.network, reference=tasks.news_reference(item.pk))
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
        withdraw(network=item.network, reference=tasks.news_reference(item.pk))
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


def save_post(post: Post, author: Membership, images: Sequence[File[bytes]] = (), remove_images: bool = False) -> Post:
    """A new post, or the author's edit of their own (the text becomes safe HTML again, mentions
    linked), with the pictures added (already checked and re-encoded by the form) or the old ones
    removed. People mentioned for the first time are told; a new group post reaches the group."""
    mentioned = mentions.resolve(author, post.text, excluded=blocked_ids(author))
    post.html = mentions.link_mentions(text_to_html(post.text), author.network.slug, mentioned)
    with transaction.atomic():
        is_new = post.pk is None
        if is_new:
            post.network_id = author.network_id
            post.author = author
        else:
            post.edited_at = timezone.now()
        post.save()
        if remove_images:
            _delete_images(post)
        start = post.images.count()
        for position, image in enumerate(images, start=start):
            PostImage.objects.create(network_id=post.network_id, post=post, image=image, position=position)
        _tell_mentioned(post, None, author, mentioned.values())
        if is_new and post.group_id is not None:
            post_id = post.pk
            transaction.on_commit(lambda: tasks.announce_group_post.enqueue(post_id), robust=True)
    return post


def post_reference(post_id: int) -> str:
    """What notifications about a post (its comments and mentions included) point back to."""
    return f"post:{post_id}"


def _post_path(post: Post, network_slug: str) -> str:
    return reverse("network:post_detail", args=[network_slug, post.pk])


def _tell_mentioned(post: Post, comment: Comment | None, author: Membership, people: Iterable[Membership]) -> set[int]:
    """Record the mentions not recorded yet and tell those people, if they may read the post.
    Returns who was told."""
    already = set(
        Mention.objects.filter(network_id=post.network_id, post=post, comment=comment).values_list(
            "membership_id", flat=True
        )
    )
    told: set[int] = set()
    for person in people:
        if person.pk in already:
            continue
        Mention.objects.create(network_id=post.network_id, post=post, comment=comment, membership=person)
        if not readable_posts(person).filter(pk=post.pk).exists():
            continue  # a group post in a group they may not read: linked, but not delivered
        notify(person, topic=Topic.MENTIONS, kind="mention", url=_post_path(post, author.network.slug), actor=author,
               text=comment.text if comment else post.text, reference=post_reference(post.pk))  # fmt: skip
        told.add(person.pk)
    return told


def _delete_images(post: Post) -> None:
    """The rows now, the files once the transaction holds (a rollback must not leave rows without files)."""
    names = [image.image.name for image in post.images.all()]
    post.images.all().delete()
    storage = PostImage._meta.get_field("image").storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)


def delete_post(post: Post) -> None:
    """By its author: gone from every feed, bell and digest, its pictures deleted; the row stays
    for any report."""
    with transaction.atomic():
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at"])
        _delete_images(post)
        withdraw(network=post.network, reference=post_reference(post.pk))


def hide_post(post: Post, moderator: Membership, request: HttpRequest | None = None) -> None:
    """By a supporter or staff: gone from every feed, recorded in the audit log."""
    with transaction.atomic():
        _hide(post, moderator.user)
        audit(post.network, moderator.user, "post.hidden", post, request=request)


def _hide(post: Post, actor: User) -> None:
    post.hidden_at = timezone.now()
    post.hidden_by = actor
    post.save(update_fields=["hidden_at", "hidden_by"])
    withdraw(network=post.network, reference=post_reference(post.pk))


# How many earlier commenters of a post are told of a new comment (a long thread tells the latest).
THREAD_NOTIFY_LIMIT = 50


def add_comment(post: Post, author: Membership, text: str) -> Comment:
    """A comment, its mentions linked and told; the post's author and the earlier commenters are
    told too (once each: a mention is the only notice its person gets), never across a block."""
    blocked = blocked_ids(author)
    mentioned = mentions.resolve(author, text, excluded=blocked)
    slug = author.network.slug
    with transaction.atomic():
        comment = Comment.objects.create(
            network_id=post.network_id, post=post, author=author, text=text,
            html=mentions.link_mentions(text_to_html(text), slug, mentioned),
        )  # fmt: skip
        told = _tell_mentioned(post, comment, author, mentioned.values()) | blocked | {author.pk}
        path, reference = _post_path(post, slug), post_reference(post.pk)
        if post.author_id not in told:
            notify(post.author, topic=Topic.REPLIES, kind="comment", url=path, actor=author, text=text,
                   reference=reference)  # fmt: skip
            told.add(post.author_id)
        earlier = (
            Comment.objects.filter(network_id=post.network_id, post=post, deleted_at__isnull=True)
            .exclude(author_id__in=told)
            .order_by("-created_at")
            .values_list("author_id", flat=True)
        )
        thread = list(dict.fromkeys(earlier))[:THREAD_NOTIFY_LIMIT]
        if thread:
            notify_many(Membership.objects.filter(network_id=post.network_id, pk__in=thread), topic=Topic.REPLIES,
                        kind="comment_thread", url=path, actor=author, text=text, reference=reference)  # fmt: skip
    return comment


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
        .prefetch_related("images")
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
