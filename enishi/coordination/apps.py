from __future__ import annotations

from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "enishi.coordination"
    verbose_name = "Comeback coordination"
