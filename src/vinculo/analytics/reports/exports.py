"""Exports of a report's table: CSV and XLSX (guarded against formula injection)."""

from __future__ import annotations

import csv
import decimal
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from vinculo.platform.importexport.exporting import guard_formula

from .engine import Result


def table(result: Result) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the table: one column per dimension (its label), one per measure."""
    header = [d["label"] for d in result.dimensions] + [m["label"] for m in result.measures]
    rows = [[*row["labels"], *(row["values"].get(m["key"]) for m in result.measures)]
            for row in result.rows]
    return header, rows


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return guard_formula(value)
    return value


def to_csv(result: Result) -> bytes:
    header, rows = table(result)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(result: Result, title: str = "Report") -> bytes:
    header, rows = table(result)
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = (guard_formula(title).lstrip("'")[:31] or "Report").translate(
        str.maketrans("", "", "[]:*?/\\"))
    sheet.append([_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(v) if isinstance(v, decimal.Decimal) else _cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1] or "")) for r in rows[:200]])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 48)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
