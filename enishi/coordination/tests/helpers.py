"""Shared set-up: network A engages a coordinator firm, its coordinator is linked to it, and alumnus1
agreed to coordinator contact and to relays."""

from __future__ import annotations

from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.coordination.models import CoordinatorOrganisation, CoordinatorProfile, Engagement, Interview
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent


def engage(net: PersonaNetwork, name: str = "カムバック支援合同会社") -> CoordinatorOrganisation:
    with scopes_disabled():
        organisation, _ = CoordinatorOrganisation.objects.get_or_create(name=name)
        Engagement.objects.create(network=net.network, organisation=organisation)
        CoordinatorProfile.objects.create(
            network=net.network, membership=net.memberships["coordinator"], organisation=organisation
        )
    return organisation


def agree(net: PersonaNetwork, persona: str = "alumnus1", *, relay: bool = True) -> None:
    with scope(network=net.network):
        grant_consent(net.memberships[persona], ConsentPurpose.COORDINATOR_CONTACT, notice=None)
        if relay:
            grant_consent(net.memberships[persona], ConsentPurpose.COORDINATOR_RELAY, notice=None)


def interview_of(net: PersonaNetwork, organisation: CoordinatorOrganisation, persona: str = "alumnus1",
                 **fields: str) -> Interview:  # fmt: skip
    with scopes_disabled():
        return Interview.objects.create(
            network=net.network, organisation=organisation, coordinator=net.memberships["coordinator"],
            alumnus=net.memberships[persona], **fields,
        )  # fmt: skip
