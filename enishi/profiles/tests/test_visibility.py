"""Hidden groups never reach another alumnus: a unique marker in every field of every hidden group."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.privacy.models import AuditEntry, ConsentPurpose
from enishi.privacy.notices import withdraw_consent
from enishi.profiles.models import CareerEntry, FieldGroup, Intent, Profile, ProfileSkill, Skill
from enishi.profiles.tests.conftest import client_for, list_in_directory
from enishi.profiles.visibility import visible_groups

pytestmark = pytest.mark.django_db


def plant_markers(net: PersonaNetwork, visibility: str) -> dict[str, list[str]]:
    """alumnus1's profile with every group set to `visibility` and a unique marker in every field.
    Returns the markers by group."""
    markers: dict[str, list[str]] = {}

    def mark(group: str, field: str) -> str:
        value = f"MARK{visibility.upper()}{group.upper()}{field.upper().replace('_', '')}Z"
        markers.setdefault(group, []).append(value)
        return value

    with scope(network=net.network):
        profile = Profile.objects.create(
            network=net.network, membership=net.memberships["alumnus1"],
            display_name=mark("basics", "display_name"), display_name_kana=mark("basics", "kana"),
            headline=mark("basics", "headline"), organisation=mark("work", "organisation"),
            role_title=mark("work", "role_title"), location="overseas", country=mark("work", "country"),
            now_text=mark("now", "now_text"), languages=[mark("skills", "language")],
            links=[{"label": mark("links", "label"), "url": f"https://example.com/{mark('links', 'url')}"}],
            visibility=dict.fromkeys(FieldGroup.values, visibility),
        )  # fmt: skip
        CareerEntry.objects.create(
            network=net.network, profile=profile, organisation=mark("career", "organisation"),
            role_title=mark("career", "role_title"), description=mark("career", "description"),
        )  # fmt: skip
        skill_name = mark("skills", "skill")
        skill = Skill.objects.create(name=skill_name, key=skill_name.lower())
        ProfileSkill.objects.create(network=net.network, profile=profile, skill=skill)
        Intent.objects.create(
            network=net.network, profile=profile, preferred_location=mark("intent", "location"),
            hours=mark("intent", "hours"), collaboration_offer=mark("intent", "offer"),
            collaboration_seek=mark("intent", "seek"), return_modes=["side_job"],
        )  # fmt: skip
    return markers


def pages_of(net: PersonaNetwork) -> list[str]:
    slug, target = net.network.slug, net.memberships["alumnus1"].pk
    return [
        reverse("network:profile", args=[slug, target]),
        reverse("network:home", args=[slug]),
        reverse("network:my_profile", args=[slug]),
        reverse("network:profile_edit", args=[slug]),
        reverse("network:intent_edit", args=[slug]),
        reverse("network:directory", args=[slug]),
    ]


def everything(markers: dict[str, list[str]]) -> list[str]:
    return [marker for group in markers.values() for marker in group]


@pytest.mark.parametrize("visibility", ["staff", "me"])
@pytest.mark.parametrize("viewer", ["alumnus2", "supporter"])
def test_it_never_shows_a_hidden_field_to_another_alumnus(net_a: PersonaNetwork, visibility: str, viewer: str) -> None:
    markers = plant_markers(net_a, visibility)
    list_in_directory(net_a, "alumnus1")
    client = client_for(net_a, viewer)
    leaks = []

    for url in pages_of(net_a):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        body = response.content.decode()
        leaks += [f"{marker} in {url}" for marker in everything(markers) if marker in body]
        assert net_a.alumnus1.email not in body

    assert leaks == []


@pytest.mark.parametrize("staff", ["admin", "hr"])
def test_it_shows_staff_what_is_shared_with_staff_and_nothing_kept_private(net_a: PersonaNetwork, staff: str) -> None:
    shared = plant_markers(net_a, "staff")
    url = reverse("network:profile", args=["alpha", net_a.memberships["alumnus1"].pk])

    body = client_for(net_a, staff).get(url).content.decode()

    assert [marker for marker in everything(shared) if marker not in body] == []


def test_it_shows_nobody_else_what_is_kept_private(net_a: PersonaNetwork) -> None:
    private = plant_markers(net_a, "me")
    list_in_directory(net_a, "alumnus1")
    url = reverse("network:profile", args=["alpha", net_a.memberships["alumnus1"].pk])
    seen = []

    for persona in ("admin", "hr", "supporter", "alumnus2"):
        body = client_for(net_a, persona).get(url).content.decode()
        seen += [f"{marker} by {persona}" for marker in everything(private) if marker in body]
    own = client_for(net_a, "alumnus1").get(reverse("network:my_profile", args=["alpha"])).content.decode()

    assert seen == []
    assert [marker for marker in everything(private) if marker not in own] == []


def test_it_shows_other_alumni_what_is_shared_with_alumni(net_a: PersonaNetwork) -> None:
    shared = plant_markers(net_a, "alumni")
    list_in_directory(net_a, "alumnus1")
    url = reverse("network:profile", args=["alpha", net_a.memberships["alumnus1"].pk])

    body = client_for(net_a, "alumnus2").get(url).content.decode()

    assert [marker for marker in everything(shared) if marker not in body] == []


def test_it_hides_a_member_without_directory_consent_from_other_alumni(net_a: PersonaNetwork) -> None:
    plant_markers(net_a, "alumni")
    list_in_directory(net_a, "alumnus1")
    url = reverse("network:profile", args=["alpha", net_a.memberships["alumnus1"].pk])
    assert client_for(net_a, "alumnus2").get(url).status_code == 200

    with scope(network=net_a.network):
        withdraw_consent(net_a.memberships["alumnus1"], ConsentPurpose.DIRECTORY_LISTING)

    assert client_for(net_a, "alumnus2").get(url).status_code == 404
    assert client_for(net_a, "supporter").get(url).status_code == 404
    assert client_for(net_a, "hr").get(url).status_code == 200  # staff still reach their member


@pytest.mark.parametrize("persona", ["editor", "analyst", "coordinator"])
def test_it_shows_no_profile_to_staff_without_member_access(net_a: PersonaNetwork, persona: str) -> None:
    plant_markers(net_a, "alumni")
    list_in_directory(net_a, "alumnus1")
    url = reverse("network:profile", args=["alpha", net_a.memberships["alumnus1"].pk])

    assert client_for(net_a, persona).get(url).status_code == 404


def test_it_has_no_profile_page_for_staff_members(net_a: PersonaNetwork) -> None:
    url = reverse("network:profile", args=["alpha", net_a.memberships["hr"].pk])

    assert client_for(net_a, "admin").get(url).status_code == 404
    assert client_for(net_a, "alumnus1").get(url).status_code == 404


def test_it_audits_every_staff_view_and_no_alumni_view(net_a: PersonaNetwork) -> None:
    plant_markers(net_a, "alumni")
    list_in_directory(net_a, "alumnus1")
    target = net_a.memberships["alumnus1"]
    url = reverse("network:profile", args=["alpha", target.pk])
    with scopes_disabled():
        before = AuditEntry.objects.filter(action="profile.viewed").count()

    client_for(net_a, "alumnus2").get(url)
    client_for(net_a, "hr").get(url)
    client_for(net_a, "hr").get(url)

    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(action="profile.viewed").order_by("pk"))
    assert before == 0
    assert [(entry.actor, entry.target_type, entry.target_id) for entry in entries] == [
        (net_a.hr, "networks.membership", str(target.pk)),
        (net_a.hr, "networks.membership", str(target.pk)),
    ]


def test_it_decides_nothing_across_networks(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    plant_markers(net_a, "alumni")
    with scopes_disabled():
        profile = Profile.objects.select_related("membership").get(membership=net_a.memberships["alumnus1"])

    assert visible_groups(net_b.memberships["admin"], profile) is None
    assert visible_groups(net_a.memberships["alumnus1"], profile) == frozenset(FieldGroup.values)


def test_it_keeps_the_profile_page_queries_constant(net_a: PersonaNetwork) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plant_markers(net_a, "alumni")
    list_in_directory(net_a, "alumnus1")
    url = reverse("network:profile", args=["alpha", net_a.memberships["alumnus1"].pk])
    client = client_for(net_a, "hr")
    client.get(url)  # warm the session and the day's activity record

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    with scopes_disabled():
        profile = Profile.objects.get(membership=net_a.memberships["alumnus1"])
        for n in range(10):
            CareerEntry.objects.create(network=net_a.network, profile=profile, organisation=f"org{n}")
            skill = Skill.objects.create(name=f"skill{n}", key=f"skill{n}")
            ProfileSkill.objects.create(network=net_a.network, profile=profile, skill=skill)

    assert count() == few
