from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "enishi.notifications"
    label = "notifications"
