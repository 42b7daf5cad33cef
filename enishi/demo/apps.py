from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "enishi.demo"
    label = "demo"
