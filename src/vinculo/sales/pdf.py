"""PDF of a quote, an order or an invoice (fpdf2, pure Python, built-in fonts)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Invoice, Order, Quote


def _text(value: Any) -> str:
    """Text the built-in PDF fonts can draw (Latin-1); other characters become '?'."""
    return str(value if value is not None else "").encode("latin-1", "replace").decode("latin-1")


def _money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return ""
    return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} {currency}"


def _number(value: Decimal) -> str:
    return formats.number_format(value.normalize() if value == value.to_integral() else value,
                                 use_l10n=True)


def _party(document: Any) -> list[str]:
    lines = []
    account = getattr(document, "account", None)
    contact = getattr(document, "contact", None)
    if account is not None:
        lines.append(account.name)
        street = " ".join(filter(None, [account.street]))
        if street:
            lines.append(street)
        city = " ".join(filter(None, [account.postal_code, account.city]))
        if city:
            lines.append(city)
        if account.country:
            lines.append(account.country)
    if contact is not None:
        name = " ".join(filter(None, [contact.first_name, contact.last_name]))
        lines.append(name + (f" <{contact.email}>" if contact.email else ""))
    return lines


def _title(document: Any) -> tuple[str, list[tuple[str, str]]]:
    if isinstance(document, Quote):
        facts = [(_("Date"), formats.date_format(document.issued_on, "SHORT_DATE_FORMAT"))]
        if document.valid_until:
            facts.append((_("Valid until"),
                          formats.date_format(document.valid_until, "SHORT_DATE_FORMAT")))
        return _("Quote %(number)s") % {"number": document.number}, facts
    if isinstance(document, Order):
        return _("Order %(number)s") % {"number": document.number or f"#{document.pk}"}, [
            (_("Date"), formats.date_format(document.ordered_at, "SHORT_DATE_FORMAT"))]
    assert isinstance(document, Invoice)
    kind = _("Credit note") if document.kind == "credit_note" else _("Invoice")
    number = document.number or _("draft")
    facts = []
    if document.issued_on:
        facts.append((_("Date"), formats.date_format(document.issued_on, "SHORT_DATE_FORMAT")))
    if document.due_on:
        facts.append((_("Due"), formats.date_format(document.due_on, "SHORT_DATE_FORMAT")))
    if document.credit_of_id:
        facts.append((_("Corrects"), document.credit_of.number))
    return f"{kind} {number}", facts


def render(document: Any) -> bytes:
    """The document as PDF bytes."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(_text(_title(document)[0]))
    pdf.set_creator("Vinculo")
    pdf.add_page()
    title, facts = _title(document)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in facts:
        pdf.cell(0, 5, _text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    if getattr(document, "status", "") == "draft":
        pdf.set_text_color(160, 0, 0)
        pdf.cell(0, 5, _text(_("Draft")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    party = _party(document)
    if party:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 5, _text(_("For")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for line in party:
            pdf.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    currency = document.currency
    widths = (72, 18, 28, 18, 16, 34)
    headers = (_("Description"), _("Qty"), _("Unit price"), _("Disc. %"), _("Tax %"),
               _("Amount"))
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(235, 238, 242)
    for width, header, align in zip(widths, headers, "LRRRRR", strict=True):
        pdf.cell(width, 7, _text(header), border="B", align=align, fill=True)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in document.lines.all().order_by("id"):
        description = line.description or (line.product.name if line.product_id else "")
        cells = (description[:60], _number(line.quantity), _money(line.unit_price, ""),
                 _number(line.discount), _number(line.tax_rate), _money(line.amount, ""))
        for width, value, align in zip(widths, cells, "LRRRRR", strict=True):
            pdf.cell(width, 6, _text(value).strip(), align=align)
        pdf.ln()
    pdf.ln(2)
    rows = [(_("Subtotal"), document.subtotal), (_("Discount"), -document.discount_total),
            (_("Tax"), document.tax_total)]
    label_width = sum(widths) - widths[-1] - 20
    for label, value in rows:
        pdf.cell(label_width, 6, "")
        pdf.cell(20, 6, _text(label), align="R")
        pdf.cell(widths[-1], 6, _text(_money(value, currency)), align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(label_width, 8, "")
    pdf.cell(20, 8, _text(_("Total")), align="R", border="T")
    pdf.cell(widths[-1], 8, _text(_money(document.total, currency)), align="R", border="T")
    pdf.ln()
    notes = getattr(document, "notes", "")
    if notes:
        pdf.ln(6)
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _text(notes))
    return bytes(pdf.output())


def filename(document: Any) -> str:
    kind = {Quote: "quote", Order: "order", Invoice: "invoice"}[type(document)]
    if isinstance(document, Invoice) and document.kind == "credit_note":
        kind = "credit-note"
    name = document.number or f"draft-{document.pk}"
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
    return f"{kind}-{safe}.pdf"
