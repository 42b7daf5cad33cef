from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.decorators import console_section
from enishi.privacy.forms import AuditFilterForm
from enishi.privacy.models import AuditEntry
from enishi.privacy.services import audit


@console_section("audit")
def audit_log(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.filter(network=network)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["actor"]:
            entries = entries.filter(actor_label__icontains=data["actor"].strip())
        if data["target"]:
            entries = entries.filter(target_label__icontains=data["target"].strip())
        if data["since"]:
            entries = entries.filter(created_at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(created_at__date__lte=data["until"])
    response = render(
        request,
        "manage/audit_log.html",
        {"form": form, "page": paginate(request, entries.select_related(None))},
    )
    # Recorded after rendering, so that the page shows the log as it was when asked for.
    audit(network, request.user, "audit.viewed", request=request, query=request.GET.urlencode()[:300])
    return response
