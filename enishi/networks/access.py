"""Access helpers: the only way views fetch this app's tenant objects.

Each returns the object of the current network or raises Http404, for a missing object, another
network's object and a forbidden one alike.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.networks.models import Company, Membership, Network, StaffInvitation
from enishi.networks.roles import Role


def get_company(network: Network, company_id: int) -> Company:
    return get_object_or_404(Company, network=network, pk=company_id)


def get_membership(network: Network, membership_id: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), network=network, pk=membership_id)


def get_staff_invitation(network: Network, invitation_id: int) -> StaffInvitation:
    return get_object_or_404(StaffInvitation, network=network, pk=invitation_id)


def get_staff_invitation_for(network: Network, token: str, email: str | None) -> StaffInvitation:
    """The invitation behind a link (any state).

    A signed-in person sees it only if it was sent to their address; a visitor who is not signed
    in (email None) sees it by holding the link, so that they can create their account.
    """
    invitation = StaffInvitation.objects.filter(network=network, token=token).first()
    if invitation is None or (email is not None and invitation.email.lower() != email.lower()):
        raise Http404
    return invitation


def covered_company_ids(membership: Membership) -> set[int] | None:
    """The companies whose opportunities, candidates and records this staff member may see.

    None means every company: the network does not restrict hr, or the member is not hr (an
    administrator always sees all). An empty set means none: a restricted hr member with no company
    set sees nothing that belongs to a company, and nothing without one either. Read once per request
    (the membership object keeps the answer).
    """
    cached: set[int] | str | None = getattr(membership, "_covered_company_ids", "unset")
    if cached != "unset":
        return cached  # type: ignore[return-value]
    restricted = (
        membership.role == Role.HR
        and Network.objects.filter(pk=membership.network_id, hr_restricted_to_companies=True).exists()
    )
    answer = set(membership.covered_companies.values_list("pk", flat=True)) if restricted else None
    membership._covered_company_ids = answer  # type: ignore[attr-defined]
    return answer
