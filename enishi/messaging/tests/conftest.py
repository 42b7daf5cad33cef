from __future__ import annotations

from django_scopes import scope

from conftest import PersonaNetwork
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent, withdraw_consent


def allow_messages(net: PersonaNetwork, *personas: str, listed: bool = True) -> None:
    """The personas accept messages from alumni (and, unless `listed` is False, are in the directory)."""
    with scope(network=net.network):
        for persona in personas:
            grant_consent(net.memberships[persona], ConsentPurpose.ALUMNI_MESSAGES, notice=None)
            if listed:
                grant_consent(net.memberships[persona], ConsentPurpose.DIRECTORY_LISTING, notice=None)


def refuse_messages(net: PersonaNetwork, *personas: str) -> None:
    with scope(network=net.network):
        for persona in personas:
            withdraw_consent(net.memberships[persona], ConsentPurpose.ALUMNI_MESSAGES)
