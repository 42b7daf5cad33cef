"""Hooks into django.contrib.auth's login/logout signals (the framework's, not an internal flow)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_scopes import scope

from enishi.accounts.models import User
from enishi.accounts.services import memberships_of
from enishi.privacy.services import audit


def audit_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    for membership in memberships_of(user):
        with scope(network=membership.network):
            audit(membership.network, user, "auth.login", membership, request=request)
