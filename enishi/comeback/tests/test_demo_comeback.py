"""The demo's comeback content: opportunities of every kind, open and closed, across the companies, the
scheme page, candidates in every stage and two comeback hires; and a reset that removes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from enishi.comeback.models import Application, Candidate, ComebackScheme, Interest, Opportunity, Stage
from enishi.demo.services import reset_demo
from enishi.networks.models import Network

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


def test_it_fills_comeback_that_looks_alive() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    network = Network.objects.get(slug="demo")
    with scope(network=network):
        opportunities = Opportunity.objects.filter(network=network)
        assert set(opportunities.values_list("kind", flat=True)) == set(Opportunity.Kind.values)
        assert {"open", "closed", "paused"} <= set(opportunities.values_list("status", flat=True))
        assert opportunities.values("company").distinct().count() == 4
        assert ComebackScheme.objects.filter(network=network, published=True).count() == 1
        used = set(Candidate.objects.filter(network=network).values_list("stage__name", flat=True))
        assert used == set(Stage.objects.filter(network=network).values_list("name", flat=True))
        hires = Candidate.objects.filter(network=network, stage__kind=Stage.Kind.HIRED)
        assert hires.count() == 2
        assert all(hire.hired_on is not None for hire in hires)
        assert Interest.objects.filter(network=network).count() > 5
        assert Application.objects.filter(network=network).count() > 5
        sato = Candidate.objects.get(network=network, membership__user__email="alumni1@demo.example")
        assert sato.stage.name == "カジュアル面談"
    reset_demo()
    with scopes_disabled():
        assert not Opportunity.objects.exists()
        assert not Stage.objects.exists()
