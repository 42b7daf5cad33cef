"""Importing HR leaver files (退職者データ) into employment records.

Three steps, so that a person can look before anything is written:

1. `guess_mapping` proposes which column holds which field, from the header names HR systems use;
2. `plan_import` checks every row against the database and says what would happen to it, writing nothing;
3. `apply_import` writes the plan in batches, re-checking each batch against the database, so that
   applying a stale plan, or the same file twice, never duplicates nor overwrites anything twice.

Rules of the file:
- A row is identified by (company, employee number) within the network. A key seen twice in one file:
  the later row is skipped, since it is not clear which one HR meant.
- A mapped column is the truth for its field: a blank cell stores a blank value (and a blank rehire
  column stores "not assessed"). Columns that are not mapped never touch the stored values.
- A bad row is skipped with every reason found, and never stops the good ones.
- Cells are text. A formula is never evaluated: read_table keeps an uncalculated formula's text, which is
  stored as it is (and flagged), and exports neutralise it again on the way out.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enishi.accounts.models import User
from enishi.intake.models import KEY_FIELDS, NAME_FIELDS, EmploymentRecord, LeaveReason, RehireEligibility
from enishi.lib.spreadsheets import Table, normalise_name, parse_japanese_date
from enishi.networks.models import Company, Network
from enishi.privacy.services import audit

# Rows written per transaction: small enough to keep locks short, large enough for bulk statements to pay.
BATCH_SIZE = 2000
# Employee numbers per lookup query. Below SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
LOOKUP_CHUNK = 10_000
# bulk_update writes one CASE per field; smaller statements keep SQLite's and PostgreSQL's planners fast.
UPDATE_CHUNK = 500
MESSAGE_VALUE_LENGTH = 40  # a cell quoted in a message is cut here, so a huge cell cannot flood the report

# Canonical fields that land on EmploymentRecord, in the order changed_fields lists them.
RECORD_FIELDS = (
    "employee_number", "family_name", "given_name", "family_name_kana", "given_name_kana", "private_email",
    "phone", "birth_date", "department", "job_title", "grade", "hire_date", "leave_date", "leave_reason",
    "rehire_eligibility", "hr_notes",
)  # fmt: skip
# Columns that feed other fields: a company name, or a whole name split into family and given parts.
COMPANY = "company"
FULL_NAME = "full_name"
FULL_NAME_KANA = "full_name_kana"
IMPORT_FIELDS = (COMPANY, *RECORD_FIELDS, FULL_NAME, FULL_NAME_KANA)
DATE_FIELDS = frozenset({"birth_date", "hire_date", "leave_date"})
KANA_FIELDS = frozenset({"family_name_kana", "given_name_kana"})
CHOICE_FIELDS = frozenset({"leave_reason", "rehire_eligibility"})
_TEXT_FIELDS = tuple(name for name in RECORD_FIELDS if name not in DATE_FIELDS | CHOICE_FIELDS)

# Header names, as normalise_header leaves them (NFKC, no spaces, lower case).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    COMPANY: ("会社", "会社名", "所属会社", "グループ会社", "company", "companyname", "employer"),
    "employee_number": (
        "社員番号", "従業員番号", "社員no", "社員no.", "社員コード", "従業員コード", "社員id", "職員番号",
        "employeenumber", "employeeno", "employeeno.", "employeeid", "employeecode", "staffid", "empno",
    ),
    FULL_NAME: ("氏名", "名前", "氏名(漢字)", "name", "fullname", "employeename"),
    "family_name": ("姓", "氏", "苗字", "名字", "familyname", "lastname", "surname"),
    "given_name": ("名", "下の名前", "givenname", "firstname"),
    FULL_NAME_KANA: (
        "フリガナ", "ふりがな", "カナ", "カナ氏名", "氏名カナ", "氏名(カナ)", "氏名(フリガナ)", "よみがな",
        "ヨミガナ", "namekana", "kana", "furigana",
    ),
    "family_name_kana": (
        "セイ", "せい", "姓カナ", "姓(カナ)", "カナ姓", "フリガナ(姓)", "姓(フリガナ)", "ふりがな(姓)",
        "familynamekana", "lastnamekana", "familyname(kana)", "lastname(kana)",
    ),
    "given_name_kana": (
        "メイ", "めい", "名カナ", "名(カナ)", "カナ名", "フリガナ(名)", "名(フリガナ)", "ふりがな(名)",
        "givennamekana", "firstnamekana", "givenname(kana)", "firstname(kana)",
    ),
    "private_email": (
        "メール", "メールアドレス", "個人メール", "個人メールアドレス", "私用メール", "email", "e-mail",
        "mail", "privateemail", "personalemail",
    ),
    "phone": ("電話", "電話番号", "携帯", "携帯電話", "携帯番号", "連絡先電話番号", "phone", "tel", "mobile"),
    "birth_date": ("生年月日", "誕生日", "birthdate", "dateofbirth", "dob", "birthday"),
    "department": ("部署", "所属", "部門", "所属部署", "最終所属", "department", "dept", "division"),
    "job_title": ("役職", "職位", "肩書", "jobtitle", "title", "position"),
    "grade": ("等級", "グレード", "職級", "資格等級", "grade", "level"),
    "hire_date": ("入社日", "入社年月日", "hiredate", "startdate", "joindate", "dateofhire"),
    "leave_date": (
        "退職日", "退社日", "退職年月日", "leavedate", "leavingdate", "enddate", "terminationdate",
        "separationdate", "lastday",
    ),
    "leave_reason": ("退職理由", "退職事由", "leavereason", "reasonforleaving", "leavingreason"),
    "rehire_eligibility": (
        "再雇用", "再雇用可否", "再入社可否", "再雇用可", "rehire", "rehireeligibility", "rehireeligible",
        "eligibleforrehire",
    ),
    "hr_notes": ("備考", "人事メモ", "メモ", "hrnotes", "notes", "remarks", "memo"),
}  # fmt: skip

LEAVE_REASON_WORDS: dict[str, str] = {
    "転職": LeaveReason.CAREER_CHANGE,
    "キャリアチェンジ": LeaveReason.CAREER_CHANGE,
    "育児": LeaveReason.CHILDCARE,
    "出産": LeaveReason.CHILDCARE,
    "介護": LeaveReason.CAREGIVING,
    "留学": LeaveReason.STUDY,
    "進学": LeaveReason.STUDY,
    "転居": LeaveReason.RELOCATION,
    "配偶者の転勤": LeaveReason.RELOCATION,
    "定年": LeaveReason.RETIREMENT,
    "定年退職": LeaveReason.RETIREMENT,
    "その他": LeaveReason.OTHER,
}
REHIRE_WORDS: dict[str, str] = {
    "": RehireEligibility.UNKNOWN,
    "可": RehireEligibility.ELIGIBLE,
    "○": RehireEligibility.ELIGIBLE,
    "◯": RehireEligibility.ELIGIBLE,
    "条件付き": RehireEligibility.CONDITIONAL,
    "条件付": RehireEligibility.CONDITIONAL,
    "△": RehireEligibility.CONDITIONAL,
    "不可": RehireEligibility.NOT_ELIGIBLE,
    "×": RehireEligibility.NOT_ELIGIBLE,
    "✕": RehireEligibility.NOT_ELIGIBLE,
    "未評価": RehireEligibility.UNKNOWN,
}
# Hiragana, katakana, the long-vowel mark, iteration marks, the middle dot and spaces.
_KANA = re.compile(r"^[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fb-\u30fe ]*$")
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in (*range(0x3041, 0x3097), 0x309D, 0x309E)}

Action = Literal["create", "update", "unchanged", "skip"]
RecordKey = tuple[int, str]  # (company id, employee number)
Value = str | date | None
_T = TypeVar("_T")


@dataclass
class RowOutcome:
    """What planning found for one data row. `values` holds the parsed fields the file provides."""

    row_number: int
    action: Action
    reasons: list[str] = field(default_factory=list)
    key: RecordKey | None = None
    changed_fields: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    values: dict[str, Value] = field(default_factory=dict)


@dataclass
class ImportPlan:
    network_id: int
    outcomes: list[RowOutcome]

    def count(self, action: Action) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def skipped(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.action == "skip"]

    @property
    def reasons(self) -> list[str]:
        return [reason for outcome in self.outcomes for reason in outcome.reasons]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int


# Mapping


def normalise_header(text: str) -> str:
    """A header for matching: NFKC, no spaces of any width, lower case (姓（カナ） and 姓(カナ) alike)."""
    return normalise_name(text)


@functools.cache
def _aliases() -> dict[str, str]:
    """Header → field, including the labels exports write in either language, so an export re-imports."""
    aliases = {alias: name for name, spellings in HEADER_ALIASES.items() for alias in spellings}
    for language in ("en", "ja"):
        with translation.override(language):
            for name in RECORD_FIELDS:
                label = str(EmploymentRecord._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
                aliases.setdefault(normalise_header(label), name)
            aliases.setdefault(normalise_header(_("company")), COMPANY)
    return aliases


def guess_mapping(headers: Sequence[str]) -> dict[int, str]:
    """Column index → field for the headers we recognise; the first column wins when two name one field."""
    aliases = _aliases()
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = aliases.get(normalise_header(header))
        if name is not None and name not in mapping.values():
            mapping[index] = name
    return mapping


def check_mapping(mapping: dict[int, str]) -> None:
    """Refuse a mapping that cannot identify a record or that names a field twice."""
    fields = list(mapping.values())
    unknown = sorted(set(fields) - set(IMPORT_FIELDS))
    if unknown:
        raise ValueError(f"Unknown import fields: {unknown}")
    if len(fields) != len(set(fields)):
        raise ValidationError(_("Each field can be taken from one column only."), code="duplicate_field")
    if "employee_number" not in fields:
        raise ValidationError(_("Choose the column that holds the employee number."), code="no_employee_number")
    if "given_name" not in fields and FULL_NAME not in fields:
        raise ValidationError(_("Choose the column that holds the name."), code="no_name")


# Planning


@dataclass
class _Context:
    """What every row of one file needs: the mapping turned around, and the network's companies."""

    table: Table
    columns: dict[str, int]  # field → column index
    companies: dict[str, int | None]  # normalised name → company id; None when two companies share it
    single_company: int | None  # the network's only company, used when the file names none
    formulas: dict[int, list[str]]  # row number → mapped fields whose cell is an uncalculated formula
    company_cache: dict[str, int | None] = field(default_factory=dict)
    # Parsed dates by cell text: a file repeats the same few thousand dates, and parsing is the costly step.
    dates: dict[str, date | None] = field(default_factory=dict)
    bad_dates: set[str] = field(default_factory=set)

    def header(self, name: str) -> str:
        column = self.columns.get(name)
        if column is not None and column < len(self.table.headers):
            return self.table.headers[column]
        return field_label(name)


def field_label(name: str) -> str:
    if name == COMPANY:
        return _("company")
    if name in (FULL_NAME, FULL_NAME_KANA):
        return _("name") if name == FULL_NAME else _("name (kana)")
    return str(EmploymentRecord._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


def plan_import(network: Network, table: Table, mapping: dict[int, str]) -> ImportPlan:
    """What importing `table` would do to each row, checked against the database; writes nothing."""
    check_mapping(mapping)
    context = _context(network, table, mapping)
    outcomes = [_parse_row(context, index) for index in range(len(table.rows))]
    _skip_duplicates(outcomes)
    keys = [outcome.key for outcome in outcomes if outcome.action != "skip" and outcome.key is not None]
    existing = _existing_values(network, keys)
    for outcome in outcomes:
        if outcome.action != "skip":
            _decide(outcome, existing)
    return ImportPlan(network_id=network.pk, outcomes=outcomes)


def _context(network: Network, table: Table, mapping: dict[int, str]) -> _Context:
    companies: dict[str, int | None] = {}
    company_ids: set[int] = set()
    for company in Company.objects.filter(network=network).only("id", "name_ja", "name_en", "short_name"):
        company_ids.add(company.pk)
        for name in {normalise_name(n) for n in (company.name_ja, company.name_en, company.short_name) if n}:
            # A spelling two companies share cannot tell them apart: rows using it are refused, not guessed.
            companies[name] = company.pk if companies.get(name, company.pk) == company.pk else None
    single = next(iter(company_ids)) if len(company_ids) == 1 else None
    columns = {name: index for index, name in mapping.items()}
    formulas: dict[int, list[str]] = defaultdict(list)
    for row_number, column in sorted(table.uncomputed_formulas):
        if column in mapping:
            formulas[row_number].append(mapping[column])
    return _Context(table=table, columns=columns, companies=companies, single_company=single, formulas=formulas)


def _parse_row(context: _Context, index: int) -> RowOutcome:
    table = context.table
    cells = table.rows[index]
    outcome = RowOutcome(row_number=table.row_numbers[index], action="create")
    if len(cells) > len(table.headers) and any(cells[len(table.headers) :]):
        # Usually a comma inside an unquoted cell: every later cell is shifted, so nothing in the row is safe.
        outcome.reasons.append(
            _("Row %(row)s has more cells than the header row; check for a comma or tab inside a cell.")
            % {"row": outcome.row_number}
        )
    company_id = _company(context, cells, outcome)
    values = _values(context, cells, outcome)
    _check_required(context, values, outcome)
    _check_dates(values, outcome)
    _flag_formulas(context, outcome)
    if outcome.reasons:
        outcome.action = "skip"
    elif company_id is not None:
        outcome.key = (company_id, str(values["employee_number"]))
        outcome.values = values
    return outcome


def _cell(context: _Context, cells: list[str], name: str) -> str | None:
    """The cell of a mapped field, or None when the file has no such column."""
    column = context.columns.get(name)
    if column is None:
        return None
    return cells[column] if column < len(cells) else ""


def _fail(outcome: RowOutcome, context: _Context, name: str, message: str, value: str = "", **params: object) -> None:
    if len(value) > MESSAGE_VALUE_LENGTH:
        value = value[:MESSAGE_VALUE_LENGTH] + "…"
    params.update(row=outcome.row_number, column=context.header(name), value=value)
    outcome.reasons.append(message % params)


def _company(context: _Context, cells: list[str], outcome: RowOutcome) -> int | None:
    text = _cell(context, cells, COMPANY) or ""
    if not text:
        if context.single_company is None:
            _fail(
                outcome, context, COMPANY, _("Row %(row)s: %(column)s is empty and this network has several companies.")
            )
        return context.single_company
    if text not in context.company_cache:
        # Only this network's companies are candidates: another network's names can never match.
        context.company_cache[text] = context.companies.get(normalise_name(text), 0)
    company_id = context.company_cache[text]
    if company_id == 0:
        _fail(
            outcome, context, COMPANY, _("Row %(row)s: %(column)s '%(value)s' is not a company of this network."), text
        )
        return None
    if company_id is None:
        _fail(outcome, context, COMPANY, _("Row %(row)s: %(column)s '%(value)s' matches several companies."), text)
    return company_id


def _values(context: _Context, cells: list[str], outcome: RowOutcome) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for name in _TEXT_FIELDS:
        text = _cell(context, cells, name)
        if text is not None:
            values[name] = text
    _split_names(context, cells, values, outcome)
    for name in _TEXT_FIELDS:
        value = values.get(name)
        if isinstance(value, str):
            values[name] = _text(context, name, value, outcome)
    for name in DATE_FIELDS:
        text = _cell(context, cells, name)
        if text is not None:
            values[name] = _date(context, name, text, outcome)
    _choices(context, cells, values, outcome)
    return values


def _text(context: _Context, name: str, text: str, outcome: RowOutcome) -> str:
    column = name if name in context.columns else _whole_name_field(name)
    limit = _max_lengths()[name]
    if limit is not None and len(text) > limit:
        _fail(outcome, context, column, _("Row %(row)s: %(column)s is longer than %(limit)s characters."), limit=limit)
    if name in KANA_FIELDS:
        return _kana(context, column, text, outcome)
    if name == "private_email" and text:
        try:
            validate_email(text)
        except ValidationError:
            _fail(outcome, context, name, _("Row %(row)s: %(column)s '%(value)s' is not a valid email address."), text)
    return text


def _split_names(context: _Context, cells: list[str], values: dict[str, Value], outcome: RowOutcome) -> None:
    """Fill family and given names from a whole-name column, unless the file has separate columns."""
    for whole, family, given in ((FULL_NAME, "family_name", "given_name"),
                                 (FULL_NAME_KANA, "family_name_kana", "given_name_kana")):  # fmt: skip
        text = _cell(context, cells, whole)
        if text is None or family in values or given in values:
            continue
        if not text:
            values[family] = values[given] = ""
            continue
        if whole == FULL_NAME_KANA and not _KANA.match(text):
            _kana(context, whole, text, outcome)  # one message for the whole reading, not one per part
            values[family] = values[given] = None
            continue
        # read_table's NFKC has already turned the ideographic space (U+3000) into an ASCII one.
        parts = text.split(" ", 1)
        if len(parts) == 2:
            values[family], values[given] = parts[0], parts[1].strip()
        elif whole == FULL_NAME:
            message = _("Row %(row)s: %(column)s '%(value)s' must separate the family and given names with a space.")
            _fail(outcome, context, whole, message, text)
            values[family] = values[given] = None  # reported above: not "empty" as well
        else:
            # A reading we cannot split is left out rather than guessed; the row is still worth importing.
            message = _(
                "Row %(row)s: %(column)s '%(value)s' has no space between family and given names; not imported."
            )
            outcome.warnings.append(
                message % {"row": outcome.row_number, "column": context.header(whole), "value": text}
            )


@functools.cache
def _max_lengths() -> dict[str, int | None]:
    return {name: EmploymentRecord._meta.get_field(name).max_length for name in _TEXT_FIELDS}  # type: ignore[union-attr]


def _whole_name_field(name: str) -> str:
    return FULL_NAME_KANA if name in KANA_FIELDS else FULL_NAME


def _kana(context: _Context, column: str, text: str, outcome: RowOutcome) -> str:
    if not _KANA.match(text):
        _fail(outcome, context, column, _("Row %(row)s: %(column)s '%(value)s' must be in katakana or hiragana."), text)
        return text
    return text.translate(_HIRAGANA_TO_KATAKANA)  # names sort and display by katakana reading


def _date(context: _Context, name: str, text: str, outcome: RowOutcome) -> date | None:
    if text in context.dates:
        return context.dates[text]
    if text not in context.bad_dates:
        try:
            context.dates[text] = parse_japanese_date(text)
            return context.dates[text]
        except ValueError:
            context.bad_dates.add(text)
    _fail(outcome, context, name, _("Row %(row)s: %(column)s '%(value)s' is not a valid date."), text)
    return None


def _choices(context: _Context, cells: list[str], values: dict[str, Value], outcome: RowOutcome) -> None:
    reason = _cell(context, cells, "leave_reason")
    if reason is not None:
        value = _leave_reason(reason)
        if value is None:
            message = _("Row %(row)s: %(column)s '%(value)s' is not a leave reason we know.")
            _fail(outcome, context, "leave_reason", message, reason)
        values["leave_reason"] = value or ""
    rehire = _cell(context, cells, "rehire_eligibility")
    if rehire is not None:
        value = _rehire(rehire)
        if value is None:
            message = _("Row %(row)s: %(column)s '%(value)s' is not a rehire assessment we know.")
            _fail(outcome, context, "rehire_eligibility", message, rehire)
        values["rehire_eligibility"] = value or RehireEligibility.UNKNOWN


@functools.lru_cache(maxsize=1024)  # a file repeats a handful of words; normalising them is not free
def _leave_reason(text: str) -> str | None:
    if not text:
        return ""
    key = normalise_name(text)
    return LEAVE_REASON_WORDS.get(key) or _choice_spellings(LeaveReason).get(key)


@functools.lru_cache(maxsize=1024)
def _rehire(text: str) -> str | None:
    key = normalise_name(text)
    return REHIRE_WORDS.get(key) or _choice_spellings(RehireEligibility).get(key)


@functools.cache
def _choice_spellings(choices: type[models.TextChoices]) -> dict[str, str]:
    """Codes and labels in both languages ("career_change", "Career change"), normalised."""
    spellings: dict[str, str] = {}
    for language in ("en", "ja"):
        with translation.override(language):
            for code, label in choices.choices:
                spellings[normalise_name(code)] = code
                spellings.setdefault(normalise_name(str(label)), code)
    return spellings


def _check_required(context: _Context, values: dict[str, Value], outcome: RowOutcome) -> None:
    for name in ("employee_number", "given_name"):
        if values.get(name, "") == "":
            column = name if name in context.columns else FULL_NAME
            _fail(outcome, context, column, _("Row %(row)s: %(column)s is empty."))


def _check_dates(values: dict[str, Value], outcome: RowOutcome) -> None:
    hire, leave = values.get("hire_date"), values.get("leave_date")
    if isinstance(hire, date) and isinstance(leave, date) and leave < hire:
        message = _("Row %(row)s: the leave date %(leave)s is before the hire date %(hire)s.")
        outcome.reasons.append(message % {"row": outcome.row_number, "leave": leave, "hire": hire})


def _flag_formulas(context: _Context, outcome: RowOutcome) -> None:
    for name in context.formulas.get(outcome.row_number, ()):
        message = _("Row %(row)s: %(column)s holds a formula Excel never calculated; its text is kept as is.")
        outcome.warnings.append(message % {"row": outcome.row_number, "column": context.header(name)})


def _skip_duplicates(outcomes: list[RowOutcome]) -> None:
    first_row: dict[RecordKey, int] = {}
    for outcome in outcomes:
        if outcome.key is None:
            continue
        if outcome.key in first_row:
            message = _(
                "Row %(row)s: employee number '%(value)s' already appears in row %(first)s; this row is skipped."
            )
            outcome.reasons.append(
                message % {"row": outcome.row_number, "value": outcome.key[1], "first": first_row[outcome.key]}
            )
            outcome.action = "skip"
            outcome.key = None
            outcome.values = {}
        else:
            first_row[outcome.key] = outcome.row_number


# Reading existing records


def _existing_values(
    network: Network, keys: Iterable[RecordKey], *, lock: bool = False
) -> dict[RecordKey, dict[str, object]]:
    """Stored values of the records with these keys: one query per company and LOOKUP_CHUNK numbers."""
    numbers_by_company: dict[int, list[str]] = defaultdict(list)
    for company_id, number in keys:
        numbers_by_company[company_id].append(number)
    found: dict[RecordKey, dict[str, object]] = {}
    for company_id, numbers in numbers_by_company.items():
        for chunk in _chunks(numbers, LOOKUP_CHUNK):
            records = EmploymentRecord.objects.filter(network=network, company_id=company_id, employee_number__in=chunk)
            if lock:
                records = records.select_for_update()
            for row in records.values("id", "company_id", *RECORD_FIELDS):
                found[(row["company_id"], row["employee_number"])] = row
    return found


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _changes(values: dict[str, Value], stored: dict[str, object]) -> list[str]:
    return [name for name in RECORD_FIELDS if name in values and values[name] != stored[name]]


def _decide(outcome: RowOutcome, existing: dict[RecordKey, dict[str, object]]) -> None:
    assert outcome.key is not None
    stored = existing.get(outcome.key)
    if stored is None:
        outcome.action = "create"
        return
    outcome.changed_fields = _changes(outcome.values, stored)
    outcome.action = "update" if outcome.changed_fields else "unchanged"


# Applying


def apply_import(
    network: Network,
    actor: User | None,
    plan: ImportPlan,
    *,
    request: HttpRequest | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write a plan, one transaction per BATCH_SIZE rows, and record one audit entry with the counts.

    Each batch is compared with the database again at write time, so the counts say what was really done:
    a record someone created since planning is updated (or left alone), never duplicated.
    """
    if plan.network_id != network.pk:
        raise ValueError("This import plan was made for another network.")
    rows = [outcome for outcome in plan.outcomes if outcome.action != "skip" and outcome.key is not None]
    company_ids = set(Company.objects.filter(network=network).values_list("id", flat=True))
    valid = [row for row in rows if row.key is not None and row.key[0] in company_ids]
    created = updated = 0
    done = 0
    for batch in _chunks(valid, BATCH_SIZE):
        batch_created, batch_updated = _apply_batch(network, batch)
        created += batch_created
        updated += batch_updated
        done += len(batch)
        if progress is not None:
            progress(done, len(valid))
    result = ImportResult(
        created=created,
        updated=updated,
        unchanged=len(valid) - created - updated,
        skipped=len(plan.outcomes) - len(valid),
    )
    audit(
        network,
        actor,
        "employment_records.imported",
        request=request,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=result.skipped,
    )
    return result


@transaction.atomic
def _apply_batch(network: Network, batch: Sequence[RowOutcome]) -> tuple[int, int]:
    existing = _existing_values(network, [row.key for row in batch if row.key is not None], lock=True)
    new: list[EmploymentRecord] = []
    changed: list[EmploymentRecord] = []
    changed_fields: set[str] = set()
    now = timezone.now()
    for row in batch:
        assert row.key is not None
        stored = existing.get(row.key)
        if stored is None:
            record = EmploymentRecord(network=network, company_id=row.key[0], **_model_values(row.values))
            record.set_keys()
            new.append(record)
            continue
        fields = _changes(row.values, stored)
        if fields:
            # bulk_update sets every listed field on every object: start from the stored values.
            record = EmploymentRecord(network=network, **{**stored, **{name: row.values[name] for name in fields}})
            record.updated_at = now  # bulk_update skips auto_now
            if NAME_FIELDS.intersection(fields):
                record.set_keys()
                changed_fields.update(KEY_FIELDS)
            changed.append(record)
            changed_fields.update(fields)
    EmploymentRecord.objects.bulk_create(new)
    if changed:
        ordered = [name for name in (*RECORD_FIELDS, *KEY_FIELDS) if name in changed_fields]
        EmploymentRecord.objects.bulk_update(changed, [*ordered, "updated_at"], batch_size=UPDATE_CHUNK)
        _reindex_holders(network, [record.pk for record in changed])
    return len(new), len(changed)


def _reindex_holders(network: Network, record_ids: list[int]) -> None:
    """Members whose records changed (departments, job titles…): their directory documents and
    matching terms follow."""
    from enishi.directory.indexing import reindex_members

    holders = EmploymentRecord.objects.filter(network=network, pk__in=record_ids, membership__isnull=False)
    reindex_members(network, holders.values_list("membership_id", flat=True))


def _model_values(values: dict[str, Value]) -> dict[str, Value]:
    # A blank rehire column means "not assessed"; a missing one leaves the model's default, which is the same.
    return {name: value for name, value in values.items() if name in RECORD_FIELDS}
