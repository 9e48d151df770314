"""`python -m bench` (`make bench`): every figure on SQLite, then on PostgreSQL when
`VINCULO_BENCH_DATABASE_URL` is set, each in a fresh throw-away database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def run_on(database_url: str, workdir: Path) -> int:
    """Run every benchmark against `database_url` in a child process (Django is configured
    once per process); its figures go to our stdout, its progress to our stderr."""
    env = {**os.environ, "DATABASE_URL": database_url, "BENCH_WORKDIR": str(workdir),
           "VINCULO_VAR": str(workdir), "VINCULO_TASKS": "immediate", "VINCULO_DEMO": "0",
           "DJANGO_SETTINGS_MODULE": "vinculo.settings"}
    return subprocess.run([sys.executable, "-m", "bench.runner"], cwd=ROOT, env=env).returncode


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new database `vinculo_bench_<pid>` on the server of `server_url`, dropped after."""
    import psycopg

    name = f"vinculo_bench_{os.getpid()}"
    parts = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    failures = 0
    with tempfile.TemporaryDirectory(prefix="vinculo-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "static").mkdir()  # STATIC_ROOT, so that WhiteNoise finds the directory
        if os.environ.get("BENCH_ONLY", "") != "postgresql":
            failures += run_on(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir) != 0
        server_url = os.environ.get("VINCULO_BENCH_DATABASE_URL", "").strip()
        if server_url:
            with postgres_database(server_url) as url:
                failures += run_on(url, workdir) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
