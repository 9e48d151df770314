"""Imports and exports of exchange rates and of orders in foreign currencies."""

from __future__ import annotations

from decimal import Decimal

from tests.importexport.helpers import export_bytes, import_bytes
from vinculo.platform import records


def test_exchange_rates_import_from_csv(admin):
    from vinculo.sales.models import ExchangeRate

    content = b"currency,rate,valid_on\nUSD,0.92,2026-01-01\nGBP,1.17,2026-01-01\nxx,1,2026\n"
    report = import_bytes(admin, "exchange-rates", "csv", content)
    assert sorted(ExchangeRate.objects.values_list("currency", flat=True)) == ["GBP", "USD"]
    assert {e["row"] for e in report.errors} == {4}  # the header is row 1
    exported = export_bytes(admin, "exchange-rates", "csv").decode()
    assert "USD" in exported and "0.92" in exported


def test_an_imported_foreign_order_needs_a_rate(admin):
    from vinculo.sales.models import Order

    content = (b"number,currency,total,ordered_at\n"
               b"H-1,USD,100.00,2024-05-01T10:00:00Z\nH-2,EUR,50.00,2024-05-01T10:00:00Z\n")
    report = import_bytes(admin, "orders", "csv", content)
    assert [e["row"] for e in report.errors] == [2]
    assert "exchange rate" in report.errors[0]["message"]
    records.create("exchange-rates", {"currency": "USD", "rate": "0.9",
                                      "valid_on": "2024-01-01"}, actor=admin)
    report = import_bytes(admin, "orders", "csv", content, dedupe="number")
    assert report.errors == []
    assert Order.objects.get(number="H-1").total_base == Decimal("90.00")
