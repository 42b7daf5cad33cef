from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "enishi.analytics"
    label = "analytics"
