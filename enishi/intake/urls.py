from __future__ import annotations

from django.urls import URLPattern, path

from enishi.intake import manage_views, queue_views, rules_views, views

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
    # Invitations: to a selection, flyers, one invitation's actions; join links (manage_views.py).
    path("intake/invite/", manage_views.invite_selection, name="intake_invite"),
    path("intake/records/<int:record_id>/flyer/", manage_views.record_flyer, name="intake_record_flyer"),
    path("intake/invitations/flyers/", manage_views.flyers, name="intake_flyers"),
    path(
        "intake/invitations/<int:invitation_id>/flyer/", manage_views.invitation_flyer, name="intake_invitation_flyer"
    ),
    path(
        "intake/invitations/<int:invitation_id>/resend/",
        manage_views.invitation_resend,
        name="intake_invitation_resend",
    ),
    path(
        "intake/invitations/<int:invitation_id>/revoke/",
        manage_views.invitation_revoke,
        name="intake_invitation_revoke",
    ),
    path(
        "intake/invitations/<int:invitation_id>/bounced/",
        manage_views.invitation_bounced,
        name="intake_invitation_bounced",
    ),
    path("intake/links/", manage_views.channels, name="intake_channels"),
    path("intake/links/<int:channel_id>/revoke/", manage_views.channel_revoke, name="intake_channel_revoke"),
    path("intake/links/<int:channel_id>/flyer/", manage_views.channel_flyer, name="intake_channel_flyer"),
    # The approval queue and duplicate members (queue_views.py).
    path("intake/queue/", queue_views.queue, name="intake_queue"),
    path("intake/queue/<int:registration_id>/", queue_views.registration_detail, name="intake_registration"),
    path(
        "intake/queue/<int:registration_id>/approve/",
        queue_views.registration_approve,
        name="intake_registration_approve",
    ),
    path("intake/queue/<int:registration_id>/ask/", queue_views.registration_ask, name="intake_registration_ask"),
    path(
        "intake/queue/<int:registration_id>/reject/",
        queue_views.registration_reject,
        name="intake_registration_reject",
    ),
    path("intake/duplicates/", queue_views.duplicates, name="intake_duplicates"),
    path("intake/duplicates/merge/", queue_views.duplicates_merge, name="intake_duplicates_merge"),
    # Rules and funnel (rules_views.py).
    path("intake/rules/", rules_views.rules, name="intake_rules"),
    path("intake/funnel/", rules_views.funnel_page, name="intake_funnel"),
]
