"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.comeback import services
from enishi.comeback.models import Application, Candidate, ComebackScheme, Interest, Opportunity, Stage
from enishi.networks.models import Membership, Network


def get_opportunity(network: Network, opportunity_id: int) -> Opportunity:
    """Any opportunity of the network, drafts included (the console)."""
    return get_object_or_404(Opportunity.objects.select_related("company", "segment"), network=network,
                             pk=opportunity_id)  # fmt: skip


def get_visible_opportunity(membership: Membership, opportunity_id: int) -> Opportunity:
    opportunity = services.opportunities_for(membership).filter(pk=opportunity_id).first()
    if opportunity is None:
        raise Http404
    return opportunity


def get_scheme(network: Network, scheme_id: int) -> ComebackScheme:
    return get_object_or_404(ComebackScheme, network=network, pk=scheme_id)


def get_published_scheme(network: Network, scheme_id: int) -> ComebackScheme:
    return get_object_or_404(ComebackScheme, network=network, pk=scheme_id, published=True)


def get_candidate(opportunity: Opportunity, candidate_id: int) -> Candidate:
    return get_object_or_404(
        Candidate.objects.select_related("membership__user", "stage", "opportunity"),
        network_id=opportunity.network_id, opportunity=opportunity, pk=candidate_id,
    )  # fmt: skip


def get_own_interest(membership: Membership, opportunity_id: int) -> Interest:
    return get_object_or_404(Interest.objects.select_related("opportunity__network", "membership"),
                             network_id=membership.network_id, membership=membership,
                             opportunity_id=opportunity_id)  # fmt: skip


def get_own_application(membership: Membership, opportunity_id: int) -> Application:
    return get_object_or_404(Application.objects.select_related("opportunity__network", "membership"),
                             network_id=membership.network_id, membership=membership,
                             opportunity_id=opportunity_id)  # fmt: skip


def get_stage(network: Network, stage_id: int) -> Stage:
    return get_object_or_404(Stage, network=network, pk=stage_id)
