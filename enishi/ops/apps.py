from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "enishi.ops"
    label = "ops"
