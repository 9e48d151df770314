"""Sales documents: what lines, prices and totals cost, and how long the document flow takes.

- `quote_create_10_lines_per_s`: quotes with 10 product lines each (prices from a price list,
  totals, tax and the base-currency total worked out) through the write pipeline, against
  orders created with only a total in the same run (`ratio`).
- `quote_accept_ms`: the median time to accept a quote (its order is created with the lines).
- `invoice_issue_ms`: the median time to issue an invoice (the series counter locked, the
  number taken, the record saved and audited).
"""

from __future__ import annotations

import time

from ..report import Reporter, median, progress
from ..sizes import Sizes
from ..world import World

QUOTES = 300
LINES = 10
FLOW = 50
TAG = "bench-sales"


def run(world: World, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.platform import records

    count = QUOTES if sizes.scale >= 1 else max(50, round(QUOTES * sizes.scale))
    actor = world.reps[0] if world.reps else world.admin
    product_ids = _products(world)
    price_list = records.create("price-lists", {
        "name": TAG, "currency": "EUR",
        "entries": [{"product_id": pk, "unit_price": "9.90"} for pk in product_ids]},
        actor=world.admin, source="bench")
    try:
        progress(f"creating {count} orders with a total only (baseline)")
        started = time.perf_counter()
        for i in range(count):
            records.create("orders", {"total": f"{100 + i}.00", "notes": TAG}, actor=actor,
                           source="bench")
        plain = time.perf_counter() - started
        progress(f"creating {count} quotes with {LINES} lines each")
        started = time.perf_counter()
        quote_ids = []
        for i in range(count):
            lines = [{"product_id": product_ids[(i + j) % len(product_ids)],
                      "quantity": 1 + j, "discount": "5", "tax_rate": "21"}
                     for j in range(LINES)]
            quote_ids.append(records.create("quotes", {
                "price_list_id": price_list.pk, "notes": TAG, "lines": lines},
                actor=actor, source="bench").pk)
        quoted = time.perf_counter() - started
        progress(f"accepting {FLOW} quotes, invoicing and issuing their orders")
        accept_ms, issue_ms = _flow(actor, quote_ids[:FLOW])
    finally:
        _forget(price_list.pk)
    plain_rate, quote_rate = count / plain, count / quoted
    reporter.figure("quote_create_10_lines_per_s", quote_rate, "quotes/s",
                    ratio=quote_rate / plain_rate)
    reporter.figure("quote_accept_ms", accept_ms, "ms")
    reporter.figure("invoice_issue_ms", issue_ms, "ms")


def _products(world: World) -> list[int]:
    from vinculo.platform import records
    from vinculo.sales.models import Product

    ids = list(Product.objects.filter(sku__startswith=f"{TAG}-").values_list("pk", flat=True))
    for i in range(len(ids), LINES * 2):
        ids.append(records.create("products", {"sku": f"{TAG}-{i}", "name": f"Bench item {i}",
                                               "unit_price": "10.00", "stock": None},
                                  actor=world.admin, source="bench").pk)
    return ids


def _flow(actor, quote_ids: list[int]) -> tuple[float, float]:
    from vinculo.sales import services
    from vinculo.sales.models import Quote

    accepts, issues = [], []
    for pk in quote_ids:
        started = time.perf_counter()
        order = services.accept_quote(Quote.all_objects.get(pk=pk), actor=actor,
                                      source="bench")
        accepts.append((time.perf_counter() - started) * 1000)
        invoice = services.invoice_order(order, actor=actor, source="bench")
        started = time.perf_counter()
        services.issue_invoice(invoice, actor=actor, source="bench")
        issues.append((time.perf_counter() - started) * 1000)
    return median(accepts), median(issues)


def _forget(price_list_id: int) -> None:
    """Remove what this figure made (the documents, their lines and the price list), so the
    other figures see the data set they expect."""
    from vinculo.platform import registry, search
    from vinculo.sales.models import Invoice, NumberCounter, Order, PriceList, Quote

    invoices = Invoice.all_objects.filter(notes=TAG)
    orders = Order.all_objects.filter(notes=TAG)
    quotes = Quote.all_objects.filter(notes=TAG)
    for entity, qs in (("invoices", invoices), ("orders", orders), ("quotes", quotes)):
        ids = list(qs.values_list("pk", flat=True))
        search.unindex(registry.get(entity), ids)
        qs.delete()
    PriceList.all_objects.filter(pk=price_list_id).delete()
    if not Invoice.all_objects.exclude(number="").exists():
        NumberCounter.objects.filter(series__startswith="INV-").delete()
