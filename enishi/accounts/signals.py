"""Hooks into django.contrib.auth's login/logout signals and allauth's sign-up signal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_scopes import scope

from enishi.accounts.models import User
from enishi.accounts.services import memberships_of
from enishi.privacy.services import audit


def _audit_in_each_network(action: str, request: HttpRequest, user: User | None) -> None:
    if user is None:  # logging out an anonymous session
        return
    for membership in memberships_of(user):
        with scope(network=membership.network):
            audit(membership.network, user, action, membership, request=request)


def audit_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    _audit_in_each_network("auth.login", request, user)


def audit_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    _audit_in_each_network("auth.logout", request, user)


def join_on_sign_up(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """An account created from a personal alumni invitation joins the network at once: the person
    opened their own link, so there is no second "join" screen to tap through."""
    from django_scopes import scopes_disabled

    from enishi.accounts.invitations import pending_invitation
    from enishi.intake.models import AlumniInvitation
    from enishi.intake.services import accept_alumni_invitation
    from enishi.lib.errors import ActionRefused

    pending = pending_invitation(request)
    if pending is None or pending["kind"] != "alumni":
        return
    with scopes_disabled():  # the one invitation the session names, checked open by pending_invitation
        invitation = AlumniInvitation.objects.select_related("network").get(pk=pending["invitation_id"])
    with scope(network=invitation.network):
        try:
            accept_alumni_invitation(invitation, user, request=request)
        except ActionRefused:  # e.g. revoked a moment ago: the invitation page explains
            return
