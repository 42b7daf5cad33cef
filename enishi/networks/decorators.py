from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from enishi.networks.roles import SECTIONS_BY_KEY

View = Callable[..., HttpResponse]


def allows_non_members(view: View) -> View:
    """Mark a network view that a signed-in non-member may open (e.g. accepting an invitation)."""
    view.allows_non_members = True  # type: ignore[attr-defined]
    return view


def allows_anonymous(view: View) -> View:
    """Mark a network view that a visitor who is not logged in may open (an invitation link).

    Such a view gets `request.network` and the network's scope, but no membership.
    """
    view.allows_anonymous = True  # type: ignore[attr-defined]
    return allows_non_members(view)


def staff_mfa_satisfied(request: HttpRequest) -> bool:
    network = request.network  # type: ignore[attr-defined]
    return not network.staff_mfa_required or is_mfa_enabled(request.user)


def console_section(key: str) -> Callable[[View], View]:
    """Allow a staff-console view only to the roles of section `key` (see roles.py).

    Any other member gets the same 404 as for a missing page. Staff without MFA, in a network
    that requires it, are sent to set it up first.
    """
    section = SECTIONS_BY_KEY[key]

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = request.membership  # type: ignore[attr-defined]
            if membership is None or membership.role not in section.roles:
                raise Http404
            if not staff_mfa_satisfied(request):
                messages.warning(
                    request,
                    _("This network requires two-factor authentication for staff. Set it up to continue."),
                )
                return redirect("mfa_index")
            request.console_section = key  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
