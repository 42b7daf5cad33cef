from __future__ import annotations

from django.contrib import admin

from enishi.intake.models import Assignment, EmploymentRecord
from enishi.networks.admin import UnscopedAdmin


class AssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Assignment
    extra = 0


@admin.register(EmploymentRecord)
class EmploymentRecordAdmin(UnscopedAdmin):
    list_display = ("employee_number", "family_name", "given_name", "company", "leave_date", "network")
    list_filter = ("network", "leave_reason", "rehire_eligibility")
    search_fields = ("employee_number", "family_name", "given_name", "family_name_kana", "given_name_kana")
    raw_id_fields = ("membership",)
    inlines = (AssignmentInline,)
