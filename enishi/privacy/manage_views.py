from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.decorators import console_section
from enishi.privacy import notices
from enishi.privacy.forms import AuditFilterForm, NoticeForm
from enishi.privacy.models import AuditEntry, PrivacyNotice
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


@console_section("settings")
def notice(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The purpose-of-use notice: publish a new version (members accept it at their next visit)."""
    network = request.network
    current = notices.current_notice(network)
    initial = {"body_ja": current.body_ja, "body_en": current.body_en} if current is not None else None
    form = NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        published = notices.publish_notice(
            network, request.user, form.cleaned_data["body_ja"], form.cleaned_data["body_en"]
        )
        messages.success(request, _("Version %(version)s is published. Members will be asked to accept it.")
                         % {"version": published.version})  # fmt: skip
        return redirect("manage:notice", network_slug)
    versions = PrivacyNotice.objects.filter(network=network, published_at__isnull=False).annotate(
        accepted=Count("acceptances")
    )
    return render(request, "manage/notice.html", {"form": form, "current": current, "versions": versions})
