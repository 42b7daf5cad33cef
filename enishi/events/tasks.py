"""Background work of events: the reminders before an event and the thank-you after it.

Reminders (`send_event_reminders`, a maintenance job of the worker): each published event has
`reminders`, hours before its start (24 and 1 by default). Once the moment of one has come, each
confirmed attendee gets it once: the bell (kind event_reminder) and, if they want events by email,
the reminder email with the time, the place or the online link, and their QR code. Rules:

- Each RSVP records in `Rsvp.reminded` the offsets already dealt with. A worker claims an offset for
  one RSVP with a conditional UPDATE (`reminded` still what it read): two workers never both send.
- When several offsets are due at once (a worker was down, or the person registered late) only the
  latest one (the nearest to the start) is sent, and the earlier ones are marked done: never a burst.
- A reminder whose moment had already passed when the person got their seat (late registration,
  promotion from the waitlist) is not sent: they have just been told (the confirmation or the
  promotion notice). A later offset still comes.
- A moved start (services.save_event) clears `reminded`: the reminders follow the new time.

Thank-you (`thank_attendees`, a task the console enqueues after the event): claimed once per event
through `Event.thanked_at`, every checked-in attendee gets event_thanks (bell, and the email per
their preferences) with the thank-you text, the survey link and the link to the event's photos.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks import task

from enishi.events import emails
from enishi.events.models import REMINDER_CHOICES, Event, Rsvp
from enishi.events.services import event_path, event_reference
from enishi.lib.richtext import plain_excerpt
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.notifications.services import notify, notify_each_once
from enishi.notifications.topics import Topic

REMINDER_BATCH_SIZE = 500  # reminders sent per network and run; the next run goes on
# How far ahead an event can have a reminder due (the longest offset the staff can choose).
LONGEST_REMINDER_HOURS = max(hours for hours, _label in REMINDER_CHOICES)


def send_event_reminders(now: datetime | None = None) -> int:
    """Send every reminder whose moment has come; returns how many people were reminded (bell or
    email). Idempotent, and safe on several workers at once."""
    now = now or timezone.now()
    sent = 0
    for network in Network.objects.order_by("pk"):
        with scope(network=network):
            sent += _remind_network(network, now)
    return sent


def _remind_network(network: Network, now: datetime) -> int:
    events = Event.objects.filter(
        network=network, status=Event.Status.PUBLISHED, starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=LONGEST_REMINDER_HOURS),
    ).select_related("network")  # fmt: skip
    budget = REMINDER_BATCH_SIZE
    sent = 0
    for event in events:
        due = due_offsets(event, now)
        if not due:
            continue
        for answer in _waiting_for(event, due)[:budget]:
            if _remind(event, answer, due):
                sent += 1
            budget -= 1
        if budget <= 0:
            break
    return sent


def due_offsets(event: Event, now: datetime) -> list[int]:
    """The event's reminder offsets (hours) whose moment has come, nearest to the start first."""
    hours = {int(value) for value in event.reminders or [] if isinstance(value, int | float) and value > 0}
    return sorted(value for value in hours if event.starts_at - timedelta(hours=value) <= now)


def _waiting_for(event: Event, due: list[int]) -> list[Rsvp]:
    """Confirmed members' RSVPs that have not had the latest due reminder dealt with."""
    latest = due[0]
    confirmed = Rsvp.objects.filter(
        network_id=event.network_id, event=event, status=Rsvp.Status.CONFIRMED, membership__isnull=False
    ).only("pk", "reminded", "confirmed_at")
    if connection.features.supports_json_field_contains:  # PostgreSQL: the database leaves out those done
        confirmed = confirmed.exclude(reminded__contains=[latest])
    return [answer for answer in confirmed.order_by("pk") if latest not in (answer.reminded or [])]


def _remind(event: Event, answer: Rsvp, due: list[int]) -> bool:
    """Claim the due offsets of one RSVP and send the latest one, unless the person got their seat
    after its moment. Returns whether someone was reminded."""
    latest = due[0]
    done = sorted(set(answer.reminded or []) | set(due), reverse=True)
    with transaction.atomic():  # a failure releases the claim: the next run tries again
        claimed = Rsvp.objects.filter(
            network_id=event.network_id, pk=answer.pk, status=Rsvp.Status.CONFIRMED, reminded=answer.reminded
        ).update(reminded=done)
        if not claimed:
            return False  # another worker took it, or the RSVP changed since it was read
        moment = event.starts_at - timedelta(hours=latest)
        if answer.confirmed_at is not None and answer.confirmed_at > moment:
            return False
        full = Rsvp.objects.select_related("membership__user", "membership__network", "event__network").get(
            network_id=event.network_id, pk=answer.pk
        )
        if full.membership is None:
            return False
        notification = notify(
            full.membership, topic=Topic.EVENTS, kind="event_reminder", url=event_path(event),
            params={"title": event.title}, reference=event_reference(event.pk),
            email=lambda item: emails.reminder(item, full), timely=True,
        )  # fmt: skip
    return notification is not None


@task()
def thank_attendees(event_id: int) -> str:
    """Thank every checked-in attendee of a published event that has started, once per event."""
    with scopes_disabled():  # the task only has the id: find the event's network first
        event = Event.objects.filter(pk=event_id).select_related("network").first()
    if event is None:
        return "gone"
    now = timezone.now()
    told = 0
    with scope(network=event.network), transaction.atomic():  # a failure releases the claim
        claimed = Event.objects.filter(
            network=event.network, pk=event_id, status=Event.Status.PUBLISHED, starts_at__lte=now,
            thanked_at__isnull=True,
        ).update(thanked_at=now)  # fmt: skip
        if not claimed:
            return "skipped"
        event.refresh_from_db()
        attendees = (
            Rsvp.objects.filter(network=event.network, event=event, membership__isnull=False)
            .exclude(checked_in="")
            .select_related("membership__user", "membership__network")
            .order_by("pk")
        )
        for answer in attendees:
            if answer.membership is None:
                continue
            if notify(answer.membership, topic=Topic.EVENTS, kind="event_thanks", url=event_path(event),
                      params={"title": event.title}, text=event.thank_you_text,
                      reference=event_reference(event.pk), email=lambda item: emails.thanks(item, event)):  # fmt: skip
                told += 1
    return f"thanked {told}"


# --- A new event, told to its audience --------------------------------------------------------


def audience_of(event: Event) -> QuerySet[Membership]:
    """The active alumni an event is for (network, its companies, or its invitees), its host aside."""
    from enishi.events.models import EventInvitee
    from enishi.intake.models import EmploymentRecord

    members = Membership.objects.filter(network_id=event.network_id, role__in=ALUMNI_ROLES,
                                        state=MembershipState.ACTIVE)  # fmt: skip
    if event.host_id is not None:
        members = members.exclude(pk=event.host_id)
    if event.audience == Event.Audience.COMPANIES:
        companies = event.companies.values("pk")
        records = EmploymentRecord.objects.filter(network_id=event.network_id, company_id__in=companies)
        return members.filter(pk__in=records.values("membership_id"))
    if event.audience in (Event.Audience.SEGMENT, Event.Audience.INVITED):
        return members.filter(pk__in=EventInvitee.objects.filter(event=event).values("membership_id"))
    return members


@task()
def announce_event(event_id: int) -> str:
    """Tell an event's audience that it is open for registration (bell, and email or digest as each
    chose for events). Resumable: people who already have the notice are skipped."""
    with scopes_disabled():
        event = Event.objects.filter(pk=event_id).select_related("network").first()
    if event is None:
        return "gone"
    with scope(network=event.network):
        if event.status != Event.Status.PUBLISHED or not event.registration_open:
            return "skipped"
        told = notify_each_once(
            audience_of(event), network_id=event.network_id, reference=event_reference(event.pk), kind="event_new",
            topic=Topic.EVENTS, url=event_path(event), params={"title": event.title},
            text=plain_excerpt(event.description, 140),
        )  # fmt: skip
    return f"told {told}"


def schedule_announcement(event: Event) -> None:
    """Enqueue the announcement once the publication commits."""
    event_id = event.pk
    transaction.on_commit(lambda: announce_event.enqueue(event_id))


def schedule_thanks(event: Event) -> None:
    """Enqueue the thank-you once the surrounding transaction commits (the console's "send thanks")."""
    event_id = event.pk
    transaction.on_commit(lambda: thank_attendees.enqueue(event_id))
