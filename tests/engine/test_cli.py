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


def test_valid_but_odd_json_is_an_error_line_or_cleaned_never_the_end_of_the_run() -> None:
    lines = [
        '{"id": "s", "text": "孤立\\ud800字符", "time": 0}',   # a lone surrogate escape: valid JSON
        '{"id": "n", "text": "正文", "time": NaN}',
        '{"id": "b", "text": "正文", "time": 1e300}',
        '{"id": "ok", "text": "正文照常处理", "time": 60}',
    ]
    proc = _cli(lines)
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["s", "n", "b", "ok"]
    assert "event" in out[0] and "event" in out[3]
    assert "time out of range" in out[1]["error"] and "time out of range" in out[2]["error"]


def test_an_internal_error_on_one_item_is_reported_and_the_run_goes_on(monkeypatch) -> None:
    import io

    from qinglang.engine import Engine
    from qinglang.engine.__main__ import analyze

    engine = Engine()
    real = engine.process_one

    def flaky(doc):  # type: ignore[no-untyped-def]
        if doc.id == "boom":
            raise RuntimeError("simulated fault")
        return real(doc)

    monkeypatch.setattr(engine, "process_one", flaky)
    lines = io.StringIO('{"id": "a", "text": "第一条", "time": 0}\n{"id": "boom", "text": "第二条", "time": 1}\n'
                        '{"id": "c", "text": "第三条", "time": 2}\n')
    out, err = io.StringIO(), io.StringIO()
    assert analyze(engine, lines, out, err) == 1
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a", "boom", "c"]
    assert "simulated fault" in rows[1]["error"] and "event" in rows[2]
    assert "id boom" in err.getvalue()


def test_a_missing_or_mistyped_file_is_named_without_a_traceback(tmp_path: Path) -> None:
    ok = [json.dumps({"id": "a", "text": "正文", "time": 0})]
    missing = _cli(ok, "--watchlist", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "none.json" in missing.stderr and "Traceback" not in missing.stderr
    nameless = tmp_path / "watch.json"
    nameless.write_text('[{"name": "星河科技"}, {"aliases": ["云帆"]}]', encoding="utf-8")
    proc = _cli(ok, "--watchlist", str(nameless))
    assert proc.returncode == 2 and "entity 2 has no name" in proc.stderr
    garbage = tmp_path / "state.snap"
    garbage.write_bytes(b"not a pickle")
    proc = _cli(ok, "--restore", str(garbage))
    assert proc.returncode == 2 and "not a snapshot" in proc.stderr and "Traceback" not in proc.stderr


def test_json_nested_too_deeply_is_a_bad_line() -> None:
    proc = _cli(["[" * 100_000, json.dumps({"id": "b", "text": "正文", "time": 0})])
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert out[0]["error"] == "invalid JSON: nested too deeply" and out[1]["id"] == "b"


def test_progress_goes_to_a_terminal_only() -> None:
    import io

    from qinglang.engine import Engine
    from qinglang.engine.__main__ import analyze

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    text = "".join(json.dumps({"id": str(i), "text": f"第{i}条消息正文", "time": i}) + "\n" for i in range(30))
    engine = Engine()
    tty, pipe = Terminal(), io.StringIO()
    analyze(engine, io.StringIO(text), io.StringIO(), tty)
    analyze(engine, io.StringIO(text), io.StringIO(), pipe)
    assert tty.getvalue().startswith("30 lines, 0 bad, ") and tty.getvalue().endswith(" - done\n")
    assert pipe.getvalue() == ""


def test_more_odd_json_lines_and_files(tmp_path: Path) -> None:
    import pickle

    lines = [
        '{"id": "t", "text": "正文", "time": 1' + "0" * 400 + "}",    # an integer no float holds
        '{"id": "n", "text": "正文", "time": 1, "x": ' + "9" * 5000 + "}",  # past Python's digit limit
        '{"id": "\\ud800"}',                                                # odd id, and no text
        json.dumps({"id": "ok", "text": "正文照常处理", "time": 60}),
    ]
    proc = _cli(lines)
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o.get("error", "") != "" for o in out] == [True, True, True, False]
    assert "time out of range" in out[0]["error"] and "invalid JSON" in out[1]["error"]
    assert out[2]["id"] == "\ufffd" and "Traceback" not in proc.stderr
    ok = [json.dumps({"id": "a", "text": "正文", "time": 0})]
    nowhere = _cli(ok, "--snapshot", str(tmp_path / "missing" / "state.snap"))
    assert nowhere.returncode == 2 and "cannot be written" in nowhere.stderr and nowhere.stdout == ""
    other = tmp_path / "other.snap"
    other.write_bytes(pickle.dumps({"version": 3}))
    proc = _cli(ok, "--restore", str(other))
    assert proc.returncode == 2 and "not a snapshot" in proc.stderr
