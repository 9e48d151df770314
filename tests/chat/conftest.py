"""A real ASGI server (uvicorn, in a thread of the test process, on the test database), a chat
widget, an available agent, and a client for server-sent events."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time

import pytest
import requests

from tests.conftest import make_user


@pytest.fixture
def asgi_server(transactional_db):
    import uvicorn

    from vinculo.asgi import application

    with readers_do_not_lock_tables():
        yield from _serve(application, uvicorn)


def _serve(application, uvicorn):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()
    _drop_server_connections()


@contextlib.contextmanager
def readers_do_not_lock_tables():
    """The SQLite test database lives in memory with a shared cache, where a reader in one
    thread locks a table against a writer in another and the writer fails at once instead of
    waiting (a database file in WAL mode, as Vínculo runs on, has no such locks). Uncommitted
    reads take no table locks, so the server's stream poller never fails the test's writes."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    if connection.vendor != "sqlite":
        yield
        return

    def read_uncommitted(sender, connection, **kwargs) -> None:
        connection.cursor().execute("PRAGMA read_uncommitted = 1")

    connection.ensure_connection()
    read_uncommitted(None, connection)
    connection_created.connect(read_uncommitted, weak=False)
    try:
        yield
    finally:
        connection_created.disconnect(read_uncommitted)
        connection.cursor().execute("PRAGMA read_uncommitted = 0")


def _drop_server_connections() -> None:
    """The server's threads keep their database connections; PostgreSQL would not let the
    test database be emptied or dropped while they are open."""
    from vinculo.channels.chat import live

    live.close_connections()


@pytest.fixture
def agent(transactional_db):
    return make_user("ana", "service")


@pytest.fixture
def widget(transactional_db):
    from vinculo.channels.chat.models import Widget
    from vinculo.channels.chat.services import account_for

    found = Widget.objects.create(name="Website", allowed_origins="https://shop.example.com")
    account_for(found)
    return found


@pytest.fixture
def available(agent):
    from vinculo.channels.chat.services import set_availability

    set_availability(agent, "available")
    return agent


ORIGIN = {"Origin": "https://shop.example.com"}


def post(base: str, path: str, body, **headers) -> requests.Response:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.post(base + path, data=data, timeout=10,
                         headers={"Content-Type": "application/json", **ORIGIN, **headers})


class EventStream:
    """Reads a server-sent event stream in a thread; events land in `events`."""

    def __init__(self, url: str, **headers: str):
        self.events: queue.Queue = queue.Queue()
        self.response = requests.get(url, stream=True, timeout=(5, 30),
                                     headers={"Accept": "text/event-stream", **ORIGIN, **headers})
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        data = []
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("data: "):
                    data.append(line[6:])
                elif line == "" and data:
                    self.events.put(json.loads("\n".join(data)))
                    data = []
        except Exception:  # the test closed the stream
            return

    def next(self, timeout: float = 5.0) -> dict:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        self.response.close()
