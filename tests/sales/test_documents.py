"""Quotes, orders and invoices: prices, totals, currencies, the document flow and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

TODAY = timezone.localdate().isoformat()


def locs(response) -> list[list]:
    assert response.status_code == 422, (response.status_code, response.content)
    return [item["loc"] for item in response.json()["detail"]]


def messages(response) -> str:
    return " ".join(item["msg"] for item in response.json()["detail"])


@pytest.fixture
def pen(admin_api):
    r = admin_api.post("products", {"sku": "PEN", "name": "Pen", "unit_price": "2.50",
                                    "currency": "EUR", "stock": 10})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def desk(admin_api):
    r = admin_api.post("products", {"sku": "DESK", "name": "Desk", "unit_price": "200.00",
                                    "currency": "EUR"})
    return r.json()


@pytest.fixture
def usd_list(admin_api, pen):
    r = admin_api.post("price-lists", {"name": "US", "currency": "USD", "entries": [
        {"product_id": pen["id"], "unit_price": "3.00"}]})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def usd_rate(admin_api):
    r = admin_api.post("exchange-rates", {"currency": "USD", "rate": "0.9",
                                          "valid_on": "2020-01-01"})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def contact(rep_api):
    return rep_api.post("contacts", {"first_name": "Ana", "last_name": "Ruiz",
                                     "email": "ana@example.com"}).json()


class TestQuoteTotals:
    def test_totals_are_worked_out_on_the_server(self, rep_api, pen, desk):
        r = rep_api.post("quotes", {"lines": [
            {"product_id": pen["id"], "quantity": "4", "tax_rate": "21"},
            {"product_id": desk["id"], "quantity": 1, "discount": "10", "tax_rate": "21"},
            {"description": "Setup", "unit_price": "50"},
        ]})
        assert r.status_code == 201, r.content
        quote = r.json()
        # 10 + 200 + 50 gross; 20 off; tax 21 % of (10 + 180)
        assert (quote["subtotal"], quote["discount_total"], quote["tax_total"],
                quote["total"]) == ("260.00", "20.00", "39.90", "279.90")
        assert quote["currency"] == "EUR" and quote["total_base"] == "279.90"
        assert quote["status"] == "draft"
        assert quote["number"].startswith(f"Q-{timezone.localdate().year}-")
        assert [ln["amount"] for ln in quote["lines"]] == ["10.00", "180.00", "50.00"]

    @pytest.mark.parametrize("field", ["total", "subtotal", "tax_total", "total_base"])
    def test_totals_from_the_client_are_refused(self, rep_api, pen, field):
        r = rep_api.post("quotes", {field: "1", "lines": [{"product_id": pen["id"]}]})
        assert r.status_code == 422

    @pytest.mark.parametrize("line,loc", [
        ({"product_id": 0, "quantity": -1}, ["body", "lines", 0, "quantity"]),
        ({"quantity": 0, "unit_price": "1"}, ["body", "lines", 0, "quantity"]),
        ({"product_id": 999_999}, ["body", "lines", 0, "product_id"]),
        ({"unit_price": "1", "tax_rate": "101"}, ["body", "lines", 0, "tax_rate"]),
        ({"unit_price": "1", "discount": "-1"}, ["body", "lines", 0, "discount"]),
        ({"unit_price": "1", "colour": "red"}, ["body", "lines", 0, "colour"]),
    ])
    def test_bad_lines_are_named(self, rep_api, line, loc):
        r = rep_api.post("quotes", {"lines": [{"unit_price": "1"}, line]})
        loc[2] = 1
        assert loc in locs(r)

    def test_editing_lines_recomputes(self, rep_api, pen):
        quote = rep_api.post("quotes", {"lines": [{"product_id": pen["id"]}]}).json()
        r = rep_api.patch(f"quotes/{quote['id']}", {"lines": [
            {"product_id": pen["id"], "quantity": 2}, {"unit_price": "1", "description": "x"}]})
        assert r.json()["total"] == "6.00" and len(r.json()["lines"]) == 2
        history = rep_api.get(f"quotes/{quote['id']}/history").json()["items"]
        assert "lines" in history[0]["changes"]


class TestCurrencies:
    def test_price_list_prices_the_lines(self, rep_api, pen, usd_list, usd_rate):
        r = rep_api.post("quotes", {"price_list_id": usd_list["id"],
                                    "lines": [{"product_id": pen["id"], "quantity": 2}]})
        assert r.status_code == 201, r.content
        quote = r.json()
        assert quote["currency"] == "USD" and quote["lines"][0]["unit_price"] == "3.00"
        assert quote["total"] == "6.00" and quote["total_base"] == "5.40"
        assert quote["base_currency"] == "EUR" and quote["exchange_rate"] == "0.90000000"

    def test_a_product_without_a_price_in_the_currency_names_the_line(self, rep_api, pen, desk,
                                                                      usd_rate):
        r = rep_api.post("quotes", {"currency": "USD", "lines": [
            {"unit_price": "1"}, {"product_id": desk["id"]}]})
        assert locs(r) == [["body", "lines", 1, "product_id"]]
        assert "USD" in messages(r)

    def test_the_price_list_must_be_in_the_document_currency(self, rep_api, pen, usd_list):
        r = rep_api.post("quotes", {"currency": "EUR", "price_list_id": usd_list["id"],
                                    "lines": [{"product_id": pen["id"]}]})
        assert locs(r) == [["body", "price_list_id"]]

    def test_a_price_list_out_of_its_dates_is_refused(self, admin_api, rep_api, pen):
        old = admin_api.post("price-lists", {"name": "2019", "currency": "EUR",
                                             "valid_to": "2019-12-31"}).json()
        r = rep_api.post("quotes", {"price_list_id": old["id"],
                                    "lines": [{"product_id": pen["id"]}]})
        assert locs(r) == [["body", "price_list_id"]]

    def test_no_rate_tells_the_user_to_add_one(self, rep_api):
        r = rep_api.post("quotes", {"currency": "JPY", "lines": [{"unit_price": "100"}]})
        assert locs(r) == [["body", "currency"]]
        assert "exchange rate" in messages(r).lower()

    def test_the_rate_valid_on_the_document_date_is_used(self, admin_api, rep_api, usd_rate):
        admin_api.post("exchange-rates", {"currency": "USD", "rate": "0.5",
                                          "valid_on": "2025-01-01"})
        old = rep_api.post("quotes", {"currency": "USD", "issued_on": "2024-06-01",
                                      "lines": [{"unit_price": "10"}]}).json()
        new = rep_api.post("quotes", {"currency": "USD", "issued_on": "2025-06-01",
                                      "lines": [{"unit_price": "10"}]}).json()
        assert (old["total_base"], new["total_base"]) == ("9.00", "5.00")
        r = rep_api.post("quotes", {"currency": "USD", "issued_on": "2019-06-01",
                                    "lines": [{"unit_price": "10"}]})
        assert locs(r) == [["body", "currency"]]

    def test_orders_store_their_base_total(self, rep_api, usd_rate):
        r = rep_api.post("orders", {"currency": "USD", "total": "100",
                                    "ordered_at": "2024-01-01T00:00:00Z"})
        assert r.json()["total_base"] == "90.00"

    def test_base_currency_comes_from_settings(self, rep_api, settings):
        settings.VINCULO_BASE_CURRENCY = "USD"
        r = rep_api.post("quotes", {"lines": [{"unit_price": "10"}]})
        assert r.json()["currency"] == "USD" and r.json()["total_base"] == "10.00"

    def test_rates_and_price_lists_are_written_by_admins_only(self, rep_api, pen):
        assert rep_api.post("exchange-rates", {"currency": "USD", "rate": "1",
                                               "valid_on": TODAY}).status_code == 403
        assert rep_api.post("price-lists", {"name": "x", "currency": "EUR"}).status_code == 403
        assert rep_api.get("exchange-rates").status_code == 200

    def test_bad_rates_and_entries(self, admin_api, pen, usd_rate):
        assert admin_api.post("exchange-rates", {"currency": "usd", "rate": "1",
                                                 "valid_on": TODAY}).status_code == 422
        assert admin_api.post("exchange-rates", {"currency": "USD", "rate": "0",
                                                 "valid_on": TODAY}).status_code == 422
        twice = admin_api.post("exchange-rates", {"currency": "USD", "rate": "2",
                                                  "valid_on": "2020-01-01"})
        assert twice.status_code == 422
        r = admin_api.post("price-lists", {"name": "x", "currency": "EUR", "entries": [
            {"product_id": 999_999, "unit_price": "1"}]})
        assert locs(r) == [["body", "entries", 0, "product_id"]]


class TestQuoteFlow:
    def test_accept_creates_the_order_once(self, rep_api, pen, contact):
        quote = rep_api.post("quotes", {"contact_id": contact["id"], "lines": [
            {"product_id": pen["id"], "quantity": 3, "discount": "10", "tax_rate": "21"}]}).json()
        r = rep_api.post(f"quotes/{quote['id']}/accept")
        assert r.status_code == 201, r.content
        order = r.json()
        assert order["quote_id"] == quote["id"] and order["contact_id"] == contact["id"]
        assert order["status"] == "confirmed" and order["total"] == quote["total"]
        assert [(ln["product_id"], ln["quantity"], ln["discount"], ln["tax_rate"])
                for ln in order["lines"]] == [(pen["id"], "3.00", "10.00", "21.00")]
        assert rep_api.get(f"quotes/{quote['id']}").json()["status"] == "accepted"
        again = rep_api.post(f"quotes/{quote['id']}/accept")
        assert again.status_code == 409 and "already accepted" in again.json()["detail"]
        assert rep_api.get("orders").json()["items"].__len__() == 1

    def test_an_accepted_quote_cannot_change(self, rep_api, pen):
        quote = rep_api.post("quotes", {"lines": [{"product_id": pen["id"]}]}).json()
        rep_api.post(f"quotes/{quote['id']}/accept")
        r = rep_api.patch(f"quotes/{quote['id']}", {"lines": [{"product_id": pen["id"],
                                                               "quantity": 9}]})
        assert r.status_code == 422 and "accepted" in messages(r)

    def test_expired_or_rejected_quotes_cannot_be_accepted(self, rep_api, pen):
        rejected = rep_api.post("quotes", {"status": "rejected",
                                           "lines": [{"product_id": pen["id"]}]}).json()
        assert rep_api.post(f"quotes/{rejected['id']}/accept").status_code == 409
        old = rep_api.post("quotes", {"issued_on": "2020-01-01", "valid_until": "2020-02-01",
                                      "lines": [{"product_id": pen["id"]}]}).json()
        assert rep_api.post(f"quotes/{old['id']}/accept").status_code == 409

    def test_valid_until_before_the_date_is_refused(self, rep_api):
        r = rep_api.post("quotes", {"issued_on": "2026-01-10", "valid_until": "2026-01-01"})
        assert locs(r) == [["body", "valid_until"]]

    def test_pdf(self, rep_api, pen, contact):
        quote = rep_api.post("quotes", {"contact_id": contact["id"], "notes": "Gracias — ñ ✓",
                                        "lines": [{"product_id": pen["id"]}]}).json()
        r = rep_api.get(f"quotes/{quote['id']}/pdf")
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        assert r.content.startswith(b"%PDF") and quote["number"] in r["Content-Disposition"]

    def test_other_reps_see_nothing(self, rep_api, other_api, pen):
        quote = rep_api.post("quotes", {"lines": [{"product_id": pen["id"]}]}).json()
        for call in (lambda: other_api.get(f"quotes/{quote['id']}"),
                     lambda: other_api.get(f"quotes/{quote['id']}/pdf"),
                     lambda: other_api.post(f"quotes/{quote['id']}/accept"),
                     lambda: other_api.post(f"quotes/{quote['id']}/send", {"to": "a@b.co"}),
                     lambda: other_api.patch(f"quotes/{quote['id']}", {"notes": "x"})):
            assert call().status_code == 404
        assert other_api.get("quotes").json()["items"] == []

    def test_read_only_users_cannot_accept(self, rep_api, make_readonly_api, pen):
        quote = rep_api.post("quotes", {"lines": [{"product_id": pen["id"]}]}).json()
        assert make_readonly_api.get(f"quotes/{quote['id']}").status_code == 200
        assert make_readonly_api.post(f"quotes/{quote['id']}/accept").status_code == 403
        assert make_readonly_api.post("quotes", {}).status_code == 403


@pytest.fixture
def make_readonly_api(db):
    from tests.conftest import api_for, make_user

    return api_for(make_user("reader", "readonly"))


@pytest.fixture
def order(rep_api, pen, desk, contact):
    quote = rep_api.post("quotes", {"contact_id": contact["id"], "lines": [
        {"product_id": pen["id"], "quantity": 4, "tax_rate": "21"},
        {"product_id": desk["id"], "quantity": 1}]}).json()
    return rep_api.post(f"quotes/{quote['id']}/accept").json()


class TestStock:
    def test_fulfilling_takes_stock_and_cancelling_puts_it_back(self, rep_api, admin_api, pen,
                                                                 desk, order):
        r = rep_api.patch(f"orders/{order['id']}", {"status": "fulfilled"})
        assert r.status_code == 200, r.content
        assert admin_api.get(f"products/{pen['id']}").json()["stock"] == 6
        assert admin_api.get(f"products/{desk['id']}").json()["stock"] is None  # not tracked
        rep_api.patch(f"orders/{order['id']}", {"status": "cancelled"})
        assert admin_api.get(f"products/{pen['id']}").json()["stock"] == 10

    def test_the_recycle_bin_gives_stock_back(self, rep_api, admin_api, pen, order):
        rep_api.patch(f"orders/{order['id']}", {"status": "fulfilled"})
        assert rep_api.delete(f"orders/{order['id']}").status_code == 204
        assert admin_api.get(f"products/{pen['id']}").json()["stock"] == 10
        assert rep_api.post(f"orders/{order['id']}/restore").status_code == 200
        assert admin_api.get(f"products/{pen['id']}").json()["stock"] == 6

    def test_not_enough_stock_names_the_line(self, rep_api, pen):
        order = rep_api.post("orders", {"lines": [{"product_id": pen["id"], "quantity": 11}]})
        r = rep_api.patch(f"orders/{order.json()['id']}", {"status": "fulfilled"})
        assert locs(r) == [["body", "lines", 0, "quantity"]]
        assert rep_api.get(f"orders/{order.json()['id']}").json()["status"] == "confirmed"

    def test_a_fulfilled_orders_lines_are_fixed(self, rep_api, pen, order):
        rep_api.patch(f"orders/{order['id']}", {"status": "fulfilled"})
        r = rep_api.patch(f"orders/{order['id']}", {"lines": [{"product_id": pen["id"]}]})
        assert locs(r) == [["body", "lines"]]


class TestInvoices:
    def test_order_to_invoice_to_issue(self, rep_api, order):
        r = rep_api.post(f"orders/{order['id']}/invoice")
        assert r.status_code == 201, r.content
        invoice = r.json()
        assert invoice["status"] == "draft" and invoice["number"] == ""
        assert invoice["order_id"] == order["id"] and invoice["total"] == order["total"]
        assert rep_api.post(f"orders/{order['id']}/invoice").status_code == 409
        r = rep_api.post(f"invoices/{invoice['id']}/issue")
        assert r.status_code == 200, r.content
        issued = r.json()
        year = timezone.localdate().year
        assert issued["number"] == f"INV-{year}-000001" and issued["issued_on"] == TODAY
        assert rep_api.post(f"invoices/{invoice['id']}/issue").status_code == 409
        pdf = rep_api.get(f"invoices/{invoice['id']}/pdf")
        assert pdf.content.startswith(b"%PDF")

    def test_an_issued_invoice_cannot_be_edited(self, rep_api, order, pen):
        invoice = rep_api.post(f"orders/{order['id']}/invoice").json()
        rep_api.post(f"invoices/{invoice['id']}/issue")
        for change in ({"lines": [{"product_id": pen["id"]}]}, {"notes": "changed"},
                       {"currency": "USD"}, {"status": "draft"}):
            r = rep_api.patch(f"invoices/{invoice['id']}", change)
            assert r.status_code == 422, (change, r.content)
            assert "credit note" in messages(r) or "cannot go" in messages(r)
        assert rep_api.delete(f"invoices/{invoice['id']}").status_code == 422
        paid = rep_api.patch(f"invoices/{invoice['id']}", {"status": "paid"}).json()
        assert paid["status"] == "paid" and paid["paid_on"] == TODAY

    def test_numbers_are_given_only_on_issue_without_gaps(self, rep_api, pen):
        first = rep_api.post("invoices", {"lines": [{"product_id": pen["id"]}]}).json()
        second = rep_api.post("invoices", {"lines": [{"product_id": pen["id"]}]}).json()
        empty = rep_api.post("invoices", {}).json()
        assert rep_api.post(f"invoices/{empty['id']}/issue").status_code == 422  # no lines
        assert rep_api.post(f"invoices/{second['id']}/issue").json()["number"].endswith("000001")
        assert rep_api.post(f"invoices/{first['id']}/issue").json()["number"].endswith("000002")

    def test_credit_note(self, rep_api, order):
        invoice = rep_api.post(f"orders/{order['id']}/invoice").json()
        assert rep_api.post(f"invoices/{invoice['id']}/credit-note").status_code == 409
        rep_api.post(f"invoices/{invoice['id']}/issue")
        r = rep_api.post(f"invoices/{invoice['id']}/credit-note", {"issue": True})
        assert r.status_code == 201, r.content
        note = r.json()
        assert note["kind"] == "credit_note" and note["credit_of_id"] == invoice["id"]
        assert note["total"] == "-" + invoice["total"]
        assert note["number"].startswith("CN-") and note["status"] == "issued"
        assert all(ln["quantity"].startswith("-") for ln in note["lines"])
        partial = rep_api.post(f"invoices/{invoice['id']}/credit-note", {"lines": [
            {"description": "Goodwill", "unit_price": "5", "quantity": 1}]}).json()
        assert partial["total"] == "-5.00" and partial["status"] == "draft"

    def test_credit_note_lines_must_be_negative(self, rep, rep_api, order):
        from django.core.exceptions import ValidationError

        from vinculo.platform import records

        invoice = rep_api.post(f"orders/{order['id']}/invoice").json()
        rep_api.post(f"invoices/{invoice['id']}/issue")
        # Credit notes come from the credit-note action, not a plain create.
        r = rep_api.post("invoices", {"kind": "credit_note", "credit_of_id": invoice["id"]})
        assert ["body", "kind"] in locs(r)
        with pytest.raises(ValidationError) as refused:
            records.create("invoices", {"kind": "credit_note", "credit_of_id": invoice["id"],
                                        "lines": [{"unit_price": "1", "quantity": 1}]},
                           actor=rep)
        assert list(refused.value.message_dict) == ["lines.0.quantity"]
        r = rep_api.post(f"invoices/{invoice['id']}/credit-note",
                         {"lines": [{"unit_price": "1", "quantity": -1}]})
        assert locs(r) == [["body", "lines", 0, "quantity"]]

    def test_the_number_cannot_be_set(self, rep_api):
        assert rep_api.post("invoices", {"number": "INV-1"}).status_code == 422

    def test_a_rep_cannot_invoice_another_reps_order(self, other_api, order):
        assert other_api.post(f"orders/{order['id']}/invoice").status_code == 404


class TestRegistry:
    def test_filters_and_search(self, rep_api, pen):
        import json

        rep_api.post("quotes", {"notes": "roof repair", "lines": [{"product_id": pen["id"]}]})
        rep_api.post("quotes", {"status": "sent", "lines": [{"unit_price": "100"}]})
        r = rep_api.get("quotes", filter=json.dumps({"field": "total", "op": "gt",
                                                     "value": 50}))
        assert [q["total"] for q in r.json()["items"]] == ["100.00"]
        assert len(rep_api.get("quotes", q="roof").json()["items"]) == 1
        r = rep_api.get("quotes", filter=json.dumps({"field": "nope", "op": "eq", "value": 1}))
        assert r.status_code == 422

    def test_orders_related_aggregate_still_works(self, rep_api, contact, pen):
        import json

        for _i in range(2):
            rep_api.post("orders", {"contact_id": contact["id"],
                                    "lines": [{"product_id": pen["id"]}]})
        node = {"related": "orders", "agg": "count", "op": "gte", "value": 2,
                "where": {"field": "ordered_at", "op": "within_last_days", "value": 30}}
        r = rep_api.get("contacts", filter=json.dumps(node))
        assert [c["id"] for c in r.json()["items"]] == [contact["id"]]


def test_document_date_of_an_order_is_its_local_day():
    from vinculo.sales.models import Order
    from vinculo.sales.services import document_date

    when = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    assert document_date(Order(ordered_at=when)) == dt.date(2026, 3, 1)


def test_a_quote_refers_to_its_opportunity(rep_api, other_api, pen):
    account = rep_api.post("accounts", {"name": "Acme"}).json()
    r = rep_api.post("opportunities", {"name": "Acme pens", "account_id": account["id"]})
    assert r.status_code == 201, r.content
    deal = r.json()
    quote = rep_api.post("quotes", {"opportunity_id": deal["id"],
                                    "lines": [{"product_id": pen["id"]}]}).json()
    assert quote["opportunity_id"] == deal["id"] and quote["account_id"] == account["id"]
    import json

    r = rep_api.get("quotes", filter=json.dumps({"field": "opportunity_id", "op": "eq",
                                                 "value": deal["id"]}))
    assert [q["id"] for q in r.json()["items"]] == [quote["id"]]
    # Another rep's opportunity cannot be referenced.
    theirs = other_api.post("opportunities", {"name": "Theirs"}).json()
    r = rep_api.post("quotes", {"opportunity_id": theirs["id"]})
    assert locs(r) == [["body", "opportunity_id"]]


def test_open_quotes_past_their_date_expire(rep, rep_api):
    from vinculo.sales import tasks

    old = rep_api.post("quotes", {"issued_on": "2020-01-01", "valid_until": "2020-02-01",
                                  "lines": [{"unit_price": "1", "description": "x"}]}).json()
    live = rep_api.post("quotes", {"lines": [{"unit_price": "1", "description": "x"}]}).json()
    assert tasks.expire_quotes.enqueue().return_value == 1
    assert rep_api.get(f"quotes/{old['id']}").json()["status"] == "expired"
    assert rep_api.get(f"quotes/{live['id']}").json()["status"] == "draft"


def test_a_manager_works_on_the_quotes_of_the_team(rep, manager, rep_api, pen):
    from tests.conftest import api_for

    boss = api_for(manager)
    quote = rep_api.post("quotes", {"lines": [{"product_id": pen["id"]}]}).json()
    assert boss.get(f"quotes/{quote['id']}").status_code == 200
    order = boss.post(f"quotes/{quote['id']}/accept").json()
    assert order["owner_id"] == rep.pk  # the order stays with the quote's owner
    assert rep_api.get(f"orders/{order['id']}").status_code == 200
