import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Run the background task worker. Any number may run at once, on any number of "
            "machines: each task is claimed by exactly one worker.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5,
                            help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true",
                            help="exit when no task is left (for scripts and tests)")
        parser.add_argument("--max-tasks", type=int, default=0)
        parser.add_argument("--worker-id", default="")

    def handle(self, *args, **opts):
        if settings.TASK_MODE == "rq":
            call_command("rqworker", "default", burst=opts["batch"])
            return
        worker_args = ["--interval", str(opts["interval"]), "--queue-name", "*"]
        if opts["batch"]:
            worker_args.append("--batch")
        if opts["max_tasks"]:
            worker_args += ["--max-tasks", str(opts["max_tasks"])]
        worker_args += ["--worker-id", opts["worker_id"] or f"vinculo-{os.getpid()}"]
        call_command("db_worker", *worker_args, verbosity=opts["verbosity"])
