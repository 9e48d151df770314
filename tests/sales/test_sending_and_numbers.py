"""Quotes e-mailed over a real SMTP connection; invoice numbers under concurrent issues."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from .smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = {"default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5}}}
        yield server


@pytest.fixture
def quote(rep_api, admin_api):
    account = rep_api.post("accounts", {"name": "Acme"}).json()
    contact = rep_api.post("contacts", {"first_name": "Ana", "last_name": "Ruiz",
                                        "email": "ana@example.com",
                                        "account_id": account["id"]}).json()
    pen = admin_api.post("products", {"sku": "PEN", "name": "Pen", "unit_price": "2.50"}).json()
    r = rep_api.post("quotes", {"contact_id": contact["id"], "account_id": account["id"],
                                "lines": [{"product_id": pen["id"], "quantity": 2}]})
    return r.json()


def test_send_mails_the_pdf_and_records_the_email(rep_api, quote, smtp):
    r = rep_api.post(f"quotes/{quote['id']}/send", {
        "to": "ana@example.com", "subject": "Your quote", "message": "Hello Ana"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["sent_to"] == ["ana@example.com"] and body["quote"]["status"] == "sent"
    assert body["quote"]["sent_at"]
    [(_sender, recipients, message)] = smtp.messages
    assert recipients == ["ana@example.com"] and message["Subject"] == "Your quote"
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")
    assert quote["number"] in attachments[0].get_filename()
    assert "Hello Ana" in message.get_body(("plain",)).get_content()
    activity = rep_api.get(f"activities/{body['activity_id']}").json()
    assert (activity["kind"], activity["direction"], activity["subject"]) == (
        "email", "outbound", "Your quote")
    assert activity["contact_id"] == quote["contact_id"]
    assert activity["account_id"] == quote["account_id"]


def test_bad_addresses_are_a_422_and_send_nothing(rep_api, quote, smtp):
    for to in ("not-an-address", [], ["a@b.co", "nope"]):
        r = rep_api.post(f"quotes/{quote['id']}/send", {"to": to})
        assert r.status_code == 422, r.content
    assert rep_api.post(f"quotes/{quote['id']}/send", {"to": "a@b.co", "subject": "a\nb"}
                        ).status_code == 422
    assert smtp.messages == []


def test_a_refusing_mail_server_is_a_502_and_changes_nothing(rep_api, quote, smtp):
    smtp.refuse = True
    r = rep_api.post(f"quotes/{quote['id']}/send", {"to": "ana@example.com"})
    assert r.status_code == 502 and "mail server" in r.json()["detail"]
    assert rep_api.get(f"quotes/{quote['id']}").json()["status"] == "draft"


def test_only_who_may_change_the_quote_sends_it(other_api, quote, smtp):
    assert other_api.post(f"quotes/{quote['id']}/send", {"to": "a@b.co"}).status_code == 404
    assert smtp.messages == []


# ------------------------------------------------------------------------------ numbers


def _issue_concurrently(invoice_ids: list[int], actor) -> list[str | Exception]:
    from vinculo.sales import services
    from vinculo.sales.models import Invoice

    results: list[str | Exception] = [""] * len(invoice_ids)
    barrier = threading.Barrier(len(invoice_ids))

    def issue(index: int, pk: int) -> None:
        try:
            barrier.wait(timeout=30)
            invoice = services.issue_invoice(Invoice.all_objects.get(pk=pk), actor=actor)
            results[index] = invoice.number
        except Exception as exc:  # reported below
            results[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=issue, args=(i, pk)) for i, pk in enumerate(invoice_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_never_share_or_skip_a_number():
    if _sqlite():
        pytest.skip("SQLite's test database lives in memory: see the file-based test below")
    from tests.conftest import make_user
    from vinculo.platform import records

    rep = make_user("numbers_rep", "sales")
    ids = [records.create("invoices", {"lines": [{"unit_price": "10", "description": "x"}]},
                          actor=rep).pk for _i in range(8)]
    results = _issue_concurrently(ids, rep)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    year = timezone.localdate().year
    assert sorted(results) == [f"INV-{year}-{n:06d}" for n in range(1, 9)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failed_issue_gives_its_number_back():
    from django.core.exceptions import ValidationError

    from tests.conftest import make_user
    from vinculo.platform import records
    from vinculo.sales import services
    from vinculo.sales.models import Invoice

    rep = make_user("numbers_rep2", "sales")
    good = records.create("invoices", {"lines": [{"unit_price": "10", "description": "x"}]},
                          actor=rep)
    foreign = records.create("invoices", {"currency": "EUR", "lines": [
        {"unit_price": "10", "description": "x"}]}, actor=rep)
    Invoice.all_objects.filter(pk=foreign.pk).update(currency="CHF")  # no CHF rate
    with pytest.raises(ValidationError):
        services.issue_invoice(foreign, actor=rep)
    assert services.issue_invoice(good, actor=rep).number.endswith("-000001")


def test_concurrent_issues_on_a_sqlite_file(tmp_path):
    """The same race against a SQLite file (the embedded default), in a separate process."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
           "VINCULO_DEMO": "0", "VINCULO_TASKS": "immediate",
           "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root),
                                          os.environ.get("PYTHONPATH", "")])}
    env.pop("VINCULO_TEST_DATABASE_NAME", None)
    done = subprocess.run([sys.executable, "-m", "tests.sales.issue_race", "6"], env=env,
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    numbers = json.loads(done.stdout.strip().splitlines()[-1])
    year = timezone.localdate().year
    assert sorted(numbers) == [f"INV-{year}-{n:06d}" for n in range(1, 7)], numbers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_accepts_at_once_make_one_order():
    if _sqlite():
        pytest.skip("needs a database that threads can share (PostgreSQL)")
    from tests.conftest import make_user
    from vinculo.platform import records
    from vinculo.sales import services
    from vinculo.sales.models import Order, Quote

    rep = make_user("accept_rep", "sales")
    quote = records.create("quotes", {"lines": [{"unit_price": "10", "description": "x"}]},
                           actor=rep)
    outcomes: list = [None, None]
    barrier = threading.Barrier(2)

    def accept(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = services.accept_quote(Quote.all_objects.get(pk=quote.pk),
                                                    actor=rep).pk
        except services.DocumentConflict as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(isinstance(o, services.DocumentConflict) for o in outcomes) == 1, outcomes
    assert Order.all_objects.filter(quote_id=quote.pk).count() == 1
