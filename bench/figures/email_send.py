"""`email_send_per_s`: an e-mail campaign of 10,000 personalised messages (placeholders,
tracked links, open pixel, List-Unsubscribe headers, a claim and a status per recipient)
sent to a local SMTP server; `ratio` compares it with a bare smtplib loop sending as many
plain messages over one connection to the same server in the same run."""

from __future__ import annotations

import smtplib
import socketserver
import threading
import time
from email.message import EmailMessage

from ..report import Reporter, progress
from ..sizes import Sizes

FULL = 10_000
CITY = "Benchmail"


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP to take messages and count them."""

    def handle(self) -> None:
        server: SMTPSink = self.server  # type: ignore[assignment]
        write = self.wfile.write
        write(b"220 bench\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                write(b"250-bench\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                write(b"354 go\r\n")
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b""):
                        break
                server.count += 1
                write(b"250 OK\r\n")
            elif verb == b"QUIT":
                write(b"221 bye\r\n")
                return
            else:
                write(b"250 OK\r\n")


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Sink)
        self.count = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()


def run(world, sizes: Sizes, reporter: Reporter) -> None:
    from django.conf import settings

    count = FULL if sizes.scale >= 1 else max(500, round(FULL * sizes.scale))
    sink = SMTPSink()
    previous = settings.MAILERS, getattr(settings, "VINCULO_EMAIL_RATE_PER_MINUTE", 600)
    settings.VINCULO_EMAIL_RATE_PER_MINUTE = 0  # measure the machinery, not the limit
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1",
                                                "port": sink.server_address[1],
                                                "timeout": 30}}}
    try:
        progress(f"{count:,} e-mails: bare smtplib loop")
        bare = _bare(sink, count)
        progress(f"{count:,} e-mails: a campaign")
        ours = _campaign(world, sink, count)
    finally:
        settings.MAILERS, settings.VINCULO_EMAIL_RATE_PER_MINUTE = previous
        sink.shutdown()
        sink.server_close()
    reporter.figure("email_send_per_s", ours, "messages/s", ratio=ours / bare)
    reporter.figure("email_send_bare_smtplib_per_s", bare, "messages/s")


def _bare(sink: SMTPSink, count: int) -> float:
    before = sink.count
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.server_address[1]) as smtp:
        for i in range(count):
            message = EmailMessage()
            message["From"] = "bench@localhost"
            message["To"] = f"person{i}@bench.example"
            message["Subject"] = f"Hello person {i}"
            message.set_content(f"Hi person {i}")
            smtp.send_message(message)
    elapsed = time.perf_counter() - started
    assert sink.count - before == count
    return count / elapsed


def _campaign(world, sink: SMTPSink, count: int) -> float:
    from vinculo.customers.models import Contact
    from vinculo.marketing.emails import services
    from vinculo.marketing.emails.models import EmailCampaign, EmailTemplate
    from vinculo.marketing.segments import services as segments
    from vinculo.platform import records

    rows = [{"first_name": f"Person{i}", "last_name": "Bench", "city": CITY,
             "email": f"mail{i}@bench.example", "email_opt_in": True} for i in range(count)]
    records.create_many("contacts", rows, actor=world.admin, source="bench")
    segment = segments.save(world.admin, {"name": "bench mail", "entity": "contacts",
                                          "filter": {"field": "city", "op": "eq",
                                                     "value": CITY}})
    template = records.create("email-campaign-templates", {
        "name": "bench", "subject_en": 'Hello {{ first_name | "there" }}',
        "html_en": '<p>Hi {{ first_name | "there" }} of {{ account_name | "your company" }}</p>'
                   '<p><a href="https://shop.example.com/spring">Spring offers</a></p>'},
        actor=world.admin)
    ec = records.create("email-campaigns", {"name": "bench", "template_id": template.pk,
                                            "segment_id": segment.pk}, actor=world.admin)
    before = sink.count
    try:
        started = time.perf_counter()
        services.schedule(ec, actor=world.admin, at=ec.created_at)
        services.send_campaign(ec.pk, per_minute=0)
        elapsed = time.perf_counter() - started
        assert sink.count - before == count, (sink.count - before, count)
    finally:
        EmailCampaign.objects.filter(pk=ec.pk).delete()
        EmailTemplate.objects.filter(pk=template.pk).delete()
        segment.delete()
        Contact.all_objects.filter(city=CITY).delete()
    return count / elapsed
