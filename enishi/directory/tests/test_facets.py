"""The facets added for the directory pages: former department, intent, and the staff-only ones
(rehire eligibility, registration source). Same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.analytics.services import record_active_day
from enishi.directory.indexing import reindex_members
from enishi.directory.search import search
from enishi.directory.tests.conftest import Person
from enishi.directory.tokens import Filters
from enishi.intake.models import AlumniInvitation, Assignment, EmploymentRecord, JoinChannel, Registration
from enishi.intake.sources import RegistrationSource, sources_of
from enishi.profiles.models import Intent, Profile


def found(net: PersonaNetwork, audience: str, filters: Filters) -> set[int]:
    return set(search(net.network, audience, "", filters=filters).membership_ids)  # type: ignore[arg-type]


@pytest.fixture
def two(net_a: PersonaNetwork, person: Person) -> dict[str, int]:
    network = net_a.network
    sales = person(network, "山本", "彩", company=net_a.company, leave_date=date(2019, 3, 31))
    finance = person(network, "田中", "誠", company=net_a.company, leave_date=date(2015, 9, 30))
    with scopes_disabled():
        EmploymentRecord.objects.filter(membership=sales).update(department="第一営業部", rehire_eligibility="eligible")
        record = EmploymentRecord.objects.get(membership=finance)
        record.department = "経理部"
        record.rehire_eligibility = "not_eligible"
        record.save()
        Assignment.objects.create(network=network, record=record, department="ｴｲｷﾞｮｳ企画室")
        for membership, modes, visibility in ((sales, ["side_job"], "alumni"), (finance, ["full_time"], "staff")):
            profile = Profile.objects.get(membership=membership)
            profile.visibility = {**profile.visibility, "intent": visibility}
            profile.save()
            Intent.objects.create(network=network, profile=profile, return_modes=modes, open_to_mentor=True)
    reindex_members(network, [sales.pk, finance.pk])
    return {"sales": sales.pk, "finance": finance.pk}


def test_former_departments_come_from_records_and_postings_in_any_width(
    net_a: PersonaNetwork, two: dict[str, int]
) -> None:
    assert found(net_a, "alumni", Filters(departments=("第一営業部",))) == {two["sales"]}
    # A posting's department counts too, whatever its width or script as typed in the facet.
    assert found(net_a, "alumni", Filters(departments=("エイギョウ企画室",))) == {two["finance"]}
    assert found(net_a, "staff", Filters(departments=("経理部", "第一営業部"))) == {two["sales"], two["finance"]}


def test_intent_facets_follow_the_intent_groups_visibility(net_a: PersonaNetwork, two: dict[str, int]) -> None:
    # The finance member shares intent with staff only: other alumni cannot filter on it.
    assert found(net_a, "alumni", Filters(intents=("mentor",))) == {two["sales"]}
    assert found(net_a, "alumni", Filters(intents=("full_time",))) == set()
    assert found(net_a, "staff", Filters(intents=("mentor",))) == {two["sales"], two["finance"]}
    assert found(net_a, "staff", Filters(intents=("full_time", "side_job"))) == {two["sales"], two["finance"]}


def test_rehire_eligibility_is_a_facet_for_staff_only(net_a: PersonaNetwork, two: dict[str, int]) -> None:
    assert found(net_a, "staff", Filters(rehire=("eligible",))) == {two["sales"]}
    assert found(net_a, "staff", Filters(rehire=("not_eligible",))) == {two["finance"]}
    assert found(net_a, "alumni", Filters(rehire=("eligible",))) == set()
    assert found(net_a, "alumni", Filters(rehire=("not_eligible",))) == set()


def test_registration_source_is_a_facet_for_staff_only(net_a: PersonaNetwork, two: dict[str, int]) -> None:
    network = net_a.network
    with scopes_disabled():
        record = EmploymentRecord.objects.get(membership_id=two["sales"])
        AlumniInvitation.objects.create(
            network=network, record=record, email="x@example.com", accepted_at=timezone.now()
        )
        channel = JoinChannel.objects.create(network=network, kind=JoinChannel.Kind.EVENT, label="交流会")
        finance_user = EmploymentRecord.objects.get(membership_id=two["finance"]).membership.user  # type: ignore[union-attr]
        Registration.objects.create(
            network=network, user=finance_user, membership_id=two["finance"], channel=channel,
            status=Registration.Status.APPROVED,
        )  # fmt: skip
        assert sources_of(network, [two["sales"], two["finance"], net_a.memberships["alumnus1"].pk]) == {
            two["sales"]: RegistrationSource.EMAIL,
            two["finance"]: RegistrationSource.EVENT,
            net_a.memberships["alumnus1"].pk: RegistrationSource.SECRETARIAT,
        }
    reindex_members(network, two.values())
    assert found(net_a, "staff", Filters(sources=("email",))) == {two["sales"]}
    assert found(net_a, "staff", Filters(sources=("link_event", "page"))) == {two["finance"]}
    assert found(net_a, "alumni", Filters(sources=("email",))) == set()


def test_every_join_link_kind_has_a_source() -> None:
    assert {f"link_{kind}" for kind in JoinChannel.Kind.values} <= set(RegistrationSource.values)


def test_a_member_active_today_moves_to_the_top_of_the_recent_order(net_a: PersonaNetwork, two: dict[str, int]) -> None:
    def recent() -> list[int]:
        return search(net_a.network, "staff", "", sort="recent").membership_ids

    assert recent().index(two["sales"]) > recent().index(two["finance"])
    with scopes_disabled():
        sales = EmploymentRecord.objects.get(membership_id=two["sales"]).membership
    assert sales is not None
    with scope(network=net_a.network):
        assert record_active_day(sales, timezone.localdate())
    assert recent()[0] == two["sales"]
