"""A recipient opens our package in Webrecorder's pywb, an independent replay tool: the page
and its images come back from the WARC inside the WACZ, Chinese text intact."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from qinglang.evidence.models import Capture
from tests.evidence.conftest import capture_now
from tests.evidence.site import Site
from tests.processes import ROOT

pytestmark = pytest.mark.usefixtures("evidence_settings")


@pytest.fixture
def pywb_bin() -> Path:
    folder = Path(os.environ.get("QINGLANG_PYWB_BIN", ROOT / ".venv-replay" / "bin"))
    if not (folder / "wayback").exists():
        if os.environ.get("QINGLANG_REQUIRE_REPLAY"):
            pytest.fail(f"QINGLANG_REQUIRE_REPLAY is set but pywb is not in {folder} (make replay-tools)")
        pytest.skip("pywb not installed (make replay-tools)")
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        return response.status, response.headers.get_content_type(), response.read()


@pytest.mark.django_db
def test_the_package_replays_in_pywb(org: dict[str, Any], site: Site, pywb_bin: Path, tmp_path: Path) -> None:
    capture = capture_now(org["duty"], f"{site.base}/article")
    assert capture.status == Capture.Status.DONE
    package = shutil.copy(capture.package.path, tmp_path / "evidence.wacz")
    run = {"cwd": tmp_path, "capture_output": True, "timeout": 120, "check": True}
    subprocess.run([pywb_bin / "wb-manager", "init", "ev"], **run)  # type: ignore[call-overload]
    subprocess.run([pywb_bin / "wb-manager", "add", "--unpack-wacz", "ev", package], **run)  # type: ignore[call-overload]

    port = free_port()
    server = subprocess.Popen([pywb_bin / "wayback", "--bind", "127.0.0.1", "-p", str(port)], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/ev"
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(f"{base}/cdx?url={site.base}/*&output=json")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "pywb did not start"
                time.sleep(0.2)
        status, kind, body = fetch(f"{base}/mp_/{site.base}/article")
        assert status == 200 and kind == "text/html"
        assert "网络安全宣传周" in body.decode("utf-8")
        status, kind, body = fetch(f"{base}/mp_/{site.base}/img/photo.png")
        assert status == 200 and kind == "image/png" and body.startswith(b"\x89PNG")
    finally:
        server.terminate()
        server.wait(timeout=20)
