"""`chat_delivered_per_s`: agents' chat messages delivered to 200 visitors connected at once to
the ASGI server (uvicorn, the server `vinculo serve` runs) over server-sent events — from the
first message written to the last one received by its visitor's stream. Baseline
(`chat_written_per_s`): the same number of messages written to the inbox with nobody
listening, in the same run."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

from ..report import Reporter, progress
from ..sizes import Sizes
from ..world import World

VISITORS = 200
MESSAGES_EACH = 5
TIMEOUT_S = 120.0


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.channels.chat import services
    from vinculo.channels.chat.models import Widget

    visitors = VISITORS if sizes.scale >= 0.01 else 20
    widget = Widget.objects.create(name="Bench chat")
    services.set_availability(world.admin, "available")
    progress(f"chat: {visitors} visitors start a chat")
    sessions = [services.start(widget, name=f"Visitor {i}", email="", message=f"hello {i}")
                for i in range(visitors)]
    conversations = [s.conversation for s in sessions]
    total = visitors * MESSAGES_EACH
    written = _write(conversations, MESSAGES_EACH, world.admin, "baseline")
    server, port = _serve()
    try:
        listeners = _Listeners(port, widget.key, sessions, expected=total)
        listeners.start()
        if not listeners.connected.wait(TIMEOUT_S):
            raise RuntimeError("the chat streams did not all connect")
        progress(f"chat: {total:,} agent messages to {visitors} connected visitors")
        started = time.perf_counter()
        _write(conversations, MESSAGES_EACH, world.admin, "live")
        if not listeners.done.wait(TIMEOUT_S):
            raise RuntimeError(f"only {listeners.received} of {total} chat messages arrived")
        delivered_s = time.perf_counter() - started
        listeners.stop()
    finally:
        server.should_exit = True
    reporter.figure("chat_written_per_s", total / written, "messages/s")
    reporter.figure("chat_delivered_per_s", total / delivered_s, "messages/s",
                    ratio=(total / delivered_s) / (total / written))
    reporter.figure("chat_visitors_connected", visitors, "streams")


def _write(conversations: list, each: int, agent: Any, label: str) -> float:
    from vinculo.channels.chat import live
    from vinculo.channels.inbox import services as inbox

    started = time.perf_counter()
    for n in range(each):
        for conversation in conversations:
            inbox.add_message(conversation, "outbound", f"{label} answer {n}", author=agent)
            live.poke()
    return time.perf_counter() - started


def _serve() -> tuple[Any, int]:
    import uvicorn

    from vinculo.asgi import application

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning",
                                           timeout_graceful_shutdown=1))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    return server, sock.getsockname()[1]


class _Listeners:
    """Every visitor's event stream, read by one asyncio loop in a thread of its own."""

    def __init__(self, port: int, key: str, sessions: list, expected: int):
        self.port, self.key, self.expected = port, key, expected
        # each stream starts after what its visitor has seen already
        from vinculo.channels.inbox.models import Message

        self.streams = [(s.token, Message.objects.filter(conversation_id=s.conversation_id)
                         .order_by("-id").values_list("id", flat=True).first() or 0)
                        for s in sessions]
        self.received = 0
        self.open = 0
        self.connected = threading.Event()
        self.done = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True).start()

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._stopping.set)

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        tasks = [asyncio.create_task(self._listen(token, after)) for token, after in self.streams]
        await self._stopping.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _listen(self, token: str, after: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write((f"GET /chat/{self.key}/sessions/{token}/events HTTP/1.1\r\n"
                      f"Host: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                      f"Last-Event-ID: {after}\r\n\r\n").encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"chat stream answered {status!r}")
        self.open += 1
        if self.open == len(self.streams):
            self.connected.set()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                if line.startswith(b"event: message"):
                    self.received += 1
                    if self.received >= self.expected:
                        self.done.set()
        finally:
            writer.close()
