from __future__ import annotations

import base64
import logging
import smtplib
from datetime import timedelta
from email.mime.image import MIMEImage

from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from enishi.notifications.models import OutboundEmail
from enishi.notifications.signals import email_bounced

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STALE_SENDING_MINUTES = 15
# A queued email this old was probably never handed to the queue (it was down at commit time).
STALE_QUEUED_MINUTES = 10


@task(queue_name="email")
def deliver_email(email_id: int) -> str:
    """Send one OutboundEmail. Idempotent: only the run that claims the row sends it."""
    claimed = OutboundEmail.objects.filter(
        pk=email_id,
        status__in=(OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED),
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=OutboundEmail.Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now())
    if not claimed:
        return "skipped"
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text_body, to=[email.to], headers=email.headers or None
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
        _attach_inline_images(message, email.inline_images)
    try:
        message.send()
    except Exception as exc:  # a refusal for good bounces; any other error keeps the row for a retry
        if is_permanent_refusal(exc):
            return _bounced(email, exc)
        failed = OutboundEmail.Status.FAILED
        OutboundEmail.objects.filter(pk=email_id).update(status=failed, error=str(exc)[:2000])
        logger.warning("email delivery failed", extra={"email_id": email_id, "error": str(exc)})
        return "failed"
    OutboundEmail.objects.filter(pk=email_id).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now(), error="")
    logger.info("email sent", extra={"email_id": email_id, "kind": email.kind})
    return "sent"


def _attach_inline_images(message: EmailMultiAlternatives, images: dict[str, dict[str, str]]) -> None:
    """Pictures the HTML refers to as cid:NAME, in a multipart/related message."""
    if not images:
        return
    message.mixed_subtype = "related"
    for name, image in images.items():
        _maintype, subtype = image.get("type", "image/png").split("/", 1)
        part = MIMEImage(base64.b64decode(image["data"]), _subtype=subtype)
        part.add_header("Content-ID", f"<{name}>")
        part.add_header("Content-Disposition", "inline", filename=f"{name}.{subtype}")
        message.attach(part)


# 5xx answers that say something about our own configuration, not about the recipient: they stay
# failures and are retried once the configuration is fixed.
OWN_CONFIGURATION_ERRORS = (
    smtplib.SMTPSenderRefused,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPHeloError,
    smtplib.SMTPConnectError,
)


def is_permanent_refusal(error: Exception) -> bool:
    """Whether the receiving server refused this recipient or message for good (SMTP 5xx).

    A 4xx ("mailbox busy, try later") is temporary and retried like any other failure.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(error, OWN_CONFIGURATION_ERRORS):
        return 500 <= error.smtp_code < 600
    return False


def _bounced(email: OutboundEmail, error: Exception) -> str:
    """Mark the email bounced (never retried) and tell the app that sent it, once: only the run that
    claimed the row gets here."""
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.BOUNCED, error=str(error)[:2000])
    email.refresh_from_db()
    logger.warning("email bounced", extra={"email_id": email.pk, "kind": email.kind, "error": str(error)})
    for receiver, outcome in email_bounced.send_robust(sender=OutboundEmail, email=email):
        if isinstance(outcome, Exception):  # the bounce is recorded on the email whatever a receiver does
            logger.error("email_bounced receiver failed", exc_info=outcome, extra={"receiver": repr(receiver)})
    return "bounced"


def requeue_undelivered_emails() -> int:
    """Give failed emails another try and free the ones a dead worker left half-sent.

    Called periodically by the worker (ops/management/commands/worker.py). Returns how many
    emails were queued again.
    """
    stale = timezone.now() - timedelta(minutes=STALE_SENDING_MINUTES)
    # Judge by the claim, not the creation: an old email being sent right now is not stuck.
    OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, claimed_at__lt=stale).update(
        status=OutboundEmail.Status.FAILED, error="worker stopped while sending"
    )
    never_enqueued = timezone.now() - timedelta(minutes=STALE_QUEUED_MINUTES)
    retry_ids = list(
        OutboundEmail.objects.filter(
            Q(status=OutboundEmail.Status.FAILED)
            | Q(status=OutboundEmail.Status.QUEUED, created_at__lt=never_enqueued),
            attempts__lt=MAX_ATTEMPTS,
        ).values_list("pk", flat=True)[:500]
    )
    for email_id in retry_ids:
        deliver_email.enqueue(email_id)
    return len(retry_ids)
