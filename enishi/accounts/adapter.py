from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from enishi.accounts.services import language_for_email
from enishi.notifications.services import queue_rendered_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are created from an invitation only: the network is for people invited to it."""
        from enishi.networks.views import PENDING_INVITATION_SESSION_KEY

        return bool(request.session.get(PENDING_INVITATION_SESSION_KEY))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Back to the invitation that brought the person here, if any; else their network."""
        from enishi.networks.views import PENDING_INVITATION_SESSION_KEY

        return request.session.get(PENDING_INVITATION_SESSION_KEY) or super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render allauth's emails in the recipient's language and deliver them via the worker."""
        language = language_for_email(email)
        request = allauth_context.request
        site = SimpleNamespace(name=settings.SITE_NAME, domain=request.get_host() if request else "")
        with translation.override(language):
            message = self.render_mail(
                template_prefix, email, {"request": request, "email": email, "current_site": site, **context}
            )
        html_body = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html_body = str(content)
        queue_rendered_email(
            kind=template_prefix.rsplit("/", 1)[-1],
            to=email,
            language=language,
            subject=str(message.subject),
            text_body=str(message.body),
            html_body=html_body,
        )
