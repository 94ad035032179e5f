"""``qinglang run``: the web server, the background worker and the scheduler, together.

Ctrl-C (or SIGTERM) stops all three; if one of them dies, the others are stopped too, so a
half-running platform never goes unnoticed.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from qinglang.celery import ensure_broker_folders


def _commands(bind: str, web_workers: int, demo_feed: bool) -> dict[str, list[str]]:
    python = sys.executable
    extra = {"demo-feed": [python, "-m", "qinglang", "monitor_demo_feed"]} if demo_feed else {}
    return extra | {
        "web": [python, "-m", "gunicorn", "qinglang.wsgi", "--bind", bind, "--workers", str(web_workers),
                "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"],
        "worker": [python, "-m", "celery", "-A", "qinglang.celery", "worker", "--loglevel", "INFO",
                   "--concurrency", "2", "--hostname", "worker@%h"],
        "scheduler": [python, "-m", "celery", "-A", "qinglang.celery", "beat", "--loglevel", "INFO",
                      "--scheduler", "qinglang.core.beat:HeartbeatScheduler",
                      "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
    }


class Command(BaseCommand):
    help = "Run the web server, background worker and scheduler until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--demo-feed", action="store_true", help="also serve the monitor's demo RSS feed")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_broker_folders()
        commands = _commands(options["bind"], options["web_workers"], options["demo_feed"])
        children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        url = f"http://{options['bind']}/"
        self.stdout.write(self.style.SUCCESS(f"清朗已启动 / Qinglang running on {url} (Ctrl-C 停止 / to stop)"))
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with {child.returncode}; stopping the others.")
                    exit_code, stopping = 1, True
                    break
            time.sleep(0.5)
        self._shutdown(children)
        if exit_code:
            raise SystemExit(exit_code)
        self.stdout.write("已停止 / stopped.")

    def _shutdown(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
