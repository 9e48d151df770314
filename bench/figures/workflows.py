"""`workflow_runs_per_s_1_worker` and `workflow_runs_per_s_2_workers`: workflow runs carried
out by real `vinculo worker` processes, queued in the database (`django-tasks-db`) like in
production. Each run has two steps that write through the pipeline (update the contact, create
a task on it), so it also queues the record-changed events the workers then dispatch.

The workers are started first and left idle; the clock runs from the moment the runs are
queued (one transaction) until the last one is finished, polled in the database. `ratio` of
the 2-worker figure compares it with 1 worker (on SQLite writers take turns, so expect little
gain there; PostgreSQL lets the two proceed side by side).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..report import Reporter, progress
from ..sizes import Sizes

FULL_RUNS = 2_000
TIMEOUT = 900.0
STEPS = [{"type": "update_record", "values": {"title": "Run {{ record.version }}"}},
         {"type": "create_task", "subject": "Call {{ record.first_name }}", "due_in_days": 2}]


def run(world, sizes: Sizes, reporter: Reporter) -> None:
    count = FULL_RUNS if sizes.scale >= 1 else max(200, round(FULL_RUNS * sizes.scale))
    workflow = _workflow(world)
    try:
        rates = {}
        for workers in (1, 2):
            progress(f"{count:,} workflow runs with {workers} worker process(es)")
            rates[workers] = _measure(workflow, count, workers)
    finally:
        _forget(workflow)
    reporter.figure("workflow_runs_per_s_1_worker", rates[1], "runs/s")
    reporter.figure("workflow_runs_per_s_2_workers", rates[2], "runs/s",
                    ratio=rates[2] / rates[1])


def _workflow(world):
    from vinculo.automation.workflows import services

    return services.create_workflow({"entity": "contacts", "name": "bench", "active": True,
                                     "trigger": {"on": "webhook"}, "steps": STEPS},
                                    actor=world.admin)


def _forget(workflow) -> None:
    from vinculo.activities.models import Activity

    Activity.objects.filter(subject__startswith="Call ", kind="task",
                            created_at__gte=workflow.created_at).delete()
    workflow.delete()


def _queue(workflow, count: int, tag: str) -> list[int]:
    """The runs and their tasks, in the database queue the workers read."""
    from django.db import transaction
    from django_tasks_db.backend import DatabaseBackend

    from vinculo.automation.workflows import engine
    from vinculo.automation.workflows.models import WorkflowRun
    from vinculo.automation.workflows.tasks import advance_run
    from vinculo.customers.models import Contact

    ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True)[:count])
    ids = (ids * (count // max(1, len(ids)) + 1))[:count]
    program = engine.flatten(workflow.steps)
    backend = DatabaseBackend("default", {"QUEUES": []})
    with transaction.atomic():
        runs = WorkflowRun.objects.bulk_create([
            WorkflowRun(workflow=workflow, entity="contacts", record_id=pk,
                        event_key=f"bench:{tag}:{i}", trigger={"event": "bench"},
                        program=program) for i, pk in enumerate(ids)])
        for r in runs:
            backend.enqueue(advance_run, [r.pk], {})
    return [r.pk for r in runs]


def _measure(workflow, count: int, workers: int) -> float:
    from vinculo.automation.workflows.models import WorkflowRun

    env = {**os.environ, "VINCULO_TASKS": "database", "DJANGO_SETTINGS_MODULE":
           "vinculo.settings"}
    vinculo = str(Path(sys.executable).parent / "vinculo")
    logs = [tempfile.TemporaryFile() for _ in range(workers)]  # noqa: SIM115 (closed below)
    procs = [subprocess.Popen([vinculo, "worker", "--no-scheduler", "--interval", "0.05",
                               "--worker-id", f"bench-{workers}-{i}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=logs[i])
             for i in range(workers)]
    try:
        time.sleep(3)  # let them start and go idle
        started = time.perf_counter()
        ids = _queue(workflow, count, f"{workers}w")
        pending = WorkflowRun.objects.filter(pk__in=ids).exclude(
            status__in=["succeeded", "failed"])
        while pending.exists():
            if time.perf_counter() - started > TIMEOUT:
                raise RuntimeError("workflow runs did not finish in time")
            stopped = [i for i, p in enumerate(procs) if p.poll() is not None]
            if stopped:
                logs[stopped[0]].seek(0)
                raise RuntimeError("a worker stopped: " + logs[stopped[0]].read().decode(
                    errors="replace")[-2000:])
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        failed = WorkflowRun.objects.filter(pk__in=ids, status="failed").first()
        if failed is not None:
            raise RuntimeError(f"workflow run failed: {failed.error}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        for log in logs:
            log.close()
    return count / elapsed
