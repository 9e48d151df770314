"""`vinculo record_bounce FILE… | --message-id ID`: record bounces from bounce messages
(DSN files as saved from a mailbox, `-` for standard input) or by Message-ID."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ... import bounces


class Command(BaseCommand):
    help = "Record e-mail bounces from bounce messages (files, '-' for stdin) or a Message-ID."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", help="bounce messages (.eml); '-' reads stdin")
        parser.add_argument("--message-id", help="the Message-ID of the bounced message")
        parser.add_argument("--reason", default="", help="why it bounced")

    def handle(self, *args: Any, files: list[str], message_id: str | None, reason: str,
               **options: Any) -> None:
        if not files and not message_id:
            raise CommandError("Give bounce message files or --message-id.")
        jobs: list[dict[str, Any]] = []
        if message_id:
            jobs.append({"message_id": message_id, "reason": reason})
        for name in files:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            jobs.append({"raw": data.decode("utf-8", "replace"), "reason": reason})
        for job in jobs:
            try:
                result = bounces.record(**job)
            except ValidationError as exc:
                self.stderr.write("; ".join(exc.messages))
                continue
            self.stdout.write(f"{result['message_id']}: {result['detail']}")
