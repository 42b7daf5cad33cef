"""What each audience may search: visibility per field group, directory consent, member state."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.directory.indexing import reindex_members
from enishi.directory.search import search
from enishi.directory.tests.conftest import Person
from enishi.directory.tokens import Filters
from enishi.networks.services import reactivate_member, suspend_member
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent, withdraw_consent
from enishi.profiles.models import FieldGroup, Profile, Visibility, default_visibility

pytestmark = pytest.mark.usefixtures("scope_a")  # services run inside the network's scope

MARKERS = {
    FieldGroup.BASICS: "標識甲",
    FieldGroup.WORK: "標識乙",
    FieldGroup.CAREER: "標識丙",
    FieldGroup.SKILLS: "標識丁",
    FieldGroup.NOW: "標識戊",
}


def plant(net: PersonaNetwork, person: Person, visibility: str) -> int:
    """A listed member whose every searchable group holds a unique marker and has `visibility`."""
    membership = person(
        net.network, "秘密", "太郎", "ヒミツ", "タロウ",
        headline=MARKERS[FieldGroup.BASICS], organisation=MARKERS[FieldGroup.WORK],
        career=((MARKERS[FieldGroup.CAREER], "", ""),), skills=(MARKERS[FieldGroup.SKILLS],),
        now_text=MARKERS[FieldGroup.NOW], industry="it",
        visibility={**default_visibility(), **dict.fromkeys(MARKERS, visibility)},
    )  # fmt: skip
    return membership.pk


def test_it_hides_staff_only_fields_from_alumni(net_a: PersonaNetwork, person: Person) -> None:
    member = plant(net_a, person, Visibility.STAFF)
    for marker in MARKERS.values():
        assert search(net_a.network, net_a.memberships["alumnus1"], marker).membership_ids == []
        assert search(net_a.network, net_a.memberships["hr"], marker).membership_ids == [member]
    # The account's name identifies the person on every card, so it stays searchable by whoever
    # may see the person at all; the industry facet belongs to the work group and is hidden.
    assert search(net_a.network, "alumni", "秘密").membership_ids == [member]
    assert search(net_a.network, "staff", "ひみつ").membership_ids == [member]
    assert search(net_a.network, "alumni", "", filters=Filters(industries=("it",))).membership_ids == []


def test_it_hides_only_me_fields_from_everyone(net_a: PersonaNetwork, person: Person) -> None:
    member = plant(net_a, person, Visibility.ME)
    for marker in MARKERS.values():
        for viewer in ("alumnus1", "supporter", "admin", "hr", "editor", "coordinator"):
            assert search(net_a.network, net_a.memberships[viewer], marker).membership_ids == []
    for viewer in ("alumnus1", "supporter", "admin", "hr"):
        assert search(net_a.network, net_a.memberships[viewer], "ヒミツ").membership_ids == [member]
    for viewer in ("editor", "coordinator"):
        assert search(net_a.network, net_a.memberships[viewer], "秘密").membership_ids == []


def test_it_finds_fields_shared_with_alumni(net_a: PersonaNetwork, person: Person) -> None:
    member = plant(net_a, person, Visibility.ALUMNI)
    for marker in MARKERS.values():
        assert search(net_a.network, net_a.memberships["alumnus1"], marker).membership_ids == [member]


def test_it_follows_visibility_changes(net_a: PersonaNetwork, person: Person) -> None:
    member = plant(net_a, person, Visibility.ALUMNI)
    with scopes_disabled():
        profile = Profile.objects.get(membership_id=member)
        profile.visibility = {**profile.visibility, FieldGroup.NOW: Visibility.ME}
        profile.save(update_fields=["visibility"])
    reindex_members(net_a.network, [member])
    assert search(net_a.network, "alumni", MARKERS[FieldGroup.NOW]).membership_ids == []
    assert search(net_a.network, "alumni", MARKERS[FieldGroup.WORK]).membership_ids == [member]


def test_it_lists_only_members_who_consent(net_a: PersonaNetwork, person: Person) -> None:
    member = person(net_a.network, "同意", "なし", headline="営業", consent=False)
    assert search(net_a.network, "alumni", "営業").membership_ids == []
    assert search(net_a.network, "staff", "営業").membership_ids == [member.pk]
    grant_consent(member, ConsentPurpose.DIRECTORY_LISTING)
    assert search(net_a.network, "alumni", "営業").membership_ids == [member.pk]


def test_it_removes_a_withdrawn_member_from_alumni_results_at_once(net_a: PersonaNetwork, person: Person) -> None:
    member = person(net_a.network, "撤回", "する", headline="営業")
    assert search(net_a.network, "alumni", "営業").membership_ids == [member.pk]
    assert withdraw_consent(member, ConsentPurpose.DIRECTORY_LISTING) is True
    assert search(net_a.network, "alumni", "営業").membership_ids == []
    assert search(net_a.network, "alumni", "撤回").membership_ids == []
    assert search(net_a.network, "alumni", "").membership_ids == []
    assert search(net_a.network, "staff", "営業").membership_ids == [member.pk]


def test_it_leaves_out_suspended_members(net_a: PersonaNetwork, person: Person) -> None:
    member = person(net_a.network, "停止", "中", headline="営業")
    suspend_member(member, net_a.admin, reason="test")
    assert search(net_a.network, "alumni", "営業").membership_ids == []
    assert search(net_a.network, "staff", "営業").membership_ids == []
    reactivate_member(member, net_a.admin)
    assert search(net_a.network, "alumni", "営業").membership_ids == [member.pk]


def test_it_follows_name_changes(net_a: PersonaNetwork, person: Person) -> None:
    member = person(net_a.network, "旧姓", "花", "キュウセイ", "ハナ")
    user = member.user
    user.family_name, user.family_name_kana = "新姓", "シンセイ"
    user.save(update_fields=["family_name", "family_name_kana"])
    assert search(net_a.network, "alumni", "旧姓").membership_ids == []
    assert search(net_a.network, "alumni", "しんせい はな").membership_ids == [member.pk]


def test_it_gives_staff_without_member_access_nothing(net_a: PersonaNetwork, person: Person) -> None:
    person(net_a.network, "誰か", "さん", headline="営業")
    for viewer in ("editor", "analyst", "coordinator"):
        assert search(net_a.network, net_a.memberships[viewer], "営業").membership_ids == []
