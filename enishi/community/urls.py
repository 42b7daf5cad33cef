from __future__ import annotations

from django.urls import path

from enishi.community import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("news/", views.news, name="news"),
    path("news/<int:news_id>/", views.news_detail, name="news_detail"),
    path("posts/", views.posts, name="posts"),
    path("mentions/", views.mention_suggestions, name="mention_suggestions"),
    path("posts/<int:post_id>/", views.post_detail, name="post_detail"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/report/", views.post_report, name="post_report"),
    path("posts/<int:post_id>/comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("posts/<int:post_id>/<str:action>/", views.post_action, name="post_action"),
    path("groups/", views.groups, name="groups"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/<str:action>/", views.group_action, name="group_action"),
    path(
        "groups/<int:group_id>/members/<int:member_id>/<str:action>/",
        views.group_member_action,
        name="group_member_action",
    ),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage"). The content section's home is the news.
manage_urlpatterns = [
    path("content/", manage_views.news_list, name="content"),
    path("content/news/new/", manage_views.news_edit, name="news_new"),
    path("content/news/<int:news_id>/", manage_views.news_edit, name="news_edit"),
    path("content/news/<int:news_id>/<str:action>/", manage_views.news_action, name="news_action"),
    path("content/categories/", manage_views.categories, name="news_categories"),
    path("content/moderation/", manage_views.moderation, name="moderation"),
    path("content/moderation/<int:report_id>/<str:action>/", manage_views.report_action, name="report_action"),
]
