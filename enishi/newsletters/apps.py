from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "enishi.newsletters"
    label = "newsletters"
