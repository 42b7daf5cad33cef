"""Resolve the network from `/n/<network_slug>/…`, check membership and enter its scope.

After this middleware, a view under a network URL can rely on `request.network` and
`request.membership` (an active membership of the signed-in person), and every query on a
tenant model runs inside `django_scopes.scope(network=…)`: a query that forgets the network
raises instead of leaking another tenant's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from enishi.accounts.models import User
from enishi.analytics.services import record_active_day
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.privacy.notices import notice_accepted


class NetworkMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.network = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("network_slug")
        if slug is None:
            return self.get_response(request)

        anonymous = not request.user.is_authenticated
        if anonymous and not getattr(match.func, "allows_anonymous", False):
            # Sent to log in whether or not the slug exists: no oracle.
            return redirect_to_login(request.get_full_path())
        network = Network.objects.filter(slug=slug).first()
        if network is None:
            raise Http404
        request.network = network  # type: ignore[attr-defined]
        timezone.activate(ZoneInfo(network.time_zone))
        try:
            with scope(network=network):
                if anonymous:
                    return self.get_response(request)
                return self._within_network(request, network, match.func)
        finally:
            timezone.deactivate()

    def _within_network(
        self, request: HttpRequest, network: Network, view: Callable[..., HttpResponse]
    ) -> HttpResponse:
        user = cast(User, request.user)  # the caller has checked is_authenticated
        membership = Membership.objects.filter(network=network, user=user).select_related("user").first()
        if membership is not None and membership.state == MembershipState.SUSPENDED:
            logout(request)
            messages.error(
                request,
                _("Your membership of %(network)s is suspended. Please contact its secretariat.")
                % {"network": network.name},
            )
            return redirect("account_login")
        if membership is None or membership.state in (MembershipState.INVITED, MembershipState.LEFT):
            if getattr(view, "allows_non_members", False):
                return self.get_response(request)
            request.network = None  # type: ignore[attr-defined]  # the 404 page must not show whose it is
            raise Http404
        if membership.state == MembershipState.PENDING and not getattr(view, "allows_non_members", False):
            return render(request, "networks/pending.html", {"network": network}, status=403)
        request.membership = membership  # type: ignore[attr-defined]
        record_active_day(membership, timezone.localdate())
        # Alumni accept the purpose-of-use notice in force before using the network.
        gated = membership.role in ALUMNI_ROLES and not getattr(view, "skips_notice_gate", False)
        if gated and not notice_accepted(request, membership):
            return redirect("network:accept_notice", network.slug)
        return self.get_response(request)
