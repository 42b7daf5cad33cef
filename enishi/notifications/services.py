"""Rendering and queueing of emails. Each email has one function in `emails.py`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from enishi.networks.models import Network
from enishi.notifications.models import OutboundEmail
from enishi.notifications.tasks import deliver_email


def queue_email(
    *,
    kind: str,
    to: str,
    language: str,
    context: dict[str, Any],
    network: Network | None = None,
    headers: dict[str, str] | None = None,
    reference: str = "",
) -> OutboundEmail:
    """Render templates `emails/<kind>-subject.txt`, `-body.txt`, `-body.html` and queue them.

    Rendering happens now, in the recipient's language; delivery happens in the worker after
    the surrounding transaction commits.
    """
    base = {"network": network, "site_url": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{kind}-subject.txt", base).split())
        text_body = render_to_string(f"emails/{kind}-body.txt", base)
        html_body = render_to_string(f"emails/{kind}-body.html", base)
    return queue_rendered_email(
        kind=kind, to=to, language=language, subject=subject, text_body=text_body,
        html_body=html_body, network=network, headers=headers, reference=reference,
    )  # fmt: skip


def queue_rendered_email(
    *,
    kind: str,
    to: str,
    language: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    network: Network | None = None,
    headers: dict[str, str] | None = None,
    reference: str = "",
) -> OutboundEmail:
    email = OutboundEmail.objects.create(
        network=network, kind=kind, to=to, language=language, subject=subject[:300],
        text_body=text_body, html_body=html_body, headers=headers or {}, reference=reference,
    )  # fmt: skip
    # robust: a queue that is down must not turn a saved action into an error page; the worker's
    # maintenance re-queues emails left queued (requeue_undelivered_emails).
    transaction.on_commit(lambda: deliver_email.enqueue(email.pk), robust=True)
    return email
