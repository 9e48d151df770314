"""Workflows run by real `vinculo worker` processes, out of the test's process.

Like tests/importexport/test_worker.py, each test here runs `.venv/bin/vinculo` in
subprocesses against a database of its own (a SQLite file, migrated once for the module; and
a PostgreSQL database too when the suite runs on PostgreSQL), with `VINCULO_TASKS=database`:
events are queued in the database and the workers claim them, so what is tested is what runs in
production — a wait deferred with `run_after`, a retry after a failure with backoff, two workers
competing for the same jobs. Webhook steps post to an HTTP server started by the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

VINCULO = str(Path(sys.executable).parent / "vinculo")
BACKOFF = "0.5"


def _databases() -> list[str]:
    found = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        found.append("postgres")
    return found


@pytest.fixture(scope="module", params=_databases())
def env(request, tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("workflows")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{home / 'db.sqlite3'}"
        else:
            url = stack.enter_context(_postgres_database(os.environ["DATABASE_URL"]))
        environment = {**os.environ, "DATABASE_URL": url, "VINCULO_VAR": str(home),
                       "VINCULO_TASKS": "database", "VINCULO_DEMO": "0",
                       "VINCULO_ALLOW_PRIVATE_WEBHOOKS": "1",
                       "VINCULO_WORKFLOW_BACKOFF": BACKOFF,
                       "DJANGO_SETTINGS_MODULE": "vinculo.settings"}
        environment.pop("VINCULO_TEST_DATABASE_NAME", None)
        vinculo(environment, "migrate", "--noinput", "-v", "0")
        vinculo(environment, "create_user", "boss", "--role", "admin", "--password", "pw-boss")
        yield environment


@contextlib.contextmanager
def _postgres_database(server_url: str):
    import psycopg

    name = f"test_workflows_workers_{os.getpid()}"
    parts = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def vinculo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([VINCULO, *args], env=env, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"vinculo {' '.join(args)} failed:\n{result.stderr}")
    return result


def python(env: dict[str, str], code: str) -> object:
    """Run Python in a `vinculo shell`; returns the JSON value of the last line printed."""
    prelude = ("import json\n"
               "from vinculo.identity.models import User\n"
               "from vinculo.platform import records\n"
               "from vinculo.automation.workflows import services\n"
               "from vinculo.automation.workflows.models import Workflow, WorkflowRun, StepRun\n"
               "boss = User.objects.get(username='boss')\n")
    out = vinculo(env, "shell", "-v", "0", "-c", prelude + code).stdout
    return json.loads(out.strip().splitlines()[-1])


def workflow(env: dict[str, str], steps: list, name: str, trigger: dict | None = None) -> int:
    definition = {"entity": "contacts", "name": name, "active": True,
                  "trigger": trigger or {"on": "created"},
                  "condition": {"field": "last_name", "op": "eq", "value": name},
                  "steps": steps}
    return python(env, f"print(services.create_workflow({definition!r}, actor=boss).pk)")


def contacts(env: dict[str, str], name: str, count: int = 1) -> list[int]:
    return python(env, (
        f"ids = [records.create('contacts', {{'first_name': f'C{{i}}', 'last_name': {name!r}}},"
        f" actor=boss).pk for i in range({count})]\n"
        "print(json.dumps(ids))\n"))


def runs(env: dict[str, str], flow: int) -> list[dict]:
    return python(env, (
        f"print(json.dumps([{{'id': r.id, 'status': r.status, 'error': r.error,\n"
        "    'wake_at': r.wake_at.isoformat() if r.wake_at else None,\n"
        "    'steps': [[s.type, s.status, s.attempts, s.error] for s in r.step_runs.all()]}\n"
        f"    for r in WorkflowRun.objects.filter(workflow_id={flow}).order_by('id')]))\n"))


def finished(env: dict[str, str], flow: int) -> int:
    """How many runs of the workflow have ended, read straight from the database (cheaper
    than a `vinculo shell` while the workers are busy)."""
    sql = ("SELECT count(*) FROM workflows_workflowrun WHERE workflow_id = %s"
           " AND status IN ('succeeded', 'failed', 'stopped')")
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)) as db:
            return db.execute(sql.replace("%s", "?"), (flow,)).fetchone()[0]
    import psycopg

    with psycopg.connect(url) as db:
        return db.execute(sql, (flow,)).fetchone()[0]


def subjects(env: dict[str, str], name: str) -> list[str]:
    return python(env, (
        "from vinculo.activities.models import Activity\n"
        f"print(json.dumps(sorted(Activity.objects.filter(contact__last_name={name!r})\n"
        "    .values_list('subject', flat=True))))\n"))


def sleep_until(moment: str) -> None:
    """Let the clock pass a wake-up time the run itself chose (no guessing of durations)."""
    import datetime as dt

    target = dt.datetime.fromisoformat(moment)
    while dt.datetime.now(dt.UTC) <= target:
        time.sleep(0.1)


class Receiver:
    """A local HTTP server for webhook steps: answers `failures` times with 500, then 200."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.bodies: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.bodies.append(json.loads(body))
                    fail = receiver.failures > 0
                    receiver.failures -= 1 if fail else 0
                self.send_response(500 if fail else 200)
                self.end_headers()
                self.wfile.write(b"boom" if fail else b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_wait_step_defers_the_rest_of_the_run(env):
    flow = workflow(env, [{"type": "create_activity", "subject": "before"},
                          {"type": "wait", "seconds": 2},
                          {"type": "create_activity", "subject": "after"}], "Waiter")
    contacts(env, "Waiter")
    vinculo(env, "worker", "--batch")
    [run] = runs(env, flow)
    assert run["status"] == "waiting" and run["wake_at"]
    assert subjects(env, "Waiter") == ["before"]
    sleep_until(run["wake_at"])
    vinculo(env, "worker", "--batch")
    [run] = runs(env, flow)
    assert run["status"] == "succeeded", run
    assert [s[:3] for s in run["steps"]] == [["create_activity", "succeeded", 1],
                                             ["wait", "succeeded", 1],
                                             ["create_activity", "succeeded", 1]]
    assert subjects(env, "Waiter") == ["after", "before"]


def test_a_failed_webhook_step_is_retried_with_backoff(env):
    with Receiver(failures=1) as receiver:
        flow = workflow(env, [{"type": "webhook", "url": receiver.url},
                              {"type": "create_activity", "subject": "delivered"}], "Retry")
        [contact] = contacts(env, "Retry")
        vinculo(env, "worker", "--batch")
        [run] = runs(env, flow)
        assert run["status"] == "retrying", run
        assert run["steps"] == [["webhook", "retrying", 1,
                                 "The target answered HTTP 500: boom"]]
        sleep_until(run["wake_at"])
        vinculo(env, "worker", "--batch")
    [run] = runs(env, flow)
    assert run["status"] == "succeeded", run
    assert [s[:3] for s in run["steps"]] == [["webhook", "succeeded", 2],
                                             ["create_activity", "succeeded", 1]]
    assert [b["record"]["id"] for b in receiver.bodies] == [contact, contact]
    assert receiver.bodies[0]["run_id"] == run["id"]
    assert subjects(env, "Retry") == ["delivered"]


def test_a_webhook_host_that_does_not_answer_fails_the_run_clearly(env):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    flow = workflow(env, [{"type": "webhook", "url": f"http://127.0.0.1:{port}/x",
                           "retries": 1, "timeout": 2},
                          {"type": "update_record", "values": {"city": "never"}}], "Dead")
    contacts(env, "Dead")
    vinculo(env, "worker", "--batch")
    [run] = runs(env, flow)
    sleep_until(run["wake_at"])
    vinculo(env, "worker", "--batch")
    [run] = runs(env, flow)
    assert run["status"] == "failed"
    assert f"Connection refused by 127.0.0.1 port {port}" in run["error"]
    assert "Step 1 (webhook) failed after 2 attempts" in run["error"]
    assert run["steps"] == [["webhook", "failed", 2,
                             f"Connection refused by 127.0.0.1 port {port}."]]
    assert python(env, "from vinculo.customers.models import Contact\n"
                       "print(json.dumps(list(Contact.objects.filter(last_name='Dead')"
                       ".values_list('city', flat=True))))") == [""]


def test_two_workers_compete_without_running_anything_twice(env):
    count = 20
    with Receiver() as receiver:
        flow = workflow(env, [{"type": "create_activity", "subject": "{{ record.first_name }}"},
                              {"type": "webhook", "url": receiver.url}], "Race",
                        trigger={"on": "webhook"})
        # The runs, each queued twice (as a redelivered or duplicated task would be).
        python(env, (
            "from django.db import transaction\n"
            "from vinculo.automation.workflows.tasks import advance_run\n"
            f"flow = Workflow.objects.get(pk={flow})\n"
            f"for i in range({count}):\n"
            "    c = records.create('contacts', {'first_name': f'C{i}', 'last_name': 'Race'},\n"
            "                       actor=boss)\n"
            "    with transaction.atomic():\n"
            "        run = services.start_from_hook(flow, record_id=c.pk, payload={},\n"
            "                                       key=f'race-{i}')\n"
            "    advance_run.enqueue(run.pk)\n"
            "print(1)\n"))
        workers = [subprocess.Popen([VINCULO, "worker", "--interval", "0.1",
                                     "--worker-id", f"w{i}"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                   for i in range(2)]
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and finished(env, flow) < count:
                time.sleep(0.5)
        finally:
            for worker in workers:
                worker.terminate()
            outputs = [worker.communicate(timeout=30)[1] for worker in workers]
    done = runs(env, flow)
    assert [r["status"] for r in done] == ["succeeded"] * count, outputs
    assert all(step[2] == 1 for r in done for step in r["steps"])
    assert sorted(b["run_id"] for b in receiver.bodies) == sorted(r["id"] for r in done)
    assert subjects(env, "Race") == sorted(f"C{i}" for i in range(count))
    claimed_by = python(env, (
        "from django_tasks_db.models import DBTaskResult\n"
        "print(json.dumps(sorted({w for ids in DBTaskResult.objects.filter(\n"
        "    task_path__endswith='advance_run').values_list('worker_ids', flat=True)\n"
        "    for w in ids})))"))
    # the jobs went to the two competing workers (how they split depends on the scheduler:
    # one may take them all; what matters is that no step ran twice, asserted above)
    assert set(claimed_by) & {"w0", "w1"}


def test_a_workflow_that_triggers_itself_is_stopped_with_a_clear_log_line(env):
    flow = workflow(env, [{"type": "update_record",
                           "values": {"title": "v{{ record.version }}"}}], "Loop",
                    trigger={"on": "updated"})
    [contact] = contacts(env, "Loop")
    python(env, "from vinculo.customers.models import Contact\n"
                f"records.update(Contact.objects.get(pk={contact}), {{'city': 'Ávila'}},"
                " actor=boss)\nprint(1)\n")
    result = vinculo(env, "worker", "--batch")
    done = runs(env, flow)
    assert [r["status"] for r in done] == ["succeeded"] * 5 + ["stopped"]
    assert "triggers itself" in done[-1]["error"]
    assert f"Workflow {flow} “Loop” stopped at depth 5 (limit 5)" in result.stderr
