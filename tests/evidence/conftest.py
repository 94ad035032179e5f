"""Evidence fixtures: a local website with the hard cases, a real RFC 3161 authority, and
settings that let captures reach 127.0.0.1 with short limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qinglang.evidence import services
from qinglang.evidence.models import Capture
from tests.evidence.site import Site
from tests.evidence.tsa_server import Authority, TsaServer


@pytest.fixture
def site() -> Iterator[Site]:
    with Site(huge_bytes=600_000, slow_seconds=1.0) as running:
        yield running


@pytest.fixture
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Authority]:
    with TsaServer(tmp_path_factory.mktemp("tsa")) as authority:
        yield authority


@pytest.fixture
def evidence_settings(settings: Any, tmp_path: Path, tsa: Authority) -> Any:
    settings.QINGLANG_ALLOW_PRIVATE_URLS = True
    settings.QINGLANG_TSA_URLS = [tsa.url]
    settings.QINGLANG_EVIDENCE_TIMEOUT_SECONDS = 3
    settings.QINGLANG_EVIDENCE_MAX_RESPONSE_BYTES = 200_000
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def capture_now(user: Any, url: str, **kwargs: Any) -> Capture:
    """Request and run a capture in this process, as the worker would."""
    capture = services.request_capture(user, url, kwargs.pop("reason", "测试取证"), enqueue=False, **kwargs)
    services.run_capture(capture.pk)
    capture.refresh_from_db()
    return capture
