"""CSV and XLSX exports: formula injection, Excel-friendly encoding, file names, streaming in bounded memory."""

import csv
import io
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from flask import Flask
from openpyxl.utils import get_column_letter

from core import exports
from core.exports import (
    CSV_CHUNK_ROWS,
    Sheet,
    content_disposition,
    csv_response,
    iter_csv,
    local_time,
    neutralise_cell,
    write_xlsx,
    xlsx_response,
)

FORMULA_LOOKING = [
    "=SUM(A1)",
    "+8613800138000",
    "-1",
    "@cmd",
    "＝1+1",
    "＋1",
    "－2",
    "＠SUM(A1)",
    "  =1+1",
    "\t=1",
    "\r=1",
]
HARMLESS = ["普通意见，支持草案。", "a=b", "email@example.com", "", "1+1", "第3条-第5条"]
NOW_UTC = datetime(2024, 6, 30, 16, 30, 5, tzinfo=UTC)  # 2024-07-01 00:30:05 in Beijing
HEADER = ["编号", "意见内容", "提交时间（北京时间）"]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def load_workbook(sheets: list[Sheet]) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def unescape_cr(value):
    return value.replace("_x000D_", "\r") if isinstance(value, str) else value


def column_widths(worksheet) -> dict[int, float]:
    """Width of every column, expanding the ranges openpyxl reads from <col min= max=>."""
    widths = {}
    for dimension in worksheet.column_dimensions.values():
        for column in range(dimension.min, dimension.max + 1):
            widths[column] = dimension.width
    return widths


@pytest.mark.parametrize("text", FORMULA_LOOKING)
def test_formula_looking_text_gets_a_leading_apostrophe(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_text_is_left_alone(text):
    assert neutralise_cell(text) == text


@pytest.mark.parametrize("number", [-1, 0, 2.5, -3.75, Decimal("-1.50")])
def test_numbers_stay_numbers_even_when_negative(number):
    assert neutralise_cell(number) == number
    assert type(neutralise_cell(number)) is type(number)


def test_missing_values_become_empty_and_aware_times_become_beijing_time():
    assert neutralise_cell(None) == ""
    assert neutralise_cell(NOW_UTC) == "2024-07-01 00:30:05"


def test_local_time_shows_beijing_time_and_refuses_naive_datetimes():
    assert local_time(NOW_UTC) == "2024-07-01 00:30:05"
    with pytest.raises(ValueError, match="aware"):
        local_time(datetime(2024, 7, 1, 0, 30))


def test_csv_cells_that_look_like_formulas_are_neutralised():
    text = "".join(iter_csv(["text", "number"], [[value, -1] for value in FORMULA_LOOKING + HARMLESS], bom=False))
    rows = csv_rows(text)
    assert rows[0] == ["text", "number"]
    assert [row[0] for row in rows[1:]] == ["'" + value for value in FORMULA_LOOKING] + HARMLESS
    assert {row[1] for row in rows[1:]} == {"-1"}


def test_csv_has_a_bom_for_excel_only_when_asked():
    with_bom = "".join(iter_csv(HEADER, [[1, "意见", "2024-07-01"]], bom=True))
    without_bom = "".join(iter_csv(HEADER, [[1, "意见", "2024-07-01"]], bom=False))
    assert with_bom.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert without_bom.startswith("编号")
    assert with_bom == "\ufeff" + without_bom


def test_csv_quotes_commas_quotes_and_newlines_and_ends_lines_with_crlf():
    comment = '第一，"停车"问题,\n第二行'
    text = "".join(iter_csv(["a", "b"], [[comment, None]], bom=False))
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 2  # the newline inside the quoted cell is data, not a line end
    assert csv_rows(text)[1] == [comment, ""]


def test_csv_of_200k_rows_streams_in_chunks_and_stays_bounded():
    produced = 0

    def lazy_rows() -> Iterator[list[object]]:
        nonlocal produced
        for number in range(200_000):
            produced += 1
            yield [number, f'=HYPERLINK("http://evil.example/{number}")', "建议增加公交线路，方便老人出行。", -number]

    chunks = iter_csv(["编号", "内容", "意见", "数值"], lazy_rows(), bom=True)
    next(chunks)  # header
    first = next(chunks)
    # Streaming: only the first chunk's rows have been pulled from the source so far.
    assert produced == CSV_CHUNK_ROWS
    assert first.count("\r\n") == CSV_CHUNK_ROWS

    tracemalloc.start()
    try:
        chunk_count, largest = 2, len(first)
        for chunk in chunks:
            chunk_count += 1
            largest = max(largest, len(chunk))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert chunk_count == 1 + 200_000 // CSV_CHUNK_ROWS
    assert produced == 200_000
    # The whole file is about 17 MB; memory is bounded by one chunk (~90 KB), whatever the row count.
    assert largest < 200_000
    assert peak < 2_000_000


def test_content_disposition_carries_a_chinese_file_name_with_an_ascii_fallback():
    name = "幸福路停车方案-意见汇总 2024.csv"
    header = content_disposition(name)
    assert header.startswith('attachment; filename="2024.csv"')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert " " not in encoded and encoded.isascii()
    assert unquote(encoded) == name


def test_all_chinese_file_name_falls_back_to_export_and_header_breaking_characters_are_removed():
    assert 'filename="export.xlsx"' in content_disposition("意见汇总.xlsx")
    header = content_disposition('a"b\r\nSet-Cookie: x.csv')
    assert "\r" not in header and "\n" not in header
    assert 'filename="a_b_Set-Cookie_x.csv"' in header


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)

    @app.get("/csv")
    def download_csv():
        return csv_response("意见汇总.csv", HEADER, ([n, f"=cmd|' /C calc'!A{n}", NOW_UTC] for n in range(3)), bom=True)

    @app.get("/xlsx")
    def download_xlsx():
        return xlsx_response("意见汇总.xlsx", [Sheet("意见", HEADER, [[1, "@SUM(A1)", NOW_UTC]], kinds=["number"])])

    return app


def test_csv_download_streams_utf8_with_bom_and_a_chinese_file_name(app):
    response = app.test_client().get("/csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert unquote(response.headers["Content-Disposition"].split("''", 1)[1]) == "意见汇总.csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response.data.decode("utf-8"))
    assert rows[0] == HEADER
    assert rows[1] == ["0", "'=cmd|' /C calc'!A0", "2024-07-01 00:30:05"]


def test_xlsx_download_is_a_workbook_with_a_chinese_file_name(app):
    response = app.test_client().get("/xlsx")
    body = response.data
    response.close()  # as a WSGI server does; it closes the spooled file behind the body
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX_MIMETYPE
    assert int(response.headers["Content-Length"]) == len(body)
    assert unquote(response.headers["Content-Disposition"].split("''", 1)[1]) == "意见汇总.xlsx"
    worksheet = openpyxl.load_workbook(io.BytesIO(body))["意见"]
    assert [cell.value for cell in worksheet[2]] == [1, "'@SUM(A1)", datetime(2024, 7, 1, 0, 30, 5)]


def test_xlsx_cells_are_neutralised_text_and_never_formulas():
    rows = [[value, -1, 2.5, "https://example.cn/a"] for value in FORMULA_LOOKING + HARMLESS]
    worksheet = load_workbook([Sheet("意见", ["内容", "负数", "小数", "链接"], iter(rows))]).active
    # openpyxl leaves the OOXML escape of a carriage return as written; Excel shows it as "\r".
    values = [[unescape_cr(cell.value) for cell in row] for row in worksheet.iter_rows(min_row=2)]
    assert [row[0] for row in values] == ["'" + value for value in FORMULA_LOOKING] + HARMLESS
    assert {(row[1], row[2], row[3]) for row in values} == {(-1, 2.5, "https://example.cn/a")}
    assert all(cell.data_type != "f" for row in worksheet.iter_rows() for cell in row)
    assert not worksheet._hyperlinks  # strings_to_urls is off: a URL stays plain text


def test_xlsx_header_is_bold_frozen_filtered_and_columns_are_readable():
    rows = [[n, "建议在幸福路增设停车位并错峰开放。", "ok"] for n in range(5)]
    worksheet = load_workbook(
        [Sheet("意见", ["编号", "意见内容很长的标题", "status"], rows, kinds=["number", "wrap"])]
    ).active
    assert all(cell.font.b for cell in worksheet[1])
    assert worksheet["A1"].fill.fgColor.rgb.endswith("DDE6F0")
    assert worksheet.freeze_panes == "A2"
    assert worksheet.auto_filter.ref == "A1:C6"
    widths = column_widths(worksheet)
    # Wide enough for the header: the CJK title counts double, "status" single.
    assert widths[2] >= 2 * len("意见内容很长的标题")
    assert len("status") <= widths[3] < widths[2]
    assert worksheet["B2"].alignment.wrap_text
    assert get_column_letter(worksheet.max_column) == "C"


def test_xlsx_widths_are_capped_and_can_be_given():
    rows = [["长" * 300, "x"]]
    worksheet = load_workbook([Sheet("s", ["a", "b"], rows, column_widths=[12, 30])]).active
    assert column_widths(worksheet) == {1: pytest.approx(12, abs=1), 2: pytest.approx(30, abs=1)}
    estimated = load_workbook([Sheet("s", ["a", "b"], rows)]).active
    assert column_widths(estimated)[1] <= exports._MAX_WIDTH + 1


def test_xlsx_datetime_column_shows_beijing_time_as_a_real_date():
    worksheet = load_workbook([Sheet("s", ["提交时间（北京时间）"], [[NOW_UTC]], kinds=["datetime"])]).active
    assert worksheet["A2"].value == datetime(2024, 7, 1, 0, 30, 5)
    assert worksheet["A2"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_xlsx_sheets_keep_their_order_and_get_valid_unique_names():
    sheets = [
        Sheet("意见/汇总", ["a"], [["1"]]),
        Sheet("意见/汇总", ["a"], []),
        Sheet("x" * 40, ["a"], [], autofilter=False),
    ]
    workbook = load_workbook(sheets)
    assert workbook.sheetnames == ["意见_汇总", "意见_汇总 (2)", "x" * 31]
    assert workbook.worksheets[1].max_row == 1
    assert workbook.worksheets[2].auto_filter.ref is None


def test_xlsx_refuses_more_rows_than_excel_can_open(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 11)
    with pytest.raises(ValueError, match="more than 10 data rows"):
        write_xlsx(io.BytesIO(), [Sheet("s", ["n"], ([n] for n in range(11)))])


def test_xlsx_refuses_unknown_column_kinds():
    with pytest.raises(ValueError, match="unknown column kinds"):
        write_xlsx(io.BytesIO(), [Sheet("s", ["n"], [], kinds=["date"])])
