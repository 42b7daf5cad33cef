"""hr's matches page and personal invitations (throttled), and the alumnus's "recommended for you"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.comeback import matching
from enishi.comeback.models import Opportunity, OpportunityInvitee, PersonalInvitation
from enishi.comeback.tests.test_matching import FULL_FIT, _opportunity, _ready, _record
from enishi.notifications.models import Notification
from enishi.privacy.models import AuditEntry, ConsentPurpose
from enishi.privacy.notices import withdraw_consent
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _matches_url(net: PersonaNetwork, opportunity: Opportunity, suffix: str = "") -> str:
    return reverse(f"manage:opportunity_matches{suffix}", args=[net.network.slug, opportunity.pk])


def test_hr_sees_the_matches_with_reasons_and_the_view_is_audited(net_a: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", **FULL_FIT)
    _record(net_a, member, "経理部")
    opportunity = _opportunity(net_a)
    response = client_for(net_a, "hr").get(_matches_url(net_a, opportunity))
    assert response.status_code == 200
    page = response.content.decode()
    assert member.user.full_name in page
    assert "Skills in common: Python、SQL" in page
    assert ">100<" in page
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="opportunity.matches_viewed", network=net_a.network).exists()
    for persona in ("editor", "analyst", "alumnus1", "coordinator"):
        assert client_for(net_a, persona).get(_matches_url(net_a, opportunity)).status_code in (403, 404)


def test_invitations_reach_matches_once_and_are_throttled_per_person(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks
) -> None:
    first = _ready(net_a, "alumnus1", **FULL_FIT)
    second = _ready(net_a, "alumnus2", **FULL_FIT)
    opportunity = _opportunity(net_a, audience=Opportunity.Audience.INVITED)
    other = _opportunity(net_a, title="別の副業")
    hr = client_for(net_a, "hr")
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(_matches_url(net_a, opportunity, "_invite"), {"member": [first.pk]}, follow=True)
    assert "1 person was invited." in response.content.decode()
    with scopes_disabled():
        assert PersonalInvitation.objects.filter(opportunity=opportunity, membership=first).exists()
        # The audience is "invited people": the invitation lets them see it.
        assert OpportunityInvitee.objects.filter(opportunity=opportunity, membership=first).exists()
        assert Notification.objects.filter(recipient=first, kind="opportunity_invitation").count() == 1
    # Again for the same opportunity: already invited. Another opportunity within 14 days: throttled.
    response = hr.post(_matches_url(net_a, opportunity, "_invite"), {"member": [first.pk]}, follow=True)
    assert "1 already invited to this opportunity" in response.content.decode()
    response = hr.post(_matches_url(net_a, other, "_invite"), {"member": [first.pk, second.pk]}, follow=True)
    page = response.content.decode()
    assert "1 person was invited." in page
    assert "1 invited to another opportunity in the last 14 days" in page
    with scopes_disabled():
        assert Notification.objects.filter(recipient=first, kind="opportunity_invitation").count() == 1
        # After the interval a new invitation may go.
        PersonalInvitation.objects.filter(membership=first).update(sent_at=timezone.now() - timedelta(days=15))
    response = hr.post(_matches_url(net_a, other, "_invite"), {"member": [first.pk]}, follow=True)
    assert "1 person was invited." in response.content.decode()


def test_no_invitation_to_someone_who_withdrew_consent_or_is_not_a_match(net_a: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", **FULL_FIT)
    opportunity = _opportunity(net_a)
    with scopes_disabled():
        withdraw_consent(member, ConsentPurpose.REHIRE_CONTACT)
    stranger = net_a.memberships["alumnus2"]  # no profile at all: not a match
    response = client_for(net_a, "hr").post(
        _matches_url(net_a, opportunity, "_invite"), {"member": [member.pk, stranger.pk]}, follow=True
    )
    assert "2 no longer among the matches" in response.content.decode()
    with scopes_disabled():
        assert not PersonalInvitation.objects.exists()
        assert not Notification.objects.filter(kind="opportunity_invitation").exists()


def test_no_invitations_while_closed(net_a: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", **FULL_FIT)
    opportunity = _opportunity(net_a, status=Opportunity.Status.CLOSED)
    response = client_for(net_a, "hr").post(_matches_url(net_a, opportunity, "_invite"), {"member": [member.pk]},
                                            follow=True)  # fmt: skip
    assert "only while the opportunity is open" in response.content.decode()
    with scopes_disabled():
        assert not PersonalInvitation.objects.exists()


def test_matches_page_runs_the_same_queries_for_few_and_many(net_a: PersonaNetwork) -> None:
    opportunity = _opportunity(net_a)
    hr = client_for(net_a, "hr")
    _ready(net_a, "alumnus1", **FULL_FIT)
    hr.get(_matches_url(net_a, opportunity))  # the first request of the day records activity
    with CaptureQueriesContext(connection) as few:
        hr.get(_matches_url(net_a, opportunity))
    for persona in ("alumnus2", "supporter"):
        _ready(net_a, persona, **FULL_FIT)
    with CaptureQueriesContext(connection) as many:
        hr.get(_matches_url(net_a, opportunity))
    assert len(many) == len(few)


def test_the_alumnus_sees_recommendations_with_reasons(net_a: PersonaNetwork) -> None:
    _ready(net_a, "alumnus1", **FULL_FIT)
    opportunity = _opportunity(net_a, title="月10時間の経理サポート（副業）")
    _opportunity(net_a, title="関係のない仕事", department="", kind=Opportunity.Kind.FULL_TIME)
    with translation.override("en"):
        page = client_for(net_a, "alumnus1").get(reverse("network:opportunities", args=[net_a.network.slug]))
    text = page.content.decode()
    assert "Recommended for you" in text
    section = text.split('id="recommended-title"')[1].split("</section>")[0]
    assert opportunity.title in section
    assert "Skills in common: Python、SQL" in section
    assert "Active on the network recently" not in section  # their own activity is no reason for them
    # A filtered list shows no recommendations; hr's notes never appear.
    filtered = client_for(net_a, "alumnus1").get(
        reverse("network:opportunities", args=[net_a.network.slug]), {"kind": "side_job"}
    )
    assert "recommended-title" not in filtered.content.decode()


def test_invitation_interval_is_what_the_page_says() -> None:
    assert matching.INVITATION_INTERVAL_DAYS == 14
