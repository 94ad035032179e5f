"""Command line: ``python -m qinglang.engine analyze [--watchlist FILE] [--taxonomy FILE]``
and ``python -m qinglang.engine pairs``.

Reads JSONL documents on stdin in stream order and writes exactly one JSON line per input line
to stdout, in the same order.  A bad line (invalid JSON, missing text) gets an error object on
stdout - so line numbers stay aligned - and an error line naming its id (or line number) on
stderr; the run continues.  Exit status 0 when the run completes (bad lines included), unless
``--strict`` asks for 1 when any line was bad; 2 when a file named on the command line cannot be
used (said on stderr, before any line is read).

``pairs`` reads ``{"id", "text1", "text2"}`` lines and answers each with ``{"id", "same_event",
"probability", "reasons"}`` (the shipped pair model; term frequencies start from the model's
background counts and the texts count into them in input order, as a stream's would), with the
same error handling.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from .config import EngineConfig
from .normalize import clean_text
from .pipeline import DocError, Engine, to_doc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m qinglang.engine")
    sub = parser.add_subparsers(dest="command", required=True)
    analyze = sub.add_parser("analyze", help="JSONL documents on stdin -> JSONL results on stdout")
    analyze.add_argument("--watchlist", type=Path, help="watched entities: JSON list or JSONL")
    analyze.add_argument("--taxonomy", type=Path, help="harm categories (default: shipped list)")
    analyze.add_argument("--restore", type=Path, help="start from this state snapshot")
    analyze.add_argument("--snapshot", type=Path, help="write the state snapshot here at the end")
    analyze.add_argument("--strict", action="store_true", help="exit 1 if any input line was bad")
    pairs = sub.add_parser("pairs", help='JSONL {"id", "text1", "text2"} -> same-event decisions')
    pairs.add_argument("--strict", action="store_true", help="exit 1 if any input line was bad")
    return parser


def _config(args: argparse.Namespace) -> EngineConfig:
    cfg = EngineConfig(watchlist=args.watchlist)
    if args.taxonomy:
        cfg.taxonomy = args.taxonomy
    return cfg


def _error(out: TextIO, err: TextIO, lineno: int, doc_id: Any, message: str) -> None:
    if isinstance(doc_id, str):
        doc_id = clean_text(doc_id)   # an id can be anything a JSON string holds, lone surrogates too
    where = f"id {doc_id}" if doc_id is not None else f"line {lineno}"
    err.write(f"error: {where} (line {lineno}): {message}\n")
    out.write(json.dumps({"id": doc_id, "line": lineno, "error": message}, ensure_ascii=False) + "\n")


def _bad_line(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg}"
    if isinstance(exc, RecursionError):
        return "invalid JSON: nested too deeply"
    if isinstance(exc, DocError):
        return str(exc)
    return f"invalid JSON: {exc}"   # e.g. an integer past Python's 4,300-digit limit


class Progress:
    """Lines done, bad lines and the rate on stderr about once a second, only when stderr is a
    terminal: a long analysis shows it is alive, a pipe or a log file gets the error lines alone."""

    def __init__(self, err: TextIO, every: float = 1.0) -> None:
        self.err, self.every = err, every
        self.on = err.isatty()
        self.start = self.last = time.monotonic()

    def tick(self, done: int, bad: int) -> None:
        if self.on and (now := time.monotonic()) - self.last >= self.every:
            self.last = now
            self.err.write(f"{self._line(done, bad, now)}\r")   # the next line overwrites it
            self.err.flush()

    def finish(self, done: int, bad: int) -> None:
        if self.on and done:
            self.err.write(self._line(done, bad, time.monotonic()) + " - done\n")

    def _line(self, done: int, bad: int, now: float) -> str:
        return f"{done:,} lines, {bad:,} bad, {done / max(now - self.start, 1e-9):,.0f} lines/s"


def analyze(engine: Engine, lines: TextIO, out: TextIO, err: TextIO) -> int:
    bad = 0
    last_time = 0.0
    progress = Progress(err)
    lineno = 0
    for lineno, line in enumerate(lines, 1):
        progress.tick(lineno - 1, bad)
        row: Any = None
        try:
            row = json.loads(line)
            doc = to_doc(row, last_time)
        except (ValueError, RecursionError) as exc:   # JSONDecodeError and DocError are ValueErrors
            bad += 1
            doc_id = row.get("id") if isinstance(row, dict) else None
            _error(out, err, lineno, doc_id, _bad_line(exc))
            continue
        last_time = doc.time
        try:
            result = engine.process_one(doc)
        except Exception as exc:  # noqa: BLE001 - our fault, but one item must not end the run
            bad += 1
            _error(out, err, lineno, doc.id, f"internal error ({type(exc).__name__}: {exc}); the run goes on")
            continue
        out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    progress.finish(lineno, bad)
    return 1 if bad else 0


def pairs(engine: Engine, lines: TextIO, out: TextIO, err: TextIO) -> int:
    bad = 0
    for lineno, line in enumerate(lines, 1):
        row: Any = None
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise DocError("line is not a JSON object")
            texts = [t for t in (row.get("text1"), row.get("text2")) if isinstance(t, str) and t.strip()]
            if len(texts) != 2:
                raise DocError("text1 and text2 must both be non-empty strings")
        except (ValueError, RecursionError) as exc:   # JSONDecodeError and DocError are ValueErrors
            bad += 1
            doc_id = row.get("id") if isinstance(row, dict) else None
            _error(out, err, lineno, doc_id, _bad_line(exc))
            continue
        decision = engine.same_event(texts[0], texts[1], learn=True)
        out.write(json.dumps({"id": row.get("id"), **decision.to_dict()}, ensure_ascii=False) + "\n")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "pairs":
        status = pairs(Engine(EngineConfig(background_idf=True)), sys.stdin, sys.stdout, sys.stderr)
        return status if args.strict else 0
    try:
        if args.snapshot and not os.access(args.snapshot.resolve().parent, os.W_OK):
            raise ValueError(f"{args.snapshot}: its folder does not exist or cannot be written")
        engine = Engine(_config(args))
        if args.restore:
            engine.restore(args.restore)
    except (OSError, ValueError) as exc:   # a missing or mistyped file: say which, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = analyze(engine, sys.stdin, sys.stdout, sys.stderr)
    if args.snapshot:
        engine.snapshot(args.snapshot)
    return status if args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
