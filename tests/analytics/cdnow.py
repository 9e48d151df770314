"""The CDNOW 1/10 sample imported through the product's own CSV import (contract §6: orders
without lines, with a `total`, resolving the contact by `contact_email`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from vinculo.platform.importexport import readers
from vinculo.platform.importexport.importing import Importer

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "cdnow" / "CDNOW_sample.txt"


def email(customer: str) -> str:
    return f"cdnow-{int(customer):05d}@example.com"


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _import(user: Any, entity: str, content: bytes):
    reader = readers.reader_for("csv", lambda: io.BytesIO(content))
    return Importer(entity, actor=user, batch_size=2000).run(reader)


def import_sample(user: Any) -> tuple[Any, Any]:
    """(contacts report, orders report) of importing the sample: one contact per customer
    (a made-up e-mail from the sample id), one order per line of the log."""
    lines = [line.split() for line in SAMPLE.read_text().splitlines() if line.strip()]
    customers = sorted({line[1] for line in lines})
    contacts = _csv(["first_name", "last_name", "email"],
                    [["Customer", c, email(c)] for c in customers])
    orders = _csv(["number", "contact_email", "ordered_at", "total", "status"],
                  [[f"CD-{i}", email(sample), f"{day[:4]}-{day[4:6]}-{day[6:]}", dollars,
                    "fulfilled"]
                   for i, (_master, sample, day, _cds, dollars) in enumerate(lines, 1)])
    return _import(user, "contacts", contacts), _import(user, "orders", orders)
