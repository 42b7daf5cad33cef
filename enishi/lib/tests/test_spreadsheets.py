from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from enishi.lib.exports import csv_response_bytes, neutralise_formula, xlsx_bytes
from enishi.lib.spreadsheets import (
    Table,
    excel_serial_to_date,
    normalise_cell,
    normalise_kana,
    normalise_name,
    parse_japanese_date,
    parse_year,
    read_table,
)

MB = 1024 * 1024
HEADER = "社員番号,氏名,入社日\r\n"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # Messages are asserted in English, whatever the catalogue says in Japanese.
    with translation.override("en"):
        yield


def read(data: bytes, filename: str = "leavers.csv", *, max_bytes: int = MB, max_rows: int = 1000) -> Table:
    return read_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)


def refusal(data: bytes | IO[bytes], filename: str = "leavers.csv", **limits: int) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read_table(data, filename, max_bytes=limits.get("max_bytes", MB), max_rows=limits.get("max_rows", 1000))
    return caught.value


def workbook_bytes(rows: list[list[object]], *, title: str = "Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def patch_member(xlsx: bytes, member: str, change: dict[str, str]) -> bytes:
    """Rewrite one XML member of a workbook, as Excel would have saved it (openpyxl cannot save cached values)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                text = content.decode()
                for old, new in change.items():
                    assert old in text
                    text = text.replace(old, new)
                content = text.encode()
            target.writestr(info.filename, content)
    return out.getvalue()


# Encodings and CSV structure


def test_it_reads_utf8_without_bom() -> None:
    table = read((HEADER + "0001,山田　太郎,2024/04/01\r\n").encode("utf-8"))
    assert table.encoding == "utf-8"
    assert table.format == "csv"
    assert table.headers == ["社員番号", "氏名", "入社日"]
    assert table.rows == [["0001", "山田 太郎", "2024/04/01"]]
    assert table.row_numbers == [2]


def test_it_reads_utf8_with_bom_and_drops_the_bom() -> None:
    table = read((HEADER + "0001,佐藤花子,2024/04/01\r\n").encode("utf-8-sig"))
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "社員番号"
    assert table.rows == [["0001", "佐藤花子", "2024/04/01"]]


def test_it_reads_cp932_with_nec_and_ibm_characters() -> None:
    data = (HEADER + "０００２,髙橋①㈱﨑,2024年4月1日\r\n").encode("cp932")
    with pytest.raises(UnicodeEncodeError):
        "髙①".encode("shift_jis")  # the reason for CP932: plain Shift_JIS lacks them

    table = read(data)

    assert table.encoding == "cp932"
    # NFKC makes ① a 1 and ㈱ a (株); 髙 and 﨑 are unified ideographs and stay.
    assert table.rows == [["0002", "髙橋1(株)﨑", "2024年4月1日"]]


def test_it_reads_euc_jp_through_the_fallback_detector() -> None:
    data = (HEADER + "0003,渡辺健一,2024/04/01\r\n" * 5).encode("euc_jp")
    table = read(data)
    assert table.encoding in {"euc_jp", "euc_jis_2004"}  # the detector's pick; either decodes this text
    assert table.rows[0] == ["0003", "渡辺健一", "2024/04/01"]


def test_it_reads_utf16_unicode_text_from_excel() -> None:
    data = "社員番号\t氏名\r\n0004\t中村\r\n".encode("utf-16")
    table = read(data, "leavers.txt")
    assert table.encoding == "utf-16"
    assert table.rows == [["0004", "中村"]]


def test_it_refuses_text_that_decodes_in_no_encoding() -> None:
    data = HEADER.encode("cp932") + "1,髙橋,2024/04/01\r\n".encode("cp932") + b"2,\x81,x\r\n"
    error = refusal(data)
    assert error.code == "encoding"
    assert error.messages == [
        "We could not tell how the text in this file is encoded (line 3 has characters we cannot read). "
        "Save it as CSV (UTF-8) or CSV (Shift_JIS) and upload it again."
    ]


def test_it_reads_tab_and_semicolon_delimited_files() -> None:
    tabbed = read("\r\n番号\t氏名\tメモ\r\n1\t田中\ta,b\r\n2\t鈴木\tc\r\n".encode())
    semicolons = read("番号;氏名\r\n1;田中\r\n".encode())
    assert tabbed.rows == [["1", "田中", "a,b"], ["2", "鈴木", "c"]]
    assert semicolons.rows == [["1", "田中"]]


def test_it_defaults_to_commas_for_a_single_column() -> None:
    table = read(b"email\r\na@example.jp\r\nb@example.jp\r\n")
    assert table.headers == ["email"]
    assert table.rows == [["a@example.jp"], ["b@example.jp"]]


def test_it_keeps_quoted_newlines_and_numbers_rows_as_excel_does() -> None:
    data = '番号,住所,備考\r\n1,"東京都\r\n千代田区","a ""quoted"" word"\r\n\r\n,,\r\n2,大阪府,\r\n'.encode()

    table = read(data)

    assert table.rows == [["1", "東京都\n千代田区", 'a "quoted" word'], ["2", "大阪府", ""]]
    # The quoted newline is one row in Excel; the blank line and the ",," line are rows 3 and 4.
    assert table.row_numbers == [2, 5]


def test_it_strips_a_trailing_empty_column_and_keeps_extra_cells() -> None:
    table = read("番号,氏名,\r\n1,田中,\r\n2\r\n3,鈴木,余分\r\n".encode())
    assert table.headers == ["番号", "氏名"]
    assert table.rows == [["1", "田中"], ["2", ""], ["3", "鈴木", "余分"]]


def test_it_skips_blank_lines_before_the_header() -> None:
    table = read(b"\r\n ,\r\nid,name\r\n1,a\r\n")
    assert table.header_row_number == 3
    assert table.row_numbers == [4]


def test_it_refuses_a_quote_that_is_never_closed_rather_than_swallow_rows() -> None:
    error = refusal('番号,氏名\r\n1,田中\r\n2,"鈴木\r\n3,佐藤\r\n4,伊藤\r\n'.encode())
    assert error.code == "bad_line"
    assert error.messages == ["Line 3 could not be read: a quoted field is not closed"]


def test_it_tolerates_a_stray_quote_inside_a_field() -> None:
    table = read('番号,氏名\r\n1,田中"さん\r\n'.encode())
    assert table.rows == [["1", '田中"さん']]


def test_it_reports_the_line_of_a_field_larger_than_the_csv_limit() -> None:
    data = b"id,note\r\n1,a\r\n2," + b"x" * 200_000 + b"\r\n"
    error = refusal(data)
    assert error.code == "bad_line"
    assert error.messages == ["Line 3 could not be read: field larger than field limit (131072)"]


def test_it_removes_stray_control_characters() -> None:
    table = read(b"id,name\r\n1,ab\x0bc\r\n\x1a")
    assert table.rows == [["1", "abc"]]


def test_it_reads_a_django_upload() -> None:
    upload = SimpleUploadedFile("leavers.csv", (HEADER + "1,田中,2024/04/01\r\n").encode("cp932"))
    upload.read(5)  # a form validator may have looked at it already
    table = read_table(upload, upload.name or "", max_bytes=MB, max_rows=10)
    assert table.rows == [["1", "田中", "2024/04/01"]]


# Normalisation


def test_it_normalises_width_spaces_and_half_width_kana() -> None:
    assert normalise_cell("　ＡＢＣ１２３　") == "ABC123"
    assert normalise_cell("ﾃｽﾄ ｶﾞｯｺｳ") == "テスト ガッコウ"
    assert normalise_cell("山田　　太郎") == "山田 太郎"
    assert normalise_cell("a \t  b") == "a b"
    assert normalise_cell("1行目\r\n2行目") == "1行目\n2行目"
    assert normalise_cell("plain") == "plain"


def test_it_normalises_every_cell_of_a_file() -> None:
    table = read("ＩＤ,ｶﾅ\r\n１２,ﾃｽﾄ\r\n".encode("cp932"))
    assert table.headers == ["ID", "カナ"]
    assert table.rows == [["12", "テスト"]]


def test_it_normalises_kana_readings_for_matching() -> None:
    assert normalise_kana("ﾔﾏﾀﾞ ﾀﾛｳ") == "やまだたろう"
    assert normalise_kana("ヤマダ　タロウ") == "やまだたろう"
    assert normalise_kana("ジョン・スミス") == "じょんすみす"


def test_it_normalises_names_for_matching() -> None:
    assert normalise_name("山田　太郎") == "山田太郎"
    assert normalise_name(" Ｔａｒｏ  YAMADA ") == "taroyamada"
    assert normalise_name("Straße") == "strasse"


# Sizes, empties and row counts


def test_it_refuses_an_empty_file() -> None:
    for data in (b"", b"   \r\n\r\n", "\ufeff\r\n　\r\n".encode()):
        error = refusal(data)
        assert (error.code, error.messages) == ("empty", ["The file is empty."])


def test_it_refuses_a_file_with_a_header_only() -> None:
    error = refusal(HEADER.encode("cp932") + b",,\r\n")
    assert error.code == "no_rows"
    assert error.messages == ["The file has a header row but no data rows."]


def test_it_refuses_more_rows_than_the_limit() -> None:
    data = (HEADER + "1,田中,2024/04/01\r\n" * 11).encode()
    error = refusal(data, max_rows=10)
    assert error.code == "too_many_rows"
    assert error.messages == [
        "The file has more than 10 data rows. Split it into smaller files and upload them one by one."
    ]
    assert len(read(data, max_rows=11).rows) == 11


def test_it_refuses_a_50_mb_file_naming_the_limit() -> None:
    data = b"a,b\n" * (50 * MB // 4)
    error = refusal(data, max_bytes=10 * MB)
    assert error.code == "too_large"
    assert error.messages == ["The file is too large (50.0\xa0MB). The limit is 10.0\xa0MB."]


def test_it_measures_a_seekable_stream_before_reading_it() -> None:
    error = refusal(io.BytesIO(b"a,b\n" * (MB // 2)), max_bytes=MB)
    assert error.messages == ["The file is too large (2.0\xa0MB). The limit is 1.0\xa0MB."]


class Endless(io.RawIOBase):
    """A stream of CSV lines that is never held in memory whole; it counts what was asked of it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.left)
        buffer[:count] = (b"a,b\n" * (count // 4 + 1))[:count]
        self.left -= count
        self.served += count
        return count


def test_it_reads_no_further_than_the_limit_from_a_stream() -> None:
    stream = Endless(50 * MB)
    error = refusal(io.BufferedReader(stream), max_bytes=MB)
    assert error.code == "too_large"
    assert error.messages == ["The file is too large. The limit is 1.0\xa0MB."]
    assert stream.served <= MB + io.DEFAULT_BUFFER_SIZE


def test_it_refuses_an_upload_by_its_size_before_reading_it() -> None:
    upload = SimpleUploadedFile("big.csv", b"a,b\n" * 1000)
    upload.size = 50 * MB  # what Django recorded while receiving it
    upload.file.read = None  # type: ignore[method-assign]  # reading would fail the test
    with pytest.raises(ValidationError) as caught:
        read_table(upload, "big.csv", max_bytes=MB, max_rows=10)
    assert caught.value.messages == ["The file is too large (50.0\xa0MB). The limit is 1.0\xa0MB."]


# Files that are not tables


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        random.Random(7).randbytes(4096),
        b"PK\x03\x04" + random.Random(8).randbytes(200),
        b"GIF89a\x01\x00\x01\x00",
    ],
    ids=["png", "pdf", "random", "broken-zip", "gif"],
)
def test_it_refuses_a_binary_file_renamed_csv(data: bytes) -> None:
    error = refusal(data)
    assert error.code in {"not_a_table", "broken_workbook"}
    assert error.messages in (
        ["This file is not a CSV or Excel file we can read."],
        ["This Excel file is damaged or is not a workbook we can read."],
    )


def test_it_refuses_random_bytes_without_nul_as_binary() -> None:
    data = bytes(byte for byte in random.Random(9).randbytes(8000) if byte)
    assert refusal(data).code == "not_a_table"


def test_it_refuses_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("leavers.csv", "id,name\r\n1,a\r\n")
    assert refusal(out.getvalue()).messages == ["This file is not a CSV or Excel file we can read."]


def test_it_points_old_excel_files_to_xlsx_or_csv() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert refusal(ole, "leavers.xls").messages == [
        "Old Excel files (.xls) cannot be read. Save it as .xlsx or as CSV and upload it again."
    ]
    assert refusal(ole, "leavers.xlsx").code == "old_excel"


def test_it_refuses_a_workbook_that_unpacks_too_large() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(21):
                member.write(bytes(MB))  # 21 MB of zeros pack into about 21 kB
    bomb = out.getvalue()
    assert len(bomb) < 100_000

    error = refusal(bomb, "leavers.xlsx", max_bytes=MB)

    assert error.code == "too_large_unpacked"
    assert error.messages == ["The workbook is too large once unpacked (21.0\xa0MB). The limit is 20.0\xa0MB."]


# XLSX


def test_it_reads_xlsx_values_as_text() -> None:
    data = workbook_bytes(
        [
            ["社員番号", "氏名", "カナ", "入社日", "更新", "給与", "比率", "再雇用"],
            [1001, "山田　太郎", "ﾔﾏﾀﾞ ﾀﾛｳ", date(2024, 4, 1), datetime(2024, 4, 1, 9, 30), 300000.0, 0.125, True],
            [None, None, None, None, None, None, None, None],
            ["１００２", " 佐藤 ", None, datetime(2015, 4, 1), None, 12.5, None, False],
        ]
    )

    table = read(data, "leavers.xlsx")

    assert table.format == "xlsx"
    assert table.encoding == "xlsx"
    assert table.rows == [
        ["1001", "山田 太郎", "ヤマダ タロウ", "2024-04-01", "2024-04-01 09:30:00", "300000", "0.125", "TRUE"],
        ["1002", "佐藤", "", "2015-04-01", "", "12.5", "", "FALSE"],
    ]
    assert table.row_numbers == [2, 4]
    assert parse_japanese_date(table.rows[0][4]) == date(2024, 4, 1)


def test_it_reads_an_xlsx_renamed_csv_as_xlsx() -> None:
    table = read(workbook_bytes([["id", "name"], [1, "田中"]]), "leavers.csv")
    assert table.format == "xlsx"
    assert table.rows == [["1", "田中"]]


def test_it_reads_the_sheet_asked_for() -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(["ignored"])
    second = workbook.create_sheet("退職者一覧")
    second.append(["id"])
    second.append([7])
    out = io.BytesIO()
    workbook.save(out)

    table = read_table(out.getvalue(), "x.xlsx", max_bytes=MB, max_rows=10, sheet="退職者一覧")

    assert table.rows == [["7"]]
    with pytest.raises(ValidationError) as caught:
        read_table(out.getvalue(), "x.xlsx", max_bytes=MB, max_rows=10, sheet="在籍者")
    assert caught.value.messages == ["The workbook has no sheet named “在籍者”."]


def test_it_reads_every_row_even_when_the_dimension_lies() -> None:
    data = workbook_bytes([["id"], [1], [2], [3]])
    data = patch_member(data, "xl/worksheets/sheet1.xml", {'<dimension ref="A1:A4" />': '<dimension ref="A1:A2" />'})
    assert read(data, "x.xlsx").rows == [["1"], ["2"], ["3"]]


def test_it_never_evaluates_formulas_and_marks_those_never_calculated() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [["id", "double", "text", "label"], [21, "=A2*2", '=CONCAT("x","y")', "=not a formula"], [5, "=A3*2"]]:
        sheet.append(row)
    sheet["D2"].data_type = "s"  # text typed after a quote in Excel: it only looks like a formula
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    # As Excel saves them: a cached value for B2 and C2; B3 was written by a program that does not calculate.
    data = patch_member(
        data,
        "xl/worksheets/sheet1.xml",
        {
            '<c r="B2"><f>A2*2</f><v /></c>': '<c r="B2"><f>A2*2</f><v>42</v></c>',
            '<c r="C2"><f>CONCAT("x","y")</f><v /></c>': '<c r="C2" t="str"><f>CONCAT("x","y")</f><v>xy</v></c>',
        },
    )
    label_is_text = '<c r="D2" t="inlineStr"><is><t>=not a formula</t></is></c>'
    assert label_is_text in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()

    table = read(data, "x.xlsx")

    assert table.rows == [["21", "42", "xy", "=not a formula"], ["5", "=A3*2", "", ""]]
    assert table.uncomputed_formulas == frozenset({(3, 1)})
    exported = read(csv_response_bytes(table.headers, table.rows), "export.csv")
    assert exported.rows == [["21", "42", "xy", "'=not a formula"], ["5", "'=A3*2", "", ""]]


def test_it_reads_a_file_with_some_bad_rows_without_dropping_any() -> None:
    lines = [HEADER]
    bad = {7, 23, 41, 66, 90}
    for index in range(100):
        if index in bad:
            lines.append(f"{index},,令和1年4月30日,余分\r\n")
        else:
            lines.append(f"{index},社員{index},2024/04/01\r\n")
    table = read("".join(lines).encode("cp932"))

    assert len(table.rows) == 100
    assert table.row_numbers == list(range(2, 102))
    broken = [number for number, row in zip(table.row_numbers, table.rows, strict=True) if len(row) != 3]
    assert broken == [9, 25, 43, 68, 92]


# Dates and years


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024/04/01", date(2024, 4, 1)),
        ("2024/4/1", date(2024, 4, 1)),
        ("2024-04-01", date(2024, 4, 1)),
        ("2024.04.01", date(2024, 4, 1)),
        ("20240401", date(2024, 4, 1)),
        ("2024年4月1日", date(2024, 4, 1)),
        ("２０２４年４月１日", date(2024, 4, 1)),
        ("2024 年 4 月 1 日", date(2024, 4, 1)),
        ("令和6年4月1日", date(2024, 4, 1)),
        ("R6.4.1", date(2024, 4, 1)),
        ("r6/4/1", date(2024, 4, 1)),
        ("Ｒ６．４．１", date(2024, 4, 1)),
        ("令6.4.1", date(2024, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("S51.12.25", date(1976, 12, 25)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("㍻2年3月4日", date(1990, 3, 4)),
        ("45383", date(2024, 4, 1)),
        ("45383.5", date(2024, 4, 1)),
        ("2024-04-01 00:00:00", date(2024, 4, 1)),
        ("2024-04-01T09:30:00", date(2024, 4, 1)),
        ("2024/4/1 9:30", date(2024, 4, 1)),
        ("2020/02/29", date(2020, 2, 29)),
        ("令和2年2月29日", date(2020, 2, 29)),
        ("", None),
        ("　", None),
    ],
)
def test_it_parses_japanese_dates(text: str, expected: date | None) -> None:
    assert parse_japanese_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("平成31年5月1日", "平成31年5月1日 does not exist: 平成 ran from 1989-01-08 to 2019-04-30."),
        ("H31.5.1", "H31.5.1 does not exist: 平成 ran from 1989-01-08 to 2019-04-30."),
        ("令和元年4月30日", "令和元年4月30日 does not exist: 令和 began on 2019-05-01."),
        ("昭和64年1月8日", "昭和64年1月8日 does not exist: 昭和 ran from 1926-12-25 to 1989-01-07."),
        ("平成元年1月7日", "平成元年1月7日 does not exist: 平成 ran from 1989-01-08 to 2019-04-30."),
        ("明治5年12月1日", "明治5年12月1日 does not exist: 明治 ran from 1873-01-01 to 1912-07-29."),
        ("令和0年5月1日", "令和0年5月1日 is not a valid date."),
        ("2023/02/29", "2023/02/29 is not a valid date."),
        ("平成31年2月29日", "平成31年2月29日 is not a valid date."),
        ("2024/13/01", "2024/13/01 is not a valid date."),
        ("2024/04-01", "2024/04-01 is not a date we recognise."),
        ("2024", "2024 is a year, not a date."),
        ("61", "61 is not a date we recognise."),
        ("昨日", "昨日 is not a date we recognise."),
        ("T12:30", "T12:30 is not a date we recognise."),
    ],
)
def test_it_explains_why_a_date_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(reason)}$"):
        parse_japanese_date(text)


def test_it_follows_excels_1900_leap_year_bug() -> None:
    assert excel_serial_to_date(1) == date(1900, 1, 1)
    assert excel_serial_to_date(59) == date(1900, 2, 28)
    assert excel_serial_to_date(61) == date(1900, 3, 1)
    assert excel_serial_to_date(45383) == date(2024, 4, 1)
    assert excel_serial_to_date(2_958_465) == date(9999, 12, 31)
    with pytest.raises(ValueError, match=r"^Excel day 60 is 29 February 1900, a day that did not exist\.$"):
        excel_serial_to_date(60)
    with pytest.raises(ValueError, match=r"^0 is not an Excel date number\.$"):
        excel_serial_to_date(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015", 2015),
        ("2015年", 2015),
        ("２０１５年頃", 2015),
        ("約2015年", 2015),
        ("2015年4月", 2015),
        ("2015/4", 2015),
        ("H27", 2015),
        ("平成27年", 2015),
        ("令和元年", 2019),
        ("R1", 2019),
        ("平成31年", 2019),
        ("2015/04/01", 2015),
        ("", None),
    ],
)
def test_it_parses_approximate_years(text: str, expected: int | None) -> None:
    assert parse_year(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("H32", "H32 does not exist: 平成 has no such year."),
        ("15", "15 is not a year we recognise."),
        ("3015", "3015 is not a plausible year."),
        ("2015/13", "2015/13 is not a year we recognise."),
        ("そのうち", "そのうち is not a year we recognise."),
    ],
)
def test_it_explains_why_a_year_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(reason)}$"):
        parse_year(text)


# Writing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+81-3-1234-5678", "'+81-3-1234-5678"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-1+2", "'-1+2"),
        ("-A1", "'-A1"),
        ("-12", "-12"),
        ("-1.5", "-1.5"),
        ("-.5", "-.5"),
        ("03-1234-5678", "03-1234-5678"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_it_neutralises_formulas(value: str, expected: str) -> None:
    assert neutralise_formula(value) == expected


ROUND_TRIP_HEADERS = ["氏名", "=cmd", "メモ"]
ROUND_TRIP_ROWS: list[list[object]] = [
    ["髙橋", "=1+1", "東京都\n千代田区"],
    ["﨑山", "+81-3-1234-5678", "-12"],
    ["佐藤", "@SUM(A1)", date(2024, 4, 1)],
    ["#N/A", None, 'a "b", c'],
]
ROUND_TRIP_EXPECTED = [
    ["髙橋", "'=1+1", "東京都\n千代田区"],
    ["﨑山", "'+81-3-1234-5678", "-12"],
    ["佐藤", "'@SUM(A1)", "2024-04-01"],
    ["#N/A", "", 'a "b", c'],
]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_it_round_trips_a_csv_export(encoding: str) -> None:
    data = csv_response_bytes(ROUND_TRIP_HEADERS, ROUND_TRIP_ROWS, encoding)  # type: ignore[arg-type]

    table = read(data, "export.csv")

    assert data.count(b"\r\n") == 5  # four rows and a header; the address keeps its own "\n"
    assert table.encoding == encoding
    assert table.headers == ["氏名", "'=cmd", "メモ"]
    assert table.rows == ROUND_TRIP_EXPECTED


def test_it_round_trips_an_xlsx_export() -> None:
    data = xlsx_bytes(ROUND_TRIP_HEADERS, ROUND_TRIP_ROWS, "退職者/一覧[2024]")

    table = read(data, "export.xlsx")

    assert table.headers == ["氏名", "'=cmd", "メモ"]
    assert table.rows == ROUND_TRIP_EXPECTED
    assert table.uncomputed_formulas == frozenset()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert '<c r="A5" t="inlineStr"><is><t>#N/A</t></is></c>' in sheet
    assert "退職者_一覧_2024_" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()


def test_it_writes_characters_outside_cp932_as_geta() -> None:
    data = csv_response_bytes(["氏名"], [["𠮷田"], ["髙橋"], ["🙂"]], "cp932")
    assert data.decode("cp932") == "氏名\r\n〓田\r\n髙橋\r\n〓\r\n"
    assert csv_response_bytes(["氏名"], [["𠮷田"]], "utf-8-sig").decode("utf-8-sig") == "氏名\r\n𠮷田\r\n"


def test_it_drops_characters_xlsx_cannot_hold() -> None:
    table = read(xlsx_bytes(["a"], [["x\x00y\x0bz"]], "s"), "x.xlsx")
    assert table.rows == [["xyz"]]
