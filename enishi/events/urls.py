from __future__ import annotations

from django.urls import path

from enishi.events import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/propose/", views.event_propose, name="event_propose"),
    path("events/proposals/<int:event_id>/", views.event_proposal, name="event_proposal"),
    path("events/proposals/<int:event_id>/attendees/", views.hosted_attendees, name="event_hosted_attendees"),
    path("events/calendar/", views.calendar_settings, name="event_calendar"),
    path("events/calendar/<str:feed_token>.ics", views.calendar_feed, name="event_calendar_feed"),
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("events/<int:event_id>/rsvp/", views.event_rsvp, name="event_rsvp"),
    path("events/<int:event_id>/cancel/", views.event_cancel_rsvp, name="event_cancel_rsvp"),
    path("events/<int:event_id>/ticket/", views.event_ticket, name="event_ticket"),
    path("events/<int:event_id>/attendees/", views.event_attendees, name="event_attendees"),
    path("events/<int:event_id>/event.ics", views.event_ics, name="event_ics"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage"), console section "events".
manage_urlpatterns = [
    path("events/", manage_views.event_list, name="events"),
    path("events/new/", manage_views.event_edit, name="event_new"),
    path("events/<int:event_id>/", manage_views.event_edit, name="event_edit"),
    path("events/<int:event_id>/attendees/", manage_views.attendees, name="event_attendees"),
    path("events/<int:event_id>/attendees/export/", manage_views.attendees_export, name="event_attendees_export"),
    path("events/<int:event_id>/photos/", manage_views.photos, name="event_photos"),
    path("events/<int:event_id>/photos/<int:photo_id>/delete/", manage_views.photo_delete, name="event_photo_delete"),
    path("events/<int:event_id>/check-in/", manage_views.check_in, name="event_check_in"),
    path("events/<int:event_id>/check-in/count/", manage_views.check_in_count, name="event_check_in_count"),
    path("events/<int:event_id>/check-in/scan/", manage_views.check_in_scan, name="event_check_in_scan"),
    path("events/<int:event_id>/check-in/walk-in/", manage_views.walk_in, name="event_walk_in"),
    path("events/<int:event_id>/check-in/t/<str:token>/", manage_views.check_in_token, name="event_check_in_token"),
    path(
        "events/<int:event_id>/check-in/<int:rsvp_id>/<str:action>/",
        manage_views.check_in_action,
        name="event_check_in_action",
    ),
    path("events/<int:event_id>/<str:action>/", manage_views.event_action, name="event_action"),
]
