"""The demo's coordinator: an engaged firm, the demo coordinator linked to it, interviews, one relay
approved (hr sees it) and one awaiting the alumnus."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from enishi.accounts.models import User
from enishi.coordination.models import CoordinatorProfile, Interview, ProvisionRecord, Relay
from enishi.demo.coordination import APPROVED, AWAITING
from enishi.networks.models import Network

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


def test_the_demo_shows_the_coordinator_at_work() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    network = Network.objects.get(slug="demo")
    with scope(network=network):
        assert CoordinatorProfile.objects.filter(network=network, membership__user__email="coordinator@demo.example")
        assert Interview.objects.filter(network=network).count() == 4
        assert Relay.objects.get(network=network, status=Relay.Status.APPROVED).summary == APPROVED
        assert Relay.objects.get(network=network, status=Relay.Status.AWAITING).summary == AWAITING
        assert ProvisionRecord.objects.filter(network=network, content=APPROVED).count() == 1

    hr = Client()
    hr.force_login(User.objects.get(email="hr@demo.example"))
    assert APPROVED in hr.get(reverse("manage:relays", args=["demo"])).content.decode()
    coordinator = Client()
    coordinator.force_login(User.objects.get(email="coordinator@demo.example"))
    assert "カムバック支援" in coordinator.get(reverse("manage:interviews", args=["demo"])).content.decode()
