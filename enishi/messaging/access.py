"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.messaging.models import Conversation, SecretariatThread
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState


def get_conversation(membership: Membership, conversation_id: int) -> Conversation:
    """One of the member's own conversations: nobody else's, staff included, ever."""
    conversation = (
        Conversation.objects.filter(network_id=membership.network_id, pk=conversation_id)
        .select_related("member_low__user", "member_high__user")
        .first()
    )
    if conversation is None or membership.pk not in (conversation.member_low_id, conversation.member_high_id):
        raise Http404
    return conversation


def get_alumni_member(network: Network, membership_id: int) -> Membership:
    """An active alumnus or supporter of the network, someone a member could write to (or block)."""
    return get_object_or_404(
        Membership.objects.select_related("user"),
        network=network,
        pk=membership_id,
        role__in=ALUMNI_ROLES,
        state=MembershipState.ACTIVE,
    )


def get_own_thread(membership: Membership, thread_id: int) -> SecretariatThread:
    """One of the alumnus's own inquiries to the secretariat."""
    return get_object_or_404(SecretariatThread, network_id=membership.network_id, pk=thread_id, alumnus=membership)


def get_thread(network: Network, thread_id: int) -> SecretariatThread:
    """Any inquiry of the network, for the staff of the inbox."""
    thread = (
        SecretariatThread.objects.filter(network=network, pk=thread_id)
        .select_related("alumnus__user", "assignee__user")
        .first()
    )
    if thread is None:
        raise Http404
    return thread
