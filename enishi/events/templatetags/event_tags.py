"""Event dates the way people read them (12月10日(木) 19:00–21:00), and the home page's events card."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from enishi.events import services
from enishi.events.models import Event

register = template.Library()

HOME_EVENTS = 3


def _day(moment: datetime, today: datetime) -> str:
    # Translated formats: Japanese reads "12月10日(木)", English "Thu 10 Dec". The year only when it
    # is not this year's.
    if moment.year == today.year:
        return format_date(moment, _("D j M"))
    return format_date(moment, _("D j M Y"))


@register.filter
def event_when(event: Event) -> str:
    """The event's day and hours in the active time zone (the network's, set by its middleware)."""
    starts = timezone.localtime(event.starts_at)
    ends = timezone.localtime(event.ends_at)
    today = timezone.localtime()
    if starts.date() == ends.date():
        return f"{_day(starts, today)} {starts:%H:%M}–{ends:%H:%M}"
    return f"{_day(starts, today)} {starts:%H:%M} – {_day(ends, today)} {ends:%H:%M}"


@register.filter
def local_moment(value: datetime | None) -> str:
    """One moment (a deadline) with its day, in the same style."""
    if value is None:
        return ""
    moment = timezone.localtime(value)
    return f"{_day(moment, timezone.localtime())} {moment:%H:%M}"


@register.inclusion_tag("events/_home_events.html", takes_context=True)
def upcoming_events(context: dict[str, Any]) -> dict[str, Any]:
    """The next events open to this member, with their own answer to each."""
    membership = context["membership"]
    events = list(
        services.events_for(membership).filter(status=Event.Status.PUBLISHED, ends_at__gt=timezone.now())[:HOME_EVENTS]
    )
    mine = services.rsvps_by_event(membership, events)
    for event in events:
        event.my_rsvp = mine.get(event.pk)  # type: ignore[attr-defined]
    return {"events": events, "network": context["network"]}
