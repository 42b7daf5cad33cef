"""Self-registrations are compared with HR's records under the network's matching and eligibility rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.intake import registration as registering
from enishi.intake.access import intake_settings
from enishi.intake.models import EmploymentRecord, IntakeSettings, LeaveReason, MatchField, Registration
from enishi.intake.models import RegistrationFlag as Flag
from enishi.lib.errors import ActionRefused
from enishi.lib.japanese import name_key
from enishi.networks.models import Company, Membership
from enishi.networks.roles import MembershipState
from enishi.privacy.models import Consent, NoticeAcceptance
from enishi.privacy.notices import publish_notice


@pytest.fixture(autouse=True)
def in_scope(net_a: PersonaNetwork) -> Iterator[None]:
    with scope(network=net_a.network):
        yield


@pytest.fixture
def rules(net_a: PersonaNetwork) -> IntakeSettings:
    return intake_settings(net_a.network)


def make_record(net: PersonaNetwork, **fields: Any) -> EmploymentRecord:
    values: dict[str, Any] = {
        "employee_number": "E-1001", "family_name": "山本", "given_name": "彩", "family_name_kana": "ヤマモト",
        "given_name_kana": "アヤ", "hire_date": date(2015, 4, 1), "leave_date": date(2023, 3, 31),
        "birth_date": date(1990, 5, 6), "leave_reason": LeaveReason.CAREER_CHANGE,
    }  # fmt: skip
    values.update(fields)
    return EmploymentRecord.objects.create(network=net.network, company=values.pop("company", net.company), **values)


def applicant(net: PersonaNetwork, email: str = "aya@example.jp", **fields: Any) -> Registration:
    user = User.objects.create_user(email=email, password="a-long-password-2024")
    values: dict[str, Any] = {
        "company": net.company, "family_name": "山本", "given_name": "彩", "family_name_kana": "やまもと",
        "given_name_kana": "あや", "hire_year": 2015, "leave_year": 2023,
    }  # fmt: skip
    values.update(fields)
    return Registration(network=net.network, user=user, **values)


def test_it_finds_a_record_whatever_the_width_spacing_and_kana_script(net_a: PersonaNetwork) -> None:
    record = make_record(net_a, family_name_kana="ﾔﾏﾓﾄ", given_name_kana="ｱﾔ", family_name="山本 ", given_name="彩")

    assert record.kana_key == name_key("やまもと", "あや") == "やまもとあや"
    found = registering.candidate_records(applicant(net_a, family_name_kana="ヤマモト　", given_name_kana=" アヤ"))

    assert found == [record]


def test_it_approves_one_clear_eligible_match_and_links_the_record(
    net_a: PersonaNetwork, rules: IntakeSettings
) -> None:
    record = make_record(net_a)
    registration = applicant(net_a)

    registering.submit(rules, registration)

    registration.refresh_from_db()
    record.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    assert registration.flags == []
    assert record.membership is not None
    assert record.membership.state == MembershipState.ACTIVE
    assert record.membership.user == registration.user
    assert registration.user.family_name == "山本"  # the account takes the names given


def test_it_accepts_approximate_years_within_the_tolerance(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    make_record(net_a)

    near = registering.match(rules, applicant(net_a, hire_year=2016, leave_year=2022))
    far = registering.match(rules, applicant(net_a, email="b@example.jp", leave_year=2020))

    assert near.approvable is not None
    assert far.approvable is None
    assert far.flags == [Flag.PARTIAL_MATCH]
    assert far.candidates[0].missing == [MatchField.LEAVE_YEAR]


def test_it_queues_a_registration_that_matches_no_record(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    make_record(net_a)
    registration = applicant(net_a, family_name="田中", family_name_kana="たなか")

    registering.submit(rules, registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert registration.flags == [Flag.NO_CANDIDATE]
    assert registration.membership is not None
    assert registration.membership.state == MembershipState.PENDING


def test_it_queues_namesakes_instead_of_guessing(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    first = make_record(net_a)
    second = make_record(net_a, employee_number="E-2002", birth_date=date(1988, 1, 2))

    result = registering.match(rules, applicant(net_a))

    assert result.approvable is None
    assert result.flags == [Flag.SEVERAL_CANDIDATES]
    assert {c.record.pk for c in result.candidates} == {first.pk, second.pk}


def test_it_tells_namesakes_apart_by_the_birth_date_when_the_rules_ask_for_it(
    net_a: PersonaNetwork, rules: IntakeSettings
) -> None:
    make_record(net_a)
    other = make_record(net_a, employee_number="E-2002", birth_date=date(1988, 1, 2))
    rules.match_fields = [MatchField.NAME_KANA, MatchField.BIRTH_DATE]
    rules.save()

    result = registering.match(rules, applicant(net_a, birth_date=date(1988, 1, 2)))

    assert result.approvable is not None
    assert result.approvable.record == other


def test_it_requires_the_fields_the_rules_name(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    make_record(net_a)
    rules.match_fields = [MatchField.NAME_KANA, MatchField.EMPLOYEE_NUMBER]
    rules.save()

    without = registering.match(rules, applicant(net_a))
    with_number = registering.match(rules, applicant(net_a, email="b@example.jp", employee_number="ｅ－1001"))

    assert without.approvable is None
    assert without.candidates[0].missing == [MatchField.EMPLOYEE_NUMBER]
    assert with_number.approvable is not None  # full-width and case ignored


def test_it_finds_someone_by_their_former_family_name(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    record = make_record(net_a)  # HR knows her as 山本 彩
    rules.match_fields = [MatchField.NAME_KANJI, MatchField.LEAVE_YEAR]
    rules.save()

    result = registering.match(
        rules, applicant(net_a, family_name="佐々木", family_name_kana="ささき", former_family_name="山本")
    )

    assert result.approvable is not None
    assert result.approvable.record == record


def test_it_only_compares_records_of_the_chosen_company(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    sister = Company.objects.create(network=net_a.network, name_ja="縁ソリューションズ")
    make_record(net_a, company=sister)

    result = registering.match(rules, applicant(net_a))

    assert result.candidates == []
    assert result.flags == [Flag.NO_CANDIDATE]


def test_it_never_auto_approves_when_the_rules_say_so(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    make_record(net_a)
    rules.auto_approve = False
    rules.save()

    result = registering.match(rules, applicant(net_a))

    assert result.approvable is None
    assert result.flags == [Flag.MANUAL_REVIEW]


@pytest.mark.parametrize(
    ("rule", "record_fields"),
    [
        ({"min_tenure_months": 36}, {"hire_date": date(2021, 4, 1)}),
        ({"excluded_leave_reasons": [LeaveReason.RETIREMENT]}, {"leave_reason": LeaveReason.RETIREMENT}),
    ],
)
def test_it_sends_people_outside_the_eligibility_rules_to_the_queue(
    net_a: PersonaNetwork, rules: IntakeSettings, rule: dict[str, Any], record_fields: dict[str, Any]
) -> None:
    record = make_record(net_a, **record_fields)
    for name, value in rule.items():
        setattr(rules, name, value)
    rules.save()

    result = registering.match(rules, applicant(net_a, hire_year=record.hire_date.year if record.hire_date else None))

    assert result.approvable is None
    assert Flag.NOT_ELIGIBLE in result.flags
    assert registering.eligibility_problems(rules, record)


def test_it_limits_eligibility_to_the_chosen_companies(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    sister = Company.objects.create(network=net_a.network, name_ja="縁ソリューションズ")
    record = make_record(net_a)
    rules.eligible_companies.set([sister])
    rules = intake_settings(net_a.network)  # fresh object: no cached company list

    assert registering.eligibility_problems(rules, record) != []


def test_it_flags_a_record_hr_still_lists_as_employed(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    make_record(net_a, leave_date=None)

    result = registering.match(rules, applicant(net_a, leave_year=None))

    assert Flag.STILL_EMPLOYED in result.flags
    assert result.approvable is None


def test_it_flags_a_record_that_already_belongs_to_a_member(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    make_record(net_a, membership=net_a.memberships["alumnus1"])

    result = registering.match(rules, applicant(net_a))

    assert Flag.RECORD_TAKEN in result.flags
    assert Flag.POSSIBLE_DUPLICATE in result.flags
    assert result.approvable is None


def test_it_records_the_notice_version_and_the_consents_given_when_sending(
    net_a: PersonaNetwork, rules: IntakeSettings
) -> None:
    notice = publish_notice(net_a.network, net_a.admin, "利用目的", "Purposes")
    make_record(net_a)
    registration = applicant(net_a)

    registering.submit(rules, registration, consents=["directory_listing", "bogus"], notice=notice)

    membership = Membership.objects.get(network=net_a.network, user=registration.user)
    assert NoticeAcceptance.objects.filter(membership=membership, notice=notice).count() == 1
    assert list(Consent.objects.filter(membership=membership).values_list("purpose", "notice_version")) == [
        ("directory_listing", notice.version)
    ]


def test_it_refuses_to_send_without_the_notice_in_force(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    publish_notice(net_a.network, net_a.admin, "第1版", "v1")
    registration = applicant(net_a)

    with pytest.raises(ActionRefused):
        registering.submit(rules, registration, notice=None)

    assert not Membership.objects.filter(network=net_a.network, user=registration.user).exists()
    assert registration.status == Registration.Status.DRAFT


def test_it_refuses_to_send_twice(net_a: PersonaNetwork, rules: IntakeSettings) -> None:
    registration = applicant(net_a)
    registering.submit(rules, registration)
    submitted_at = registration.submitted_at

    with pytest.raises(ActionRefused):
        registering.submit(rules, registration)

    registration.refresh_from_db()
    assert registration.submitted_at == submitted_at


def test_it_keeps_the_matching_keys_current_when_hr_corrects_a_name(net_a: PersonaNetwork) -> None:
    record = make_record(net_a)

    record.family_name_kana = "ヤマシタ"
    record.save(update_fields=["family_name_kana"])

    record.refresh_from_db()
    assert record.kana_key == "やましたあや"
    assert record.updated_at <= timezone.now()
