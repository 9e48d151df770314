"""Adding to a list from a file: a CSV (or plain text) of email addresses — or of account
names or domains — is matched against the records the user may see; rows that match nothing
are reported, one line each."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vinculo.platform.crud import visible

from . import services
from .models import MemberSource, StaticList

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
KEYS = {"contacts": ("email",), "leads": ("email",), "accounts": ("domain", "name")}


def _values(upload: Any, entity: str) -> list[tuple[int, str, str]]:
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [cell.strip().lower() for cell in lines[0]]
    keys = KEYS[entity]
    found = [(i, name) for i, name in enumerate(header) if name in keys]
    if found:
        index, key, body, first = found[0][0], found[0][1], lines[1:], 2
    else:  # no header: the first column holds the values
        key = "email" if entity != "accounts" else ("domain" if "." in (header[:1] or [""])[0]
                                                    else "name")
        index, body, first = 0, lines, 1
    if len(body) > MAX_ROWS:
        raise ValidationError({"file": [_("At most %(n)d rows at a time.") % {"n": MAX_ROWS}]})
    return [(number, key, (row[index] if len(row) > index else "").strip())
            for number, row in enumerate(body, start=first)]


def add_from_file(user: Any, static_list: StaticList, upload: Any) -> dict[str, Any]:
    """Match the file's rows and add the matches; returns added, matched, unmatched rows."""
    rows = _values(upload, static_list.entity)
    base = visible(user, static_list.entity)
    wanted: dict[str, set[str]] = {}
    for _number, key, value in rows:
        if value:
            wanted.setdefault(key, set()).add(value.lower())
    index: dict[tuple[str, str], int] = {}
    for key, values in wanted.items():
        listed = sorted(values)
        for start in range(0, len(listed), 1000):
            chunk = listed[start:start + 1000]
            lookup = f"{key}__in" if key != "name" else "name__in"
            for pk, found in base.filter(**{lookup: chunk}).values_list("pk", key):
                index.setdefault((key, (found or "").lower()), pk)
            if key == "name":  # names are matched regardless of case, chunk by chunk
                for value in chunk:
                    if (key, value) not in index:
                        hit = base.filter(name__iexact=value).values_list("pk", flat=True)[:1]
                        if hit:
                            index[(key, value)] = hit[0]
    ids: list[int] = []
    unmatched = []
    for number, key, value in rows:
        if not value:
            unmatched.append({"row": number, "value": "", "reason": _("Empty row.")})
            continue
        pk = index.get((key, value.lower()))
        if pk is None:
            unmatched.append({"row": number, "value": value[:200], "reason": _(
                "No %(entity)s you may see with this %(key)s.")
                % {"entity": static_list.entity, "key": key}})
        else:
            ids.append(pk)
    ids = list(dict.fromkeys(ids))
    added = 0
    for start in range(0, len(ids), services.MAX_IDS_PER_CALL):
        added += services.add_members(static_list, ids[start:start + services.MAX_IDS_PER_CALL],
                                      user, source=MemberSource.IMPORT)["added"]
    return {"added": added, "matched": len(ids), "unmatched": unmatched}
