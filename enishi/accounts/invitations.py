"""The invitation a visitor arrived with, kept in their session until they have an account.

Staff and alumni invitation links both call `remember_invitation`; the account adapter reads
`pending_invitation` to open sign-up (only for the invited address), to treat that address as
verified (the link was sent to it), and to bring the person back to the link after login.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django_scopes import scopes_disabled

from enishi.intake.models import AlumniInvitation
from enishi.networks.models import StaffInvitation

PENDING_INVITATION_SESSION_KEY = "enishi_pending_invitation"

InvitationKind = Literal["staff", "alumni"]


def remember_invitation(request: HttpRequest, invitation: StaffInvitation | AlumniInvitation) -> None:
    kind: InvitationKind = "alumni" if isinstance(invitation, AlumniInvitation) else "staff"
    request.session[PENDING_INVITATION_SESSION_KEY] = {
        "kind": kind,
        "path": request.path,
        "invitation_id": invitation.pk,
        "network_id": invitation.network_id,
        "email": invitation.email,
    }


def forget_invitation(request: HttpRequest) -> None:
    request.session.pop(PENDING_INVITATION_SESSION_KEY, None)


def pending_invitation(request: HttpRequest) -> dict[str, Any] | None:
    """The open invitation this browser came from, or None (forgetting one that is over)."""
    pending = request.session.get(PENDING_INVITATION_SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    model = AlumniInvitation if pending.get("kind") == "alumni" else StaffInvitation
    with scopes_disabled():  # one invitation by id, to check it is still open
        invitation = model.objects.filter(
            pk=int(pending.get("invitation_id") or 0), network_id=int(pending.get("network_id") or 0)
        ).first()
    if invitation is None or not invitation.is_open:
        forget_invitation(request)
        return None
    return pending
