"""Events as iCalendar (RFC 5545): one event's .ics download, and each member's secret feed URL.

Built with the `icalendar` library, which escapes and folds the text as the standard asks. Times are
written in UTC, so that no VTIMEZONE is needed and every calendar shows the right local time. Each
event keeps one UID (`event-<id>@<site host>`) and its SEQUENCE (bumped by services.save_event and
cancel_event), so a calendar that imported it updates it, or strikes it when it is cancelled.

The online meeting link goes into the description only when services.can_see_online_url says so: a
waitlisted person's feed shows the event, never its link.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enishi.events import services
from enishi.events.models import CalendarFeed, Event, Rsvp, new_feed_token
from enishi.lib.richtext import plain_excerpt
from enishi.networks.models import Membership, Network
from enishi.networks.roles import MembershipState

# A feed carries the member's events from this far back (older ones drop out of their calendar).
FEED_PAST_DAYS = 90
DESCRIPTION_LENGTH = 2000
PRODUCT_ID = "-//Enishi//Events//EN"
FEED_TOKEN_MAX_LENGTH = 64  # CalendarFeed.token


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{urlsplit(settings.SITE_URL).hostname or 'enishi'}"


def event_url(event: Event, network: Network) -> str:
    return settings.SITE_URL + reverse("network:event_detail", args=[network.slug, event.pk])


def _location(event: Event) -> str:
    if not event.has_venue:
        return _("Online")
    return " ".join(part for part in (event.venue_name, event.venue_address) if part)


def _component(event: Event, network: Network, *, online_url: bool, waitlisted: bool = False) -> icalendar.Event:
    url = event_url(event, network)
    summary = event.title
    if waitlisted:
        summary = _("(Waitlist) %(title)s") % {"title": event.title}
    lines = [plain_excerpt(event.description, DESCRIPTION_LENGTH)] if event.description else []
    if event.status == Event.Status.CANCELLED:
        lines.insert(0, _("This event is cancelled."))
    if waitlisted:
        lines.append(_("You are on the waitlist: you will be told if a seat opens up."))
    if online_url:
        lines.append(_("Online: %(url)s") % {"url": event.online_url})
    lines.append(_("Event page: %(url)s") % {"url": url})
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", timezone.now().astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("sequence", event.sequence)
    component.add("dtstart", event.starts_at.astimezone(UTC))
    component.add("dtend", event.ends_at.astimezone(UTC))
    component.add("summary", summary)
    component.add("location", _location(event))
    component.add("url", url)
    component.add("description", "\n\n".join(lines))
    cancelled = event.status == Event.Status.CANCELLED
    component.add("status", "CANCELLED" if cancelled else "TENTATIVE" if waitlisted else "CONFIRMED")
    return component


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def event_ics(event: Event, membership: Membership, answer: Rsvp | None) -> bytes:
    """One event for a member to import (the online link only if they may see it)."""
    network = membership.network
    calendar = _calendar(event.title)
    calendar.add("method", "PUBLISH")
    waitlisted = answer is not None and answer.status == Rsvp.Status.WAITLISTED
    show_link = services.can_see_online_url(event, membership, answer)
    calendar.add_component(_component(event, network, online_url=show_link, waitlisted=waitlisted))
    return calendar.to_ical()


# --- The member's feed ---------------------------------------------------------------------------


def feed_of(membership: Membership) -> CalendarFeed:
    """The member's feed, made on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(network_id=membership.network_id, membership=membership)
    return feed


def renew_feed(feed: CalendarFeed) -> CalendarFeed:
    """A new secret address: the old one stops working at once (a leaked link is revoked this way)."""
    feed.token = new_feed_token()
    feed.last_fetched_at = None
    feed.save(update_fields=["token", "last_fetched_at"])
    return feed


def feed_url(feed: CalendarFeed, network: Network) -> str:
    return settings.SITE_URL + reverse("network:event_calendar_feed", args=[network.slug, feed.token])


def find_feed(network: Network, token: str) -> CalendarFeed | None:
    """The feed of an active member of this network holding `token`; another network's token finds nothing."""
    if not token or len(token) > FEED_TOKEN_MAX_LENGTH:
        return None
    return (
        CalendarFeed.objects.filter(network=network, token=token, membership__state=MembershipState.ACTIVE)
        .select_related("membership__user", "membership__network")
        .first()
    )


def _feed_rsvps(membership: Membership) -> Iterable[Rsvp]:
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    return (
        Rsvp.objects.filter(
            network_id=membership.network_id,
            membership=membership,
            status__in=(Rsvp.Status.CONFIRMED, Rsvp.Status.WAITLISTED),
            event__status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED),
            event__ends_at__gte=since,
        )
        .select_related("event")
        .order_by("event__starts_at", "event_id")
    )


def feed_ics(feed: CalendarFeed) -> bytes:
    """The member's confirmed and waitlisted events (the last FEED_PAST_DAYS days and the future), in
    their language: a calendar app fetches it without logging in."""
    membership = feed.membership
    network = membership.network
    with translation.override(membership.user.language):
        calendar = _calendar(_("%(network)s events") % {"network": network.name})
        for answer in _feed_rsvps(membership):
            event = answer.event
            show_link = services.can_see_online_url(event, membership, answer)
            waitlisted = answer.status == Rsvp.Status.WAITLISTED
            calendar.add_component(_component(event, network, online_url=show_link, waitlisted=waitlisted))
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
    return calendar.to_ical()


def webcal(url: str) -> str:
    """The same address for "subscribe" links: calendar apps open webcal:// themselves."""
    return "webcal://" + url.split("://", 1)[1]
