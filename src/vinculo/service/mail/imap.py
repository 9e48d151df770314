"""A small IMAP client (stdlib imaplib): open a mailbox's folder read-only, list the UIDs
after the last one seen and fetch messages without marking them read."""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Iterator

from .models import Mailbox, Security

TIMEOUT = 30
UID_RE = re.compile(rb"UID (\d+)")
SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The server could not be reached, refused the login or the folder."""


class Connection:
    def __init__(self, mailbox: Mailbox, timeout: float = TIMEOUT) -> None:
        self.mailbox = mailbox
        self.timeout = timeout
        self.client: imaplib.IMAP4 | None = None
        self.uidvalidity: int | None = None

    def __enter__(self) -> Connection:
        box = self.mailbox
        try:
            if box.security == Security.SSL:
                client = imaplib.IMAP4_SSL(box.host, box.port, timeout=self.timeout,
                                           ssl_context=ssl.create_default_context())
            else:
                client = imaplib.IMAP4(box.host, box.port, timeout=self.timeout)
                if box.security == Security.STARTTLS:
                    client.starttls(ssl.create_default_context())
            self.client = client
            client.login(box.username, box.password)
            status, data = client.select(_quote(box.folder), readonly=True)
            if status != "OK":
                raise MailboxError(f"Folder {box.folder!r}: {_text(data)}")
            validity = client.response("UIDVALIDITY")[1]
            self.uidvalidity = int(validity[0]) if validity and validity[0] else 0
        except MailboxError:
            self.__exit__()
            raise
        except (OSError, imaplib.IMAP4.error, ssl.SSLError, ValueError) as exc:
            self.__exit__()
            raise MailboxError(f"{type(exc).__name__}: {exc}") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):  # a dead connection needs no goodbye
                self.client.logout()
            self.client = None

    def uids_after(self, last_uid: int) -> list[int]:
        status, data = self._call("uid", "SEARCH", None, f"UID {last_uid + 1}:*")
        uids = sorted(int(u) for u in b" ".join(d for d in data if d).split())
        # "n:*" always matches the last message, even when its UID is below n.
        return [u for u in uids if u > last_uid]

    def sizes(self, uids: list[int]) -> dict[int, int]:
        status, data = self._call("uid", "FETCH", _set(uids), "(RFC822.SIZE)")
        sizes = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            uid, size = UID_RE.search(line or b""), SIZE_RE.search(line or b"")
            if uid and size:
                sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, raw message) for each of `uids` the server still has."""
        status, data = self._call("uid", "FETCH", _set(uids), "(BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                found = UID_RE.search(item[0])
                if found:
                    yield int(found.group(1)), item[1]

    def _call(self, name: str, *args):
        assert self.client is not None
        try:
            status, data = getattr(self.client, name)(*args)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"{type(exc).__name__}: {exc}") from None
        if status != "OK":
            raise MailboxError(_text(data))
        return status, data


def _set(uids: list[int]) -> str:
    return ",".join(str(u) for u in uids)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data) -> str:
    return " ".join(d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d)
                    for d in (data or []) if d)[:500]
