"""`board_page_5000_open`: the pipeline board page (`/opportunities/board/`) with 5,000 open
opportunities, as the administrator sees it (every deal), against the contact list page 1
(`/contacts/`) measured in the same run. Also `board_totals_5000_open` (the totals a move
refreshes) and `board_create_5000_open` (the 5,000 deals through the write pipeline)."""

from __future__ import annotations

import re
import time

from ..client import Api
from ..limits import TooSlow, limit_s, request_deadline
from ..report import Reporter, median, progress, samples_ms
from ..sizes import Sizes

OPEN_DEALS = 5_000
SMOKE_DEALS = 500  # below scale 0.05 (the test suite's smoke run), same figure names
BATCH = 1_000


def create_deals(count: int) -> float:
    """`count` open deals spread over the default pipeline's open stages, owners and
    accounts; returns the seconds it took."""
    from vinculo.customers.models import Account
    from vinculo.identity.models import User
    from vinculo.platform import records
    from vinculo.sales.pipeline.models import Pipeline

    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.filter(kind="open").order_by("order"))
    admin = User.objects.get(username="bench-admin")
    owners = list(User.objects.filter(is_active=True).values_list("pk", flat=True))
    accounts = list(Account.objects.order_by("id").values_list("pk", flat=True)[:2_000]) or [None]
    started = time.perf_counter()
    rows = [{"name": f"Deal {i:05d}", "amount": str(500 + (i * 37) % 90_000),
             "pipeline_id": pipeline.pk, "stage_id": stages[i % len(stages)].pk,
             "account_id": accounts[i % len(accounts)], "owner_id": owners[i % len(owners)],
             "expected_close_date": f"2027-{i % 12 + 1:02d}-{i % 28 + 1:02d}"}
            for i in range(count)]
    for start in range(0, count, BATCH):
        result = records.create_many("opportunities", rows[start:start + BATCH], actor=admin,
                                     source="bench")
        if result.errors:
            raise RuntimeError(f"deals refused: {dict(list(result.errors.items())[:3])}")
    return time.perf_counter() - started


def page_getter(path: str):
    from django.test import Client

    from vinculo.identity.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))

    def get():
        started = time.monotonic()
        with request_deadline():
            response = client.get(path)
        if response.status_code == 500 and time.monotonic() - started >= limit_s():
            raise TooSlow(limit_s())
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return response

    return get


def run(api: Api, sizes: Sizes, reporter: Reporter) -> None:
    deals = OPEN_DEALS if sizes.scale >= 0.05 else SMOKE_DEALS
    progress(f"pipeline board with {deals:,} open deals")
    seconds = create_deals(deals)
    reporter.figure("board_create_5000_open", seconds * 1000, "ms")
    board = page_getter("/opportunities/board/")
    counts = re.findall(rb"data-count>(\d+)<", board().content)
    if sum(int(n) for n in counts) < deals:
        raise RuntimeError("the board does not count every open deal")
    contacts = median(samples_ms(page_getter("/contacts/"), min_runs=5, max_runs=20))
    page = median(samples_ms(board, min_runs=5, max_runs=20))
    totals = median(samples_ms(page_getter("/opportunities/board/totals/"), min_runs=5,
                               max_runs=20))
    reporter.figure("contacts_page_1", contacts, "ms")
    reporter.figure("board_page_5000_open", page, "ms", ratio=page / contacts)
    reporter.figure("board_totals_5000_open", totals, "ms", ratio=totals / contacts)
