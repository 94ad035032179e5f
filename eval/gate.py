"""Quality gate for qinglang.engine (``make eval``), in the style of trafilatura's eval gate.

Scores the engine on the labelled sets in ../shared/data (override with QINGLANG_DATA_DIR):
stories B-cubed F1 and NMI, same-event pair F1, and sentiment accuracy per domain (from
eval/sentiment.py).  Floors live in eval/floors.json; a score below its floor fails the gate
(exit 1).  Lowering a floor is an explicit, reviewed change to that file.  When the data folder
is absent (a fresh clone outside CI) the gate says so and exits 0.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLOORS = HERE / "floors.json"
TOLERANCE = 1e-4  # floating-point noise, not slack


def data_dir() -> Path:
    return Path(os.environ.get("QINGLANG_DATA_DIR", ROOT.parent / "shared" / "data"))


def scores(folder: Path) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    import clustering

    out: dict[str, float] = {}
    for name, fn in (("stories", clustering.stories), ("pairs", clustering.pairs)):
        start = time.perf_counter()
        out.update(fn(folder))
        print(f"  {name}: {time.perf_counter() - start:.1f} s", flush=True)
    try:
        import sentiment
    except ImportError:
        print("  sentiment: eval/sentiment.py not present, skipped")
    else:
        out.update({f"sentiment_{k}": v for k, v in sentiment.evaluate(folder).items()})
    return out


def check(found: dict[str, float], floors: dict[str, float]) -> list[str]:
    failures = []
    for metric, floor in sorted(floors.items()):
        value = found.get(metric)
        if value is None:
            failures.append(f"{metric}: missing (floor {floor:.4f})")
        elif value + TOLERANCE < floor:
            failures.append(f"{metric}: {value:.4f} < floor {floor:.4f}")
    return failures


def main() -> int:
    folder = data_dir()
    if not (folder / "stories.jsonl").exists():
        print(f"eval skipped: data folder {folder} not found (set QINGLANG_DATA_DIR to run the gate)")
        return 0
    print(f"eval on {folder}:")
    found = scores(folder)
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))["floors"]
    for metric in sorted(found):
        mark = "" if metric not in floors else f"   (floor {floors[metric]:.4f})"
        print(f"  {metric:<28} {found[metric]:.4f}{mark}")
    failures = check(found, floors)
    for failure in failures:
        print(f"FAIL {failure}")
    print("eval gate: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
