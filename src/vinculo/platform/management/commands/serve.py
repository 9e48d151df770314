import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Serve the web interface, the API and the live chat (uvicorn, ASGI), and run a task "
            "worker beside it.")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, **opts):
        exe = os.path.join(os.path.dirname(sys.executable), "vinculo")
        children = []
        if not opts["no_worker"] and settings.TASK_MODE != "immediate":
            children.append(subprocess.Popen([exe, "worker"]))
        url = f"http://{opts['host']}:{opts['port']}"
        self.stdout.write(f"Vínculo is running on {url}  (Ctrl+C to stop)")
        web = subprocess.Popen([
            sys.executable, "-m", "uvicorn", "vinculo.asgi:application",
            "--host", opts["host"], "--port", str(opts["port"]),
            "--workers", str(opts["workers"]), "--log-level", "warning",
            "--timeout-graceful-shutdown", "5", "--proxy-headers",
        ])
        children.append(web)

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
