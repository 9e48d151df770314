"""`cases_ingested_per_s`: a mailbox of 5,000 messages (at full scale; a fifth of them
replies threaded by In-Reply-To, senders partly known contacts, partly new) on a private
Dovecot IMAP server, fetched into cases, contacts and timeline activities; `ratio` compares
it with a plain IMAP FETCH of the same messages over one connection in the same run."""

from __future__ import annotations

import imaplib
import time
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from ..report import Reporter, progress
from ..sizes import Sizes
from ..world import World

FULL = 5_000
BATCH = 100


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    try:
        from tests.service_mail import dovecot
    except ImportError:
        progress("mail_ingest skipped: the tests package (Dovecot launcher) is not importable")
        return
    if not dovecot.available():
        progress("mail_ingest skipped: Dovecot is not installed (apt-get install "
                 "dovecot-imapd)")
        return
    count = FULL if sizes.scale >= 1 else max(50, round(FULL * sizes.scale))
    with dovecot.Dovecot() as server:
        user, password = server.add_user()
        progress(f"mail ingest: appending {count:,} messages to a Dovecot mailbox")
        _fill(server, user, password, count)
        progress("mail ingest: plain IMAP FETCH of every message")
        baseline = _plain_fetch(server.port, user, password, count)
        progress("mail ingest: fetching the mailbox into cases")
        seconds, cases = _ingest(world, server.port, user, password)
    if cases == 0:
        raise RuntimeError("no case was ingested")
    rate = count / seconds
    reporter.figure("cases_ingested_per_s", rate, "messages/s", ratio=rate / (count / baseline))


def _messages(count: int):
    from django.utils import timezone

    now = format_datetime(timezone.now())
    for i in range(count):
        msg = EmailMessage()
        sender = i % 400  # senders write several times: some are contacts by then
        msg["From"] = f"Customer {sender} <customer{sender}@bench-mail.example>"
        msg["To"] = "support@bench.example"
        msg["Date"] = now
        msg["Message-ID"] = f"<bench-{i}@bench-mail.example>"
        if i % 5 == 4:
            msg["Subject"] = f"Re: Question number {i - 1}"
            msg["In-Reply-To"] = f"<bench-{i - 1}@bench-mail.example>"
            msg["References"] = f"<bench-{i - 1}@bench-mail.example>"
        else:
            msg["Subject"] = f"Question number {i}"
        msg.set_content(f"Hello,\n\nmy order {10_000 + i} has not arrived yet. Could you "
                        "check where it is?\n\nThanks,\nCustomer\n" + "Lorem ipsum. " * 40)
        yield bytes(msg)


def _fill(server, user: str, password: str, count: int) -> None:
    client = server.client(user, password)
    try:
        for raw in _messages(count):
            status, data = client.append("INBOX", None, None, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND refused: {data}")
    finally:
        client.logout()


def _plain_fetch(port: int, user: str, password: str, count: int) -> float:
    started = time.perf_counter()
    client = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    client.login(user, password)
    client.select("INBOX", readonly=True)
    _status, data = client.uid("SEARCH", None, "UID 1:*")
    uids = data[0].split()
    got = 0
    for start in range(0, len(uids), BATCH):
        _status, items = client.uid("FETCH", b",".join(uids[start:start + BATCH]).decode(),
                                    "(BODY.PEEK[])")
        got += sum(1 for item in items if isinstance(item, tuple))
    client.logout()
    if got != count:
        raise RuntimeError(f"plain fetch read {got} of {count} messages")
    return time.perf_counter() - started


def _ingest(world: World, port: int, user: str, password: str) -> tuple[float, int]:
    from vinculo.platform import records
    from vinculo.service.mail import services
    from vinculo.service.mail.models import Mailbox

    queue = records.create("queues", {"name": "Bench e-mail", "member_ids": [
        r.pk for r in world.reps]}, actor=world.admin, source="bench")
    mailbox = Mailbox.objects.create(
        name="Bench", address="support@bench.example", host="127.0.0.1", port=port,
        security="none", username=user, password=password, queue=queue,
        auto_acknowledge=False)
    started = time.perf_counter()
    result = services.fetch(mailbox)
    seconds = time.perf_counter() - started
    if result.error or result.failed:
        raise RuntimeError(f"ingest failed: {result.error or result.failed}")
    return seconds, len(result.created)
