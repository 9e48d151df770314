"""Shared by the import/export tests: run an import or an export in memory."""

from __future__ import annotations

import io
from typing import Any

from vinculo.platform.importexport import exporting, readers
from vinculo.platform.importexport.importing import Importer, Report


def import_bytes(user: Any, entity: str, fmt: str, content: bytes, *, dedupe: str = "",
                 batch_size: int = 1000) -> Report:
    reader = readers.reader_for(fmt, lambda: io.BytesIO(content))
    return Importer(entity, actor=user, dedupe=dedupe, batch_size=batch_size).run(reader)


def export_bytes(user: Any, entity: str, fmt: str, *, node: Any = None,
                 ids: list[int] | None = None) -> bytes:
    out = io.BytesIO()
    exporting.export(user, entity, fmt, out, node=node, ids=ids)
    return out.getvalue()


def errors_by_row(report: Report) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for error in report.errors:
        found.setdefault(error["row"], []).append(
            f"{error['column']}: {error['message']}" if error["column"] else error["message"])
    return found
