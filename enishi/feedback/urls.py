from __future__ import annotations

from django.urls import path

from enishi.feedback import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/mine/", views.my_feedback, name="my_feedback"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage"), console section "feedback".
manage_urlpatterns = [
    path("feedback/", manage_views.feedback_list, name="feedback"),
    path("feedback/export/", manage_views.feedback_export, name="feedback_export"),
    path("feedback/you-said-we-did/", manage_views.feedback_change, name="feedback_change"),
    path("feedback/topics/", manage_views.topic_list, name="feedback_topics"),
    path("feedback/topics/<int:topic_id>/", manage_views.topic_edit, name="feedback_topic_edit"),
    path("feedback/topics/<int:topic_id>/delete/", manage_views.topic_delete, name="feedback_topic_delete"),
    path("feedback/<int:feedback_id>/", manage_views.feedback_detail, name="feedback_detail"),
]
