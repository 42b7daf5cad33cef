"""Staff console pages of intake about the whole network: the rules for letting people in, and the funnel."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enishi.intake import registration as registering
from enishi.intake.access import intake_settings
from enishi.intake.funnel import funnel, registered_total
from enishi.intake.join_forms import IntakeRulesForm
from enishi.lib.http import NetworkRequest
from enishi.networks.decorators import console_section

PERIODS = {
    "30": (gettext_lazy("Last 30 days"), 30),
    "90": (gettext_lazy("Last 90 days"), 90),
    "365": (gettext_lazy("Last 12 months"), 365),
    "all": (gettext_lazy("Since the start"), None),
}


@console_section("intake")
def rules(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    current = intake_settings(network)
    form = IntakeRulesForm(request.POST or None, instance=current, network=network)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        registering.save_rules(network, request.user, saved, form.changed_data, request=request)
        form.save_m2m()
        messages.success(request, _("The intake rules are saved."))
        return redirect("manage:intake_rules", network_slug)
    public_url = settings.SITE_URL + reverse("network:public_join", args=[network.slug])
    return render(request, "intake/rules.html", {"form": form, "rules": current, "public_url": public_url})


@console_section("intake")
def funnel_page(request: NetworkRequest, network_slug: str) -> HttpResponse:
    period = request.GET.get("period", "90")
    if period not in PERIODS:
        period = "90"
    days = PERIODS[period][1]
    since = timezone.now() - timedelta(days=days) if days else None
    rows = funnel(request.network, since)
    context = {"rows": rows, "registered": registered_total(rows), "period": period, "periods": PERIODS}
    return render(request, "intake/funnel.html", context)
