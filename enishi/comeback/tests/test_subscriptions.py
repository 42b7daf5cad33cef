"""Subscriptions to new openings (issue 7, point 4): who fits, hr's console page, the alumnus's own
start and stop, and the news sent once when an opportunity opens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.comeback import services, subscriptions
from enishi.comeback.models import OpeningSubscription, Opportunity, OpportunityInvitee
from enishi.comeback.tests.helpers import make_opportunity, membership
from enishi.networks.models import Company, Membership
from enishi.networks.roles import MembershipState, Role
from enishi.notifications.models import Notification
from enishi.privacy.models import AuditEntry, Consent, ConsentPurpose
from enishi.privacy.notices import grant_consent, withdraw_consent
from enishi.profiles.models import Intent, Profile
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def give_intent(member: Membership, modes: list[str], *, consent: bool = True, **fields: Any) -> Intent:
    with scopes_disabled():
        profile, _ = Profile.objects.get_or_create(network_id=member.network_id, membership=member)
        intent, _ = Intent.objects.update_or_create(
            network_id=member.network_id, profile=profile, defaults={"return_modes": modes, **fields}
        )
        if consent:
            grant_consent(member, ConsentPurpose.REHIRE_CONTACT, notice=None)
    return intent


def told(opportunity: Opportunity) -> list[str]:
    with scopes_disabled():
        return sorted(
            Notification.objects.filter(kind="opportunity_new", reference=f"opportunity:{opportunity.pk}")
            .values_list("recipient__user__email", flat=True)
        )  # fmt: skip


def test_fit_counts_exclude_not_now_and_withdrawn_consent(net_a: PersonaNetwork) -> None:
    today = timezone.localdate()
    give_intent(membership(net_a, "alumnus1"), ["full_time", "side_job"])
    give_intent(membership(net_a, "alumnus2"), ["full_time"], not_now=True, ask_again_on=today + timedelta(days=30))
    give_intent(membership(net_a, "supporter"), ["full_time"])
    with scopes_disabled():
        withdraw_consent(membership(net_a, "supporter"), ConsentPurpose.REHIRE_CONTACT)
        give_intent(membership(net_a, "hr"), ["full_time"])  # staff are never subscribed
        fit = subscriptions.assess(net_a.network, ["full_time"], [])
        assert (fit.fitting, fit.already, fit.to_subscribe) == (1, 0, 1)
        # "Ask me again" reached: they count again.
        give_intent(membership(net_a, "alumnus2"), ["full_time"], not_now=True, ask_again_on=today)
        assert subscriptions.assess(net_a.network, ["full_time"], []).fitting == 2
        assert subscriptions.assess(net_a.network, ["contract"], []).fitting == 0
        assert subscriptions.assess(net_a.network, ["side_job", "contract"], []).fitting == 1


def test_a_collaboration_call_fits_projects_and_collaboration_wishes(net_a: PersonaNetwork) -> None:
    give_intent(membership(net_a, "alumnus1"), ["project"])
    give_intent(membership(net_a, "alumnus2"), [], collaboration_seek="新規事業の協業先を探しています")
    give_intent(membership(net_a, "supporter"), ["full_time"])
    with scopes_disabled():
        people = subscriptions.fitting_alumni(net_a.network.pk, ["collab_call"])
        assert sorted(people.values_list("user__email", flat=True)) == ["alumnus1@a.example", "alumnus2@a.example"]
        assert subscriptions.kinds_fitting(membership(net_a, "alumnus2")) == ["collab_call"]
        assert subscriptions.kinds_fitting(membership(net_a, "alumnus1")) == ["project", "collab_call"]


def test_hr_counts_then_subscribes_and_again_changes_nothing(net_a: PersonaNetwork) -> None:
    give_intent(membership(net_a, "alumnus1"), ["full_time"])
    give_intent(membership(net_a, "alumnus2"), ["full_time", "contract"])
    client = client_for(net_a, "hr")
    url = reverse("manage:opportunity_subscriptions", args=[net_a.network.slug])
    page = client.get(url, {"kinds": ["full_time"]}).content.decode()
    assert "<dt>Fit this choice</dt><dd>2</dd>" in page
    assert "Subscribe 2 people" in page
    with translation.override("en"):
        response = client.post(url, {"kinds": ["full_time"]}, follow=True)
        assert "Subscribed: 2. Already subscribed: 0." in response.content.decode()
        again = client.post(url, {"kinds": ["full_time"]}, follow=True)
        assert "Subscribed: 0. Already subscribed: 2." in again.content.decode()
    with scopes_disabled():
        rows = list(OpeningSubscription.objects.filter(network=net_a.network).values_list("kinds", flat=True))
        assert rows == [["full_time"], ["full_time"]]
        assert AuditEntry.objects.filter(action="opening_subscriptions.created").count() == 2
    # A wider choice widens the subscription of who fits it, and only theirs.
    with translation.override("en"):
        wider = client.post(url, {"kinds": ["contract"]}, follow=True)
        assert "Subscribed: 1. Already subscribed: 0." in wider.content.decode()
    with scopes_disabled():
        assert OpeningSubscription.objects.get(membership=membership(net_a, "alumnus2")).kinds == [
            "contract", "full_time",
        ]  # fmt: skip
        assert OpeningSubscription.objects.get(membership=membership(net_a, "alumnus1")).kinds == ["full_time"]
    listing = client.get(url).content.decode()
    assert listing.count('class="subscription-row"') == 2


def test_a_choice_without_kinds_is_refused_and_changes_nothing(net_a: PersonaNetwork) -> None:
    give_intent(membership(net_a, "alumnus1"), ["full_time"])
    url = reverse("manage:opportunity_subscriptions", args=[net_a.network.slug])
    with translation.override("en"):
        response = client_for(net_a, "hr").post(url, {"kinds": ["nonsense"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with scopes_disabled():
        assert OpeningSubscription.objects.count() == 0


def test_publishing_twice_tells_each_subscriber_once(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: Capture
) -> None:
    give_intent(membership(net_a, "alumnus1"), ["full_time"])
    give_intent(membership(net_a, "alumnus2"), ["side_job"])
    with scopes_disabled():
        subscriptions.subscribe_fitting(net_a.network, net_a.hr, ["full_time", "side_job"], [])
    opportunity = make_opportunity(net_a, status=Opportunity.Status.DRAFT, kind=Opportunity.Kind.FULL_TIME)
    with scopes_disabled():
        for status in (Opportunity.Status.OPEN, Opportunity.Status.PAUSED, Opportunity.Status.OPEN):
            with django_capture_on_commit_callbacks(execute=True):
                services.set_status(opportunity, status, net_a.hr)
        notice = Notification.objects.get(kind="opportunity_new")
        assert notice.params == {"title": opportunity.title}
        assert notice.url == reverse("network:opportunity_detail", args=[net_a.network.slug, opportunity.pk])
    assert told(opportunity) == ["alumnus1@a.example"]
    with translation.override("en"):
        bell = client_for(net_a, "alumnus1").get(reverse("network:notifications", args=[net_a.network.slug]))
    assert f"New opening: {opportunity.title}" in bell.content.decode()


def test_not_now_and_consent_are_read_again_when_it_opens(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: Capture
) -> None:
    give_intent(membership(net_a, "alumnus1"), ["full_time"])
    give_intent(membership(net_a, "alumnus2"), ["full_time"])
    give_intent(membership(net_a, "supporter"), ["full_time"])
    with scopes_disabled():
        subscriptions.subscribe_fitting(net_a.network, net_a.hr, ["full_time"], [])
        withdraw_consent(membership(net_a, "alumnus2"), ConsentPurpose.REHIRE_CONTACT)
    give_intent(membership(net_a, "supporter"), ["full_time"], consent=False, not_now=True)
    opportunity = make_opportunity(net_a, status=Opportunity.Status.DRAFT)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        services.set_status(opportunity, Opportunity.Status.OPEN, net_a.hr)
    assert told(opportunity) == ["alumnus1@a.example"]


def test_an_invited_only_opening_tells_only_invitees_and_companies_are_respected(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: Capture
) -> None:
    for persona in ("alumnus1", "alumnus2", "supporter"):
        give_intent(membership(net_a, persona), ["contract"])
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="ベータ商事")
        subscriptions.subscribe_fitting(net_a.network, net_a.hr, ["contract"], [])
        # The supporter only wants the other company's openings.
        subscription = OpeningSubscription.objects.get(membership=membership(net_a, "supporter"))
        subscription.companies.set([other])
    invited = make_opportunity(net_a, status=Opportunity.Status.DRAFT, kind=Opportunity.Kind.CONTRACT,
                               audience=Opportunity.Audience.INVITED)  # fmt: skip
    with scopes_disabled():
        OpportunityInvitee.objects.create(network=net_a.network, opportunity=invited,
                                          membership=membership(net_a, "alumnus2"))  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            services.set_status(invited, Opportunity.Status.OPEN, net_a.hr)
    assert told(invited) == ["alumnus2@a.example"]
    for_all = make_opportunity(net_a, status=Opportunity.Status.DRAFT, kind=Opportunity.Kind.CONTRACT)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        services.set_status(for_all, Opportunity.Status.OPEN, net_a.hr)
    assert told(for_all) == ["alumnus1@a.example", "alumnus2@a.example"]
    side_job = make_opportunity(net_a, status=Opportunity.Status.DRAFT, kind=Opportunity.Kind.SIDE_JOB)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        services.set_status(side_job, Opportunity.Status.OPEN, net_a.hr)
    assert told(side_job) == []


def test_the_alumnus_starts_changes_and_stops_the_news(net_a: PersonaNetwork) -> None:
    give_intent(membership(net_a, "alumnus1"), ["full_time", "side_job"])
    client = client_for(net_a, "alumnus1")
    slug = net_a.network.slug
    listing = reverse("network:opportunities", args=[slug])
    page = client.get(listing).content.decode()
    assert 'action="/n/alpha/opportunities/news/start/"' in page
    assert 'name="kinds" value="side_job"' in page
    assert 'name="kinds" value="contract"' not in page  # only the kinds their intent is open to
    with translation.override("en"):
        refused = client.post(reverse("network:opening_news_start", args=[slug]), {"kinds": ["contract"]},
                              follow=True)  # fmt: skip
        assert "Choose at least one kind of opportunity from the list." in refused.content.decode()
    with scopes_disabled():
        assert OpeningSubscription.objects.count() == 0
    client.post(reverse("network:opening_news_start", args=[slug]), {"kinds": ["side_job"]})
    with scopes_disabled():
        mine = OpeningSubscription.objects.get(membership=membership(net_a, "alumnus1"), cancelled_at__isnull=True)
        assert (mine.kinds, mine.created_by_id) == (["side_job"], net_a.alumnus1.pk)
    with translation.override("en"):
        page = client.get(listing).content.decode()
    assert "You get news of new openings of: Side job." in page
    client.post(reverse("network:opening_news_stop", args=[slug]))
    with scopes_disabled():
        assert OpeningSubscription.objects.filter(cancelled_at__isnull=True).count() == 0
        assert OpeningSubscription.objects.filter(cancelled_at__isnull=False).count() == 1
    assert "You get news" not in client.get(listing).content.decode()


def test_staff_have_no_news_of_their_own_and_no_block(net_a: PersonaNetwork) -> None:
    slug = net_a.network.slug
    client = client_for(net_a, "hr")
    assert client.post(reverse("network:opening_news_start", args=[slug]), {"kinds": ["full_time"]}).status_code == 404
    assert client.post(reverse("network:opening_news_stop", args=[slug])).status_code == 404
    assert "opening-news" not in client.get(reverse("network:opportunities", args=[slug])).content.decode()


def test_hr_cancels_a_subscription(net_a: PersonaNetwork) -> None:
    give_intent(membership(net_a, "alumnus1"), ["full_time"])
    with scopes_disabled():
        subscriptions.subscribe_fitting(net_a.network, net_a.hr, ["full_time"], [])
        subscription = OpeningSubscription.objects.get()
    url = reverse("manage:opportunity_subscription_cancel", args=[net_a.network.slug, subscription.pk])
    assert client_for(net_a, "editor").post(url).status_code == 404
    assert client_for(net_a, "hr").post(url).status_code == 302
    with scopes_disabled():
        subscription.refresh_from_db()
        assert subscription.cancelled_at is not None
        assert AuditEntry.objects.filter(action="opening_subscription.cancelled").count() == 1
    assert client_for(net_a, "hr").post(url).status_code == 404  # no longer in force


def test_restricted_hr_subscribes_only_for_their_companies(net_a: PersonaNetwork) -> None:
    give_intent(membership(net_a, "alumnus1"), ["full_time"])
    give_intent(membership(net_a, "alumnus2"), ["full_time"])
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="ベータ商事", name_en="Beta Trading")
        net_a.network.hr_restricted_to_companies = True
        net_a.network.save(update_fields=["hr_restricted_to_companies"])
        membership(net_a, "hr").covered_companies.set([net_a.company])
        theirs = OpeningSubscription.objects.create(network=net_a.network, membership=membership(net_a, "alumnus2"),
                                                    kinds=["full_time"])  # fmt: skip
        theirs.companies.set([other])
    client = client_for(net_a, "hr")
    url = reverse("manage:opportunity_subscriptions", args=[net_a.network.slug])
    with translation.override("en"):
        refused = client.post(url, {"kinds": ["full_time"], "companies": [other.pk]})
        assert "Choose one of the companies you cover." in refused.content.decode()
        everyone = client.post(url, {"kinds": ["full_time"]})
        assert "Choose one of the companies you cover." in everyone.content.decode()
    with scopes_disabled():
        assert OpeningSubscription.objects.count() == 1
    page = client.get(url).content.decode()
    assert "Beta Trading" not in page
    assert page.count('class="subscription-row"') == 0
    cancel = reverse("manage:opportunity_subscription_cancel", args=[net_a.network.slug, theirs.pk])
    assert client.post(cancel).status_code == 404
    assert client.post(url, {"kinds": ["full_time"], "companies": [net_a.company.pk]}).status_code == 302
    with scopes_disabled():
        mine = OpeningSubscription.objects.get(membership=membership(net_a, "alumnus1"))
        assert list(mine.companies.values_list("pk", flat=True)) == [net_a.company.pk]
        # alumnus2's subscription to the other company is widened to ours too.
        assert sorted(theirs.companies.values_list("pk", flat=True)) == sorted([net_a.company.pk, other.pk])


def _add_subscribers(net: PersonaNetwork, count: int) -> None:
    with scopes_disabled():
        start = User.objects.count()
        users = User.objects.bulk_create(
            User(email=f"sub{start + i}@bulk.example", password="!", family_name=f"購読{i}", given_name="者")
            for i in range(count)
        )
        members = Membership.objects.bulk_create(
            Membership(network=net.network, user=user, role=Role.ALUMNUS, state=MembershipState.ACTIVE)
            for user in users
        )
        created = OpeningSubscription.objects.bulk_create(
            OpeningSubscription(network=net.network, membership=member, kinds=["full_time"], created_by=net.hr)
            for member in members
        )
        through = OpeningSubscription.companies.through
        through.objects.bulk_create(
            through(openingsubscription_id=row.pk, company_id=net.company.pk) for row in created[::2]
        )
        Consent.objects.bulk_create(
            Consent(network=net.network, membership=member, purpose=ConsentPurpose.REHIRE_CONTACT) for member in members
        )


def test_the_subscriptions_page_runs_a_constant_number_of_queries(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "hr")
    url = reverse("manage:opportunity_subscriptions", args=[net_a.network.slug])
    counts = []
    total = 0
    for added in (10, 190):
        _add_subscribers(net_a, added)
        total += added
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {"kinds": ["full_time"]})
        assert response.status_code == 200
        counts.append(len(context.captured_queries))
        assert response.content.decode().count('class="subscription-row"') == min(total, 50)
    assert counts[0] == counts[1], counts
