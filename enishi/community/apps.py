from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "enishi.community"
    label = "community"
