"""Round robin under parallel writers: every case gets the next member, none twice."""

import threading

import pytest
from django.db import connection, connections

from tests.conftest import make_user
from vinculo.platform import records
from vinculo.service.models import Case


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_cases_take_distinct_round_robin_turns():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    admin = make_user("root", "admin")
    members = [make_user(f"rr{i}", "service") for i in range(4)]
    queue = records.create("queues", {"name": "RR", "member_ids": [m.pk for m in members]},
                           actor=admin)
    barrier = threading.Barrier(4)
    errors = []

    def work(i):
        try:
            barrier.wait()
            records.create("cases", {"subject": f"p{i}", "queue_id": queue.pk}, actor=admin)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = sorted(Case.objects.filter(queue=queue).values_list("assignee_id", flat=True))
    assert got == sorted(m.pk for m in members)
