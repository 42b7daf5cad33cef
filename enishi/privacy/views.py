"""Member pages of privacy: the purpose-of-use notice, its acceptance, and one's consents."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.coordination import services as coordination
from enishi.lib.http import NetworkRequest
from enishi.privacy import notices
from enishi.privacy.models import ConsentPurpose, NoticeAcceptance


def privacy(request: NetworkRequest, network_slug: str) -> HttpResponse:
    membership = request.membership
    consents = [
        {"purpose": purpose, "label": purpose.label, "given": notices.has_consent(membership, purpose)}
        for purpose in ConsentPurpose
    ]
    return render(
        request,
        "privacy/privacy.html",
        {
            "notice": notices.current_notice(request.network),
            "consents": consents,
            # The comeback coordinator's summaries awaiting this member's approval, and what was provided.
            "pending_relays": coordination.pending_relays(membership),
            "provisions": coordination.provision_records(membership),
        },
    )


def accept_notice(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The page a member meets when a new version of the notice is in force (see NetworkMiddleware)."""
    notice = notices.current_notice(request.network)
    if notice is None:
        return redirect("network:home", network_slug)
    # The first acceptance is part of joining: the consents are asked on the same screen.
    first_time = not NoticeAcceptance.objects.filter(network=request.network, membership=request.membership).exists()
    if request.method == "POST":
        notices.accept_notice(request.membership, notice)
        if first_time:
            for purpose in request.POST.getlist("consents"):
                if purpose in ConsentPurpose.values:
                    notices.grant_consent(request.membership, purpose)
        messages.success(request, _("Thank you. You can change your consents at any time on the privacy page."))
        return redirect("network:home", network_slug)
    context = {"notice": notice, "first_time": first_time, "purposes": ConsentPurpose.choices}
    return render(request, "privacy/accept_notice.html", context)


accept_notice.skips_notice_gate = True  # type: ignore[attr-defined]


@require_POST
def set_consent(request: NetworkRequest, network_slug: str, purpose: str) -> HttpResponse:
    if purpose not in ConsentPurpose.values:
        raise Http404
    if request.POST.get("given") == "1":
        notices.grant_consent(request.membership, purpose)
        messages.success(request, _("Consent given: %(purpose)s") % {"purpose": ConsentPurpose(purpose).label})
    else:
        notices.withdraw_consent(request.membership, purpose)
        messages.success(request, _("Consent withdrawn: %(purpose)s") % {"purpose": ConsentPurpose(purpose).label})
    # A page that asks for one consent (the directory asks for its listing) gets the person back.
    back = request.POST.get("next", "")
    if back.startswith(f"/n/{network_slug}/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect("network:privacy", network_slug)
