"""Helpers of the alumni-side event tests (test_alumni, test_calendar, test_proposals)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.events import services
from enishi.events.models import Event, EventQuestion, Rsvp
from enishi.notifications.models import Notification

TOKYO = ZoneInfo("Asia/Tokyo")
ONLINE_URL = "https://meet.example.com/j/secret-room-4711"


def url(name: str, net: PersonaNetwork, *args: object) -> str:
    """The path of an alumni page of network `net` (namespace "network")."""
    return reverse(f"network:{name}", args=[net.network.slug, *args])


def make_event(net: PersonaNetwork, **fields: Any) -> Event:
    """A published event a week from now (19:00–21:00 Tokyo), open to the whole network."""
    day = (timezone.now() + timedelta(days=7)).astimezone(TOKYO).date()
    starts = datetime(day.year, day.month, day.day, 19, 0, tzinfo=TOKYO)
    values: dict[str, Any] = {
        "title": "アルムナイ交流会",
        "description": "<p>久しぶりに集まりましょう。</p>",
        "format": Event.Format.OFFLINE,
        "venue_name": "本社 20階 カフェテリア",
        "venue_address": "東京都千代田区丸の内1-1-1",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "status": Event.Status.PUBLISHED,
        "created_by": net.editor,
        **fields,
    }
    with scopes_disabled():
        return Event.objects.create(network=net.network, **values)


def add_question(event: Event, label: str, *, required: bool = False, choices: str = "") -> EventQuestion:
    with scopes_disabled():
        return EventQuestion.objects.create(
            network=event.network, event=event, label=label, required=required, choices=choices
        )


def answer_of(net: PersonaNetwork, event: Event, persona: str) -> Rsvp | None:
    with scopes_disabled():
        return Rsvp.objects.filter(event=event, membership=net.memberships[persona]).first()


def register(net: PersonaNetwork, event: Event, persona: str, **options: Any) -> Rsvp:
    with scope(network=net.network):
        return services.rsvp(event, net.memberships[persona], **options)


def notices(net: PersonaNetwork, persona: str, kind: str) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(network=net.network, recipient=net.memberships[persona], kind=kind))


def text_of(response: HttpResponse) -> str:
    """A response's text; an iCalendar body unfolded (long lines are folded at 75 octets)."""
    return response.content.decode().replace("\r\n ", "")
