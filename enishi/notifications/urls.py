from __future__ import annotations

from django.urls import path

from enishi.notifications import views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.read_all, name="notifications_read_all"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("unsubscribe/<str:unsubscribe_token>/", views.unsubscribe, name="unsubscribe"),
]
