"""The emails of events, one function each: the reminder (with the person's QR ticket), the thank-you,
and the notice of a change or a cancellation.

Each is the email of a bell notification (notify(..., email=...)): notify() decides from the person's
preferences for Topic.EVENTS whether an email goes at all; these functions only render and queue it,
in the person's language and the network's time zone, with one-click unsubscribe (RFC 8058).
Templates: templates/events/email_<name>_{subject,body}.txt and email_<name>_body.html.
"""

from __future__ import annotations

import base64
import io
from typing import Any
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from enishi.accounts.services import language_for_email
from enishi.events.models import Event, Rsvp
from enishi.networks.models import Membership
from enishi.notifications.models import Notification, OutboundEmail
from enishi.notifications.services import queue_rendered_email, unsubscribe_headers, unsubscribe_url
from enishi.notifications.topics import Topic

QR_CID = "ticket-qr"
QR_SCALE = 6  # pixels per module: about 250 px for a ticket URL, sharp on a phone


def ticket_qr_png(data: str) -> bytes:
    """The QR code as PNG (mail clients show no SVG): error correction M, a quiet zone of 4 modules."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=QR_SCALE, border=4)
    return out.getvalue()


def _language(membership: Membership) -> str:
    return membership.user.language or language_for_email(membership.user.email, membership.network)


def _queue(
    name: str,
    item: Notification,
    event: Event,
    context: dict[str, Any],
    inline_images: dict[str, dict[str, str]] | None = None,
) -> OutboundEmail:
    recipient = item.recipient
    network = recipient.network
    language = _language(recipient)
    base = {
        "network": network, "site_url": settings.SITE_URL, "LANGUAGE_CODE": language, "person": recipient.user,
        "event": event, "event_path": reverse("network:event_detail", args=[network.slug, event.pk]),
        "settings_path": reverse("network:notification_settings", args=[network.slug]),
        "unsubscribe_url": unsubscribe_url(recipient, Topic.EVENTS), **context,
    }  # fmt: skip
    with translation.override(language), timezone.override(ZoneInfo(network.time_zone)):
        subject = " ".join(render_to_string(f"events/email_{name}_subject.txt", base).split())
        text_body = render_to_string(f"events/email_{name}_body.txt", base)
        html_body = render_to_string(f"events/email_{name}_body.html", base)
    return queue_rendered_email(
        kind=f"event-{name}", to=recipient.user.email, language=language, subject=subject, text_body=text_body,
        html_body=html_body, network=network, headers=unsubscribe_headers(recipient, Topic.EVENTS),
        reference=f"notification:{item.pk}", inline_images=inline_images,
    )  # fmt: skip


def reminder(item: Notification, answer: Rsvp) -> OutboundEmail:
    """The reminder to a confirmed attendee: when, where (venue, address, map) or the online link, and
    their QR code for the door (inline PNG, plus the link to the ticket page)."""
    from enishi.events.services import can_see_online_url, ticket_qr_data

    event = answer.event
    slug = item.recipient.network.slug
    images = None
    if event.has_venue:
        png = ticket_qr_png(ticket_qr_data(answer))
        images = {QR_CID: {"type": "image/png", "data": base64.b64encode(png).decode("ascii")}}
    context = {
        "answer": answer,
        "online_url": event.online_url if can_see_online_url(event, item.recipient, answer) else "",
        "ticket_path": reverse("network:event_ticket", args=[slug, event.pk]),
        "qr_cid": QR_CID if images else "",
    }
    return _queue("reminder", item, event, context, images)


def thanks(item: Notification, event: Event) -> OutboundEmail:
    """The thank-you after the event: the staff's message, the survey link (the hook for surveys,
    issue 8) and the event's page with its photos."""
    return _queue("thanks", item, event, {"photo_count": event.photos.count()})


def notice(item: Notification, event: Event) -> OutboundEmail:
    """A change (the new time and place) or a cancellation (with the reason) to everyone registered."""
    return _queue("notice", item, event, {"cancelled": event.status == Event.Status.CANCELLED})
