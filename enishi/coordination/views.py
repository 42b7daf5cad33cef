"""The alumnus's side of a relay: read the coordinator's summary and approve or decline that exact text."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.coordination import access, services
from enishi.coordination.models import Relay
from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import has_consent


def _render(request: NetworkRequest, relay: Relay) -> HttpResponse:
    context = {"relay": relay, "consent_given": has_consent(request.membership, ConsentPurpose.COORDINATOR_RELAY)}
    return render(request, "coordination/relay.html", context)


def relay_detail(request: NetworkRequest, network_slug: str, relay_id: int) -> HttpResponse:
    return _render(request, access.get_own_relay(request.membership, relay_id))


def relay_link(request: NetworkRequest, network_slug: str, token: str) -> HttpResponse:
    """The emailed link: signed (max_age), it opens the relay only for the signed-in person it names."""
    data = services.read_relay_token(token)
    if data is None or data.get("m") != request.membership.pk:
        raise Http404
    relay: Relay = get_object_or_404(Relay.objects.select_related("organisation"), network_id=request.network.pk,
                              alumnus=request.membership, pk=data.get("r"))  # fmt: skip
    if data.get("d") != relay.digest:
        raise Http404
    return _render(request, relay)


@require_POST
def relay_action(request: NetworkRequest, network_slug: str, relay_id: int, action: str) -> HttpResponse:
    if action not in ("approve", "decline"):
        raise Http404
    relay = access.get_own_relay(request.membership, relay_id)
    try:
        if action == "approve":
            services.approve_relay(relay, request.membership, request.POST.get("digest", ""), request=request)
            messages.success(request, _("Thank you. The summary was shared with HR."))
        else:
            services.decline_relay(relay, request.membership, request=request)
            messages.success(request, _("The summary was not shared."))
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("network:coordinator_relay", network_slug, relay.pk)
