from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from django.utils import translation
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook

from conftest import PersonaNetwork
from enishi.intake.importing import ImportPlan, apply_import, guess_mapping, plan_import
from enishi.intake.models import EmploymentRecord
from enishi.lib.spreadsheets import Table, read_table
from enishi.networks.models import Company
from enishi.privacy.models import AuditEntry

HEADERS = ["社員番号", "氏名", "フリガナ", "会社名", "部署", "入社日", "退職日", "退職理由", "再雇用可否"]
COMPANY_A = "アルファ株式会社"
COMPANY_B = "ベータ株式会社"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def leaver(n: int, **changes: str) -> list[str]:
    row = {
        "社員番号": f"A{n:04d}",
        "氏名": "山田\u3000太郎",
        "フリガナ": "ヤマダ タロウ",
        "会社名": COMPANY_A,
        "部署": "営業部",
        "入社日": "2015/4/1",
        "退職日": "2024-03-31",
        "退職理由": "転職",
        "再雇用可否": "可",
    }
    row.update(changes)
    return list(row.values())


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def load(data: bytes, filename: str = "leavers.csv") -> Table:
    return read_table(data, filename, max_bytes=10_000_000, max_rows=100_000)


def plan(net: PersonaNetwork, data: bytes, filename: str = "leavers.csv") -> ImportPlan:
    table = load(data, filename)
    with scope(network=net.network):
        return plan_import(net.network, table, guess_mapping(table.headers))


def run(net: PersonaNetwork, data: bytes, filename: str = "leavers.csv") -> tuple[ImportPlan, tuple[int, ...]]:
    import_plan = plan(net, data, filename)
    with scope(network=net.network):
        result = apply_import(net.network, net.hr, import_plan)
    return import_plan, (result.created, result.updated, result.unchanged, result.skipped)


def records(net: PersonaNetwork) -> list[EmploymentRecord]:
    with scope(network=net.network):
        return list(EmploymentRecord.objects.filter(network=net.network).order_by("employee_number"))


def test_it_guesses_japanese_and_english_headers() -> None:
    headers = ["社員ＮＯ", "氏名", "フリガナ", "所属会社", "部門", "入社日", "退社日", "退職理由", "再雇用", "備考"]
    assert guess_mapping(headers) == {
        0: "employee_number",
        1: "full_name",
        2: "full_name_kana",
        3: "company",
        4: "department",
        5: "hire_date",
        6: "leave_date",
        7: "leave_reason",
        8: "rehire_eligibility",
        9: "hr_notes",
    }
    english = ["Employee ID", "Last Name", "First Name", "Job Title", "Date of Birth", "E-mail", "Unknown"]
    assert guess_mapping(english) == {
        0: "employee_number",
        1: "family_name",
        2: "given_name",
        3: "job_title",
        4: "birth_date",
        5: "private_email",
    }
    assert guess_mapping(["姓", "名", "セイ", "メイ", "姓（カナ）", "社員番号", "従業員番号"]) == {
        0: "family_name",
        1: "given_name",
        2: "family_name_kana",
        3: "given_name_kana",
        5: "employee_number",
    }


def test_it_writes_nothing_on_a_dry_run(net_a: PersonaNetwork) -> None:
    import_plan = plan(net_a, csv_bytes([leaver(n) for n in range(1, 11)]))

    assert [outcome.action for outcome in import_plan.outcomes] == ["create"] * 10
    assert import_plan.outcomes[0].key == (net_a.company.pk, "A0001")
    assert records(net_a) == []
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="employment_records.imported").count() == 0


def test_it_creates_then_leaves_the_same_file_unchanged(net_a: PersonaNetwork) -> None:
    data = csv_bytes([leaver(n) for n in range(1, 21)])

    _, first = run(net_a, data)
    _, second = run(net_a, data)

    assert first == (20, 0, 0, 0)
    assert second == (0, 0, 20, 0)
    assert [outcome.action for outcome in plan(net_a, data).outcomes] == ["unchanged"] * 20
    stored = records(net_a)
    assert len(stored) == 20
    record = stored[0]
    assert (record.employee_number, record.family_name, record.given_name) == ("A0001", "山田", "太郎")
    assert (record.family_name_kana, record.given_name_kana) == ("ヤマダ", "タロウ")
    assert (record.company_id, record.department) == (net_a.company.pk, "営業部")
    assert (record.hire_date, record.leave_date) == (date(2015, 4, 1), date(2024, 3, 31))
    assert (record.leave_reason, record.rehire_eligibility) == ("career_change", "eligible")
    with scope(network=net_a.network):
        entries = AuditEntry.objects.filter(network=net_a.network, action="employment_records.imported")
        logged = [(entry.actor_id, entry.data) for entry in entries.order_by("id")]
    assert logged == [
        (net_a.hr.pk, {"created": 20, "updated": 0, "unchanged": 0, "skipped": 0}),
        (net_a.hr.pk, {"created": 0, "updated": 0, "unchanged": 20, "skipped": 0}),
    ]


def test_it_reads_a_cp932_file_as_the_same_data(net_a: PersonaNetwork) -> None:
    rows = [leaver(n) for n in range(1, 6)]
    run(net_a, csv_bytes(rows))
    cp932 = csv_bytes(rows, encoding="cp932")

    assert load(cp932).encoding == "cp932"
    _, result = run(net_a, cp932)

    assert result == (0, 0, 5, 0)


def test_it_reads_japanese_date_forms(net_a: PersonaNetwork) -> None:
    rows = [
        leaver(1, 入社日="2015/4/1", 退職日="令和2年3月31日"),
        leaver(2, 入社日="2015-04-01", 退職日="R2.3.31"),
        leaver(3, 入社日="2015年4月1日", 退職日="２０２０／３／３１"),
    ]
    run(net_a, csv_bytes(rows))

    assert [(r.hire_date, r.leave_date) for r in records(net_a)] == [(date(2015, 4, 1), date(2020, 3, 31))] * 3


def test_it_reads_excel_serial_dates_and_keeps_formulas_as_text(net_a: PersonaNetwork) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([*HEADERS, "備考"])
    sheet.append([*leaver(1, 入社日="", 退職日="")[:5], 42095, datetime(2020, 3, 31), "転職", "可", "=1+1"])
    out = io.BytesIO()
    workbook.save(out)

    import_plan, result = run(net_a, out.getvalue(), "leavers.xlsx")

    assert result == (1, 0, 0, 0)
    assert import_plan.outcomes[0].warnings == [
        "Row 2: 備考 holds a formula Excel never calculated; its text is kept as is."
    ]
    [record] = records(net_a)
    assert (record.hire_date, record.leave_date, record.hr_notes) == (date(2015, 4, 1), date(2020, 3, 31), "=1+1")


def test_it_stores_formula_looking_csv_cells_as_text(net_a: PersonaNetwork) -> None:
    rows = [[*leaver(1), "=1+1"], [*leaver(2), "@SUM(A1:A2)"]]
    run(net_a, csv_bytes(rows, headers=[*HEADERS, "備考"]))

    assert [r.hr_notes for r in records(net_a)] == ["=1+1", "@SUM(A1:A2)"]


def test_it_updates_only_the_changed_field(net_a: PersonaNetwork) -> None:
    rows = [leaver(n) for n in range(1, 6)]
    run(net_a, csv_bytes(rows))
    before = {r.employee_number: r.updated_at for r in records(net_a)}
    rows[2] = leaver(3, 部署="人事部")

    import_plan, result = run(net_a, csv_bytes(rows))

    assert result == (0, 1, 4, 0)
    assert [(o.row_number, o.action, o.changed_fields) for o in import_plan.outcomes if o.action != "unchanged"] == [
        (4, "update", ["department"])
    ]
    after = records(net_a)
    assert [r.department for r in after] == ["営業部", "営業部", "人事部", "営業部", "営業部"]
    assert [r.employee_number for r in after if r.updated_at != before[r.employee_number]] == ["A0003"]


def test_it_imports_the_good_rows_and_reports_each_bad_one(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    rows = [leaver(n) for n in range(1, 81)]
    rows[9] = leaver(10, 退職日="2024/13/01")
    rows[29] = leaver(30, 社員番号="")
    rows[49] = leaver(50, 会社名=COMPANY_B)  # network B's company: never a match in network A
    rows[69] = leaver(70, 退職理由="結婚")

    import_plan, result = run(net_a, csv_bytes(rows))

    assert result == (76, 0, 0, 4)
    assert [(o.row_number, o.reasons) for o in import_plan.skipped] == [
        (11, ["Row 11: 退職日 '2024/13/01' is not a valid date."]),
        (31, ["Row 31: 社員番号 is empty."]),
        (51, ["Row 51: 会社名 'ベータ株式会社' is not a company of this network."]),
        (71, ["Row 71: 退職理由 '結婚' is not a leave reason we know."]),
    ]
    assert len(records(net_a)) == 76
    assert records(net_b) == []


def test_it_skips_the_later_row_of_a_duplicate_key(net_a: PersonaNetwork) -> None:
    rows = [leaver(1), leaver(2), leaver(1, 部署="人事部")]

    import_plan, result = run(net_a, csv_bytes(rows))

    assert result == (2, 0, 0, 1)
    assert import_plan.reasons == ["Row 4: employee number 'A0001' already appears in row 2; this row is skipped."]
    assert [(r.employee_number, r.department) for r in records(net_a)] == [("A0001", "営業部"), ("A0002", "営業部")]


def test_it_leaves_another_networks_records_alone(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scope(network=net_b.network):
        theirs = EmploymentRecord.objects.create(
            network=net_b.network, company=net_b.company, employee_number="A0001", family_name="別", given_name="人"
        )

    _, result = run(net_a, csv_bytes([leaver(1, 部署="人事部")]))

    assert result == (1, 0, 0, 0)
    [ours] = records(net_a)
    assert (ours.company_id, ours.department) == (net_a.company.pk, "人事部")
    [kept] = records(net_b)
    assert (kept.pk, kept.family_name, kept.department, kept.updated_at) == (theirs.pk, "別", "", theirs.updated_at)


def test_it_refuses_a_plan_made_for_another_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    import_plan = plan(net_a, csv_bytes([leaver(1)]))

    with scope(network=net_b.network), pytest.raises(ValueError, match="another network"):
        apply_import(net_b.network, net_b.hr, import_plan)
    assert records(net_a) == records(net_b) == []


def test_it_stores_hiragana_readings_as_katakana(net_a: PersonaNetwork) -> None:
    rows = [
        leaver(1, フリガナ="やまだ\u3000たろう"),
        leaver(2, フリガナ="ヤマダ タロウ"),
        leaver(3, フリガナ="山田 太郎"),
    ]

    import_plan, result = run(net_a, csv_bytes(rows))

    assert result == (2, 0, 0, 1)
    assert import_plan.reasons == ["Row 4: フリガナ '山田 太郎' must be in katakana or hiragana."]
    assert [(r.family_name_kana, r.given_name_kana) for r in records(net_a)] == [("ヤマダ", "タロウ")] * 2


def test_it_uses_the_only_company_when_the_file_has_no_company_column(net_a: PersonaNetwork) -> None:
    headers = [h for h in HEADERS if h != "会社名"]
    rows = [[cell for cell, h in zip(leaver(n), HEADERS, strict=True) if h != "会社名"] for n in (1, 2)]

    _, result = run(net_a, csv_bytes(rows, headers=headers))

    assert result == (2, 0, 0, 0)
    assert [r.company_id for r in records(net_a)] == [net_a.company.pk] * 2


def test_it_needs_a_company_when_the_network_has_several(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        second = Company.objects.create(network=net_a.network, name_ja="アルファ販売株式会社", short_name="ア販")
    headers = [h for h in HEADERS if h != "会社名"]
    rows = [[cell for cell, h in zip(leaver(1), HEADERS, strict=True) if h != "会社名"]]

    import_plan, result = run(net_a, csv_bytes(rows, headers=headers))
    _, by_short_name = run(net_a, csv_bytes([leaver(2, 会社名="ア 販")]))

    assert result == (0, 0, 0, 1)
    assert import_plan.reasons == ["Row 2: company is empty and this network has several companies."]
    assert by_short_name == (1, 0, 0, 0)
    assert [r.company_id for r in records(net_a)] == [second.pk]


def test_it_reads_leave_reasons_and_rehire_assessments(net_a: PersonaNetwork) -> None:
    reasons = {
        "転職": "career_change", "キャリアチェンジ": "career_change", "育児": "childcare", "出産": "childcare",
        "介護": "caregiving", "留学": "study", "進学": "study", "転居": "relocation", "配偶者の転勤": "relocation",
        "定年": "retirement", "定年退職": "retirement", "その他": "other", "career_change": "career_change", "": "",
    }  # fmt: skip
    rehire = {
        "可": "eligible", "○": "eligible", "eligible": "eligible", "条件付き": "conditional",
        "conditional": "conditional", "不可": "not_eligible", "×": "not_eligible", "not_eligible": "not_eligible",
        "": "unknown",
    }  # fmt: skip
    rows = [leaver(n, 退職理由=word) for n, word in enumerate(reasons, start=1)]
    rows += [leaver(100 + n, 再雇用可否=word) for n, word in enumerate(rehire, start=1)]

    _, result = run(net_a, csv_bytes(rows))

    assert result == (len(reasons) + len(rehire), 0, 0, 0)
    stored = records(net_a)
    assert [r.leave_reason for r in stored[: len(reasons)]] == list(reasons.values())
    assert [r.rehire_eligibility for r in stored[len(reasons) :]] == list(rehire.values())


def test_it_refuses_a_whole_name_without_a_space(net_a: PersonaNetwork) -> None:
    import_plan, result = run(net_a, csv_bytes([leaver(1, 氏名="山田太郎")]))

    assert result == (0, 0, 0, 1)
    assert import_plan.reasons == ["Row 2: 氏名 '山田太郎' must separate the family and given names with a space."]
