from __future__ import annotations

from django.urls import path

from enishi.messaging import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network"): alumni and supporters only.
urlpatterns = [
    path("messages/", views.inbox, name="messages"),
    path("messages/settings/", views.settings_page, name="message_settings"),
    path("messages/to/<int:membership_id>/", views.start, name="message_start"),
    path("messages/<int:conversation_id>/", views.conversation, name="conversation"),
    path("messages/people/<int:membership_id>/block/", views.block, name="message_block"),
    path("messages/people/<int:membership_id>/unblock/", views.unblock, name="message_unblock"),
    path("messages/secretariat/", views.secretariat_threads, name="secretariat_threads"),
    path("messages/secretariat/new/", views.secretariat_new, name="secretariat_new"),
    path("messages/secretariat/<int:thread_id>/", views.secretariat_thread, name="secretariat_thread"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage"): the secretariat's shared inbox.
manage_urlpatterns = [
    path("inbox/", manage_views.inbox, name="inbox"),
    path("inbox/<int:thread_id>/", manage_views.thread, name="inbox_thread"),
    path("inbox/<int:thread_id>/assign/", manage_views.assign, name="inbox_assign"),
    path("inbox/<int:thread_id>/status/", manage_views.change_status, name="inbox_status"),
]
