from __future__ import annotations

from django.urls import path

from enishi.community import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("news/", views.news, name="news"),
    path("news/<int:news_id>/", views.news_detail, name="news_detail"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage"). The content section's home is the news.
manage_urlpatterns = [
    path("content/", manage_views.news_list, name="content"),
    path("content/news/new/", manage_views.news_edit, name="news_new"),
    path("content/news/<int:news_id>/", manage_views.news_edit, name="news_edit"),
    path("content/news/<int:news_id>/<str:action>/", manage_views.news_action, name="news_action"),
    path("content/categories/", manage_views.categories, name="news_categories"),
]
