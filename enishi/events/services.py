"""Business verbs of events: who may see one, RSVP and cancel (seats counted under a lock),
promotion from the waitlist, check-in, publishing and cancelling.

Notifications and emails about an event are sent by the functions in this module and in tasks.py;
views never call notifications directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enishi.accounts.models import User
from enishi.directory.services import segment_member_ids
from enishi.events.models import Event, EventInvitee, EventPhoto, Rsvp
from enishi.intake.models import EmploymentRecord
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, SECTIONS_BY_KEY, MembershipState
from enishi.networks.services import keep_exactly_members
from enishi.notifications.services import notify
from enishi.notifications.topics import Topic
from enishi.privacy.services import audit


class RsvpRefused(Exception):
    """An RSVP that cannot be taken, with the sentence to show the person."""


# --- Who sees what ---------------------------------------------------------------------------------


def events_for(membership: Membership) -> QuerySet[Event]:
    """The published (and cancelled) events this member may see: staff see every one; alumni those of
    their audience, plus any they answered (an RSVP stays visible even if the audience changed)."""
    network_id = membership.network_id
    shown = Event.objects.filter(
        network_id=network_id, status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED)
    ).select_related("host_company")
    if membership.role not in ALUMNI_ROLES:
        return shown
    companies = EmploymentRecord.objects.filter(network_id=network_id, membership=membership).values("company_id")
    invited = EventInvitee.objects.filter(network_id=network_id, event=OuterRef("pk"), membership=membership)
    answered = Rsvp.objects.filter(network_id=network_id, event=OuterRef("pk"), membership=membership)
    for_companies = Event.companies.through.objects.filter(event_id=OuterRef("pk"), company_id__in=companies)
    return shown.filter(
        Q(audience=Event.Audience.NETWORK)
        | (Q(audience=Event.Audience.COMPANIES) & Exists(for_companies))
        | (Q(audience__in=(Event.Audience.SEGMENT, Event.Audience.INVITED)) & Exists(invited))
        | Q(host=membership)
        | Exists(answered)
    )


def may_attend(event: Event, membership: Membership) -> bool:
    """Whether this member may RSVP: alumni of the audience; staff when current employees may attend."""
    if membership.role not in ALUMNI_ROLES:
        return event.staff_may_attend
    return events_for(membership).filter(pk=event.pk).exists()


def rsvp_of(event: Event, membership: Membership) -> Rsvp | None:
    return Rsvp.objects.filter(network_id=event.network_id, event=event, membership=membership).first()


def rsvps_by_event(membership: Membership, events: Iterable[Event]) -> dict[int, Rsvp]:
    """This member's answer to each of these events (by event id), in one query. Each carries
    `waitlist_position`: 1 for the next in line, counted among the waitlisted of its event."""
    ids = [event.pk for event in events]
    if not ids:
        return {}
    waitlisted = Rsvp.objects.filter(event_id=OuterRef("event_id"), status=Rsvp.Status.WAITLISTED)
    ahead = (
        waitlisted.filter(
            Q(queued_at__lt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("event_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    mine = Rsvp.objects.filter(network_id=membership.network_id, membership=membership, event_id__in=ids).annotate(
        waitlist_position=Coalesce(Subquery(ahead), 0) + 1
    )
    return {answer.event_id: answer for answer in mine}


def may_see_attendees(event: Event, membership: Membership, answer: Rsvp | None) -> bool:
    """The attendee list of an event: staff, and confirmed attendees who show themselves too."""
    if not event.attendees_visible:
        return False
    if membership.role not in ALUMNI_ROLES:
        return True
    return answer is not None and answer.status == Rsvp.Status.CONFIRMED and answer.share_with_attendees


def attendees_shown_to(event: Event, membership: Membership) -> QuerySet[Rsvp]:
    """Confirmed attendees who chose to be shown to the others, sorted by reading; people blocked
    either way between them and the viewer, and members no longer active (left, suspended), are left out."""
    from enishi.messaging.services import blocked_ids

    return (
        Rsvp.objects.filter(network_id=event.network_id, event=event, status=Rsvp.Status.CONFIRMED,
                            share_with_attendees=True, membership__state=MembershipState.ACTIVE)
        .exclude(membership_id__in=blocked_ids(membership))
        .select_related("membership__user")
        .order_by("membership__sort_name", "id")
    )  # fmt: skip


def hosted_rsvps(event: Event) -> QuerySet[Rsvp]:
    """Everyone registered to an event, for its host: confirmed first, then the waitlist in order."""
    return (
        Rsvp.objects.filter(network_id=event.network_id, event=event)
        .exclude(status=Rsvp.Status.CANCELLED)
        .select_related("membership__user")
        .order_by("status", "queued_at", "id")  # "confirmed" sorts before "waitlisted"
    )


def can_see_online_url(event: Event, membership: Membership, rsvp: Rsvp | None) -> bool:
    """The online link: confirmed attendees, the host, and the staff who run events (admin, editor: the
    console shows it to them anyway). Nobody else, ever: other staff (HR, analysts, the coordinator, a
    third party) need a seat like anyone."""
    if not event.online_url or not event.is_online:
        return False
    if membership.role in SECTIONS_BY_KEY["events"].roles or event.host_id == membership.pk:
        return True
    return rsvp is not None and rsvp.status == Rsvp.Status.CONFIRMED and event.status == Event.Status.PUBLISHED


# --- Seats ---------------------------------------------------------------------------------------


def seats_taken(event: Event) -> int:
    confirmed = Rsvp.objects.filter(network_id=event.network_id, event=event, status=Rsvp.Status.CONFIRMED)
    return int(confirmed.aggregate(seats=Coalesce(Sum("plus_ones"), 0) + Count("id"))["seats"] or 0)


@dataclass
class Counts:
    confirmed: int = 0  # people, plus-ones included
    waitlisted: int = 0
    checked_in: int = 0  # people arrived (at the venue or online), plus-ones included


def counts_for(events: Iterable[Event]) -> dict[int, Counts]:
    """Seats taken, waitlist length and arrivals for many events in one query."""
    ids = [event.pk for event in events]
    found: dict[int, Counts] = {pk: Counts() for pk in ids}
    if not ids:
        return found
    rows = (
        Rsvp.objects.filter(event_id__in=ids)
        .exclude(status=Rsvp.Status.CANCELLED)
        .values("event_id", "status")
        .annotate(
            people=Count("id"),
            extra=Coalesce(Sum("plus_ones"), 0),
            arrived=Count("id", filter=~Q(checked_in="")),
            arrived_extra=Coalesce(Sum("plus_ones", filter=~Q(checked_in="")), 0),
        )
        .order_by()
    )
    for row in rows:
        counts = found[row["event_id"]]
        if row["status"] == Rsvp.Status.CONFIRMED:
            # Arrivals count people like the seats do: a party checks in with its plus-ones.
            counts.confirmed += row["people"] + row["extra"]
            counts.checked_in += row["arrived"] + row["arrived_extra"]
        else:
            counts.waitlisted += row["people"]
    return found


def _locked(event: Event) -> Event:
    """The event's row, locked until the transaction ends: every seat decision runs one at a time per
    event (SQLite serialises writers anyway: transactions there are IMMEDIATE)."""
    return Event.objects.select_for_update().get(pk=event.pk, network_id=event.network_id)


def _fits(event: Event, seats: int) -> bool:
    return event.capacity is None or seats_taken(event) + seats <= event.capacity


def rsvp(
    event: Event,
    membership: Membership,
    *,
    plus_ones: int = 0,
    answers: dict[str, str] | None = None,
    share_with_attendees: bool = False,
) -> Rsvp:
    """Answer "I'll come": a seat if one is free, else a place on the waitlist. Answering again
    updates the answers (and the plus-ones, if the seats allow); a cancelled RSVP comes back to the
    end of the line. Raises RsvpRefused with the reason when registration is closed."""
    if not event.registration_open:
        raise RsvpRefused(_("Registration for this event is closed."))
    if membership.state != MembershipState.ACTIVE or not may_attend(event, membership):
        raise RsvpRefused(_("This event is not open to you."))
    if plus_ones < 0 or plus_ones > event.max_plus_ones:
        raise RsvpRefused(_("This event allows at most %(count)d plus-ones.") % {"count": event.max_plus_ones})
    with transaction.atomic():
        locked = _locked(event)
        current = Rsvp.objects.select_for_update().filter(event=locked, membership=membership).first()
        now = timezone.now()
        if current is not None and current.status != Rsvp.Status.CANCELLED:
            current.answers = dict(answers or {})
            current.share_with_attendees = share_with_attendees
            if current.status == Rsvp.Status.CONFIRMED and plus_ones > current.plus_ones:
                more = plus_ones - current.plus_ones
                if not _fits(locked, more):
                    raise RsvpRefused(_("There are not enough seats left for more plus-ones."))
            freed = current.status == Rsvp.Status.CONFIRMED and plus_ones < current.plus_ones
            current.plus_ones = plus_ones
            current.save(update_fields=["answers", "share_with_attendees", "plus_ones"])
            if freed:
                promote_waitlist(locked)
            return current
        status = Rsvp.Status.CONFIRMED if _fits(locked, 1 + plus_ones) else Rsvp.Status.WAITLISTED
        values: dict[str, Any] = {
            "status": status, "plus_ones": plus_ones, "answers": dict(answers or {}),
            "share_with_attendees": share_with_attendees, "queued_at": now,
            "confirmed_at": now if status == Rsvp.Status.CONFIRMED else None, "cancelled_at": None,
            "reminded": [],
        }  # fmt: skip
        if current is None:
            return Rsvp.objects.create(network_id=event.network_id, event=locked, membership=membership, **values)
        for name, value in values.items():
            setattr(current, name, value)
        current.save()
        return current


def cancel_rsvp(answer: Rsvp) -> Rsvp:
    """The person cannot come: their seat goes to the waitlist, in order."""
    with transaction.atomic():
        event = _locked(answer.event)
        answer = Rsvp.objects.select_for_update().get(pk=answer.pk, event=event)
        if answer.status == Rsvp.Status.CANCELLED:
            return answer
        was_confirmed = answer.status == Rsvp.Status.CONFIRMED
        answer.status = Rsvp.Status.CANCELLED
        answer.cancelled_at = timezone.now()
        answer.save(update_fields=["status", "cancelled_at"])
        if was_confirmed:
            promote_waitlist(event)
    return answer


def promote_waitlist(event: Event) -> list[Rsvp]:
    """Give free seats to the waitlist in order (someone whose party does not fit waits; the next
    one who fits goes ahead). Call with the event locked. Each promoted person is told. A cancelled
    event promotes nobody (nobody would be told of a seat at an event that will not happen)."""
    if event.status != Event.Status.PUBLISHED:
        return []
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - seats_taken(event)
        if free <= 0:
            return []
    promoted = []
    now = timezone.now()
    waiting = (
        Rsvp.objects.select_for_update().filter(event=event, status=Rsvp.Status.WAITLISTED).order_by("queued_at", "id")
    )
    for answer in waiting:
        if free is not None and answer.seats > free:
            continue
        answer.status = Rsvp.Status.CONFIRMED
        answer.confirmed_at = now
        answer.save(update_fields=["status", "confirmed_at"])
        promoted.append(answer)
        if free is not None:
            free -= answer.seats
            if free <= 0:
                break
    for answer in promoted:
        if answer.membership is not None:
            notify(answer.membership, topic=Topic.EVENTS, kind="event_promoted", url=event_path(event),
                   params={"title": event.title}, reference=event_reference(event.pk))  # fmt: skip
    return promoted


def event_reference(event_id: int) -> str:
    return f"event:{event_id}"


def event_path(event: Event) -> str:
    return reverse("network:event_detail", args=[event.network.slug, event.pk])


# --- Check-in ------------------------------------------------------------------------------------


def ticket_qr_data(answer: Rsvp) -> str:
    """What a person's QR code carries (ticket page and reminder email alike): the absolute URL of the
    staff's check-in for this token, so a phone's own camera app opens it, and the in-page scanner
    reads the token from its last segment. Useless to anyone but the event's staff."""
    path = reverse("manage:event_check_in_token", args=[answer.event.network.slug, answer.event_id,
                                                         answer.check_in_token])  # fmt: skip
    return settings.SITE_URL.rstrip("/") + path


def attended_events(membership: Membership) -> QuerySet[Rsvp]:
    """The events this member attended (checked in at the venue or online), newest first: their
    history, on their own page and on the staff's member page."""
    return (
        Rsvp.objects.filter(network_id=membership.network_id, membership=membership)
        .exclude(checked_in="")
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event")
        .order_by("-event__starts_at", "-id")
    )


class CheckInResult:
    CHECKED_IN = "checked_in"
    ALREADY = "already"  # scanned before: nothing changes
    NOT_CONFIRMED = "not_confirmed"  # waitlisted or cancelled: staff decide (a walk-in)
    UNKNOWN = "unknown"  # no RSVP of this event carries the token


def find_by_token(event: Event, token: str) -> Rsvp | None:
    """The RSVP of this event whose QR code carries `token` (another event's token finds nothing)."""
    if not token or len(token) > 64:
        return None
    return (
        Rsvp.objects.filter(network_id=event.network_id, event=event, check_in_token=token)
        .select_related("membership__user")
        .first()
    )


def check_in(answer: Rsvp, actor: User, *, mode: str = Rsvp.CheckIn.VENUE) -> str:
    """Mark an arrival (or online attendance). Twice is harmless: the first time stands."""
    if answer.status != Rsvp.Status.CONFIRMED:
        return CheckInResult.NOT_CONFIRMED
    updated = Rsvp.objects.filter(pk=answer.pk, checked_in="").update(
        checked_in=mode, checked_in_at=timezone.now(), checked_in_by=actor
    )
    answer.refresh_from_db(fields=["checked_in", "checked_in_at", "checked_in_by"])
    return CheckInResult.CHECKED_IN if updated else CheckInResult.ALREADY


def undo_check_in(answer: Rsvp) -> None:
    Rsvp.objects.filter(pk=answer.pk).update(checked_in="", checked_in_at=None, checked_in_by=None)


def walk_in(event: Event, actor: User, *, membership: Membership | None = None, guest_name: str = "") -> Rsvp:
    """Someone at the door without a seat: registered and checked in at once (the venue decided there
    was room, so capacity does not refuse them). A member who had an RSVP gets it confirmed."""
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(event)
        answer = None
        if membership is not None:
            answer = Rsvp.objects.select_for_update().filter(event=locked, membership=membership).first()
        if answer is None:
            answer = Rsvp(network_id=event.network_id, event=locked, membership=membership,
                          guest_name=guest_name.strip()[:120], walk_in=True)  # fmt: skip
        answer.status = Rsvp.Status.CONFIRMED
        answer.confirmed_at = answer.confirmed_at or now
        answer.cancelled_at = None
        answer.checked_in = answer.checked_in or Rsvp.CheckIn.VENUE
        answer.checked_in_at = answer.checked_in_at or now
        answer.checked_in_by = answer.checked_in_by or actor
        answer.save()
        audit(event.network, actor, "event.walk_in", event, rsvp_id=answer.pk)
    return answer


# --- Publishing and changing ---------------------------------------------------------------------


def fix_invitees(event: Event, membership_ids: Iterable[int]) -> int:
    """The event's invitees become exactly these members (a segment is run once, at publication)."""
    return keep_exactly_members(
        EventInvitee.objects.filter(event=event),
        lambda pk: EventInvitee(network_id=event.network_id, event=event, membership_id=pk),
        event.network_id, membership_ids,
    )  # fmt: skip


def publish(event: Event, actor: User, request: HttpRequest | None = None) -> Event:
    """Open the event to its audience (a segment's members are fixed now)."""
    with transaction.atomic():
        if event.audience == Event.Audience.SEGMENT and event.segment is not None:
            fix_invitees(event, segment_member_ids(event.segment))
        first = event.published_at is None
        event.status = Event.Status.PUBLISHED
        event.published_at = event.published_at or timezone.now()
        event.save(update_fields=["status", "published_at", "updated_at"])
        if first:
            from enishi.events.tasks import schedule_announcement

            schedule_announcement(event)
        ensure_join_channel(event, actor, request=request)
        audit(event.network, actor, "event.published", event, request=request, title=event.title)
    return event


def ensure_join_channel(event: Event, actor: User, request: HttpRequest | None = None) -> None:
    """The event's own join link (intake channel of kind "event"): registrations that come through it
    count for the event (attribution.py). Created once, at the first publication; kept afterwards."""
    from enishi.intake.models import JoinChannel
    from enishi.intake.services import create_join_channel

    locked = _locked(event)
    if locked.join_channel_id is None:
        channel = create_join_channel(event.network, actor, kind=JoinChannel.Kind.EVENT, label=event.title[:120],
                                      request=request)  # fmt: skip
        Event.objects.filter(pk=event.pk, network_id=event.network_id).update(join_channel=channel)
        locked.join_channel_id = channel.pk
    event.join_channel_id = locked.join_channel_id


def cancel_event(event: Event, actor: User, reason: str, request: HttpRequest | None = None) -> int:
    """Call the event off: everyone registered (confirmed or waiting) is told, with the reason."""
    with transaction.atomic():
        locked = _locked(event)
        locked.status = Event.Status.CANCELLED
        locked.cancel_reason = reason.strip()
        locked.cancelled_at = timezone.now()
        locked.sequence += 1
        locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence", "updated_at"])
        audit(event.network, actor, "event.cancelled", event, request=request, title=event.title)
        told = tell_registered(locked, "event_cancelled")
    event.refresh_from_db()
    return told


def tell_registered(event: Event, kind: str) -> int:
    """A notice to everyone with a live RSVP: the email (events.emails.notice) carries the new time and
    place, or the reason of the cancellation; the bell's excerpt the reason or the new start."""
    from enishi.events import emails

    told = 0
    registered = Rsvp.objects.filter(event=event, membership__isnull=False).exclude(status=Rsvp.Status.CANCELLED)
    if event.status == Event.Status.CANCELLED:
        text = event.cancel_reason
    else:
        start = timezone.localtime(event.starts_at, ZoneInfo(event.network.time_zone))
        text = " ".join(part for part in (start.strftime("%Y-%m-%d %H:%M"), event.venue_name) if part)
    for answer in registered.select_related("membership__user", "membership__network"):
        if answer.membership is None:
            continue
        if notify(answer.membership, topic=Topic.EVENTS, kind=kind, url=event_path(event), text=text,
                  params={"title": event.title}, reference=event_reference(event.pk),
                  email=lambda item: emails.notice(item, event)):  # fmt: skip
            told += 1
    return told


# Fields whose change the people registered must hear of (and that bump the .ics SEQUENCE).
NOTIFIED_FIELDS = frozenset({"starts_at", "ends_at", "format", "venue_name", "venue_address", "map_url",
                             "online_url"})  # fmt: skip


def save_event(event: Event, actor: User, changed: Iterable[str], request: HttpRequest | None = None) -> Event:
    """Save the event as the staff (or its host, while proposed) left it, its description sanitised.
    A published event whose time, place or link changed gets a new SEQUENCE and a notice to everyone
    registered; a capacity raised gives seats to the waitlist."""
    from enishi.lib.richtext import clean_html

    changed = set(changed)
    with transaction.atomic():
        event.description = clean_html(event.description)
        if event.audience != Event.Audience.COMPANIES and event.pk is not None:
            event.companies.clear()
        if event.audience != Event.Audience.SEGMENT:
            event.segment = None
        if event.pk is None:
            event.created_by = actor
        live = event.pk is not None and event.status == Event.Status.PUBLISHED
        notice = live and bool(changed & NOTIFIED_FIELDS)
        if notice:
            event.sequence += 1
        event.save()
        audit(event.network, actor, "event.saved", event, request=request, fields=sorted(changed))
        if live and "capacity" in changed:
            promote_waitlist(_locked(event))
        if notice:
            if "starts_at" in changed:
                Rsvp.objects.filter(event=event).update(reminded=[])  # the reminders follow the new time
            tell_registered(event, "event_changed")
    return event


def propose(event: Event, proposer: Membership) -> Event:
    """An alumnus or supporter proposes an event: it waits for the secretariat, who are told."""
    from enishi.networks.roles import Role

    with transaction.atomic():
        event.host = proposer
        event.status = Event.Status.PROPOSED
        save_event(event, proposer.user, ["proposed"])
        staff = Membership.objects.filter(
            network_id=event.network_id, role__in=(Role.ADMIN, Role.EDITOR), state=MembershipState.ACTIVE
        )
        url = reverse("manage:event_edit", args=[event.network.slug, event.pk])
        for member in staff:
            notify(member, topic=Topic.EVENTS, kind="event_proposed", url=url, actor=proposer,
                   params={"title": event.title}, reference=event_reference(event.pk))  # fmt: skip
    return event


def approve(event: Event, actor: User, request: HttpRequest | None = None) -> Event:
    """A proposal accepted as it stands (the staff may have edited it first): published, host told."""
    with transaction.atomic():
        publish(event, actor, request=request)
        audit(event.network, actor, "event.approved", event, request=request, title=event.title)
        if event.host is not None:
            notify(event.host, topic=Topic.EVENTS, kind="event_approved", url=event_path(event),
                   params={"title": event.title}, reference=event_reference(event.pk))  # fmt: skip
    return event


def decline(event: Event, actor: User, reason: str, request: HttpRequest | None = None) -> Event:
    """A proposal refused, with the reason the host reads on their proposal's page."""
    with transaction.atomic():
        event.status = Event.Status.DECLINED
        event.decline_reason = reason.strip()
        event.save(update_fields=["status", "decline_reason", "updated_at"])
        audit(event.network, actor, "event.declined", event, request=request, title=event.title)
        if event.host is not None:
            url = reverse("network:event_proposal", args=[event.network.slug, event.pk])
            notify(event.host, topic=Topic.EVENTS, kind="event_declined", url=url,
                   params={"title": event.title}, reference=event_reference(event.pk))  # fmt: skip
    return event


def delete_event(event: Event, actor: User, request: HttpRequest | None = None) -> None:
    """Only drafts, proposals and declined events are deleted; a published one is cancelled instead."""
    if event.status in (Event.Status.PUBLISHED, Event.Status.CANCELLED):
        raise ValueError("A published event is cancelled, not deleted.")
    with transaction.atomic():
        audit(event.network, actor, "event.deleted", event, request=request, title=event.title)
        event.delete()


# --- Photos after the event --------------------------------------------------------------------


def add_photos(event: Event, uploads: Sequence[File[bytes]], caption: str, limit: int) -> int:
    """Add checked photos (lib.images already re-encoded them) after the last one, within `limit`
    photos per event; raises ActionRefused with what is left when there would be more."""
    from enishi.lib.errors import ActionRefused

    existing = EventPhoto.objects.filter(network_id=event.network_id, event=event).aggregate(
        count=Count("pk"), last=Max("position")
    )
    if existing["count"] + len(uploads) > limit:
        raise ActionRefused(
            _("An event has at most %(count)d photos: %(left)d more can be added.")
            % {"count": limit, "left": limit - existing["count"]}
        )
    start = (existing["last"] or 0) + 1
    with transaction.atomic():
        for offset, upload in enumerate(uploads):
            EventPhoto.objects.create(network_id=event.network_id, event=event, image=upload, caption=caption,
                                      position=start + offset)  # fmt: skip
    return len(uploads)


def delete_photo(photo: EventPhoto) -> None:
    """Delete a photo and, once that commits, its file."""
    from django.core.files.storage import default_storage

    name = photo.image.name
    photo.delete()
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
