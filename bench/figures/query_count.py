"""`query_count_list_page`: statements one list page costs, at every page size."""

from __future__ import annotations

from ..client import Api
from ..report import Reporter

SIZES = (10, 50, 500)


def run(api: Api, reporter: Reporter) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for limit in SIZES:
        api.get("contacts", limit=limit)  # the token's last-used stamp is written at most once
        with CaptureQueriesContext(connection) as captured:
            api.get("contacts", limit=limit)
        counts[limit] = len(captured.captured_queries)
    reporter.figure("query_count_list_page", counts[50], "queries",
                    ratio=counts[500] / counts[10])
