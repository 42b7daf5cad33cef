"""The operator links coordinator firms, engagements and coordinators. Interview, Relay and
ProvisionRecord are deliberately NOT registered: an interview's notes are the coordinator's alone,
and no operator page may show them (tests/test_confidentiality.py checks it)."""

from __future__ import annotations

from django.contrib import admin

from enishi.coordination.models import CoordinatorOrganisation, CoordinatorProfile, Engagement
from enishi.networks.admin import UnscopedAdmin


@admin.register(CoordinatorOrganisation)
class CoordinatorOrganisationAdmin(UnscopedAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Engagement)
class EngagementAdmin(UnscopedAdmin):
    list_display = ("organisation", "network", "started_at", "ended_at")
    list_select_related = ("organisation", "network")


@admin.register(CoordinatorProfile)
class CoordinatorProfileAdmin(UnscopedAdmin):
    list_display = ("membership", "organisation", "network")
    list_select_related = ("organisation", "network", "membership__user")
    raw_id_fields = ("membership",)
