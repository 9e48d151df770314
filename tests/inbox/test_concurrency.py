"""Messages from a new sender arriving at the same time make one thread."""

import threading

import pytest
from django.db import connection, connections

from tests.conftest import make_user
from tests.inbox.conftest import Hooks, _account, sms_params
from vinculo.channels.inbox.models import Conversation, Message


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_first_messages_share_one_thread():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from vinculo.service.models import Queue

    agent = make_user("ana", "service")
    queue = Queue.objects.create(name="Desk", assignment="round_robin")
    queue.members.add(agent)
    account = _account("http://127.0.0.1:9", queue)
    barrier = threading.Barrier(4)
    statuses, errors = [], []

    def work(i):
        try:
            barrier.wait()
            r = Hooks().twilio(account, "sms", sms_params("+34600700800", f"hola {i}"))
            statuses.append(r.status_code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and statuses == [200] * 4
    assert Conversation.objects.filter(address="+34600700800").count() == 1
    assert Message.objects.count() == 4
