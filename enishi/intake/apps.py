from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "enishi.intake"
    label = "intake"
