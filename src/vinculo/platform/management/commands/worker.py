import os
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from vinculo.automation import schedules


class Command(BaseCommand):
    help = ("Run the background task worker, and tick the scheduler of recurring jobs. Any "
            "number may run at once, on any number of machines: each task is claimed by "
            "exactly one worker and each scheduled period fires once.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5,
                            help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true",
                            help="exit when no task is left (for scripts and tests)")
        parser.add_argument("--max-tasks", type=int, default=0)
        parser.add_argument("--worker-id", default="")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="do not enqueue recurring jobs from this worker")
        parser.add_argument("--tick", type=float, default=15.0,
                            help="seconds between scheduler ticks")

    def handle(self, *args, **opts):
        worker_id = opts["worker_id"] or f"vinculo-{os.getpid()}"
        stop = threading.Event()
        if not opts["no_scheduler"] and not opts["batch"]:
            threading.Thread(target=self.scheduler_loop, args=(worker_id, opts["tick"], stop),
                             daemon=True, name="scheduler").start()
        try:
            self.run_worker(worker_id, opts)
        finally:
            stop.set()

    def run_worker(self, worker_id: str, opts: dict) -> None:
        if settings.TASK_MODE == "rq":
            call_command("rqworker", "default", burst=opts["batch"])
            return
        worker_args = ["--interval", str(opts["interval"]), "--queue-name", "*"]
        if opts["batch"]:
            worker_args.append("--batch")
        if opts["max_tasks"]:
            worker_args += ["--max-tasks", str(opts["max_tasks"])]
        worker_args += ["--worker-id", worker_id]
        call_command("db_worker", *worker_args, verbosity=opts["verbosity"])

    def scheduler_loop(self, worker_id: str, every: float, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                schedules.tick(worker=worker_id)
            except Exception as exc:  # keep ticking: a database blip must not stop schedules
                self.stderr.write(f"Scheduler tick failed: {exc}")
            finally:
                close_old_connections()
            stop.wait(every)
