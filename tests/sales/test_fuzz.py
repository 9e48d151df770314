"""A schemathesis run over the sales endpoints only (products, price lists, exchange rates,
quotes, orders, invoices and their actions): valid and invalid requests never give a 500."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.platform.test_openapi import _request, schema  # noqa: F401  (the fixture)
from vinculo.platform import records


@pytest.fixture
def settings_mailers(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


PREFIXES = ("/api/v1/products", "/api/v1/price-lists", "/api/v1/exchange-rates",
            "/api/v1/quotes", "/api/v1/orders", "/api/v1/invoices")


def test_fuzzing_the_sales_endpoints_never_gives_a_500(admin, admin_api, schema,  # noqa: F811
                                                         settings_mailers):
    import schemathesis
    from schemathesis import GenerationMode

    pen = records.create("products", {"sku": "PEN", "name": "Pen", "unit_price": "2"},
                         actor=admin)
    records.create("exchange-rates", {"currency": "USD", "rate": "0.9",
                                      "valid_on": "2000-01-01"}, actor=admin)
    price_list = records.create("price-lists", {"name": "US", "currency": "USD", "entries": [
        {"product_id": pen.pk, "unit_price": "3"}]}, actor=admin)
    quote = records.create("quotes", {"lines": [{"product_id": pen.pk}]}, actor=admin)
    order = records.create("orders", {"lines": [{"product_id": pen.pk}]}, actor=admin)
    invoice = records.create("invoices", {"lines": [{"product_id": pen.pk}]}, actor=admin)
    known = {"quotes": quote.pk, "orders": order.pk, "invoices": invoice.pk,
             "products": pen.pk, "price-lists": price_list.pk}
    loaded = schemathesis.openapi.from_dict(schema)
    strategies = []
    for result in loaded.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(PREFIXES):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(generation_mode=mode,
                                                    path_parameters=None))
    failures = []

    @settings(max_examples=400, deadline=None, database=None,
              derandomize=not os.environ.get("FUZZ_RANDOM"),
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies), hit=st.booleans())
    def run(case, hit):
        resource = case.path.split("/")[3]
        if hit and "{record_id}" in case.path and resource in known:
            case.path_parameters["record_id"] = known[resource]
        try:
            response = _request(admin_api, case)
        except Exception as exc:  # the test client re-raises what would be a 500
            failures.append((case.method, case.formatted_path, case.body, repr(exc)))
            return
        if response.status_code >= 500 and response.status_code != 502:
            failures.append((case.method, case.formatted_path, case.body,
                             response.status_code, response.content[:300]))

    run()
    assert not failures, "\n".join(map(str, failures[:10]))
