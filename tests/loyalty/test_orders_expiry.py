"""Points from orders (fulfilment earns, cancellation reverses once), expiry by the daily
job, and parallel redemptions and awards on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.service.conftest import FixedClock
from vinculo.automation import schedules
from vinculo.channels.loyalty import services
from vinculo.channels.loyalty.models import LedgerEntry
from vinculo.customers.models import Contact


def _points(contact) -> tuple[int, str]:
    row = Contact.objects.filter(pk=contact.pk).values_list("loyalty_points", "loyalty_tier")
    return row.get()


def _order(rep_api, customer, capture, price="123.45", quantity=2):
    with capture(execute=True):
        r = rep_api.post("orders", {"contact_id": customer.pk,
                                    "lines": [{"unit_price": price, "quantity": quantity}]})
    assert r.status_code == 201, r.content
    return r.json()


def _status(rep_api, order, status, capture):
    with capture(execute=True):
        r = rep_api.patch(f"orders/{order['id']}", {"status": status})
    assert r.status_code == 200, r.content


def test_fulfilment_earns_and_cancellation_reverses_once(
        rep_api, customer, programme, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    order = _order(rep_api, customer, capture)
    assert order["total"] == "246.90"
    assert _points(customer) == (0, "")          # confirmed: nothing yet
    _status(rep_api, order, "fulfilled", capture)
    assert _points(customer) == (246, "Bronze")
    with capture(execute=True):
        rep_api.patch(f"orders/{order['id']}", {"notes": "gift wrap"})
    services.on_order_changed(order["id"])      # a replayed event adds nothing
    assert _points(customer) == (246, "Bronze")
    _status(rep_api, order, "cancelled", capture)
    assert _points(customer) == (0, "Bronze")
    services.on_order_changed(order["id"])
    services.reverse_order(order["id"])
    entries = list(LedgerEntry.objects.order_by("id").values_list("kind", "points", "key"))
    assert entries == [("order", 246, f"order:{order['id']}"),
                       ("order_reversal", -246, f"order-reversal:{order['id']}")]
    # Reinstated: its points were given once and taken back once; nothing more.
    services.award_order(order["id"])
    assert LedgerEntry.objects.count() == 2


def test_a_cancellation_after_spending_never_goes_below_zero(
        rep_api, customer, programme, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    order = _order(rep_api, customer, capture, price="100", quantity=1)
    _status(rep_api, order, "fulfilled", capture)
    r = rep_api.post(f"contacts/{customer.pk}/loyalty/redemptions", {"points": 80, "key": "v"})
    assert r.status_code == 201
    _status(rep_api, order, "cancelled", capture)
    assert _points(customer)[0] == 0
    assert LedgerEntry.objects.get(kind="order_reversal").points == -20


def test_points_expire_first_in_first_out_by_the_daily_job(customer, programme, monkeypatch):
    assert "loyalty.expire" in {s.name for s in schedules.registered()}
    start = dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC)
    clock = FixedClock(start)
    monkeypatch.setattr(timezone, "now", clock)
    services.award(customer.pk, "review", "r1")              # 50, expires in 12 months
    services.redeem(customer.pk, 20, "v1")                   # spends the oldest first
    clock.advance(days=180)
    services.award(customer.pk, "referral", "f1")            # 200
    assert _points(customer)[0] == 230
    clock.advance(days=200)                                  # the review's points are due
    assert services.expire_due() == 30
    assert services.expire_due() == 0                        # a second run adds nothing
    assert _points(customer) == (200, "Bronze")
    clock.advance(days=200)
    assert services.expire_due() == 200
    assert _points(customer)[0] == 0
    expiries = list(LedgerEntry.objects.filter(kind="expiry").order_by("id")
                    .values_list("points", "balance_after"))
    assert expiries == [(-30, 200), (-200, 0)]
    # Lifetime points (and so the tier) are not taken by expiry.
    assert services.lifetime(customer.pk) == 250


def test_no_expiry_when_the_programme_says_never(customer, programme, monkeypatch):
    services.programme_update({"expiry_months": 0})
    services.award(customer.pk, "review", "r1")
    clock = FixedClock(timezone.now() + dt.timedelta(days=3000))
    monkeypatch.setattr(timezone, "now", clock)
    assert services.expire_due() == 0 and _points(customer)[0] == 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_redemptions_never_overspend_and_awards_count_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from tests.conftest import make_user
    from vinculo.platform import records

    admin = make_user("root", "admin")
    contact = records.create("contacts", {"first_name": "Par"}, actor=admin)
    services.programme_update({"referral_points": 100, "tiers": []})
    services.award(contact.pk, "referral", "seed")
    results: list[str] = []
    barrier = threading.Barrier(8)

    def redeem(i: int) -> None:
        try:
            barrier.wait()
            services.redeem(contact.pk, 30, f"v{i}")
            results.append("ok")
        except services.NotEnoughPoints:
            results.append("refused")
        except Exception as exc:  # noqa: BLE001 - reported below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] * 3 + ["refused"] * 5
    assert _points(contact)[0] == 10
    assert LedgerEntry.objects.filter(balance_after__lt=0).count() == 0

    barrier = threading.Barrier(6)
    created: list[bool] = []

    def award(_i: int) -> None:
        try:
            barrier.wait()
            created.append(services.award(contact.pk, "review", "same-review").created)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=award, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created) == [False] * 5 + [True]
    assert LedgerEntry.objects.filter(key="review:same-review").count() == 1
    entries = LedgerEntry.objects.filter(contact_id=contact.pk)
    assert sum(entries.values_list("points", flat=True)) == _points(contact)[0]
