"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.events import services
from enishi.events.models import Event, EventPhoto, EventQuestion, Rsvp
from enishi.networks.models import Membership, Network


def get_event(network: Network, event_id: int) -> Event:
    """Any event of the network, drafts and proposals included (the staff console)."""
    return get_object_or_404(Event.objects.select_related("host_company", "segment", "host__user"), network=network,
                             pk=event_id)  # fmt: skip


def get_visible_event(membership: Membership, event_id: int) -> Event:
    """A published or cancelled event this member may see; anything else is 404."""
    event = services.events_for(membership).filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def get_hosted_event(membership: Membership, event_id: int) -> Event:
    """An event this member proposed (any state): its host sees and edits it and its attendee list."""
    return get_object_or_404(Event, network_id=membership.network_id, pk=event_id, host=membership)


def get_rsvp(event: Event, rsvp_id: int) -> Rsvp:
    return get_object_or_404(Rsvp.objects.select_related("membership__user"), network_id=event.network_id,
                             event=event, pk=rsvp_id)  # fmt: skip


def get_question(event: Event, question_id: int) -> EventQuestion:
    return get_object_or_404(EventQuestion, network_id=event.network_id, event=event, pk=question_id)


def get_photo(event: Event, photo_id: int) -> EventPhoto:
    return get_object_or_404(EventPhoto, network_id=event.network_id, event=event, pk=photo_id)
