"""Segments: `nl_accuracy` (the sentence test set, English and Spanish), `nl_interpret`
(a sentence read and counted over the bench's contacts, through the API) and
`segment_members_count` (a segment with a related-aggregate condition: its first page of
members with the count), against a segment on an indexed column."""

from __future__ import annotations

import json
import time
from typing import Any

from ..client import Api
from ..limits import TooSlow, limit_s, request_deadline
from ..report import Reporter, median, once_ms, progress, samples_ms
from ..sizes import PAGE_SIZE

SENTENCES = (
    ("contacts in Madrid who bought more than 3 times in the last 90 days", "en"),
    ("contactos de Barcelona sin actividad en los últimos 60 días", "es"),
    ("customers who spent at least 1,000 euros last year", "en"),
    ("contactos de España que compraron más de 2 veces este año", "es"),
    ("contacts in Madrid or Sevilla with no orders", "en"),
    ("contactos creados en los últimos 30 días con etiqueta vip", "es"),
)
PLAIN = {"field": "city", "op": "ieq", "value": "madrid"}
RELATED = {"all": [{"field": "city", "op": "ieq", "value": "madrid"},
                   {"related": "orders", "agg": "count", "op": "gt", "value": 3,
                    "where": {"field": "ordered_at", "op": "within_last_days", "value": 90}}]}


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


def members_ms(api: Api, node: dict, name: str) -> tuple[float, float]:
    segment = post(api, "segments", {"name": name, "entity": "contacts", "filter": node})
    path = f"segments/{segment['id']}/members"
    try:
        count = api.get_json(path, limit=PAGE_SIZE, with_count=1)["count"]
    except TooSlow:
        count = float("nan")
    ms = median(samples_ms(lambda: api.get(path, limit=PAGE_SIZE, with_count=1),
                           min_runs=3, max_runs=15))
    return ms, count


def run(api: Api, sizes: Any, reporter: Reporter) -> None:
    from vinculo.marketing.segments.nl import evaluate

    progress("segments: natural-language test set")
    report = evaluate.run()
    reporter.figure("nl_accuracy", report.accuracy * 100, "%")
    for language in ("en", "es"):
        reporter.figure(f"nl_accuracy_{language}", evaluate.run(language).accuracy * 100, "%")

    progress("segments: interpreting sentences over the bench's contacts")
    cold, _cut = once_ms(lambda: post(api, "segments/interpret",
                                      {"entity": "contacts", "text": SENTENCES[0][0]}))
    reporter.figure("nl_interpret_first", cold, "ms")
    latencies = []
    for text, language in SENTENCES:
        body = {"entity": "contacts", "text": text, "language": language}
        latencies.append(median(samples_ms(lambda body=body: post(api, "segments/interpret",
                                                                  body),
                                           warmup=1, min_runs=3, max_runs=7)))
    reporter.figure("nl_interpret", median(latencies), "ms")

    progress("segments: members and counts")
    plain_ms, plain_count = members_ms(api, PLAIN, "bench plain")
    related_ms, related_count = members_ms(api, RELATED, "bench related")
    reporter.figure("segment_members_count_plain", plain_ms, "ms")
    reporter.figure("segment_members_count_related", related_ms, "ms",
                    ratio=related_ms / plain_ms if plain_ms else None)
    reporter.figure("segment_members_count_related_matches", related_count, "contacts")
