from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from enishi.accounts.services import (
    memberships_of,
    open_staff_invitations_for,
    set_user_language,
    unfinished_registration_of,
)


def home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; for members their network, or a choice between several."""
    if not request.user.is_authenticated:
        return render(request, "accounts/landing.html")
    memberships = memberships_of(request.user)
    invitations = open_staff_invitations_for(request.user)
    if len(memberships) == 1 and not invitations:
        return redirect("network:home", memberships[0].network.slug)
    unfinished = unfinished_registration_of(request.user)
    if not memberships and not invitations and unfinished is not None:
        return redirect("network:public_join", unfinished.network.slug)  # resume where they left off
    # The same list feeds the header's network switcher: no second query.
    context = {"memberships": memberships, "user_networks": memberships, "invitations": invitations}
    return render(request, "accounts/pick_network.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, remembering the choice on the account for emails and other devices."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        set_user_language(request.user, request.POST.get("language", ""))
    return response
