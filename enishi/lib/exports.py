"""Writing tables for Excel: CSV (UTF-8 with BOM or CP932) and .xlsx, with spreadsheet formulas neutralised.

Every value goes through `neutralise_formula`, headers included, so that a name typed as `=HYPERLINK(…)`
by an alumnus cannot run in the HR officer's Excel (OWASP "CSV injection").
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CsvEncoding = Literal["utf-8-sig", "cp932"]

# What a CP932 export writes for a character Shift_JIS cannot hold (𠮷, emoji): the geta mark 〓, the
# Japanese convention for a missing glyph, which a reader cannot mistake for a real "?" in the data.
CP932_REPLACEMENT = "〓"
_CP932_ERRORS = "enishi-geta"
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A plain negative number is data, not a formula, and a quote before it would stop Excel from summing it.
_NEGATIVE_NUMBER = re.compile(r"-(?:\d+(?:\.\d*)?|\.\d+)")
_XLSX_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _geta(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeEncodeError)
    return CP932_REPLACEMENT * (error.end - error.start), error.end


codecs.register_error(_CP932_ERRORS, _geta)


def neutralise_formula(value: str) -> str:
    """Prefix with ' a value that a spreadsheet would take for a formula: one starting with =, +, -, @, a tab
    or a carriage return.

    Plain negative numbers (-12, -1.5) are left alone. Phone numbers in international form
    (+81-3-1234-5678) are prefixed: Excel would compute them as a sum, and a rule that let "+" and digits
    through would have to be exact about what follows; the quote is visible in a CSV but keeps the number.
    """
    if value.startswith(_FORMULA_TRIGGERS) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def export_text(value: object) -> str:
    """A cell's text for export: None is empty, dates are ISO, and formulas are neutralised."""
    if value is None:
        text = ""
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ", timespec="seconds")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return neutralise_formula(text)


def csv_response_bytes(
    headers: Sequence[object], rows: Iterable[Sequence[object]], encoding: CsvEncoding = "utf-8-sig"
) -> bytes:
    """A CSV that Excel opens as it is: CRLF line ends, UTF-8 with a BOM (any character) or CP932
    (for older Japanese systems; characters outside it become 〓, see CP932_REPLACEMENT)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([export_text(value) for value in headers])
    writer.writerows([export_text(value) for value in row] for row in rows)
    errors = _CP932_ERRORS if encoding == "cp932" else "strict"
    return out.getvalue().encode(encoding, errors=errors)


def xlsx_bytes(headers: Sequence[object], rows: Iterable[Sequence[object]], sheet_title: str) -> bytes:
    """An .xlsx workbook of one sheet in which every cell is text: nothing is ever written as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.append([_xlsx_value(sheet, value) for value in headers])
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(sheet: WriteOnlyWorksheet, value: object) -> str | Cell:
    # Control characters are not allowed in the file format; openpyxl refuses them.
    text = ILLEGAL_CHARACTERS_RE.sub("", export_text(value))
    if text.startswith("=") or text in ERROR_CODES:
        # openpyxl types such strings as formulas or errors; a neutralised value never starts with "=",
        # but the type is set explicitly so that no future change can write a formula.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _sheet_title(title: str) -> str:
    # Excel's rules: at most 31 characters, none of []:*?/\ .
    return _XLSX_SHEET_TITLE_FORBIDDEN.sub("_", title)[:31] or "Sheet1"


# The download formats offered next to every list staff can export: format → (content type, extension).
EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "csv-sjis": ("text/csv; charset=shift_jis", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def spreadsheet_response(
    headers: Sequence[object], rows: Iterable[Sequence[object]], export_format: str, *, sheet_title: str, filename: str
) -> HttpResponse:
    """A download of the table in one of EXPORT_FORMATS (checked by the caller); `filename` without
    its extension."""
    if export_format == "xlsx":
        body = xlsx_bytes(headers, rows, sheet_title=sheet_title)
    else:
        body = csv_response_bytes(headers, rows, encoding="cp932" if export_format == "csv-sjis" else "utf-8-sig")
    content_type, extension = EXPORT_FORMATS[export_format]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response
