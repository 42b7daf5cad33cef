"""The vocabulary of audit actions, with the words the audit log page shows for each."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AUDIT_ACTIONS = {
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "network.created": _("Network created"),
    "network.settings_changed": _("Network settings changed"),
    "company.created": _("Company added"),
    "company.changed": _("Company changed"),
    "member.role_changed": _("Role changed"),
    "member.suspended": _("Member suspended"),
    "member.reactivated": _("Member reactivated"),
    "member.viewed": _("Member record viewed"),
    "members.listed": _("Member list viewed"),
    "staff.listed": _("Staff list viewed"),
    "audit.viewed": _("Audit log viewed"),
    "employment_record.created": _("Employment record created"),
    "employment_record.changed": _("Employment record changed"),
    "employment_record.viewed": _("Employment record viewed"),
    "employment_records.listed": _("Employment records listed"),
    "employment_records.exported": _("Employment records exported"),
    "alumni.invited": _("Alumnus invited"),
    "alumni.registered": _("Alumnus registered"),
    "employment_records.imported": _("Employment records imported"),
    "staff.invited": _("Staff invited"),
    "staff.invitation_revoked": _("Staff invitation revoked"),
    "staff.invitation_accepted": _("Staff invitation accepted"),
    "privacy_notice.published": _("Purpose-of-use notice published"),
    "privacy_notice.accepted": _("Purpose-of-use notice accepted"),
    "consent.granted": _("Consent granted"),
    "consent.withdrawn": _("Consent withdrawn"),
}
