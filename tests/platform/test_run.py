"""`qinglang run` as `make demo` uses it: web, worker and scheduler come up together on the
embedded defaults (SQLite file, file-system broker), the heartbeats arrive, Ctrl-C stops all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SQLITE_TEST_PATH"}}
    env.update({"QINGLANG_VAR_DIR": str(var_dir), "DEBUG": "1", "HEARTBEAT_INTERVAL_SECONDS": "2"})
    return env


def health(url: str) -> dict[str, bool]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
            return dict(json.load(response))
    except OSError:
        return {}


def test_run_starts_everything_and_stops_cleanly(tmp_path: Path) -> None:
    env = embedded_env(tmp_path)
    qinglang = [sys.executable, "-m", "qinglang"]
    subprocess.run([*qinglang, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen(
        [*qinglang, "run", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status: dict[str, bool] = {}
        while time.monotonic() < deadline and not (status.get("worker") and status.get("scheduler")):
            time.sleep(1)
            status = health(f"http://127.0.0.1:{port}/healthz")
        assert status == {"database": True, "worker": True, "scheduler": True}
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, output
    assert "stopped" in output
    assert health(f"http://127.0.0.1:{port}/healthz") == {}
