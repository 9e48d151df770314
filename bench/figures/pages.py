"""`contacts_api_page_1` / `contacts_api_page_1000`: the contacts list through the API, first
page and the 1,000th page reached with a cursor, for the default and a date ordering."""

from __future__ import annotations

from ..client import Api
from ..limits import TooSlow
from ..report import Reporter, median, progress, samples_ms
from ..sizes import PAGE_SIZE, Sizes

ORDERINGS = {"": None, "_created_desc": "-created_at"}


def run(api: Api, sizes: Sizes, reporter: Reporter) -> None:
    for suffix, ordering in ORDERINGS.items():
        progress(f"contacts list, page 1 and page {sizes.deep_page:,}, "
                 f"ordering={ordering or 'default'}")
        cursor, expected_first = deep_cursor(ordering, sizes.deep_page)
        check_deep_page(api, ordering, cursor, expected_first)
        page_1 = median(samples_ms(lambda o=ordering: api.get(
            "contacts", limit=PAGE_SIZE, ordering=o)))
        page_n = median(samples_ms(lambda o=ordering, c=cursor: api.get(
            "contacts", limit=PAGE_SIZE, ordering=o, cursor=c)))
        reporter.figure(f"contacts_api_page_1{suffix}", page_1, "ms")
        reporter.figure(f"contacts_api_page_1000{suffix}", page_n, "ms", ratio=page_n / page_1)


def check_deep_page(api: Api, ordering: str | None, cursor: str, expected_first: int) -> None:
    """The cursor must lead where following the API's own cursors would."""
    try:
        deep = api.get_json("contacts", limit=PAGE_SIZE, ordering=ordering, cursor=cursor)
    except TooSlow:
        return  # the timed runs will show it
    if not deep["items"] or deep["items"][0]["id"] != expected_first:
        raise RuntimeError("the deep page does not start at the row after the cursor")


def deep_cursor(ordering: str | None, page: int) -> tuple[str, int]:
    """The cursor the API hands out after page `page - 1` (built from the ordering values of
    its last row with `encode_cursor`), and the id of the row the next page must start with."""
    from vinculo.customers.models import Contact
    from vinculo.platform import pagination, registry

    keys = pagination.parse_ordering(registry.get("contacts"), ordering)
    skipped = (page - 1) * PAGE_SIZE
    rows = list(Contact.objects.order_by(*pagination.order_expressions(keys, Contact))
                [skipped - 1:skipped + 1])
    last, following = rows
    cursor = pagination.encode_cursor([getattr(last, k.lstrip("-")) for k in keys])
    return cursor, following.pk
