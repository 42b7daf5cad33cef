"""Reading the spreadsheets HR systems export (CSV in UTF-8 or Shift_JIS, Excel .xlsx) and their values.

`read_table` is the only way an uploaded table reaches the import code: it checks size and type, finds
the encoding and delimiter, never evaluates a formula, and returns every non-blank row with the row
number the person sees in Excel, so that no row is dropped silently and every message can say 「3行目」.
Validating the rows is the caller's job. Writing tables back lives in `enishi.lib.exports`.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Literal

from charset_normalizer import from_bytes
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from enishi.lib.japanese import normalise, to_hiragana

# An unpacked workbook may be this many times larger than the upload limit; real .xlsx files
# compress 5-10×, a zip bomb by a thousand or more.
XLSX_EXPANSION_LIMIT = 20
# Tried only when strict UTF-8 and CP932 both fail: EUC-JP, which old Unix systems still write.
# Single-byte Western encodings and BOM-less UTF-16 are left out on purpose: they decode almost any bytes,
# and a damaged Shift_JIS file would come in as mojibake instead of being refused.
FALLBACK_ENCODINGS = ["euc_jp", "euc_jis_2004"]
SNIFF_CHARACTERS = 16_384
DELIMITERS = ",\t;"  # comma first: the default when nothing else is clear
BINARY_SAMPLE_BYTES = 65_536
# Above this share of control characters in the sample, a "text" file is really binary.
MAX_CONTROL_SHARE = 0.01
MIN_CONTROLS_IN_TEXT = 8  # a short file may still end with a DOS end-of-file mark or hold a stray tab stop

_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF-",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also a password-protected .xlsx
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_RUNS = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Table:
    """A read table: normalised header and data rows, each with the row number Excel shows.

    A data row is padded with "" to the header's width and is never cut: cells beyond the last header are
    kept, so a row longer than `headers` is the caller's to report. `uncomputed_formulas` holds
    (row number, column index from 0) of .xlsx cells whose formula was never calculated: the cell holds the
    formula's text, which must be reported, never evaluated.
    """

    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str
    format: Literal["csv", "xlsx"]
    header_row_number: int = 1
    uncomputed_formulas: frozenset[tuple[int, int]] = field(default_factory=frozenset)


def normalise_cell(value: str) -> str:
    """NFKC (full-width digits and Latin to half-width, half-width kana to full-width), trimmed, runs of
    spaces made one. Line breaks inside a cell (addresses, notes) are kept as "\\n".

    Note that NFKC also turns ① into 1 and ㈱ into (株); 髙 and 﨑 are unified ideographs and stay.
    """
    # NFKC is the costly step and never changes pure ASCII.
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    value = value.strip()
    if "  " in value or "\t" in value:
        value = _SPACE_RUNS.sub(" ", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def read_table(
    upload: bytes | IO[bytes],
    filename: str,
    *,
    max_bytes: int,
    max_rows: int,
    sheet: str | None = None,
) -> Table:
    """Read a CSV or .xlsx upload. The format is decided from the content; `filename` only shapes messages.

    `sheet` picks an .xlsx sheet by name (width and case do not matter); by default the first one.
    Raises ValidationError with a message for the person who uploaded.
    """
    data = _read_limited(upload, max_bytes)
    if not data.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_bytes=max_bytes, max_rows=max_rows, sheet=sheet)
    _reject_binary(data, filename)
    text, encoding = _decode(data)
    return _read_csv(text, encoding, max_rows=max_rows)


# Upload checks


def _read_limited(upload: bytes | IO[bytes], max_bytes: int) -> bytes:
    """The upload's bytes, refusing before reading when the size is known, and never reading past the limit."""
    if isinstance(upload, bytes):
        _check_size(len(upload), max_bytes)
        return upload
    known_size = _known_size(upload)
    if known_size is not None:
        _check_size(known_size, max_bytes)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is too large. The limit is %(limit)s."),
            code="too_large",
            params={"limit": filesizeformat(max_bytes)},
        )
    return data


def _known_size(upload: IO[bytes]) -> int | None:
    size = getattr(upload, "size", None)  # Django's UploadedFile knows it without reading
    if isinstance(size, int):
        if upload.seekable():
            upload.seek(0)
        return size
    if not upload.seekable():
        return None
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )


def _reject_binary(data: bytes, filename: str) -> None:
    if data.startswith(_OLE2_MAGIC):
        # The same container holds Excel 97-2003 files and encrypted .xlsx; the name tells which is likely.
        if filename.lower().endswith(".xls"):
            message = _("Old Excel files (.xls) cannot be read. Save it as .xlsx or as CSV and upload it again.")
        else:
            message = _(
                "This workbook is password-protected or in an old Excel format. "
                "Save it as .xlsx without a password, or as CSV, and upload it again."
            )
        raise ValidationError(message, code="old_excel")
    if data.startswith(_UTF16_BOMS):
        return  # UTF-16 text ("Unicode text" from Excel) is full of NUL bytes
    sample = data[:BINARY_SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    # Text in UTF-8 or CP932 never holds a NUL byte (their multi-byte sequences avoid the C0 range).
    too_many_controls = controls > max(MIN_CONTROLS_IN_TEXT, len(sample) * MAX_CONTROL_SHARE)
    if b"\x00" in data or too_many_controls or sample.startswith(_BINARY_MAGIC):
        raise ValidationError(_("This file is not a CSV or Excel file we can read."), code="not_a_table")


# CSV


def _decode(data: bytes) -> tuple[str, str]:
    """Strict UTF-8 (with or without BOM), then strict CP932, then other Japanese encodings."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith(_UTF16_BOMS):
        candidates = ["utf-16"]
    else:
        # CP932, not Shift_JIS: Windows' superset with ①, ㈱, 髙 and the other NEC and IBM characters.
        candidates = ["utf-8", "cp932"]
    furthest_error = 0
    for encoding in candidates:
        try:
            return _without_controls(data.decode(encoding)), encoding
        except UnicodeDecodeError as exc:
            furthest_error = max(furthest_error, exc.start)
    guess = from_bytes(data, cp_isolation=FALLBACK_ENCODINGS).best()
    if guess is not None:
        try:
            return _without_controls(data.decode(guess.encoding)), guess.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    # The encoding that got furthest is most likely the intended one; its first error is worth pointing at.
    raise ValidationError(
        _(
            "We could not tell how the text in this file is encoded (line %(line)s has characters we cannot "
            "read). Save it as CSV (UTF-8) or CSV (Shift_JIS) and upload it again."
        ),
        code="encoding",
        params={"line": data.count(b"\n", 0, furthest_error) + 1},
    )


def _without_controls(text: str) -> str:
    # A stray control character (DOS end-of-file mark, vertical tab) would break exports and databases.
    if _CONTROL_CHARACTERS.search(text):
        return _CONTROL_CHARACTERS.sub("", text)
    return text


def _sniff_delimiter(text: str) -> str:
    sample = text[:SNIFF_CHARACTERS]
    if len(text) > SNIFF_CHARACTERS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut line would upset the sniffer's consistency check
    lines = [line for line in sample.splitlines() if line.strip()]
    header = lines[0] if lines else ""
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    if delimiter in header:
        return delimiter
    # The sniffer can be misled by data ("a,b" in a tab-separated file); a header seldom quotes delimiters.
    counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
    most_used = max(counts, key=counts.__getitem__)
    return most_used if counts[most_used] else ","


def _read_csv(text: str, encoding: str, *, max_rows: int) -> Table:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    builder = _TableBuilder(max_rows)
    # Row numbers count records, blank ones included, as Excel numbers the rows of an opened CSV.
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            builder.add(number, [normalise_cell(cell) for cell in record])
    except csv.Error as exc:
        raise _line_error(number + 1, str(exc)) from exc
    if text.count('"') % 2:
        _check_last_record_closed(text, delimiter, number, reader.line_num)
    return builder.table(encoding=encoding, format="csv")


def _check_last_record_closed(text: str, delimiter: str, last_number: int, total_lines: int) -> None:
    """An opening quote never closed swallows every later line into one cell: refuse rather than lose rows.

    Only the last record can have run to the end of the file. Runs only when the file has an odd number of
    quotes, so re-reading is cheap enough.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start_line = 0
    for _record in itertools.islice(reader, max(last_number - 1, 0)):
        start_line = reader.line_num
    if total_lines - start_line < 2:
        return
    tail = "".join(itertools.islice(io.StringIO(text, newline=""), start_line, None))
    if tail.count('"') % 2:
        raise _line_error(last_number, _("a quoted field is not closed"))


def _line_error(number: int, error: str) -> ValidationError:
    return ValidationError(
        _("Line %(line)s could not be read: %(error)s"), code="bad_line", params={"line": number, "error": error}
    )


class _TableBuilder:
    """Collects non-blank rows with their numbers; the first one is the header."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.headers: list[str] | None = None
        self.header_row_number = 1
        self.rows: list[list[str]] = []
        self.row_numbers: list[int] = []
        self._index_by_number: dict[int, int] | None = None

    def add(self, number: int, cells: list[str]) -> None:
        while cells and not cells[-1]:
            cells.pop()  # trailing delimiters ("a,b,") and empty cells Excel keeps formatted
        if not cells:
            return
        if self.headers is None:
            self.headers = cells
            self.header_row_number = number
            return
        if len(self.rows) == self.max_rows:
            raise ValidationError(
                _(
                    "The file has more than %(limit)s data rows. "
                    "Split it into smaller files and upload them one by one."
                ),
                code="too_many_rows",
                params={"limit": f"{self.max_rows:,}"},
            )
        missing = len(self.headers) - len(cells)
        if missing > 0:
            cells.extend([""] * missing)
        self.rows.append(cells)
        self.row_numbers.append(number)

    def replace(self, row_number: int, column: int, text: str) -> None:
        if row_number == self.header_row_number and self.headers is not None:
            self.headers[column] = text
            return
        if self._index_by_number is None:
            self._index_by_number = {number: index for index, number in enumerate(self.row_numbers)}
        self.rows[self._index_by_number[row_number]][column] = text

    def table(
        self,
        *,
        encoding: str,
        format: Literal["csv", "xlsx"],
        uncomputed_formulas: frozenset[tuple[int, int]] = frozenset(),
    ) -> Table:
        if self.headers is None:
            raise ValidationError(_("The file is empty."), code="empty")
        if not self.rows:
            raise ValidationError(_("The file has a header row but no data rows."), code="no_rows")
        return Table(
            headers=self.headers,
            rows=self.rows,
            row_numbers=self.row_numbers,
            encoding=encoding,
            format=format,
            header_row_number=self.header_row_number,
            uncomputed_formulas=uncomputed_formulas,
        )


# XLSX

_Position = tuple[int, int]  # (row number, column index)


def _read_xlsx(data: bytes, *, max_bytes: int, max_rows: int, sheet: str | None) -> Table:
    _check_workbook_archive(data, max_bytes)
    builder = _TableBuilder(max_rows)
    formulas: list[_Position] = []
    # With data_only=False a formula cell reads as its text: ordinary files need this one pass only.
    with closing(_iter_sheet(data, sheet, data_only=False)) as sheet_rows:
        for row_number, values in sheet_rows:
            cells = []
            for column, value in enumerate(values):
                if isinstance(value, ArrayFormula | DataTableFormula) or (type(value) is str and value[:1] == "="):
                    formulas.append((row_number, column))
                cells.append(_xlsx_text(value))
            builder.add(row_number, cells)
    uncomputed = _replace_formulas_by_cached_values(builder, data, sheet, formulas) if formulas else set()
    return builder.table(encoding="xlsx", format="xlsx", uncomputed_formulas=frozenset(uncomputed))


def _replace_formulas_by_cached_values(
    builder: _TableBuilder, data: bytes, sheet: str | None, formulas: list[_Position]
) -> set[_Position]:
    """Put in the values Excel saved for the formula cells; return the cells that have none.

    A program that writes without calculating (a script, some exports) leaves no value: the cell keeps
    the formula's text for the caller to report. A text cell that merely starts with "=" reads the same in
    both passes, so it stays as it is.
    """
    wanted = set(formulas)
    last_row = formulas[-1][0]
    uncomputed = set()
    with closing(_iter_sheet(data, sheet, data_only=True)) as sheet_rows:
        for row_number, values in sheet_rows:
            if row_number > last_row:
                break
            for column, value in enumerate(values):
                if (row_number, column) not in wanted:
                    continue
                if value is None:
                    uncomputed.add((row_number, column))
                else:
                    builder.replace(row_number, column, _xlsx_text(value))
    return uncomputed


def _check_workbook_archive(data: bytes, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _broken_workbook() from exc
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise ValidationError(_("This file is not a CSV or Excel file we can read."), code="not_a_table")
    # Python's zipfile never inflates a member beyond its declared size (it fails the CRC check instead),
    # so the declared sizes bound what openpyxl can be made to unpack.
    unpacked = sum(member.file_size for member in members)
    limit = max_bytes * XLSX_EXPANSION_LIMIT
    if unpacked > limit:
        raise ValidationError(
            _("The workbook is too large once unpacked (%(size)s). The limit is %(limit)s."),
            code="too_large_unpacked",
            params={"size": filesizeformat(unpacked), "limit": filesizeformat(limit)},
        )


def _broken_workbook() -> ValidationError:
    return ValidationError(_("This Excel file is damaged or is not a workbook we can read."), code="broken_workbook")


def _iter_sheet(
    data: bytes, sheet: str | None, *, data_only: bool
) -> Generator[tuple[int, tuple[object, ...]], None, None]:
    """Every row of the sheet, blank ones too, with its number."""
    try:
        # Values only: no links to other workbooks, no macros, and formulas are never calculated.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    except Exception as exc:  # a broken file makes openpyxl raise anything from KeyError to XML syntax errors
        raise _broken_workbook() from exc
    try:
        worksheet = _pick_sheet(workbook.worksheets, sheet)
        # Generators often write a wrong <dimension>; trusting it could cut rows off.
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(min_row=1, min_col=1, values_only=True)  # type: ignore[misc]  # stubs type Worksheet only
        yield from enumerate(rows, start=1)
    except ValidationError:
        raise
    except Exception as exc:
        raise _broken_workbook() from exc
    finally:
        workbook.close()


def _pick_sheet(worksheets: Sequence[object], name: str | None) -> ReadOnlyWorksheet:
    sheets = [sheet for sheet in worksheets if isinstance(sheet, ReadOnlyWorksheet)]
    if not sheets:
        raise ValidationError(_("The workbook has no worksheet."), code="no_sheet")
    if name is None:
        return sheets[0]
    for sheet in sheets:
        if sheet.title == name:
            return sheet
    for sheet in sheets:
        if normalise_name(sheet.title) == normalise_name(name):
            return sheet
    raise ValidationError(_("The workbook has no sheet named “%(name)s”."), code="no_sheet", params={"name": name})


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return normalise_cell(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows them
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel shows 15 significant digits; 123.0 is the integer 123 stored as a float.
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, ArrayFormula):
        return normalise_cell(value.text or "")
    return normalise_cell(str(value))


# Values


@dataclass(frozen=True)
class _Era:
    name: str
    letter: str
    base_year: int  # the Gregorian year of the era's first year (元年)
    first_day: date
    last_day: date | None


# Dates before 1873 (明治6年) were counted in the lunisolar calendar and cannot be converted arithmetically.
_ERAS = (
    _Era("明治", "M", 1868, date(1873, 1, 1), date(1912, 7, 29)),
    _Era("大正", "T", 1912, date(1912, 7, 30), date(1926, 12, 24)),
    _Era("昭和", "S", 1926, date(1926, 12, 25), date(1989, 1, 7)),
    _Era("平成", "H", 1989, date(1989, 1, 8), date(2019, 4, 30)),
    _Era("令和", "R", 2019, date(2019, 5, 1), None),
)
# 令和, 令 (as in 令6.4.1) and R all name the same era.
_ERA_BY_SPELLING = {spelling: era for era in _ERAS for spelling in (era.name, era.name[0], era.letter)}
_ERA = "(?P<era>" + "|".join(sorted(_ERA_BY_SPELLING, key=len, reverse=True)) + r")(?P<year>\d{1,2}|元)"
_MONTH_DAY = r"(?:年(?P<month>\d{1,2})月(?P<day>\d{1,2})日?|(?P<sep>[./-])(?P<month2>\d{1,2})(?P=sep)(?P<day2>\d{1,2}))"
_ERA_DATE = re.compile(f"^{_ERA}{_MONTH_DAY}$", re.IGNORECASE)
_WESTERN_DATE = re.compile(rf"^(?P<year>\d{{4}}){_MONTH_DAY}$")
_COMPACT_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
_TIME_SUFFIX = re.compile(r"(?<=[\d日])(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_ERA_YEAR = re.compile(rf"^{_ERA}(?:年(?:\d{{1,2}}月?)?|[./-]\d{{1,2}})?$", re.IGNORECASE)
_WESTERN_YEAR = re.compile(r"^(?P<year>\d{4})(?:年(?:(?P<month>\d{1,2})月?)?|[./-](?P<month2>\d{1,2}))?$")
_APPROXIMATE_PREFIX = re.compile(r"^(?:約|およそ)")
_APPROXIMATE_SUFFIX = re.compile(r"(?:頃|ごろ|ころ|前後|くらい|ぐらい|位|\?)$")
EXCEL_LAST_SERIAL = 2_958_465  # 9999-12-31
PLAUSIBLE_YEARS = range(1868, 2200)


class _UnrecognisedError(ValueError):
    """The text looks like no date form at all (rather than a date form holding an impossible date)."""


def excel_serial_to_date(serial: int) -> date:
    """A day number of Excel's 1900 date system.

    Excel counts a 29 February 1900 that never was (Lotus 1-2-3's leap-year bug, kept for compatibility):
    day 59 is 1900-02-28, day 60 is refused, day 61 is 1900-03-01.
    """
    if not 1 <= serial <= EXCEL_LAST_SERIAL:
        raise ValueError(_("%(serial)s is not an Excel date number.") % {"serial": serial})
    if serial == 60:
        raise ValueError(_("Excel day 60 is 29 February 1900, a day that did not exist."))
    if serial < 60:
        return date(1899, 12, 31) + timedelta(days=serial)
    return date(1899, 12, 30) + timedelta(days=serial)


def parse_japanese_date(text: str) -> date | None:
    """A date as Japanese HR files write it; None for an empty cell.

    Accepted: 2024/04/01, 2024/4/1, 2024-04-01, 2024.04.01, 20240401, 2024年4月1日, 令和6年4月1日,
    R6.4.1, 平成31年4月30日, H31.4.30, 令和元年5月1日, in full or half width, with a trailing time as
    .xlsx cells give (2024-04-01 00:00:00), and five-digit Excel day numbers (10000-99999, that is
    1927-05-18 to 2173-10-14: a shorter number is more likely a year or a slip than a date).
    Raises ValueError with a reason for anything else, including a date outside its era (平成31年5月1日).
    """
    compact = "".join(_TIME_SUFFIX.sub("", normalise_cell(text)).split())
    if not compact:
        return None
    if match := _EXCEL_SERIAL.match(compact):
        return excel_serial_to_date(int(match[1]))
    if match := _COMPACT_DATE.match(compact) or _WESTERN_DATE.match(compact):
        return _make_date(text, int(match["year"]), *_month_day(match))
    if match := _ERA_DATE.match(compact):
        return _era_date(text, match)
    if compact.isdigit() and len(compact) == 4:
        raise ValueError(_("%(text)s is a year, not a date.") % {"text": text})
    raise _UnrecognisedError(_("%(text)s is not a date we recognise.") % {"text": text})


def _month_day(match: re.Match[str]) -> tuple[int, int]:
    groups = match.groupdict()
    return int(groups["month"] or groups["month2"]), int(groups["day"] or groups["day2"])


def _make_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("%(text)s is not a valid date.") % {"text": text}) from None


def _era_date(text: str, match: re.Match[str]) -> date:
    era, era_year = _era_and_year(match)
    if era_year == 0:
        raise ValueError(_("%(text)s is not a valid date.") % {"text": text})
    result = _make_date(text, era.base_year + era_year - 1, *_month_day(match))
    if result < era.first_day or (era.last_day is not None and result > era.last_day):
        raise ValueError(_era_range_message(text, era))
    return result


def _era_and_year(match: re.Match[str]) -> tuple[_Era, int]:
    spelling = match["era"]
    era = _ERA_BY_SPELLING[spelling.upper() if spelling.isascii() else spelling]
    return era, 1 if match["year"] == "元" else int(match["year"])


def _era_range_message(text: str, era: _Era) -> str:
    params = {"text": text, "era": era.name, "start": era.first_day.isoformat()}
    if era.last_day is None:
        return _("%(text)s does not exist: %(era)s began on %(start)s.") % params
    params["end"] = era.last_day.isoformat()
    return _("%(text)s does not exist: %(era)s ran from %(start)s to %(end)s.") % params


def parse_year(text: str) -> int | None:
    """An approximate year: 2015, 2015年, 2015年頃, 約2015年, 2015/4, H27, 平成27年, 令和元年, or a full date.

    None for an empty cell; ValueError with a reason for anything else, or for a year outside 1868-2199.
    """
    compact = "".join(normalise_cell(text).split())
    compact = _APPROXIMATE_SUFFIX.sub("", _APPROXIMATE_PREFIX.sub("", compact))
    if not compact:
        return None
    if match := _WESTERN_YEAR.match(compact):
        month = match["month"] or match["month2"]
        if month is not None and not 1 <= int(month) <= 12:
            raise ValueError(_("%(text)s is not a year we recognise.") % {"text": text})
        year = int(match["year"])
    elif match := _ERA_YEAR.match(compact):
        year = _era_year(text, match)
    else:
        year = _year_of_date(text, compact)
    if year not in PLAUSIBLE_YEARS:
        raise ValueError(_("%(text)s is not a plausible year.") % {"text": text})
    return year


def _era_year(text: str, match: re.Match[str]) -> int:
    era, era_year = _era_and_year(match)
    last_year = None if era.last_day is None else era.last_day.year - era.base_year + 1
    if era_year == 0 or (last_year is not None and era_year > last_year):
        raise ValueError(_("%(text)s does not exist: %(era)s has no such year.") % {"text": text, "era": era.name})
    return era.base_year + era_year - 1


def _year_of_date(text: str, compact: str) -> int:
    try:
        parsed = parse_japanese_date(compact)
    except _UnrecognisedError:
        raise ValueError(_("%(text)s is not a year we recognise.") % {"text": text}) from None
    assert parsed is not None  # compact is not empty
    return parsed.year


def normalise_kana(text: str) -> str:
    """A reading for matching: NFKC, katakana as hiragana, no spaces of any width nor middle dots (ジョン・スミス)."""
    return "".join(to_hiragana(normalise(text)).replace("・", " ").split())


def normalise_name(text: str) -> str:
    """A name for matching: NFKC, no spaces of any width, case-folded."""
    return "".join(normalise(text).casefold().split())
