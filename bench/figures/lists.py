"""Lists: `list_add_filter_per_s` (every contact the token's user may see added to a list
from a filter, in one INSERT … SELECT through record access), `list_add_again_ms` (the
same again: every row a duplicate, nothing added), `list_members_page_ms` (a page of
members), `list_export_csv_ms` (the mass-email CSV of the whole list with the consent
filter) and `list_labels_per_s` (PDF address labels, A4 3 × 7, for up to 3,000 contacts)."""

from __future__ import annotations

import json
import time
from typing import Any

from ..client import Api
from ..limits import TooSlow, limit_s, request_deadline
from ..report import Reporter, median, once_ms, progress, samples_ms
from ..sizes import PAGE_SIZE

LABELS = 3000


def post(api: Api, path: str, body: dict) -> Any:
    started = time.monotonic()
    with request_deadline():
        response = api.client.post(f"/api/v1/{path}", data=json.dumps(body),
                                   content_type="application/json", headers=api.headers)
    if response.status_code == 500 and time.monotonic() - started >= limit_s():
        raise TooSlow(limit_s())
    if response.status_code not in (200, 201):
        raise RuntimeError(f"POST {path} answered {response.status_code}: "
                           f"{response.content[:300]!r}")
    return json.loads(response.content)


def run(api: Api, sizes: Any, reporter: Reporter) -> None:
    progress("lists: adding every contact from a filter")
    static_list = post(api, "lists", {"name": "bench all", "entity": "contacts"})
    path = f"lists/{static_list['id']}/members"
    result: dict[str, Any] = {}

    def add() -> None:
        result.update(post(api, path, {"filter": {}}))

    ms, cut = once_ms(add)
    added = result.get("added", 0)
    if not cut and ms:
        reporter.figure("list_add_filter_per_s", added / (ms / 1000), "records/s")
    reporter.figure("list_add_filter_ms", ms, "ms")
    again, _cut = once_ms(lambda: post(api, path, {"filter": {}}))
    reporter.figure("list_add_again_ms", again, "ms")
    reporter.figure("list_members_page_ms",
                    median(samples_ms(lambda: api.get(path, limit=PAGE_SIZE), min_runs=3,
                                      max_runs=15)), "ms")
    progress("lists: campaign exports")
    export = f"lists/{static_list['id']}/export"
    csv_ms, _cut = once_ms(lambda: api.get(export, format="csv"))
    reporter.figure("list_export_csv_ms", csv_ms, "ms")

    page = api.get_json(path, limit=500)
    ids = [item["id"] for item in page["items"]]
    while page["next_cursor"] and len(ids) < LABELS:
        page = api.get_json(path, limit=500, cursor=page["next_cursor"])
        ids += [item["id"] for item in page["items"]]
    labels = post(api, "lists", {"name": "bench labels", "member_ids": ids[:LABELS]})
    pdf_ms, cut = once_ms(lambda: api.get(f"lists/{labels['id']}/export", format="pdf",
                                          sheet="a4-3x7", consent="false"))
    if not cut and pdf_ms:
        reporter.figure("list_labels_per_s", len(ids[:LABELS]) / (pdf_ms / 1000), "labels/s")
