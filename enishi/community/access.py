"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.community import services
from enishi.community.models import Comment, Group, GroupMember, NewsItem, Post, Report
from enishi.networks.models import Membership, Network


def get_news_item(network: Network, news_id: int) -> NewsItem:
    """Any news item of the network, drafts included (the editors' console)."""
    return get_object_or_404(NewsItem.objects.select_related("category", "company", "segment"), network=network,
                             pk=news_id)  # fmt: skip


def get_live_news_item(membership: Membership, news_id: int) -> NewsItem:
    """A news item this member may read now; drafts, scheduled and other audiences' items are 404."""
    item = services.news_for(membership).filter(pk=news_id).first()
    if item is None:
        raise Http404
    return item


def get_post(membership: Membership, post_id: int) -> Post:
    """A post the member may read (main feed or a group they can read), neither hidden nor deleted."""
    post = services.readable_posts(membership).filter(pk=post_id).first()
    if post is None:
        raise Http404
    return post


def get_own_post(membership: Membership, post_id: int) -> Post:
    """One of the member's own visible posts (for editing and deleting)."""
    post = get_post(membership, post_id)
    if post.author_id != membership.pk:
        raise Http404
    return post


def get_own_comment(membership: Membership, post: Post, comment_id: int) -> Comment:
    return get_object_or_404(
        Comment, network_id=membership.network_id, post=post, pk=comment_id, author=membership, deleted_at__isnull=True
    )


def get_report(network: Network, report_id: int) -> Report:
    """An open report of the network (decided ones are 404: each is decided once)."""
    return get_object_or_404(Report, network=network, pk=report_id, decided_at__isnull=True)


def get_group(network: Network, group_id: int) -> Group:
    return get_object_or_404(Group, network=network, pk=group_id)


def get_group_member(group: Group, member_id: int) -> GroupMember:
    return get_object_or_404(GroupMember, network_id=group.network_id, group=group, pk=member_id)
