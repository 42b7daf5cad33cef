from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "enishi.networks"
    label = "networks"
