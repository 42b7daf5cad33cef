from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "enishi.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from enishi.accounts.signals import audit_login, audit_logout, join_on_sign_up

        user_logged_in.connect(audit_login, dispatch_uid="enishi-audit-login")
        user_logged_out.connect(audit_logout, dispatch_uid="enishi-audit-logout")
        user_signed_up.connect(join_on_sign_up, dispatch_uid="enishi-join-on-sign-up")
