from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "enishi.directory"
    label = "directory"
