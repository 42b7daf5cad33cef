"""Request types for views, so that type checking knows what the middleware has set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from enishi.accounts.models import User
    from enishi.networks.models import Membership, Network


class AuthenticatedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


class NetworkRequest(AuthenticatedRequest):
    """A request under /n/<slug>/ after NetworkMiddleware: an active member of `network`."""

    network: Network
    membership: Membership
    console_section: str
