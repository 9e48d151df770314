"""The real thing, out of process: the `vinculo` command and a background import run by a
`vinculo worker`.

These tests do not use the test database. Each runs `.venv/bin/vinculo` in subprocesses
against its own file-based SQLite database in a temporary directory (migrated once for the
module), with `VINCULO_TASKS=database`, so that:

- `vinculo import` / `vinculo export` run exactly as a user runs them (exit codes included);
- an import started through `services.import_start` (what the API and the upload page call)
  is queued in the database by `django_tasks_db.DatabaseBackend`, stays queued because no
  worker runs, and is then processed by `vinculo worker --batch`, which exits when the queue
  is empty.

A separate database avoids the trap of a worker process that cannot see rows written inside
the test's own transaction, and works the same whether the suite runs on SQLite or
PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
VINCULO = str(Path(sys.executable).parent / "vinculo")


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("vinculo")
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
                   "VINCULO_VAR": str(home), "VINCULO_TASKS": "database", "VINCULO_DEMO": "0",
                   "DJANGO_SETTINGS_MODULE": "vinculo.settings"}
    environment.pop("VINCULO_TEST_DATABASE_NAME", None)
    vinculo(environment, "migrate", "--noinput", "-v", "0")
    vinculo(environment, "create_user", "boss", "--role", "admin", "--password", "pw-boss")
    return environment


def vinculo(env: dict[str, str], *args: str, check: bool = True,
            ) -> subprocess.CompletedProcess:
    result = subprocess.run([VINCULO, *args], env=env, capture_output=True, text=True,
                            timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"vinculo {' '.join(args)} failed:\n{result.stderr}")
    return result


def python(env: dict[str, str], code: str) -> str:
    """Run Python in a `vinculo shell`; returns the last line it printed."""
    return vinculo(env, "shell", "-v", "0", "-c", code).stdout.strip().splitlines()[-1]


def test_the_command_line(env):
    result = vinculo(env, "import", "contacts", str(DATA / "contacts_en.csv"), "--as", "boss")
    assert "Created: 2  Updated: 0  Skipped: 0  Errors: 0" in result.stdout
    exported = vinculo(env, "export", "contacts", "--format", "json").stdout
    assert sorted(item["email"] for item in json.loads(exported)) == [
        "mary@example.com", "peter@example.com"]
    bad = vinculo(env, "import", "nonsense", str(DATA / "contacts_en.csv"), check=False)
    assert bad.returncode != 0 and "cannot be imported" in bad.stderr
    bad = vinculo(env, "export", "contacts", "--filter", '{"field": "x", "op": "eq"}',
                  check=False)
    assert bad.returncode != 0 and "Bad filter" in bad.stderr


def test_an_import_queued_then_run_by_the_worker(env):
    job_id = python(env, (
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from vinculo.identity.models import User\n"
        "from vinculo.platform.importexport import services\n"
        f"content = open({str(DATA / 'contacts_broken.csv')!r}, 'rb').read()\n"
        "job = services.import_start(user=User.objects.get(username='boss'),\n"
        "    upload=SimpleUploadedFile('broken.csv', content), entity='contacts')\n"
        "print(job.pk)\n"))
    status = ("from vinculo.platform.models import ImportJob\n"
              f"job = ImportJob.objects.get(pk={job_id})\n"
              "import json; print(json.dumps([job.status, job.created, job.error_count,\n"
              "    job.rows_done, job.total_rows, [e['row'] for e in job.errors]]))\n")
    assert json.loads(python(env, status))[0] == "queued"
    vinculo(env, "worker", "--batch")
    assert json.loads(python(env, status)) == ["done", 2, 8, 10, 10,
                                               [3, 4, 5, 6, 7, 8, 9, 10]]
