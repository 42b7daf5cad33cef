from __future__ import annotations

from django.urls import path

from enishi.networks import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_profile, name="my_profile"),
    # Tokens are URL-safe base64 (secrets.token_urlsafe): the slug converter admits nothing else.
    path("join/staff/<slug:token>/", views.accept_staff_invitation, name="accept_staff_invitation"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage").
manage_urlpatterns = [
    # The console's home, manage:dashboard, is the analytics dashboard (enishi/analytics/urls.py).
    path("members/", manage_views.members, name="members"),
    path("members/<int:membership_id>/", manage_views.member_detail, name="member_detail"),
    path(
        "members/<int:membership_id>/<str:action>/",
        manage_views.member_action,
        name="member_action",
    ),
    path("settings/", manage_views.network_settings, name="settings"),
    path("settings/companies/", manage_views.companies, name="companies"),
    path("settings/companies/new/", manage_views.company_edit, name="company_new"),
    path("settings/companies/<int:company_id>/", manage_views.company_edit, name="company_edit"),
    path("settings/staff/", manage_views.staff, name="staff"),
    path(
        "settings/staff/invitations/<int:invitation_id>/revoke/",
        manage_views.revoke_invitation,
        name="revoke_invitation",
    ),
]
