"""Two conversions of the same lead at the same time: one wins, the other gets a 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.conftest import api_for, make_user
from vinculo.customers.models import Account, Contact
from vinculo.platform import records

# Threads need a database every connection shares: the in-memory SQLite test database is not.
needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                    reason="concurrent writers need PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_threads(*calls):
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i, call):
        try:
            results[i] = call()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_two_concurrent_conversions_one_wins():
    rep = make_user("rita", "sales")
    lead = records.create("leads", {"first_name": "Ana", "last_name": "Ruiz",
                                    "company": "Acme", "email": "ana@acme.es"}, actor=rep)
    clients = [api_for(rep), api_for(rep)]
    started = threading.Barrier(2, timeout=10)

    def convert(client):
        def call():
            started.wait()
            return client.post(f"leads/{lead.pk}/convert", {})
        return call

    responses = in_threads(convert(clients[0]), convert(clients[1]))
    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    assert Contact.objects.count() == 1 and Account.objects.count() == 1
    lead.refresh_from_db()
    assert lead.status == "converted" and lead.converted_contact_id == winner["contact_id"]
