from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "enishi.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from enishi.accounts.signals import audit_login

        user_logged_in.connect(audit_login, dispatch_uid="enishi-audit-login")
