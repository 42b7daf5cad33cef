from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from conftest import PersonaNetwork
from enishi.profiles.models import CareerEntry, Intent, Profile, ProfileSkill
from enishi.profiles.services import missing_items
from enishi.profiles.skills import normalise_skill
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db

EVERYTHING = ["skills", "work", "intent", "headline", "now", "career", "photo", "location"]


def test_it_lists_everything_for_an_empty_profile_most_useful_first(net_a: PersonaNetwork) -> None:
    profile = Profile(network=net_a.network, membership=net_a.memberships["alumnus1"])

    missing = missing_items(profile, None, skill_count=0, career_count=0)

    assert [item.key for item in missing] == EVERYTHING
    with translation.override("en"):
        assert str(missing[0].title) == "Add your skills"
        assert str(missing[0].why) == "Companies can offer you side jobs and projects that match them."
    with translation.override("ja"):
        assert str(missing[0].title) == "スキルを登録しましょう"


def test_it_lists_only_what_is_missing(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        profile = Profile.objects.create(network=net_a.network, membership=net_a.memberships["alumnus1"],
                                         organisation="今の会社", headline="見出し", location="京都府")  # fmt: skip
        intent = Intent.objects.create(network=net_a.network, profile=profile, not_now=True)

        missing = missing_items(profile, intent, skill_count=2, career_count=1)

    assert [item.key for item in missing] == ["now", "photo"]


def test_it_shows_the_first_three_on_the_home_and_all_on_my_profile(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")

    home = client.get(reverse("network:home", args=["alpha"])).content.decode()
    mine = client.get(reverse("network:my_profile", args=["alpha"])).content.decode()

    assert ["Add your skills" in home, "Say where you work now" in home, "Tell us your interests" in home] == [True] * 3
    assert "Write a headline" not in home
    assert "Write a headline" in mine
    assert "Add where you live" in mine


def test_it_stops_asking_once_complete(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        profile = Profile.objects.create(
            network=net_a.network, membership=net_a.memberships["alumnus1"], organisation="今の会社",
            headline="見出し", location="京都府", now_text="近況", photo="profiles/photos/x.jpg",
        )  # fmt: skip
        Intent.objects.create(network=net_a.network, profile=profile)
        CareerEntry.objects.create(network=net_a.network, profile=profile, organisation="前の会社")
        skill = normalise_skill("Python")
        assert skill is not None
        ProfileSkill.objects.create(network=net_a.network, profile=profile, skill=skill)

    home = client_for(net_a, "alumnus1").get(reverse("network:home", args=["alpha"])).content.decode()

    assert "Complete your profile" not in home
