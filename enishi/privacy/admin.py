from __future__ import annotations

from django.contrib import admin

from enishi.networks.admin import UnscopedAdmin
from enishi.privacy.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(UnscopedAdmin):
    list_display = ("created_at", "network", "actor_label", "action", "target_label")
    list_filter = ("action", "network")
    search_fields = ("actor_label", "target_label")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the audit log is append-only, even for operators
