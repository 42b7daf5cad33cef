from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "enishi.privacy"
    label = "privacy"
