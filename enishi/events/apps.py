from __future__ import annotations

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "enishi.events"
    verbose_name = "Events"
