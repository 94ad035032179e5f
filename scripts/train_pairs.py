"""Train the shipped same-event pair model: ``src/qinglang/engine/models/same_event.json``.

    .venv/bin/python scripts/train_pairs.py            # data from ../shared/data
    QINGLANG_DATA_DIR=/path/to/data .venv/bin/python scripts/train_pairs.py

Reproducible: full-batch gradient descent from zero, no random numbers, hash-based split, so
the same data give a byte-identical file.

- Rows: ``same_event_pairs.jsonl`` in file order, both texts streamed through one engine (the
  IDF the features use is learned from past texts only, as in a running engine).
- Split: one pair in five is held out by a hash of its two texts (``train_sentiment.is_heldout``)
  and never enters training; ``eval/clustering.py`` scores exactly those.
- Model: logistic regression over ``pairs.FEATURES``, classes balanced (about one pair in eight
  is the same event), a light L2 pull toward 0, each weight kept to its sign in ``pairs.SIGNS``
  (projected gradient descent); the decision threshold is the one with the best F1 on the
  training rows.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_sentiment import data_dir, is_heldout  # noqa: E402

from qinglang.engine import Engine, EngineConfig  # noqa: E402
from qinglang.engine.pairs import DEFAULT_MODEL, FEATURES, SIGNS, features  # noqa: E402

L2 = 1e-3
ITERATIONS = 3000
STEP = 0.5
THRESHOLDS = [t / 100 for t in range(30, 99)]


@dataclass
class PairRow:
    values: list[float]
    join: float     # text2 scored against an event made of text1 (the clusterer's own view)
    label: int
    heldout: bool


def pair_rows(root: Path, config: EngineConfig | None = None) -> list[PairRow]:
    engine = Engine(config)
    idf = engine.clusterer.vectors.idf
    rows = []
    with (root / "same_event_pairs.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            a, b, join = engine.pair_inputs(row["text1"], row["text2"], learn=True)
            rows.append(PairRow(features(a, b, join, idf), join[0], int(row["same_event"]),
                                is_heldout(row["text1"] + "\n" + row["text2"])))
    return rows


def f1(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(predicted & truth))
    p = tp / max(1.0, float(predicted.sum()))
    r = tp / max(1.0, float(truth.sum()))
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights (last one the bias) of a class-balanced, L2-regularised logistic regression."""
    design = np.hstack([x, np.ones((len(x), 1))])
    balance = np.where(y == 1, (1 - y.mean()) / y.mean(), 1.0)
    balance /= balance.mean()
    w = np.zeros(design.shape[1])
    pull = np.r_[np.full(x.shape[1], L2), 0.0]
    signs = np.array([SIGNS[name] for name in FEATURES] + [0])
    for _ in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-design @ w))
        w -= STEP * (design.T @ ((p - y) * balance) / len(y) + pull * w)
        w = np.where(signs * w < 0, 0.0, w)   # projected: a weight never takes the wrong sign
    return w


def train(root: Path) -> dict[str, object]:
    rows = [r for r in pair_rows(root) if not r.heldout]
    x = np.array([r.values for r in rows])
    y = np.array([r.label for r in rows], dtype=float)
    w = fit(x, y)
    p = 1.0 / (1.0 + np.exp(-(x @ w[:-1] + w[-1])))
    truth = y == 1
    best_f1, threshold = max((f1(p >= t, truth)[0], t) for t in THRESHOLDS)
    print(f"trained on {len(rows)} pairs ({int(y.sum())} same event): training F1 {best_f1:.4f} "
          f"at threshold {threshold:.2f}")
    return {
        "note": "Written by scripts/train_pairs.py; do not edit by hand.",
        "features": list(FEATURES),
        "weights": {name: round(float(v), 6) for name, v in zip(FEATURES, w[:-1], strict=True)},
        "bias": round(float(w[-1]), 6),
        "threshold": threshold,
        "trained_on": {"pairs": len(rows), "same_event": int(y.sum()), "training_f1": round(best_f1, 4)},
    }


def main() -> None:
    model = train(data_dir())
    DEFAULT_MODEL.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DEFAULT_MODEL.relative_to(REPO)}")


if __name__ == "__main__":
    main()
