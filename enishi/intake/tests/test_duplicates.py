"""Duplicate members: found by SQL grouping on their HR records, merged into one account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.intake.approvals import DuplicateReason, find_duplicate_groups, merge_members
from enishi.intake.models import EmploymentRecord, JoinChannel, Registration
from enishi.lib.errors import ActionRefused
from enishi.networks.models import Company, Membership
from enishi.networks.roles import MembershipState, Role
from enishi.networks.signals import members_merged
from enishi.privacy.models import AuditEntry, Consent, ConsentPurpose

DUPLICATES = "manage:intake_duplicates"
MERGE = "manage:intake_duplicates_merge"
_numbers = iter(range(1000, 100000))


def add_member(
    net: PersonaNetwork, email: str, *, role: str = Role.ALUMNUS, state: str = MembershipState.ACTIVE,
    records: tuple[dict[str, Any], ...] = (),
) -> Membership:  # fmt: skip
    """An alumnus with the given employment records linked (山本 彩 unless a record says otherwise)."""
    with scopes_disabled():
        user = User.objects.create_user(email, "member-password-1", family_name="山本", given_name="彩",
                                        family_name_kana="ヤマモト", given_name_kana="アヤ")  # fmt: skip
        membership = Membership.objects.create(network=net.network, user=user, role=role, state=state,
                                               activated_at=timezone.now())  # fmt: skip
        for fields in records:
            values: dict[str, Any] = {
                "family_name": "山本", "given_name": "彩", "family_name_kana": "ヤマモト", "given_name_kana": "アヤ",
                "company": net.company, "employee_number": f"E-{next(_numbers)}",
            }  # fmt: skip
            values.update(fields)
            EmploymentRecord.objects.create(network=net.network, membership=membership, **values)
        return membership


def groups_of(net: PersonaNetwork) -> list[tuple[set[str], set[str]]]:
    """(emails, reasons) of each group found."""
    with scope(network=net.network):
        return [({m.user.email for m in group.members}, group.reasons) for group in find_duplicate_groups(net.network)]


BORN = date(1988, 5, 3)


# Finding ----------------------------------------------------------------------------------------


def test_it_groups_members_with_the_same_name_reading_and_birth_date(net_a: PersonaNetwork) -> None:
    add_member(net_a, "first@example.jp", records=({"birth_date": BORN},))
    # The kanji differ (a typo in one HR system), the reading and birth date agree.
    add_member(net_a, "second@example.jp", records=({"birth_date": BORN, "given_name": "綾"},))

    assert groups_of(net_a) == [({"first@example.jp", "second@example.jp"}, {DuplicateReason.NAME_AND_BIRTH_DATE})]


def test_it_groups_members_with_the_same_private_email_whatever_the_case(net_a: PersonaNetwork) -> None:
    add_member(net_a, "first@example.jp", records=({"private_email": "Aya.Y@example.com"},))
    add_member(net_a, "second@example.jp", records=({"private_email": "aya.y@example.com", "family_name": "田中",
                                                     "family_name_kana": "タナカ"},))  # fmt: skip

    assert groups_of(net_a) == [({"first@example.jp", "second@example.jp"}, {DuplicateReason.PRIVATE_EMAIL})]


def test_it_groups_the_same_name_at_the_same_company_in_overlapping_years(net_a: PersonaNetwork) -> None:
    add_member(net_a, "first@example.jp", records=({"hire_date": date(2010, 4, 1), "leave_date": date(2016, 3, 31)},))
    add_member(net_a, "second@example.jp", records=({"hire_date": date(2015, 4, 1), "leave_date": date(2020, 3, 31)},))

    assert groups_of(net_a) == [({"first@example.jp", "second@example.jp"}, {DuplicateReason.NAME_COMPANY_YEARS})]


def test_it_lists_strong_groups_before_namesakes_who_share_only_the_years(net_a: PersonaNetwork) -> None:
    years = {"hire_date": date(2010, 4, 1), "leave_date": date(2016, 3, 31)}
    add_member(net_a, "weak1@example.jp", records=({**years, "family_name_kana": "サイトウ", "family_name": "斎藤"},))
    add_member(net_a, "weak2@example.jp", records=({**years, "family_name_kana": "サイトウ", "family_name": "斎藤"},))
    add_member(net_a, "strong1@example.jp", records=({"private_email": "same@example.com"},))
    add_member(net_a, "strong2@example.jp", records=({"private_email": "same@example.com", "given_name": "綾"},))

    assert [emails for emails, _reasons in groups_of(net_a)] == [
        {"strong1@example.jp", "strong2@example.jp"}, {"weak1@example.jp", "weak2@example.jp"},
    ]  # fmt: skip


def test_it_joins_pairs_found_by_different_rules_into_one_group(net_a: PersonaNetwork) -> None:
    add_member(net_a, "a@example.jp", records=({"birth_date": BORN},))
    add_member(net_a, "b@example.jp", records=({"birth_date": BORN, "private_email": "aya@example.com"},))
    add_member(net_a, "c@example.jp", records=({"private_email": "AYA@example.com", "family_name_kana": "ヤマダ",
                                                "family_name": "山田"},))  # fmt: skip

    assert groups_of(net_a) == [
        ({"a@example.jp", "b@example.jp", "c@example.jp"},
         {DuplicateReason.NAME_AND_BIRTH_DATE, DuplicateReason.PRIVATE_EMAIL}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param({"birth_date": BORN}, {"birth_date": date(1990, 1, 1)}, id="same name, other birth date"),
        pytest.param({"hire_date": date(2000, 4, 1), "leave_date": date(2005, 3, 31)},
                     {"hire_date": date(2010, 4, 1), "leave_date": date(2020, 3, 31)}, id="same name, other years"),
        pytest.param({"private_email": "one@example.com"}, {"private_email": "two@example.com"}, id="other emails"),
        pytest.param({"hire_date": date(2010, 4, 1), "leave_date": date(2016, 3, 31), "birth_date": BORN},
                     {"hire_date": date(2012, 4, 1), "leave_date": date(2020, 3, 31), "birth_date": date(1990, 1, 1)},
                     id="same name and years, other birth date"),
        pytest.param({"birth_date": BORN}, {"birth_date": BORN, "family_name": "山田", "family_name_kana": "ヤマダ"},
                     id="same birth date, other name"),
        pytest.param({}, {}, id="same name, nothing else known"),
    ],
)  # fmt: skip
def test_it_does_not_group_different_people(
    net_a: PersonaNetwork, first: dict[str, Any], second: dict[str, Any]
) -> None:
    add_member(net_a, "first@example.jp", records=(first,))
    add_member(net_a, "second@example.jp", records=(second,))

    assert groups_of(net_a) == []


def test_it_does_not_group_namesakes_of_different_companies(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        other_company = Company.objects.create(network=net_a.network, name_ja="アルファ物流株式会社")
    years = {"hire_date": date(2010, 4, 1), "leave_date": date(2016, 3, 31)}
    add_member(net_a, "first@example.jp", records=(years,))
    add_member(net_a, "second@example.jp", records=({**years, "company": other_company},))

    assert groups_of(net_a) == []


def test_it_leaves_out_members_who_left_staff_and_two_records_of_one_member(net_a: PersonaNetwork) -> None:
    add_member(net_a, "kept@example.jp", records=({"birth_date": BORN}, {"birth_date": BORN, "employee_number": "X"}))
    add_member(net_a, "gone@example.jp", state=MembershipState.LEFT, records=({"birth_date": BORN},))
    add_member(net_a, "staff@example.jp", role=Role.HR, records=({"birth_date": BORN},))

    assert groups_of(net_a) == []


def test_it_never_groups_members_of_two_networks(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    add_member(net_a, "first@example.jp", records=({"birth_date": BORN},))
    add_member(net_b, "second@example.jp", records=({"birth_date": BORN, "company": net_b.company},))

    assert groups_of(net_a) == []
    assert groups_of(net_b) == []


# Merging ----------------------------------------------------------------------------------------


@pytest.fixture
def pair(net_a: PersonaNetwork) -> tuple[Membership, Membership]:
    keep = add_member(net_a, "keep@example.jp", records=({"birth_date": BORN},))
    other = add_member(net_a, "other@example.jp", records=({"birth_date": BORN}, {"birth_date": BORN}))
    return keep, other


@pytest.fixture
def merges() -> Iterator[list[dict[str, Any]]]:
    received: list[dict[str, Any]] = []

    def receiver(sender: type, **kwargs: Any) -> None:
        received.append({"sender": sender, **kwargs})

    members_merged.connect(receiver, dispatch_uid="test-merges")
    yield received
    members_merged.disconnect(dispatch_uid="test-merges")


def test_it_merges_records_registrations_and_the_referral_link_then_marks_the_other_left(
    net_a: PersonaNetwork, pair: tuple[Membership, Membership], merges: list[dict[str, Any]]
) -> None:
    keep, other = pair
    with scopes_disabled():
        registration = Registration.objects.create(network=net_a.network, user=other.user, membership=other,
                                                   status=Registration.Status.APPROVED)  # fmt: skip
        link = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.REFERRAL, referrer=other)
        Consent.objects.create(network=net_a.network, membership=other, purpose=ConsentPurpose.REHIRE_CONTACT)

    with scope(network=net_a.network):
        merge_members(net_a.network, net_a.hr, keep, other)

    with scopes_disabled():
        other.refresh_from_db()
        registration.refresh_from_db()
        link.refresh_from_db()
        assert EmploymentRecord.objects.filter(membership=keep).count() == 3
        assert EmploymentRecord.objects.filter(membership=other).count() == 0
        assert Consent.objects.filter(membership=keep).count() == 0  # personal choices are not copied
        assert Consent.objects.filter(membership=other).count() == 1
        entry = AuditEntry.objects.get(action="member.merged")
    assert (registration.membership_id, link.referrer_id) == (keep.pk, keep.pk)
    assert other.state == MembershipState.LEFT
    assert other.left_at is not None
    assert [(m["sender"], m["network"], m["kept"].pk, m["merged"].pk) for m in merges] == [
        (Membership, net_a.network, keep.pk, other.pk)
    ]
    assert (entry.actor, entry.target_id, entry.data["merged"], entry.data["records"], entry.data["registrations"]) == (
        net_a.hr, str(keep.pk), other.pk, 2, 1,
    )  # fmt: skip
    assert groups_of(net_a) == []


def test_it_rolls_the_merge_back_when_a_receiver_fails(
    net_a: PersonaNetwork, pair: tuple[Membership, Membership]
) -> None:
    keep, other = pair

    def broken(sender: type, **kwargs: Any) -> None:
        raise RuntimeError("profiles could not move")

    members_merged.connect(broken, dispatch_uid="test-broken")
    try:
        with scope(network=net_a.network), pytest.raises(RuntimeError):
            merge_members(net_a.network, net_a.hr, keep, other)
    finally:
        members_merged.disconnect(dispatch_uid="test-broken")

    with scopes_disabled():
        assert EmploymentRecord.objects.filter(membership=other).count() == 2
        assert Membership.objects.get(pk=other.pk).state == MembershipState.ACTIVE


def merge_snapshot(net: PersonaNetwork) -> dict[str, Any]:
    with scopes_disabled():
        return {
            "memberships": list(Membership.objects.order_by("pk").values("pk", "state", "left_at")),
            "records": list(EmploymentRecord.objects.order_by("pk").values("pk", "membership_id")),
            "merged": AuditEntry.objects.filter(action="member.merged").count(),
        }


@pytest.mark.parametrize("case", ["same", "staff", "other network", "left", "pending"])
def test_it_refuses_bad_merges_and_changes_nothing(
    net_a: PersonaNetwork, net_b: PersonaNetwork, pair: tuple[Membership, Membership],
    merges: list[dict[str, Any]], case: str,
) -> None:  # fmt: skip
    keep, other = pair
    if case == "same":
        other, message = keep, "two different members"
    elif case == "staff":
        other, message = net_a.memberships["editor"], "Staff accounts cannot be merged"
    elif case == "other network":
        other, message = net_b.memberships["alumnus1"], "Only members of this network"
    else:
        state = MembershipState.LEFT if case == "left" else MembershipState.PENDING
        other, message = add_member(net_a, f"{case}@example.jp", state=state), "Only active or suspended members"
    before = merge_snapshot(net_a)

    with scope(network=net_a.network), translation.override("en"), pytest.raises(ActionRefused, match=message):
        merge_members(net_a.network, net_a.hr, keep, other)

    assert merge_snapshot(net_a) == before
    assert merges == []


# The pages --------------------------------------------------------------------------------------


def test_it_lists_the_groups_with_what_staff_need_to_tell_people_apart(
    net_a: PersonaNetwork, pair: tuple[Membership, Membership]
) -> None:
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse(DUPLICATES, args=["alpha"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert [[m.pk for m in group.members] for group, _cards in response.context["groups"]] == [[p.pk for p in pair]]
    assert "keep@example.jp" in html
    assert "other@example.jp" in html
    assert "Same name and birth date" in html
    assert reverse("manage:member_detail", args=["alpha", pair[1].pk]) in html
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="members.listed", actor=net_a.hr).values_list("data", flat=True)[0] == {
            "page": "duplicates", "groups": 1,
        }  # fmt: skip


def test_it_merges_from_the_page(net_a: PersonaNetwork, pair: tuple[Membership, Membership]) -> None:
    keep, other = pair

    response = net_a.client_for("hr").post(reverse(MERGE, args=["alpha"]), {"keep": keep.pk, "other": other.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse(DUPLICATES, args=["alpha"])
    with scopes_disabled():
        assert Membership.objects.get(pk=other.pk).state == MembershipState.LEFT


def test_it_answers_404_for_a_member_of_another_network_on_merge(
    net_a: PersonaNetwork, net_b: PersonaNetwork, pair: tuple[Membership, Membership]
) -> None:
    before = merge_snapshot(net_a)

    response = net_a.client_for("hr").post(
        reverse(MERGE, args=["alpha"]), {"keep": pair[0].pk, "other": net_b.memberships["alumnus1"].pk}
    )

    assert response.status_code == 404
    assert merge_snapshot(net_a) == before


@pytest.mark.parametrize("persona", ["editor", "analyst", "coordinator", "supporter", "alumnus1"])
def test_it_keeps_merging_from_everyone_but_hr_and_admins(
    net_a: PersonaNetwork, pair: tuple[Membership, Membership], persona: str
) -> None:
    before = merge_snapshot(net_a)

    response = net_a.client_for(persona).post(reverse(MERGE, args=["alpha"]), {"keep": pair[0].pk, "other": pair[1].pk})

    assert response.status_code == 404
    assert merge_snapshot(net_a) == before


def test_it_lists_duplicates_with_the_same_number_of_queries_for_2_or_20_groups(net_a: PersonaNetwork) -> None:
    def add_groups(start: int, count: int) -> None:
        for i in range(start, start + count):
            for side in ("a", "b"):
                add_member(net_a, f"{side}{i}@example.jp", records=({"birth_date": date(1960, 1, 1 + i % 28),
                           "family_name_kana": f"ヤマモト{i}", "private_email": f"p{i}@example.com"},))  # fmt: skip

    client = net_a.client_for("hr")
    path = reverse(DUPLICATES, args=["alpha"])
    add_groups(0, 2)
    assert client.get(path).status_code == 200  # the first request of the day records activity
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    add_groups(2, 18)

    with CaptureQueriesContext(connection) as many:
        response = client.get(path)

    assert len(response.context["groups"]) == 20
    assert len(few.captured_queries) == len(many.captured_queries)


def test_it_asks_again_when_the_merge_form_is_incomplete(
    net_a: PersonaNetwork, pair: tuple[Membership, Membership]
) -> None:
    before = merge_snapshot(net_a)
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse(MERGE, args=["alpha"]), {"keep": pair[0].pk}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Choose the account to keep and the account to merge into it."
    ]
    assert merge_snapshot(net_a) == before
