"""The invitation a visitor arrived with, kept in their session until they have an account.

Staff and alumni invitation links call `remember_invitation`; the public join page of a network
(and the channel links that lead to it) call `remember_join`. The account adapter reads
`pending_invitation` to open sign-up (for an emailed invitation, only for the invited address),
to treat an emailed address as verified (the link was sent to it), and to bring the person back
to the invitation or the join page after sign-up or login.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django_scopes import scopes_disabled

from enishi.intake.models import AlumniInvitation, JoinChannel
from enishi.networks.models import Network, StaffInvitation

PENDING_INVITATION_SESSION_KEY = "enishi_pending_invitation"

InvitationKind = Literal["staff", "alumni", "join"]


def remember_invitation(request: HttpRequest, invitation: StaffInvitation | AlumniInvitation) -> None:
    kind: InvitationKind = "alumni" if isinstance(invitation, AlumniInvitation) else "staff"
    request.session[PENDING_INVITATION_SESSION_KEY] = {
        "kind": kind,
        "path": request.path,
        "invitation_id": invitation.pk,
        "network_id": invitation.network_id,
        "email": invitation.email,  # blank for a flyer: the person verifies the address they choose
    }


def remember_join(request: HttpRequest, network: Network, channel: JoinChannel | None) -> None:
    """The visitor is on a network's public join page (from `channel`, if a channel link brought them)."""
    request.session[PENDING_INVITATION_SESSION_KEY] = {
        "kind": "join",
        "path": request.path,
        "network_id": network.pk,
        "channel_id": channel.pk if channel is not None else None,
        "email": "",
    }


def forget_invitation(request: HttpRequest) -> None:
    request.session.pop(PENDING_INVITATION_SESSION_KEY, None)


def pending_invitation(request: HttpRequest) -> dict[str, Any] | None:
    """The open invitation this browser came from, or None (forgetting one that is over)."""
    pending = request.session.get(PENDING_INVITATION_SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    if pending.get("kind") == "join":
        if not public_join_open(int(pending.get("network_id") or 0)):
            forget_invitation(request)
            return None
        return pending
    model = AlumniInvitation if pending.get("kind") == "alumni" else StaffInvitation
    with scopes_disabled():  # one invitation by id, to check it is still open
        invitation = model.objects.filter(
            pk=int(pending.get("invitation_id") or 0), network_id=int(pending.get("network_id") or 0)
        ).first()
    if invitation is None or not invitation.is_open:
        forget_invitation(request)
        return None
    return pending


def public_join_open(network_id: int) -> bool:
    # Open unless the network's intake rules say otherwise (a network without rules has the defaults).
    return Network.objects.filter(pk=network_id).exclude(intake_settings__public_join=False).exists()
