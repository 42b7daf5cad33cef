"""Console page of profiles: the network's check-in period (settings section, admin)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enishi.lib.http import NetworkRequest
from enishi.networks.decorators import console_section
from enishi.profiles import services
from enishi.profiles.forms import ProfileSettingsForm


@console_section("settings")
def profile_settings(request: NetworkRequest, network_slug: str) -> HttpResponse:
    current = services.profile_settings(request.network)
    form = ProfileSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.save_profile_settings(form.save(commit=False), request.user, form.changed_data, request=request)
        messages.success(request, _("The profile settings are saved."))
        return redirect("manage:profile_settings", network_slug)
    return render(request, "profiles/manage_settings.html", {"form": form})
