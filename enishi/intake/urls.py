from __future__ import annotations

from django.urls import URLPattern, path

from enishi.intake import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network"). Tokens are URL-safe base64: slug converter.
urlpatterns: list[URLPattern] = [
    path("join/", views.public_join, name="public_join"),
    path("join/code/", views.join_code, name="join_code"),
    path("join/<slug:token>/", views.join, name="join"),
    path("j/<slug:token>/", views.channel, name="channel"),
    path("invite-colleagues/", views.referral, name="referral"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage").
manage_urlpatterns = [
    path("intake/", manage_views.records, name="intake"),
    path("intake/records/new/", manage_views.record_edit, name="intake_record_new"),
    path("intake/records/export/", manage_views.records_export, name="intake_records_export"),
    path("intake/imports/", manage_views.import_upload, name="intake_imports"),
    path("intake/imports/<int:job_id>/", manage_views.import_preview, name="intake_import"),
    path("intake/imports/<int:job_id>/apply/", manage_views.import_apply, name="intake_import_apply"),
    path("intake/imports/<int:job_id>/progress/", manage_views.import_progress, name="intake_import_progress"),
    path("intake/records/<int:record_id>/", manage_views.record_detail, name="intake_record"),
    path("intake/records/<int:record_id>/edit/", manage_views.record_edit, name="intake_record_edit"),
    path("intake/records/<int:record_id>/invite/", manage_views.record_invite, name="intake_record_invite"),
]
