"""Shared fixtures for engine tests.  All names are fictional (星河科技, 云帆集团, 临川市...)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from qinglang.engine import Engine, EngineConfig, Result


@pytest.fixture
def watchlist(tmp_path: Path) -> Path:
    path = tmp_path / "watchlist.json"
    path.write_text(json.dumps([
        {"name": "星河科技", "type": "enterprise", "aliases": ["星河科技股份有限公司", "星河"]},
        {"name": "张明远", "type": "person", "aliases": ["星河科技董事长"]},
        {"name": "临川市", "type": "place"},
    ], ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def engine(watchlist: Path) -> Engine:
    return Engine(EngineConfig(watchlist=watchlist))


def doc(doc_id: str, text: str, time: float = 1_700_000_000, **extra: str) -> dict[str, object]:
    return {"id": doc_id, "text": text, "time": time, **extra}


Runner = Callable[[Engine, list[str]], list[Result]]


@pytest.fixture
def run() -> Runner:
    """Feed texts to an engine as one stream, a minute apart."""

    def _run(engine: Engine, texts: list[str]) -> list[Result]:
        docs = [doc(f"d{i}", t, 1_700_000_000 + 60 * i) for i, t in enumerate(texts)]
        return list(engine.process(docs))

    return _run
