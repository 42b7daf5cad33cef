"""The demo's company scope and subscriptions to new openings: hr covers two companies, fitting alumni
subscribed by hr, five by themselves, notices of the open opportunities sent once; a reset removes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from django_scopes import scope, scopes_disabled

from enishi.comeback import subscriptions
from enishi.comeback.models import OpeningSubscription, Opportunity
from enishi.demo.services import reset_demo
from enishi.networks.models import Membership, Network
from enishi.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


def test_it_seeds_the_scope_and_the_subscriptions() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    network = Network.objects.get(slug="demo")
    with scope(network=network):
        hr = Membership.objects.get(network=network, user__email="hr@demo.example")
        assert hr.covered_companies.count() == 2
        assert network.hr_restricted_to_companies is False
        by_hr = OpeningSubscription.objects.filter(network=network, created_by=hr.user, cancelled_at__isnull=True)
        assert by_hr.count() > 5
        own = OpeningSubscription.objects.filter(network=network, created_by=OuterRef("membership__user"))
        assert OpeningSubscription.objects.filter(Exists(own), network=network).count() == 5
        notices = Notification.objects.filter(network=network, kind="opportunity_new")
        assert notices.exists()
        # Once per person and opportunity, and only to people who may hear of it now.
        pairs = list(notices.values_list("recipient_id", "reference"))
        assert len(pairs) == len(set(pairs))
        for opportunity in Opportunity.objects.filter(network=network, status=Opportunity.Status.OPEN):
            told = set(notices.filter(reference=f"opportunity:{opportunity.pk}").values_list("recipient_id", flat=True))
            assert told == set(subscriptions.subscribers_for(opportunity).values_list("pk", flat=True))
    reset_demo()
    with scopes_disabled():
        assert OpeningSubscription.objects.count() == 0
