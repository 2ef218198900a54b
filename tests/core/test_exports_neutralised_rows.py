"""NeutralisedRows: rows a producer has already made safe are written as they are, and come out of a
spreadsheet exactly as the checked rows would."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl

from core.exports import NeutralisedRows, Sheet, iter_csv, neutralise_cell, write_xlsx

NOW_UTC = datetime(2024, 6, 30, 16, 30, 5, tzinfo=UTC)  # 2024-07-01 00:30:05 in Beijing
# What a producer may hand over: numbers, None, bool, already neutralised text, and (XLSX only) aware datetimes.
SAFE_ROWS = [
    [1, "'=SUM(A1)", 2.5, None, True, NOW_UTC, Decimal("3.25"), ""],
    [2, "幸福路停车位", -1, "a=b", False, NOW_UTC, None, "'-1"],
]
HEADER = ["编号", "意见", "数", "空", "是否", "时间", "金额", "其他"]


def _sheet_values(rows) -> list[list[object]]:
    buffer = io.BytesIO()
    write_xlsx(buffer, [Sheet("s", HEADER, rows, kinds=["number", "text", "number", "text", "text", "datetime"])])
    buffer.seek(0)
    return [list(row) for row in openpyxl.load_workbook(buffer).active.iter_rows(values_only=True)]


def test_neutralised_rows_give_the_same_workbook_as_checked_rows() -> None:
    checked = _sheet_values(iter(SAFE_ROWS))
    assert _sheet_values(NeutralisedRows(iter(SAFE_ROWS))) == checked
    assert checked[1] == [1, "'=SUM(A1)", 2.5, None, True, datetime(2024, 7, 1, 0, 30, 5), 3.25, ""]


def test_neutralised_rows_give_the_same_csv_as_checked_rows_once_times_are_text() -> None:
    rows = [[neutralise_cell(cell) if isinstance(cell, datetime) else cell for cell in row] for row in SAFE_ROWS]
    checked = "".join(iter_csv(HEADER, iter(SAFE_ROWS), bom=False))
    assert "".join(iter_csv(HEADER, NeutralisedRows(iter(rows)), bom=False)) == checked
    assert list(csv.reader(io.StringIO(checked)))[1][:4] == ["1", "'=SUM(A1)", "2.5", ""]


def test_neutralised_rows_are_trusted_so_the_producer_must_neutralise() -> None:
    # The contract, shown: text handed over as neutralised is not checked again.
    written = "".join(iter_csv(["a"], NeutralisedRows([["=1+1"]]), bom=False))
    assert written.splitlines()[1] == "=1+1"
    assert "".join(iter_csv(["a"], [["=1+1"]], bom=False)).splitlines()[1] == "'=1+1"
