from __future__ import annotations

from django.urls import URLPattern, path

from enishi.privacy import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns: list[URLPattern] = [
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/accept/", views.accept_notice, name="accept_notice"),
    path("privacy/consents/<slug:purpose>/", views.set_consent, name="set_consent"),
]

manage_urlpatterns = [
    path("audit/", manage_views.audit_log, name="audit"),
    path("settings/notice/", manage_views.notice, name="notice"),
]
