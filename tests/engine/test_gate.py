"""The quality gate itself: it must skip cleanly without data and fail on a regression."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GATE = ROOT / "eval" / "gate.py"


def _gate_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gate", GATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gate_skips_with_a_message_when_data_is_absent(tmp_path: Path) -> None:
    env = {**os.environ, "QINGLANG_DATA_DIR": str(tmp_path / "absent")}
    proc = subprocess.run([sys.executable, str(GATE)], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0
    assert "skipped" in proc.stdout


def test_a_score_below_its_floor_fails_and_a_missing_score_fails() -> None:
    check = _gate_module().check
    floors = {"stories_bcubed_f1": 0.82, "pairs_f1": 0.48}
    assert check({"stories_bcubed_f1": 0.83, "pairs_f1": 0.49}, floors) == []
    failures = check({"stories_bcubed_f1": 0.80}, floors)
    assert any(f.startswith("stories_bcubed_f1: 0.8000 < floor") for f in failures)
    assert any(f.startswith("pairs_f1: missing") for f in failures)
