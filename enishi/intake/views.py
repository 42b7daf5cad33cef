"""Pages of intake that people outside the network open: the personal invitation link."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from enishi.accounts.invitations import forget_invitation, remember_invitation
from enishi.intake import services
from enishi.intake.models import AlumniInvitation
from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.networks.decorators import allows_anonymous


@allows_anonymous
def join(request: NetworkRequest, network_slug: str, token: str) -> HttpResponse:
    """A leaver's personal invitation: create an account (or log in), then join in one tap."""
    network = request.network
    invitation = AlumniInvitation.objects.filter(network=network, token=token).select_related("record").first()
    signed_in = request.user.is_authenticated
    if invitation is None or (signed_in and invitation.email.lower() != request.user.email.lower()):
        raise Http404
    if invitation.opened_at is None:
        AlumniInvitation.objects.filter(pk=invitation.pk).update(opened_at=timezone.now())
    status = 200 if invitation.is_open else 410
    if not signed_in:
        if invitation.is_open:
            remember_invitation(request, invitation)
        return render(request, "intake/join.html", {"invitation": invitation}, status=status)
    if request.method == "POST":
        try:
            services.accept_alumni_invitation(invitation, request.user, request=request)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("network:join", network_slug, token)
        forget_invitation(request)
        messages.success(request, _("Welcome to %(network)s.") % {"network": network.name})
        return redirect("network:home", network_slug)
    return render(request, "intake/join.html", {"invitation": invitation}, status=status)
