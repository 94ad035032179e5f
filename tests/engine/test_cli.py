import json
import subprocess
import sys
from pathlib import Path


def _cli(lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qinglang.engine", "analyze", *args],
                          input="\n".join(lines) + "\n", capture_output=True, text=True, check=False)


def test_one_output_line_per_input_line_in_order_with_errors_named(watchlist: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "星河科技被曝有偿删帖", "time": "2026-01-01T08:00:00+08:00"},
                   ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b", "time": 1}),
        json.dumps({"id": "c", "text": "转发微博 星河科技被曝有偿删帖", "time": 1767225700}, ensure_ascii=False),
    ]
    proc = _cli(lines, "--watchlist", str(watchlist))
    assert proc.returncode == 0
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "b", "c"]
    assert set(out[0]) == {"id", "event", "duplicate_of", "sentiment", "entities", "categories", "risk"}
    assert out[0]["risk"]["level"] in {"blue", "yellow", "orange", "red"}
    assert out[0]["entities"][0] == {"name": "星河科技", "type": "enterprise", "start": 0, "end": 4}
    assert out[3]["duplicate_of"] == "a"
    assert "line 2" in proc.stderr and "id b" in proc.stderr


def test_strict_mode_fails_on_bad_lines() -> None:
    assert _cli(["[]"], "--strict").returncode == 1
