from __future__ import annotations

from django.urls import URLPattern, path

from enishi.privacy import manage_views

urlpatterns: list[URLPattern] = []

manage_urlpatterns = [
    path("audit/", manage_views.audit_log, name="audit"),
]
