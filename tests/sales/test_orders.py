"""Products and orders with lines, in their minimal form (contract §4)."""

from __future__ import annotations

from decimal import Decimal

import pytest


def locs(response) -> list[list]:
    assert response.status_code == 422, (response.status_code, response.content)
    return [item["loc"] for item in response.json()["detail"]]


def counts() -> tuple[int, int, int]:
    from vinculo.platform.models import AuditEntry
    from vinculo.sales.models import Order, OrderLine

    return Order.all_objects.count(), OrderLine.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def pen(admin_api):
    r = admin_api.post("products", {"sku": "PEN-1", "name": "Pen", "unit_price": "2.50",
                                    "currency": "EUR", "stock": 10})
    assert r.status_code == 201, r.content
    return r.json()


class TestProducts:
    def test_catalogue_is_read_by_everyone_written_by_admins(self, admin_api, rep_api, pen):
        assert rep_api.get(f"products/{pen['id']}").json()["name"] == "Pen"
        assert rep_api.patch(f"products/{pen['id']}", {"name": "X"}).status_code == 403
        assert rep_api.delete(f"products/{pen['id']}").status_code == 403
        r = admin_api.patch(f"products/{pen['id']}", {"unit_price": "3.00", "active": False})
        assert r.json()["unit_price"] == "3.00" and r.json()["active"] is False

    def test_money_is_a_decimal_string(self, pen):
        assert pen["unit_price"] == "2.50" and pen["currency"] == "EUR"


class TestOrders:
    def test_total_comes_from_the_lines(self, rep_api, pen):
        r = rep_api.post("orders", {"currency": "EUR", "lines": [
            {"product_id": pen["id"], "quantity": "4"},
            {"description": "Setup", "unit_price": "100", "discount": "10"},
            {"product_id": pen["id"], "quantity": 1, "unit_price": "1.99"},
        ]})
        assert r.status_code == 201, r.content
        order = r.json()
        assert order["total"] == "101.99"  # 4 × 2.50 + 90 + 1.99
        first, second, third = order["lines"]
        assert (first["unit_price"], first["description"], first["amount"]) == (
            "2.50", "Pen", "10.00")
        assert second["amount"] == "90.00" and third["amount"] == "1.99"

    def test_given_total_gives_way_to_the_lines(self, rep_api, pen):
        r = rep_api.post("orders", {"total": "5", "lines": [{"product_id": pen["id"]}]})
        assert r.json()["total"] == "2.50"

    def test_an_order_without_lines_keeps_its_total(self, rep_api):
        r = rep_api.post("orders", {"total": "1234.56", "ordered_at": "2020-05-01T10:00:00Z"})
        assert r.status_code == 201
        assert r.json()["total"] == "1234.56" and r.json()["lines"] == []
        assert r.json()["ordered_at"].startswith("2020-05-01T10:00:00")

    @pytest.mark.parametrize("line,loc", [
        ({"product_id": 1, "quantity": -1}, ["body", "lines", 0, "quantity"]),
        ({"product_id": 1, "quantity": 0}, ["body", "lines", 0, "quantity"]),
        ({"product_id": 1, "quantity": "many"}, ["body", "lines", 0, "quantity"]),
        ({"product_id": 999_999}, ["body", "lines", 0, "product_id"]),
        ({"product_id": "pen"}, ["body", "lines", 0, "product_id"]),
        ({"description": "free text"}, ["body", "lines", 0, "unit_price"]),
        ({"unit_price": "-1"}, ["body", "lines", 0, "unit_price"]),
        ({"unit_price": "1", "discount": "101"}, ["body", "lines", 0, "discount"]),
        ({"unit_price": "1", "discount": "-5"}, ["body", "lines", 0, "discount"]),
        ({"unit_price": "1", "quantity": "1e20"}, ["body", "lines", 0, "quantity"]),
        ({"unit_price": "1", "colour": "red"}, ["body", "lines", 0, "colour"]),
        ("pen", ["body", "lines", 0]),
    ])
    def test_bad_lines_are_named_and_write_nothing(self, rep_api, pen, line, loc):
        if isinstance(line, dict) and line.get("product_id") == 1:
            line = {**line, "product_id": pen["id"]}
        before = counts()
        r = rep_api.post("orders", {"lines": [{"unit_price": "1"}, line][1:]})
        assert loc in locs(r), r.content
        assert counts() == before

    def test_the_second_bad_line_is_named_by_its_index(self, rep_api, pen):
        r = rep_api.post("orders", {"lines": [{"product_id": pen["id"]},
                                              {"product_id": 424242}]})
        assert locs(r) == [["body", "lines", 1, "product_id"]]

    def test_a_product_in_the_recycle_bin_cannot_be_ordered(self, admin_api, rep_api, pen):
        admin_api.delete(f"products/{pen['id']}")
        r = rep_api.post("orders", {"lines": [{"product_id": pen["id"]}]})
        assert locs(r) == [["body", "lines", 0, "product_id"]]

    def test_a_total_that_overflows_is_refused(self, rep_api):
        r = rep_api.post("orders", {"lines": [{"unit_price": "999999999999", "quantity": 999}]})
        assert r.status_code == 422

    def test_changing_lines_recomputes_audits_and_bumps(self, rep_api, pen):
        from vinculo.sales.models import OrderLine

        order = rep_api.post("orders", {"lines": [{"product_id": pen["id"]}]}).json()
        path = f"orders/{order['id']}"
        same = rep_api.patch(path, {"lines": [{"product_id": pen["id"]}]})
        assert same.json()["version"] == 1
        r = rep_api.patch(path, {"lines": [{"product_id": pen["id"], "quantity": 3}]},
                          headers={"If-Match": "1"})
        assert r.status_code == 200, r.content
        assert (r.json()["version"], r.json()["total"]) == (2, "7.50")
        assert OrderLine.objects.filter(order_id=order["id"]).count() == 1
        history = rep_api.get(f"{path}/history").json()["items"]
        assert history[0]["changes"]["total"] == ["2.50", "7.50"]
        before, after = history[0]["changes"]["lines"]
        assert before[0]["quantity"] == "1.00" and after[0]["quantity"] == "3.00"
        r = rep_api.patch(path, {"notes": "rush"})
        assert len(r.json()["lines"]) == 1 and r.json()["total"] == "7.50"

    def test_clearing_the_lines_keeps_the_total(self, rep_api, pen):
        order = rep_api.post("orders", {"lines": [{"product_id": pen["id"]}]}).json()
        r = rep_api.patch(f"orders/{order['id']}", {"lines": []})
        assert r.json()["lines"] == [] and r.json()["total"] == "2.50"
        assert r.json()["version"] == 2

    def test_orders_belong_to_their_owner(self, rep_api, other_api, pen):
        order = rep_api.post("orders", {"total": "1"}).json()
        assert other_api.get(f"orders/{order['id']}").status_code == 404
        assert other_api.get("orders").json()["items"] == []

    def test_line_amounts_round_to_cents(self):
        from vinculo.sales.models import OrderLine

        line = OrderLine(quantity=Decimal("3"), unit_price=Decimal("0.335"),
                         discount=Decimal("0"))
        assert line.amount == Decimal("1.00")
