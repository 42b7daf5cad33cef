"""The employment records pages of the staff console (HR and administrators)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.intake.models import EmploymentRecord, LeaveReason
from enishi.privacy.models import AuditEntry


@pytest.fixture
def records(net_a: PersonaNetwork) -> dict[str, EmploymentRecord]:
    with scope(network=net_a.network):
        make = EmploymentRecord.objects.create
        return {
            "sato": make(
                network=net_a.network, company=net_a.company, employee_number="E-100", family_name="佐藤",
                given_name="一郎", family_name_kana="サトウ", given_name_kana="イチロウ", department="営業部",
                leave_date=date(2020, 3, 31), leave_reason=LeaveReason.CHILDCARE, hr_notes="再雇用を強く希望",
            ),
            "suzuki": make(
                network=net_a.network, company=net_a.company, employee_number="E-200", family_name="鈴木",
                given_name="花子", family_name_kana="スズキ", given_name_kana="ハナコ", department="人事部",
                leave_date=date(2022, 9, 30), leave_reason=LeaveReason.CAREER_CHANGE,
            ),
        }  # fmt: skip


def listed(net_a: PersonaNetwork, **query: str) -> list[str]:
    response = net_a.client_for("hr").get(reverse("manage:intake", args=["alpha"]), query)
    assert response.status_code == 200
    return [record.employee_number for record in response.context["page"].object_list]


def test_it_lists_records_in_reading_order_and_audits_the_look(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord]
) -> None:
    assert listed(net_a) == ["E-100", "E-200"]
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="employment_records.listed", actor=net_a.hr).count() == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [("すずき", ["E-200"]), ("ｽｽﾞｷ", ["E-200"]), ("佐藤", ["E-100"]), ("e-1", ["E-100"]), ("ＨＡＮＡ", [])],
)
def test_it_finds_records_by_name_reading_or_number(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord], query: str, expected: list[str]
) -> None:
    assert listed(net_a, q=query) == expected


def test_it_filters_records_by_leave_year_and_reason(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord]
) -> None:
    assert listed(net_a, leave_year="2022") == ["E-200"]
    assert listed(net_a, leave_reason="childcare") == ["E-100"]


def test_it_shows_hr_notes_to_hr_on_the_record_page(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord]
) -> None:
    response = net_a.client_for("hr").get(reverse("manage:intake_record", args=["alpha", records["sato"].pk]))

    assert response.status_code == 200
    assert "再雇用を強く希望" in response.content.decode()
    with scopes_disabled():
        assert (
            AuditEntry.objects.filter(action="employment_record.viewed", target_id=str(records["sato"].pk)).count() == 1
        )


@pytest.mark.parametrize("persona", ["editor", "analyst", "coordinator", "supporter", "alumnus1"])
def test_it_keeps_records_from_everyone_but_hr_and_admins(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord], persona: str
) -> None:
    client = net_a.client_for(persona)

    assert client.get(reverse("manage:intake", args=["alpha"])).status_code == 404
    assert client.get(reverse("manage:intake_record", args=["alpha", records["sato"].pk])).status_code == 404


def test_it_creates_a_record_by_hand(net_a: PersonaNetwork) -> None:
    data = {
        "company": net_a.company.pk, "employee_number": "E-300", "family_name": "高橋", "given_name": "健太",
        "family_name_kana": "タカハシ", "given_name_kana": "ケンタ", "hire_date": "2010-04-01",
        "leave_date": "2023-03-31", "leave_reason": "relocation", "rehire_eligibility": "eligible",
    }  # fmt: skip

    response = net_a.client_for("hr").post(reverse("manage:intake_record_new", args=["alpha"]), data)

    with scopes_disabled():
        record = EmploymentRecord.objects.get(employee_number="E-300")
        entry = AuditEntry.objects.get(action="employment_record.created")
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:intake_record", args=["alpha", record.pk])
    assert (record.network_id, record.company_id, record.leave_reason) == (
        net_a.network.pk,
        net_a.company.pk,
        "relocation",
    )
    assert entry.actor == net_a.hr
    assert "employee_number" in entry.data["fields"]


def test_it_refuses_a_duplicate_number_and_a_leave_before_hire(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord]
) -> None:
    data = {
        "company": net_a.company.pk, "employee_number": "E-100", "family_name": "重複", "given_name": "太郎",
        "hire_date": "2020-04-01", "leave_date": "2019-03-31", "rehire_eligibility": "unknown",
    }  # fmt: skip

    response = net_a.client_for("hr").post(reverse("manage:intake_record_new", args=["alpha"]), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "E-100" in body
    assert response.context["form"].errors["leave_date"]
    with scopes_disabled():
        assert EmploymentRecord.objects.filter(network=net_a.network).count() == 2


def test_it_refuses_a_company_of_another_network(
    net_a: PersonaNetwork, net_b: PersonaNetwork, records: dict[str, EmploymentRecord]
) -> None:
    url = reverse("manage:intake_record_edit", args=["alpha", records["suzuki"].pk])
    data = {"company": net_b.company.pk, "employee_number": "E-200", "family_name": "鈴木", "given_name": "花子",
            "rehire_eligibility": "unknown"}  # fmt: skip

    response = net_a.client_for("hr").post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["company"]
    with scopes_disabled():
        assert EmploymentRecord.objects.get(pk=records["suzuki"].pk).company_id == net_a.company.pk


def test_it_exports_the_filtered_records_as_csv_with_formulas_neutralised(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord]
) -> None:
    with scopes_disabled():
        EmploymentRecord.objects.filter(pk=records["suzuki"].pk).update(hr_notes='=HYPERLINK("http://x")')
    url = reverse("manage:intake_records_export", args=["alpha"])

    response = net_a.client_for("hr").get(url, {"q": "すずき", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="employment-records-alpha-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert "E-200" in lines[1]
    assert "'=HYPERLINK" in lines[1]
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="employment_records.exported")
    assert (entry.actor, entry.data["rows"], entry.data["format"]) == (net_a.hr, 1, "csv")


def test_it_exports_shift_jis_and_excel_that_read_back(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord]
) -> None:
    from enishi.lib.spreadsheets import read_table

    client = net_a.client_for("admin")
    url = reverse("manage:intake_records_export", args=["alpha"])

    sjis = client.get(url, {"format": "csv-sjis"})
    excel = client.get(url, {"format": "xlsx"})

    assert "佐藤" in sjis.content.decode("cp932")
    table = read_table(excel.content, "records.xlsx", max_bytes=10_000_000, max_rows=1000)
    assert [row[1] for row in table.rows] == ["E-100", "E-200"]


def test_it_refuses_an_unknown_export_format_and_other_roles(
    net_a: PersonaNetwork, records: dict[str, EmploymentRecord]
) -> None:
    url = reverse("manage:intake_records_export", args=["alpha"])

    assert net_a.client_for("hr").get(url, {"format": "pdf"}).status_code == 404
    assert net_a.client_for("editor").get(url, {"format": "csv"}).status_code == 404
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="employment_records.exported").count() == 0
