"""Run the project's own commands in a child process against the test database, for tests
that kill a worker mid-flight (SIGKILL: no clean shutdown) and check what it left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def django_env(**extra: str) -> dict[str, str]:
    """Environment for ``python -m django ...`` that reaches this test's database."""
    db = connection.settings_dict
    env = dict(os.environ, QINGLANG_VAR_DIR=str(settings.VAR_DIR), DJANGO_SETTINGS_MODULE="qinglang.settings")
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env.update(extra)
    return env


def django_command(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "django", *args], env=env, cwd=ROOT, **kwargs
    )
