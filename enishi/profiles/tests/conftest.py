from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scope

from conftest import PersonaNetwork
from enishi.networks.models import Membership
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


def list_in_directory(net: PersonaNetwork, *personas: str) -> None:
    with scope(network=net.network):
        for persona in personas:
            membership: Membership = net.memberships[persona]
            grant_consent(membership, ConsentPurpose.DIRECTORY_LISTING, notice=None)


def client_for(net: PersonaNetwork, persona: str, language: str = "en") -> Client:
    """A persona's client in a set language, so that tests compare messages exactly."""
    client = net.client_for(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client
