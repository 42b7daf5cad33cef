from __future__ import annotations

from django.urls import path

from enishi.analytics import manage_views

# Mounted under /n/<network_slug>/manage/ (namespace "manage"), console section "dashboard".
manage_urlpatterns = [
    path("", manage_views.dashboard, name="dashboard"),
    path("dashboard/export/", manage_views.dashboard_export, name="dashboard_export"),
    path("dashboard/report/", manage_views.monthly_report, name="dashboard_report"),
]
