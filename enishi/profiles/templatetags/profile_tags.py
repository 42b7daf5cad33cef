"""The profile's nudges on the alumni home: the check-in banner and the completeness card."""

from __future__ import annotations

from typing import Any

from django import template

from enishi.networks.roles import ALUMNI_ROLES
from enishi.profiles import services
from enishi.profiles.models import CareerEntry, ProfileSkill

register = template.Library()

HOME_NUDGES = 3  # the home card shows the most useful few; My profile lists them all


@register.inclusion_tag("profiles/_home_nudges.html", takes_context=True)
def profile_nudges(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in ALUMNI_ROLES:
        return {"show": False}
    profile = services.profile_of(membership)
    intent = services.intent_of(profile)
    months = services.checkin_months(request.network)
    saved = profile.pk is not None
    skills = ProfileSkill.objects.filter(network_id=profile.network_id, profile=profile).count() if saved else 0
    career = CareerEntry.objects.filter(network_id=profile.network_id, profile=profile).count() if saved else 0
    missing = services.missing_items(profile, intent, skill_count=skills, career_count=career)
    return {
        "show": True,
        "network": request.network,
        "checkin_due": services.checkin_due(profile, intent, months),
        "missing": missing[:HOME_NUDGES],
        "csrf_token": context.get("csrf_token"),
    }
