"""The operator's admin (/operator/). It sees every network, so it runs outside any scope."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django_scopes import scopes_disabled

from enishi.networks.models import Company, Membership, Network, StaffInvitation


def _rendered(response: Any) -> Any:
    # Admin views return TemplateResponses that render after the view returns: render them
    # while the scope is still disabled, or inlines and lists would query outside it.
    if isinstance(response, TemplateResponse):
        response.render()
    return response


class UnscopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Operator pages list rows of all networks: the one greppable place the admin escapes scopes."""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        with scopes_disabled():
            return _rendered(super().changelist_view(request, extra_context))

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with scopes_disabled():
            return _rendered(super().changeform_view(request, *args, **kwargs))

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with scopes_disabled():
            return _rendered(super().delete_view(request, *args, **kwargs))

    def history_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with scopes_disabled():
            return _rendered(super().history_view(request, *args, **kwargs))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        with scopes_disabled():
            return super().get_queryset(request)


class CompanyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Company
    extra = 0


@admin.register(Network)
class NetworkAdmin(UnscopedAdmin):
    list_display = ("slug", "name_ja", "name_en", "staff_mfa_required", "created_at")
    search_fields = ("slug", "name_ja", "name_en")
    inlines = (CompanyInline,)


@admin.register(Membership)
class MembershipAdmin(UnscopedAdmin):
    list_display = ("user", "network", "role", "state", "created_at")
    list_filter = ("role", "state", "network")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


@admin.register(StaffInvitation)
class StaffInvitationAdmin(UnscopedAdmin):
    list_display = ("email", "network", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("network", "role")
