from __future__ import annotations

from django.urls import path

from enishi.newsletters import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network"): opened from the email, no login.
urlpatterns = [
    path("nl/o/<str:delivery_token>/", views.newsletter_open, name="newsletter_open"),
    path("nl/c/<str:delivery_token>/", views.newsletter_click, name="newsletter_click"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage"), in the content section.
manage_urlpatterns = [
    path("content/newsletters/", manage_views.newsletter_list, name="newsletters"),
    path("content/newsletters/new/", manage_views.newsletter_edit, name="newsletter_new"),
    path("content/newsletters/<int:newsletter_id>/", manage_views.newsletter_detail, name="newsletter_detail"),
    path("content/newsletters/<int:newsletter_id>/edit/", manage_views.newsletter_edit, name="newsletter_edit"),
    path("content/newsletters/<int:newsletter_id>/test/", manage_views.newsletter_test, name="newsletter_test"),
    path(
        "content/newsletters/<int:newsletter_id>/schedule/",
        manage_views.newsletter_schedule,
        name="newsletter_schedule",
    ),
    path("content/newsletters/<int:newsletter_id>/report/", manage_views.newsletter_report, name="newsletter_report"),
    path(
        "content/newsletters/<int:newsletter_id>/progress/",
        manage_views.newsletter_progress,
        name="newsletter_progress",
    ),
    path(
        "content/newsletters/<int:newsletter_id>/<str:action>/",
        manage_views.newsletter_action,
        name="newsletter_action",
    ),
]
