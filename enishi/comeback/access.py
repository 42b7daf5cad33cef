"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike).

Console helpers take the staff member: in a group network that restricts hr to the companies they
cover (networks.access.covered_company_ids), another company's opportunity is as missing as another
network's, and so are its candidates.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.comeback import services
from enishi.comeback.models import Application, Candidate, ComebackScheme, Interest, Opportunity, Stage
from enishi.intake.models import EmploymentRecord
from enishi.networks.access import covered_company_ids
from enishi.networks.models import Membership, Network


def opportunities_in_reach(staff: Membership) -> QuerySet[Opportunity]:
    """Every opportunity of the network (drafts included) this staff member may see in the console:
    all of them, or for hr restricted to some companies only those of these companies (one without a
    company is for unrestricted staff only)."""
    opportunities = Opportunity.objects.filter(network_id=staff.network_id)
    covered = covered_company_ids(staff)
    return opportunities if covered is None else opportunities.filter(company_id__in=covered)


def records_in_reach(staff: Membership) -> QuerySet[EmploymentRecord]:
    """The employment records this staff member may see beside a candidate (same rule, by company)."""
    records = EmploymentRecord.objects.filter(network_id=staff.network_id)
    covered = covered_company_ids(staff)
    return records if covered is None else records.filter(company_id__in=covered)


def get_opportunity(network: Network, opportunity_id: int, *, staff: Membership) -> Opportunity:
    """An opportunity of the network, drafts included (the console), within the staff member's reach."""
    if staff.network_id != network.pk:
        raise Http404
    return get_object_or_404(opportunities_in_reach(staff).select_related("company", "segment"), pk=opportunity_id)


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
