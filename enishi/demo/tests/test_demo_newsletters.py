"""The demo's newsletters: the autumn issue sent with a believable report, and a draft."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.newsletters import services
from enishi.newsletters.models import Delivery, Newsletter

pytestmark = pytest.mark.django_db


def test_it_sends_the_autumn_issue_and_keeps_a_draft() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    with scopes_disabled():
        network = Network.objects.get(slug="demo")
        sent = Newsletter.objects.get(network=network, status=Newsletter.Status.SENT)
        assert Newsletter.objects.filter(network=network, status=Newsletter.Status.DRAFT).count() == 1
        alumni = Membership.objects.filter(
            network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE
        ).exclude(user__email="")
        assert Delivery.objects.filter(newsletter=sent).count() == alumni.count()
    assert sent.subject_ja == "アルムナイ通信 2026年秋号"
    with scope(network=network):
        report = services.report(sent)
    assert report.bounced == 2
    assert 0 < report.clicked < report.opened < report.sent
    assert [clickers > 0 for _url, clickers in report.links] == [True, True]


def test_reset_removes_the_newsletters() -> None:
    call_command("seed_demo", "--alumni", "50", verbosity=0)
    call_command("seed_demo", "--reset", "--alumni", "50", verbosity=0)
    with scopes_disabled():
        assert Newsletter.objects.filter(network__slug="demo").count() == 2
        assert Delivery.objects.filter(newsletter__network__slug="demo").values("newsletter").distinct().count() == 1
