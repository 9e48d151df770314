"""A private Dovecot IMAP server in a temporary directory, for tests and the benchmark.

    with Dovecot() as server:
        user, password = server.add_user()
        server.append(user, password, raw_message)
"""

from __future__ import annotations

import grp
import imaplib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def available() -> bool:
    return os.path.exists(DOVECOT) and os.access(DOVECOT, os.X_OK)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mail_user() -> tuple[int, int, str]:
    """Dovecot refuses to run mail processes as root: under root use an unprivileged user."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid(), pwd.getpwuid(os.getuid()).pw_name
    for name in ("dovenull", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid, name
    raise RuntimeError("no unprivileged user for dovecot")


class Dovecot:
    USERS = 500
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="vinculo-dovecot-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self._names = itertools.count(1)
        self.uid, self.gid, self.login_user = _mail_user()

    def config(self) -> str:
        d = self.dir
        me = pwd.getpwuid(os.getuid()).pw_name
        login = self.login_user if os.geteuid() == 0 else me
        return f"""
listen = 127.0.0.1
protocols = imap
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u
default_login_user = {login}
first_valid_uid = {max(self.uid, 1)}
first_valid_gid = {max(self.gid, 1)}
default_internal_user = {me}
default_internal_group = {grp.getgrgid(os.getgid()).gr_name}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={d}/home/%u
}}
"""

    def __enter__(self) -> Dovecot:
        os.chmod(self.dir, 0o755)
        for sub in ("mail", "home"):
            (self.dir / sub).mkdir()
            if os.geteuid() == 0:
                os.chown(self.dir / sub, self.uid, self.gid)
        # Dovecot reads the users file once a second at most: the accounts exist from the start.
        (self.dir / "passwd").write_text("".join(f"box{i}:{{PLAIN}}secret\n"
                                                 for i in range(1, self.USERS + 1)))
        (self.dir / "dovecot.conf").write_text(self.config())
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self._wait()
        return self

    def _wait(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def add_user(self) -> tuple[str, str]:
        """A fresh, empty account (user name, password)."""
        number = next(self._names)
        if number > self.USERS:
            raise RuntimeError("out of test accounts")
        return f"box{number}", "secret"

    def client(self, user: str, password: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(user, password)
        return client

    def append(self, user: str, password: str, *messages: bytes, folder: str = "INBOX") -> None:
        client = self.client(user, password)
        try:
            for raw in messages:
                status, data = client.append(folder, None, None, raw)
                assert status == "OK", data
        finally:
            client.logout()
