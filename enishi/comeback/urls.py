from __future__ import annotations

from django.urls import path

from enishi.comeback import manage_views, match_views, subscription_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/mine/", views.my_applications, name="my_applications"),
    path("opportunities/schemes/", views.scheme_list, name="comeback_schemes"),
    path("opportunities/news/start/", subscription_views.news_start, name="opening_news_start"),
    path("opportunities/news/stop/", subscription_views.news_stop, name="opening_news_stop"),
    path("opportunities/schemes/<int:scheme_id>/", views.scheme_detail, name="comeback_scheme"),
    path("opportunities/<int:opportunity_id>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:opportunity_id>/interest/", views.interest, name="opportunity_interest"),
    path(
        "opportunities/<int:opportunity_id>/interest/withdraw/",
        views.interest_withdraw,
        name="opportunity_interest_withdraw",
    ),
    path("opportunities/<int:opportunity_id>/apply/", views.application, name="opportunity_apply"),
    path(
        "opportunities/<int:opportunity_id>/apply/withdraw/",
        views.application_withdraw,
        name="opportunity_apply_withdraw",
    ),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage"), console section "opportunities".
manage_urlpatterns = [
    path("opportunities/", manage_views.opportunity_list, name="opportunities"),
    path("opportunities/new/", manage_views.opportunity_edit, name="opportunity_new"),
    path("opportunities/schemes/", manage_views.scheme_list, name="comeback_schemes"),
    path("opportunities/subscriptions/", subscription_views.subscription_list, name="opportunity_subscriptions"),
    path(
        "opportunities/subscriptions/<int:subscription_id>/cancel/",
        subscription_views.subscription_cancel,
        name="opportunity_subscription_cancel",
    ),
    path("opportunities/stages/", manage_views.stage_list, name="comeback_stages"),
    path("opportunities/stages/<int:stage_id>/", manage_views.stage_edit, name="comeback_stage_edit"),
    path("opportunities/stages/<int:stage_id>/move/", manage_views.stage_move, name="comeback_stage_move"),
    path("opportunities/stages/<int:stage_id>/delete/", manage_views.stage_delete, name="comeback_stage_delete"),
    path("opportunities/schemes/new/", manage_views.scheme_edit, name="comeback_scheme_new"),
    path("opportunities/schemes/<int:scheme_id>/", manage_views.scheme_edit, name="comeback_scheme_edit"),
    path("opportunities/<int:opportunity_id>/", manage_views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:opportunity_id>/status/", manage_views.opportunity_status, name="opportunity_status"),
    path("opportunities/<int:opportunity_id>/candidates/", manage_views.candidates, name="opportunity_candidates"),
    path("opportunities/<int:opportunity_id>/board/", manage_views.board, name="opportunity_board"),
    path("opportunities/<int:opportunity_id>/matches/", match_views.matches, name="opportunity_matches"),
    path(
        "opportunities/<int:opportunity_id>/matches/invite/",
        match_views.matches_invite,
        name="opportunity_matches_invite",
    ),
    path(
        "opportunities/<int:opportunity_id>/candidates/move/",
        manage_views.candidates_move,
        name="opportunity_candidates_move",
    ),
    path(
        "opportunities/<int:opportunity_id>/candidates/export/",
        manage_views.candidates_export,
        name="opportunity_candidates_export",
    ),
    path(
        "opportunities/<int:opportunity_id>/candidates/<int:candidate_id>/",
        manage_views.candidate,
        name="opportunity_candidate",
    ),
    path(
        "opportunities/<int:opportunity_id>/candidates/<int:candidate_id>/message/",
        manage_views.candidate_message,
        name="opportunity_candidate_message",
    ),
    path(
        "opportunities/<int:opportunity_id>/candidates/<int:candidate_id>/resume/",
        manage_views.candidate_resume,
        name="opportunity_candidate_resume",
    ),
]
