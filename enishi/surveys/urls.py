from __future__ import annotations

from django.urls import path

from enishi.surveys import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<int:survey_id>/", views.answer, name="survey_answer"),
    path("surveys/<int:survey_id>/thanks/", views.thanks, name="survey_thanks"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage"), console section "surveys".
manage_urlpatterns = [
    path("surveys/", manage_views.survey_list, name="surveys"),
    path("surveys/new/", manage_views.survey_edit, name="survey_new"),
    path("surveys/<int:survey_id>/", manage_views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/edit/", manage_views.survey_edit, name="survey_edit"),
    path("surveys/<int:survey_id>/status/", manage_views.survey_status, name="survey_status"),
    path("surveys/<int:survey_id>/preview/", manage_views.preview, name="survey_preview"),
    path("surveys/<int:survey_id>/results/", manage_views.survey_results, name="survey_results"),
    path("surveys/<int:survey_id>/export/", manage_views.survey_export, name="survey_export"),
    path("surveys/<int:survey_id>/questions/", manage_views.questions, name="survey_questions"),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/",
        manage_views.question_edit,
        name="survey_question",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/move/",
        manage_views.question_move,
        name="survey_question_move",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/delete/",
        manage_views.question_delete,
        name="survey_question_delete",
    ),
]
