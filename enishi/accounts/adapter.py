from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from enishi.accounts.invitations import pending_invitation
from enishi.accounts.services import language_for_email
from enishi.notifications.services import queue_rendered_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are created from an invitation, or from the join page of a network that allows
        people to ask to join (their request is then checked against HR's records)."""
        return pending_invitation(request) is not None

    def is_email_verified(self, request: HttpRequest, email: str) -> bool:
        """The invitation link was sent to this address: opening it proves the address is theirs."""
        pending = pending_invitation(request)
        if pending is not None and pending["email"] and email.lower() == str(pending["email"]).lower():
            return True
        return super().is_email_verified(request, email)

    def clean_email(self, email: str) -> str:
        """On sign-up, the address must be the one the invitation was sent to."""
        email = super().clean_email(email)
        pending = pending_invitation(self.request) if self.request is not None else None
        if pending is not None and pending["email"] and email.lower() != pending["email"].lower():
            raise forms.ValidationError(
                _("Use the address the invitation was sent to: %(email)s") % {"email": pending["email"]}
            )
        return email

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Back to the invitation that brought the person here, if any; else their network."""
        pending = pending_invitation(request)
        return pending["path"] if pending is not None else super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        pending = pending_invitation(request)
        return pending["path"] if pending is not None else super().get_signup_redirect_url(request)

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
