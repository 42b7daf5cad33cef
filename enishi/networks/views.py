"""Pages of a network for its members (alumni side)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from enishi.accounts.invitations import forget_invitation, remember_invitation
from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.networks import services
from enishi.networks.access import get_staff_invitation_for
from enishi.networks.decorators import allows_anonymous
from enishi.networks.roles import console_home_for


def home(request: NetworkRequest, network_slug: str) -> HttpResponse:
    membership = request.membership
    console_home = console_home_for(membership.role)
    if console_home is not None:
        return redirect(console_home, network_slug)
    return render(request, "networks/home.html")


def my_profile(request: NetworkRequest, network_slug: str) -> HttpResponse:
    # The profile itself (an alumnus's; staff have only the account card) is the profiles app's.
    from enishi.profiles.views import own_profile_context

    return render(request, "networks/my_profile.html", own_profile_context(request))


@allows_anonymous
def accept_staff_invitation(request: NetworkRequest, network_slug: str, token: str) -> HttpResponse:
    network = request.network
    signed_in = request.user.is_authenticated
    invitation = get_staff_invitation_for(network, token, request.user.email if signed_in else None)
    if not signed_in:
        # Remember the link: it opens sign-up (closed otherwise) and brings the person back here.
        if invitation.is_open:
            remember_invitation(request, invitation)
        status = 200 if invitation.is_open else 410
        return render(request, "networks/accept_staff_invitation.html", {"invitation": invitation}, status=status)
    if request.method == "POST":
        try:
            services.accept_staff_invitation(invitation, request.user, request=request)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("network:accept_staff_invitation", network_slug, token)
        forget_invitation(request)
        messages.success(request, _("Welcome to the secretariat of %(network)s.") % {"network": network.name})
        return redirect("network:home", network_slug)
    status = 200 if invitation.is_open else 410
    return render(request, "networks/accept_staff_invitation.html", {"invitation": invitation}, status=status)
