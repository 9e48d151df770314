"""PDF address labels for direct mail (fpdf2, built-in fonts): standard A4 and US Letter
label sheets, one address block per record."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fpdf import FPDF

from vinculo.platform.importexport import countries


@dataclass(frozen=True)
class Sheet:
    """A label sheet; lengths in millimetres."""

    key: str
    page: str  # fpdf format
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


INCH = 25.4
SHEETS = {
    # A4, 3 × 7 labels of 70 × 42.3 mm (Avery L7160-style sheets without gaps)
    "a4-3x7": Sheet("a4-3x7", "A4", 3, 7, 70.0, 42.3, 0.0, 0.45, 70.0, 42.3),
    # A4, 3 × 8 labels of 70 × 37 mm
    "a4-3x8": Sheet("a4-3x8", "A4", 3, 8, 70.0, 37.0, 0.0, 0.5, 70.0, 37.0),
    # US Letter, 3 × 10 labels of 2⅝ × 1 in (Avery 5160)
    "letter-3x10": Sheet("letter-3x10", "Letter", 3, 10, 2.625 * INCH, 1.0 * INCH,
                         0.1875 * INCH, 0.5 * INCH, 2.75 * INCH, 1.0 * INCH),
}


def _text(value: Any) -> str:
    """Text the built-in fonts can draw (Latin-1); other characters become '?'."""
    return str(value if value is not None else "").encode("latin-1", "replace").decode("latin-1")


def address_block(obj: Any) -> list[str]:
    """The lines of a record's postal address: name, company, street, city, country."""
    lines: list[str] = []
    person = " ".join(filter(None, [getattr(obj, "first_name", ""),
                                    getattr(obj, "last_name", "")])).strip()
    company = getattr(obj, "company", "") or ""
    if not company and getattr(obj, "account_id", None):
        company = obj.account.name
    if person:
        lines.append(person)
        if company:
            lines.append(company)
    else:
        lines.append(getattr(obj, "name", "") or company)
    for line in (getattr(obj, "street", "") or "").splitlines():
        if line.strip():
            lines.append(line.strip())
    city = " ".join(filter(None, [getattr(obj, "postal_code", ""), getattr(obj, "city", "")]))
    region = getattr(obj, "region", "") or ""
    if city or region:
        lines.append(", ".join(filter(None, [city, region])))
    code = getattr(obj, "country", "") or ""
    if code:
        lines.append(countries.name(code).upper())
    return [line for line in lines if line]


def render(records: Iterable[Any], sheet_key: str = "a4-3x7") -> tuple[bytes, int]:
    """The PDF of one label per record; returns (pdf bytes, labels written)."""
    sheet = SHEETS[sheet_key]
    pdf = FPDF(orientation="P", unit="mm", format=sheet.page)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_font("Helvetica", size=9)
    count = 0
    for obj in records:
        slot = count % sheet.per_page
        if slot == 0:
            pdf.add_page()
        column, row = slot % sheet.columns, slot // sheet.columns
        x = sheet.left + column * sheet.pitch_x + 4
        y = sheet.top + row * sheet.pitch_y + 4
        lines = address_block(obj)
        line_height = min(4.2, (sheet.height - 8) / max(len(lines), 1))
        for i, line in enumerate(lines):
            pdf.set_xy(x, y + i * line_height)
            pdf.cell(sheet.width - 8, line_height, _text(line)[:60])
        count += 1
    if count == 0:
        pdf.add_page()
    return bytes(pdf.output()), count


def pages_for(count: int, sheet_key: str) -> int:
    return max(1, math.ceil(count / SHEETS[sheet_key].per_page))
