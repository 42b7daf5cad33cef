from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "enishi.profiles"
    label = "profiles"
