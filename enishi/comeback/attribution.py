"""What events brought to comeback (issue 6, point 8): interests and applications made by people who
checked in at an event, within `days` after it ended. Registered with events.attribution in apps.py."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from enishi.comeback.models import Application, Interest


def opportunity_actions(event_ids: list[int], days: int) -> dict[int, int]:
    """{event id: interests + applications by its checked-in attendees within `days` after its end};
    two queries for any number of events."""
    from enishi.events.models import Rsvp

    attended = list(
        Rsvp.objects.filter(event_id__in=event_ids, membership__isnull=False)
        .exclude(checked_in="")
        .values_list("event_id", "membership_id", "event__ends_at")
    )
    if not attended:
        return {}
    people = {membership_id for _event, membership_id, _ends in attended}
    actions: dict[int, list[datetime]] = {}
    for model in (Interest, Application):
        for membership_id, created_at in model.objects.filter(membership_id__in=people).values_list(
            "membership_id", "created_at"
        ):
            actions.setdefault(membership_id, []).append(created_at)
    counts: Counter[int] = Counter()
    window = timedelta(days=days)
    for event_id, membership_id, ends_at in attended:
        counts[event_id] += sum(1 for at in actions.get(membership_id, []) if ends_at <= at <= ends_at + window)
    return {event_id: count for event_id, count in counts.items() if count}
