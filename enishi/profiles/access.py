"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES
from enishi.profiles.models import CareerEntry, Profile, ProfileSkill
from enishi.profiles.services import profile_of


def get_profile(network: Network, membership_id: int) -> Profile:
    """The profile of an alumnus of the network (unsaved if they wrote none), with everything a page
    shows, in a fixed number of queries. Staff memberships have no profile: 404."""
    membership: Membership = get_object_or_404(
        Membership.objects.select_related("user"), network=network, pk=membership_id, role__in=ALUMNI_ROLES
    )
    profile = (
        Profile.objects.filter(network=network, membership=membership)
        .select_related("intent")
        .prefetch_related(
            Prefetch(
                "skills", ProfileSkill.objects.filter(network=network).select_related("skill").order_by("skill__name")
            ),
            Prefetch("career", CareerEntry.objects.filter(network=network)),
        )
        .first()
    )
    if profile is None:
        return profile_of(membership)
    profile.membership = membership
    return profile


def get_career_entry(profile: Profile, entry_id: int) -> CareerEntry:
    """One of the profile's own career entries."""
    if profile.pk is None:
        raise Http404
    return get_object_or_404(CareerEntry, network_id=profile.network_id, profile=profile, pk=entry_id)
