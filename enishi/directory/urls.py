from __future__ import annotations

from django.urls import path

from enishi.directory import manage_views, views

# Mounted under /n/<network_slug>/ (namespace "network").
urlpatterns = [
    path("directory/", views.directory, name="directory"),
]

# Mounted under /n/<network_slug>/manage/ (namespace "manage").
manage_urlpatterns = [
    path("directory/", manage_views.directory, name="directory"),
    path("directory/export/", manage_views.export, name="directory_export"),
    path("directory/segments/", manage_views.segments, name="segments"),
    path("directory/segments/save/", manage_views.segment_save, name="segment_save"),
    path("directory/segments/<int:segment_id>/delete/", manage_views.segment_delete, name="segment_delete"),
]
