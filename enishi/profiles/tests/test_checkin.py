from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import AuditEntry
from enishi.profiles.models import Intent, Profile, ProfileSettings
from enishi.profiles.services import checkin_months, send_checkins
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db

BANNER = "Is this still right?"


def profile_confirmed(net: PersonaNetwork, days_ago: int | None, persona: str = "alumnus1") -> Profile:
    moment = timezone.now() - timedelta(days=days_ago or 0)
    with scope(network=net.network):
        profile = Profile.objects.create(
            network=net.network, membership=net.memberships[persona], organisation="今の会社",
            confirmed_at=moment if days_ago is not None else None,
        )  # fmt: skip
        Profile.objects.filter(pk=profile.pk).update(created_at=moment)
        profile.refresh_from_db()
    return profile


def home(net: PersonaNetwork, persona: str = "alumnus1") -> str:
    return client_for(net, persona).get(reverse("network:home", args=["alpha"])).content.decode()


def checkins(net: PersonaNetwork) -> list[str]:
    return list(OutboundEmail.objects.filter(network=net.network, kind="profile-checkin").values_list("to", flat=True))


def test_it_asks_on_the_home_once_the_period_has_passed(net_a: PersonaNetwork) -> None:
    profile_confirmed(net_a, days_ago=190)
    profile_confirmed(net_a, days_ago=20, persona="alumnus2")

    assert BANNER in home(net_a)
    assert BANNER not in home(net_a, "alumnus2")


def test_it_follows_the_networks_period(net_a: PersonaNetwork) -> None:
    profile_confirmed(net_a, days_ago=40)
    with scope(network=net_a.network):
        ProfileSettings.objects.create(network=net_a.network, checkin_months=1)

    assert BANNER in home(net_a)


def test_it_confirms_in_one_tap(net_a: PersonaNetwork) -> None:
    profile = profile_confirmed(net_a, days_ago=400)
    client = client_for(net_a, "alumnus1")

    response = client.post(reverse("network:profile_confirm", args=["alpha"]))

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.confirmed_at is not None
    assert timezone.now() - profile.confirmed_at < timedelta(minutes=1)
    assert BANNER not in home(net_a)
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="profile.confirmed", actor=net_a.alumnus1).count() == 1


def test_it_refuses_a_get_on_confirm(net_a: PersonaNetwork) -> None:
    profile = profile_confirmed(net_a, days_ago=400)
    before = profile.confirmed_at

    assert client_for(net_a, "alumnus1").get(reverse("network:profile_confirm", args=["alpha"])).status_code == 405
    profile.refresh_from_db()
    assert profile.confirmed_at == before


def test_it_respects_the_ask_again_date(net_a: PersonaNetwork) -> None:
    profile = profile_confirmed(net_a, days_ago=400)
    with scope(network=net_a.network):
        Intent.objects.create(network=net_a.network, profile=profile, not_now=True, not_now_reason="childcare",
                              ask_again_on=date.today() + timedelta(days=30))  # fmt: skip

    assert BANNER not in home(net_a)
    assert send_checkins() == 0
    assert checkins(net_a) == []


def test_it_asks_again_once_the_date_has_come(net_a: PersonaNetwork) -> None:
    profile = profile_confirmed(net_a, days_ago=400)
    with scope(network=net_a.network):
        Intent.objects.create(network=net_a.network, profile=profile, not_now=True,
                              ask_again_on=date.today() - timedelta(days=1))  # fmt: skip

    assert BANNER in home(net_a)
    assert send_checkins() == 1


def test_it_emails_each_due_alumnus_once_per_period(net_a: PersonaNetwork) -> None:
    profile_confirmed(net_a, days_ago=200)
    profile_confirmed(net_a, days_ago=10, persona="alumnus2")
    User.objects.filter(pk=net_a.alumnus1.pk).update(language="en")

    assert send_checkins() == 1
    assert send_checkins() == 0
    assert send_checkins(timezone.now() + timedelta(days=30)) == 0

    assert checkins(net_a) == [net_a.alumnus1.email]
    email = OutboundEmail.objects.get(kind="profile-checkin")
    assert (email.language, email.subject) == ("en", "ALPHA Network: is your profile still right?")
    assert "/n/alpha/me/" in email.text_body
    assert "/n/alpha/me/intent/" in email.text_body
    # Still unconfirmed a whole period later: one more gentle email.
    assert send_checkins(timezone.now() + timedelta(days=200)) == 2  # alumnus2 is due by then too


def test_it_does_not_email_a_suspended_member_or_staff(net_a: PersonaNetwork) -> None:
    profile_confirmed(net_a, days_ago=400)
    with scopes_disabled():
        membership = net_a.memberships["alumnus1"]
        membership.state = "suspended"
        membership.save(update_fields=["state"])

    assert send_checkins() == 0


def test_it_shows_no_banner_to_someone_without_a_profile(net_a: PersonaNetwork) -> None:
    body = home(net_a)

    assert BANNER not in body
    assert "Add your skills" in body  # the completeness card asks instead


def test_the_admin_sets_the_check_in_period_audited(net_a: PersonaNetwork) -> None:
    url = reverse("manage:profile_settings", args=["alpha"])
    client = client_for(net_a, "admin")
    assert client.get(url).status_code == 200

    refused = client.post(url, {"checkin_months": "0"})
    assert refused.status_code == 200
    with scope(network=net_a.network):
        assert checkin_months(net_a.network) == 6

    assert client.post(url, {"checkin_months": "12"}).status_code == 302
    with scope(network=net_a.network):
        assert checkin_months(net_a.network) == 12
        assert AuditEntry.objects.filter(action="profile_settings.changed").get().data["checkin_months"] == 12
    assert client_for(net_a, "hr").get(url).status_code in (403, 404)
