"""The demo's profiles: varied, believable, some groups hidden, "not now" among the intents."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from enishi.demo.services import reset_demo
from enishi.profiles.models import CareerEntry, FieldGroup, Intent, Profile, ProfileSkill, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)


def test_it_gives_most_alumni_a_profile_in_their_own_words(seeded: None) -> None:
    with scopes_disabled():
        profiles = list(Profile.objects.filter(network__slug="demo"))
        assert 150 <= len(profiles) <= 300
        assert all(profile.organisation and profile.headline for profile in profiles)
        assert len({profile.organisation for profile in profiles}) >= 10
        assert CareerEntry.objects.filter(profile__network__slug="demo").count() >= len(profiles)
        assert ProfileSkill.objects.filter(profile__network__slug="demo").count() >= len(profiles)


def test_it_includes_not_now_answers_and_hidden_groups(seeded: None) -> None:
    with scopes_disabled():
        intents = Intent.objects.filter(network__slug="demo")
        assert intents.filter(not_now=True).exclude(not_now_reason="").exists()
        assert intents.filter(not_now=False).exclude(return_modes=[]).exists()
        visibilities = [profile.visibility for profile in Profile.objects.filter(network__slug="demo")]
    assert any(v[FieldGroup.NOW] == Visibility.STAFF for v in visibilities)
    assert any(v[FieldGroup.WORK] == Visibility.ME for v in visibilities)


def test_it_is_the_same_on_every_run_and_leaves_nothing_after_a_reset() -> None:
    def headlines() -> list[str]:
        with scopes_disabled():
            return list(Profile.objects.order_by("membership__user__email").values_list("headline", flat=True))

    call_command("seed_demo", "--alumni", "100", verbosity=0)
    first = headlines()
    call_command("seed_demo", "--reset", "--alumni", "100", verbosity=0)

    assert headlines() == first
    reset_demo()
    with scopes_disabled():
        assert not Profile.objects.exists()
        assert not ProfileSkill.objects.exists()
        assert not Intent.objects.exists()


def test_it_fills_the_directory_and_saves_segments(seeded: None) -> None:
    from enishi.directory.search import all_matches
    from enishi.directory.services import segment_member_ids
    from enishi.networks.models import Network
    from enishi.profiles.models import SavedSegment

    with scopes_disabled():
        demo = Network.objects.get(slug="demo")
        listed = all_matches(demo, "alumni", "", limit=10_000)
        staff = all_matches(demo, "staff", "", limit=10_000)
        segments = list(SavedSegment.objects.filter(network=demo))
        found = [segment_member_ids(segment) for segment in segments]
    assert len(listed) >= 150
    assert len(staff) > len(listed)  # staff also find the alumni who are not listed
    assert len(segments) == 3
    assert all(found), "every demo segment finds someone"
