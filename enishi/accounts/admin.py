from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from enishi.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ("email",)
    list_display = ("email", "family_name", "given_name", "language", "is_active", "is_staff")
    search_fields = ("email", "family_name", "given_name", "family_name_kana", "given_name_kana")
    list_filter = ("is_active", "is_staff", "language")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Name",
            {"fields": ("family_name", "given_name", "family_name_kana", "given_name_kana", "language")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
