from __future__ import annotations

from django.urls import path

from enishi.profiles import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network"). My profile itself is networks' "me/".
urlpatterns = [
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/intent/", views.intent_edit, name="intent_edit"),
    path("me/confirm/", views.profile_confirm, name="profile_confirm"),
    path("me/career/new/", views.career_new, name="career_new"),
    path("me/career/<int:entry_id>/", views.career_edit, name="career_edit"),
    path("me/career/<int:entry_id>/delete/", views.career_delete, name="career_delete"),
    path("people/<int:membership_id>/", views.profile, name="profile"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage").
manage_urlpatterns = [
    path("settings/profiles/", manage_views.profile_settings, name="profile_settings"),
]
