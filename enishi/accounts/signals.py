"""Hooks into django.contrib.auth's login/logout signals (the framework's, not an internal flow)."""

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
