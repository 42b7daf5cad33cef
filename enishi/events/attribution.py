"""What an event brought (issue 6, point 8): registrations that came through its join link, and
opportunity interests or applications from people who attended it.

- Registrations: intake Registration rows approved through the event's JoinChannel (kind "event",
  created when the event is published: services.publish).
- Opportunity actions: counted by the sources in ATTRIBUTION_SOURCES. The opportunities app (issue 7)
  registers one: a callable (event ids, days) -> {event id: count} that counts the interests and
  applications made by checked-in attendees within `days` (settings.EVENT_ATTRIBUTION_DAYS) after the
  event ended. attribution_for sums every registered source.

One query for the registrations, plus one per registered source, for any number of events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from enishi.events.models import Event

# (event ids, days after attending) -> {event id: number of actions}
AttributionSource = Callable[[list[int], int], dict[int, int]]
ATTRIBUTION_SOURCES: list[AttributionSource] = []


def register_source(source: AttributionSource) -> AttributionSource:
    """Add an opportunity-actions source (usable as a decorator); registering twice is harmless."""
    if source not in ATTRIBUTION_SOURCES:
        ATTRIBUTION_SOURCES.append(source)
    return source


@dataclass
class Attribution:
    registrations: int = 0
    opportunity_actions: int = 0


def attribution_for(events: Iterable[Event]) -> dict[int, Attribution]:
    """{event id: Attribution} for every event given (zeros included)."""
    from enishi.intake.models import Registration

    events = list(events)
    result = {event.pk: Attribution() for event in events}
    if not events:
        return result
    by_channel = {event.join_channel_id: event.pk for event in events if event.join_channel_id}
    if by_channel:
        rows = (
            Registration.objects.filter(channel_id__in=by_channel, status=Registration.Status.APPROVED)
            .values("channel_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            result[by_channel[row["channel_id"]]].registrations = row["n"]
    ids = list(result)
    days = settings.EVENT_ATTRIBUTION_DAYS
    for source in ATTRIBUTION_SOURCES:
        for event_id, count in source(ids, days).items():
            if event_id in result:
                result[event_id].opportunity_actions += count
    return result
