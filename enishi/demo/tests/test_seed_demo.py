from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from enishi.accounts.models import User
from enishi.analytics.models import ActiveDay
from enishi.demo.catalogue import DEMO, OTHER
from enishi.intake.models import EmploymentRecord
from enishi.networks.models import Company, Membership, Network
from enishi.privacy.models import AuditEntry

ALUMNI = 50
NAMED = [account.email for spec in (DEMO, OTHER) for account in spec.accounts]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--alumni", str(ALUMNI), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db: None) -> None:
    seed()


def people_snapshot() -> list[tuple[object, ...]]:
    with scopes_disabled():
        return list(
            EmploymentRecord.objects.order_by("membership__user__email", "hire_date", "employee_number").values_list(
                "membership__user__email", "membership__user__family_name", "membership__user__given_name_kana",
                "employee_number", "department", "hire_date", "leave_date", "membership__last_active_on",
            )
        )  # fmt: skip


def test_it_creates_two_demo_networks_with_their_companies(seeded: None) -> None:
    networks = {network.slug: network for network in Network.objects.all()}
    assert sorted(networks) == ["demo", "other"]
    assert networks["demo"].name_ja == "縁グループ アルムナイネットワーク"
    assert all(network.is_demo and not network.staff_mfa_required for network in networks.values())
    with scopes_disabled():
        assert list(Company.objects.filter(network__slug="demo").values_list("name_ja", flat=True)) == [
            "縁ホールディングス株式会社", "縁銀行株式会社", "縁生命保険株式会社", "縁ロジスティクス株式会社",
        ]  # fmt: skip
        assert Company.objects.filter(network__slug="other").count() == 1
        assert Company.objects.filter(short_name="").count() == 0


def test_it_gives_each_role_the_expected_number_of_members(seeded: None) -> None:
    with scopes_disabled():
        demo = Counter(Membership.objects.filter(network__slug="demo").values_list("role", "state"))
        other = Counter(Membership.objects.filter(network__slug="other").values_list("role", "state"))
    # Intake adds one alumnus who registered a year ago and the seven applicants waiting for approval.
    assert demo == {("admin", "active"): 1, ("hr", "active"): 1, ("editor", "active"): 1, ("analyst", "active"): 1,
                    ("coordinator", "active"): 1, ("supporter", "active"): 1, ("alumnus", "active"): ALUMNI + 5 + 1,
                    ("alumnus", "pending"): 7}  # fmt: skip
    assert other == {("admin", "active"): 1, ("alumnus", "active"): 21}
    # …and two people who started a registration without sending it.
    assert User.objects.count() == 6 + ALUMNI + 5 + 22 + 1 + 7 + 2


def test_it_gives_every_former_employee_a_record_and_kana_names(seeded: None) -> None:
    with scopes_disabled():
        alumni = Membership.objects.filter(role__in=["alumnus", "supporter"], state="active")
        without_record = alumni.filter(employment_records__isnull=True).count()
        linked = EmploymentRecord.objects.filter(membership__isnull=False)
        staff_records = linked.exclude(membership__role__in=["alumnus", "supporter"]).count()
        moved = Counter(linked.values_list("membership_id", flat=True))
        members = User.objects.filter(memberships__state="active")
    assert without_record == 0
    assert linked.count() >= alumni.count() == ALUMNI + 6 + 21 + 1
    assert staff_records == 0
    assert max(moved.values()) <= 2
    assert members.filter(family_name_kana="").count() == 0
    assert members.filter(given_name_kana="").count() == 0


def test_it_keeps_employment_dates_plausible(seeded: None) -> None:
    today = timezone.localdate()
    with scopes_disabled():
        linked = EmploymentRecord.objects.filter(membership__isnull=False)
        rows = list(linked.values_list("hire_date", "leave_date", "membership__activated_at"))
    for hire, leave, joined in rows:
        assert hire < leave <= today - timedelta(days=30)
        assert leave - hire <= timedelta(days=31 * 366)
        assert timezone.localtime(joined).date() > leave


def test_it_records_recent_activity_for_most_alumni(seeded: None) -> None:
    today = timezone.localdate()
    with scopes_disabled():
        alumni = Membership.objects.filter(network__slug="demo", role="alumnus", state="active")
        recent = alumni.filter(last_active_on__gte=today - timedelta(days=29)).count()
        days = list(ActiveDay.objects.values_list("membership__last_active_on", "day"))
        per_member = Counter(ActiveDay.objects.values_list("membership_id", flat=True))
    assert 0.4 <= recent / alumni.count() <= 0.85
    # people.py's recent days, and demo.activity's year of monthly visits before the last one.
    assert all(today - timedelta(days=366) <= day <= last <= today for last, day in days)
    assert max(per_member.values()) <= 5 + 11 * 4


def test_it_gives_the_dashboard_believable_curves(seeded: None) -> None:
    from enishi.analytics import metrics

    with scopes_disabled():
        network = Network.objects.get(slug="demo")
    filters = metrics.default_filters(network)
    activity = {figure.key: figure for figure in metrics.activity(network, filters)}
    mau = [value for value in activity["mau_ratio"].series[0].values[:-1] if value is not None]  # full months
    assert len(mau) == 11
    assert 50 <= statistics.median(mau) <= 70, mau
    assert all(35 <= value <= 90 for value in mau[3:]), mau  # the first months have few members
    registered = activity["monthly_actives"].series[1].values
    assert registered == sorted(registered, key=lambda value: value or 0)  # growing


def test_it_lets_every_named_account_log_in_with_the_demo_password(seeded: None) -> None:
    for email in NAMED:
        assert Client().login(email=email, password=settings.ENISHI_DEMO_PASSWORD), email
    verified = set(EmailAddress.objects.filter(verified=True, primary=True).values_list("email", flat=True))
    assert set(NAMED) <= verified
    assert EmailAddress.objects.count() == User.objects.count()


def test_it_lets_a_demo_alumnus_through_the_login_form_without_email_confirmation(seeded: None) -> None:
    response = Client().post(
        "/accounts/login/", {"login": "alumni1@demo.example", "password": settings.ENISHI_DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_makes_only_the_demo_admin_an_operator(seeded: None) -> None:
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == ["admin@demo.example"]
    assert list(User.objects.filter(is_superuser=True).values_list("email", flat=True)) == ["admin@demo.example"]


def test_it_keeps_the_other_networks_alumnus_out_of_demo(seeded: None) -> None:
    with scopes_disabled():
        networks = list(Membership.objects.filter(user__email="alumni1@other.example").values_list("network__slug"))
    assert networks == [("other",)]


def test_it_audits_the_creation_of_each_network(seeded: None) -> None:
    with scopes_disabled():
        created = AuditEntry.objects.filter(action="network.created")
        entries = list(created.order_by("network__slug").values_list("network__slug", "target_id"))
        networks = dict(Network.objects.values_list("slug", "pk"))
    assert entries == [("demo", str(networks["demo"])), ("other", str(networks["other"]))]


def test_it_creates_the_same_people_from_the_same_seed(seeded: None) -> None:
    first = people_snapshot()
    seed("--reset")
    assert people_snapshot() == first
    assert len(first) >= ALUMNI

    seed("--reset", "--seed", "7")
    assert people_snapshot() != first


def test_it_does_nothing_with_if_empty_when_a_network_exists(seeded: None) -> None:
    before = people_snapshot()
    output = seed("--if-empty", "--reset")
    assert "not seeded" in output
    assert people_snapshot() == before
    assert Network.objects.count() == 2


def test_it_seeds_with_if_empty_on_an_empty_database(db: None) -> None:
    seed("--if-empty")
    assert Network.objects.count() == 2


def test_it_refuses_to_seed_twice_without_reset(seeded: None) -> None:
    before = people_snapshot()
    with pytest.raises(CommandError, match="--reset"):
        seed()
    assert people_snapshot() == before


def test_it_resets_without_deleting_people_who_belong_elsewhere(seeded: None) -> None:
    elsewhere = Network.objects.create(slug="elsewhere", name_ja="別のネットワーク")
    both = User.objects.create_user("both@company.example", "x")
    demo_only = User.objects.create_user("visitor@company.example", "x")
    with scopes_disabled():
        demo = Network.objects.get(slug="demo")
        Membership.objects.create(network=elsewhere, user=both)
        Membership.objects.create(network=demo, user=both)
        Membership.objects.create(network=demo, user=demo_only)
        Membership.objects.create(network=elsewhere, user=User.objects.get(email="alumni2@demo.example"))

    seed("--reset")

    with scopes_disabled():
        kept = sorted(
            Membership.objects.filter(network=elsewhere).values_list("user__email", "user__memberships__network__slug")
        )
    assert kept == [("both@company.example", "elsewhere")]
    assert not User.objects.filter(email="visitor@company.example").exists()
    assert Network.objects.count() == 3
    assert User.objects.filter(email="alumni2@demo.example").count() == 1


def test_it_gives_demo_records_realistic_leave_reasons_and_rehire_verdicts(db: None) -> None:
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from enishi.intake.models import EmploymentRecord

    call_command("seed_demo", alumni=400, stdout=StringIO())

    with scopes_disabled():
        reasons = dict(EmploymentRecord.objects.values_list("leave_reason").annotate(n=Count("pk")))
        verdicts = dict(EmploymentRecord.objects.values_list("rehire_eligibility").annotate(n=Count("pk")))
    total = sum(reasons.values())
    assert set(reasons) == {"career_change", "childcare", "caregiving", "study", "relocation", "retirement", "other"}
    assert reasons["career_change"] > total * 0.4
    assert set(verdicts) == {"eligible", "conditional", "not_eligible", "unknown"}
