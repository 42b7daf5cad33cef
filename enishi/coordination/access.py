"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike). An interview is reached only through its organisation's coordinator."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.coordination import services
from enishi.coordination.models import CoordinatorOrganisation, Interview, Relay
from enishi.networks.models import Membership


def coordinator_organisation(membership: Membership | None) -> CoordinatorOrganisation:
    organisation = services.organisation_of(membership)
    if organisation is None:
        raise Http404
    return organisation


def get_interview(membership: Membership, interview_id: int) -> Interview:
    organisation = coordinator_organisation(membership)
    return get_object_or_404(services.interviews_of(membership.network, organisation), pk=interview_id)


def get_contactable_alumnus(membership: Membership, membership_id: int) -> Membership:
    coordinator_organisation(membership)
    return get_object_or_404(services.contactable_alumni(membership.network), pk=membership_id)


def get_own_relay(membership: Membership, relay_id: int) -> Relay:
    """A relay about this member: nobody else reaches it from the alumni side."""
    return get_object_or_404(Relay.objects.select_related("organisation"), network_id=membership.network_id,
                             alumnus=membership, pk=relay_id)  # fmt: skip
