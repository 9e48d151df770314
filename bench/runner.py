"""One database's run: `python -m bench.runner` with `DATABASE_URL` set (by `bench.__main__`)."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from .database import analyze, migrate, setup_django, vendor
from .report import Reporter, progress
from .sizes import Sizes


def main() -> int:
    sizes = Sizes.from_env()
    workdir = Path(os.environ["BENCH_WORKDIR"])
    verbose = os.environ.get("BENCH_VERBOSE", "") not in ("", "0")
    started = time.perf_counter()
    setup_django()
    # a request cut off by the time limit is reported as a figure, not as a traceback
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    # tasks run inline here: their start and end lines would bury the figures
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    migrate()
    reporter = Reporter(vendor())
    progress(f"{vendor()}: scale {sizes.scale} — {sizes.contacts:,} contacts, "
             f"{sizes.activities:,} activities, {sizes.orders:,} orders")

    from . import background, limits, world
    from .client import Api
    from .figures import (
        aggregates,
        analytics_fit,
        assignment,
        board,
        campaigns,
        chat,
        dav,
        email_send,
        hooks_rules,
        import_csv,
        inbox,
        knowledge,
        leads,
        lists,
        mail_ingest,
        pages,
        query_count,
        recommendations,
        reports,
        sales_documents,
        search,
        segments,
        segments_million,
        service_queue,
        surveys,
        workflows,
    )

    people = world.create_people()
    world.create_accounts(people, sizes.accounts)
    import_csv.run(people, sizes, reporter, workdir)
    background.load(people, sizes)
    analyze()
    limits.install()
    api = Api(people.token)
    pages.run(api, sizes, reporter)
    query_count.run(api, reporter)
    search.run(api, reporter, verbose=verbose)
    aggregates.run(api, reporter)
    segments.run(api, sizes, reporter)
    lists.run(api, sizes, reporter)
    hooks_rules.run(people, sizes, reporter)
    leads.run(people, sizes, reporter)
    assignment.run(people, sizes, reporter)
    sales_documents.run(people, sizes, reporter)
    campaigns.run(people, sizes, reporter)
    email_send.run(people, sizes, reporter)
    workflows.run(people, sizes, reporter)
    for figure in (mail_ingest, service_queue, knowledge, surveys, analytics_fit, recommendations,
                   reports, inbox, chat, dav):
        figure.run(people, api, sizes, reporter)
    board.run(api, sizes, reporter)  # it adds 5,000 open deals
    segments_million.run(people, api, sizes, reporter)  # last: ten times the contacts
    progress(f"{vendor()}: done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
