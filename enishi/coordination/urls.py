from __future__ import annotations

from django.urls import path

from enishi.coordination import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network"): the alumnus's side of a relay.
urlpatterns = [
    path("coordination/relays/<int:relay_id>/", views.relay_detail, name="coordinator_relay"),
    path("coordination/relays/<int:relay_id>/<str:action>/", views.relay_action, name="coordinator_relay_action"),
    path("coordination/link/<str:token>/", views.relay_link, name="coordinator_relay_link"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage").
manage_urlpatterns = [
    # Section "interviews" (coordinators only).
    path("interviews/", manage_views.interviews, name="interviews"),
    path("interviews/new/<int:membership_id>/", manage_views.interview_new, name="interview_new"),
    path("interviews/<int:interview_id>/", manage_views.interview_edit, name="interview_edit"),
    path("interviews/<int:interview_id>/relay/", manage_views.interview_relay, name="interview_relay"),
    # Section "opportunities" (admin, hr): the approved relays, never an interview.
    path("relays/", manage_views.relays, name="relays"),
]
