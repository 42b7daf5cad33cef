from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "enishi.intake"
    label = "intake"

    def ready(self) -> None:
        from enishi.intake import signals  # noqa: F401 (connects the receivers)
