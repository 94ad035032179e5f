"""Train the shipped same-event pair model: ``src/qinglang/engine/models/same_event.json``.

    .venv/bin/python scripts/train_pairs.py            # data from ../shared/data
    QINGLANG_DATA_DIR=/path/to/data .venv/bin/python scripts/train_pairs.py

Reproducible: full-batch gradient descent from zero, no random numbers, hash-based split, so
the same data give a byte-identical file.

- Rows: ``same_event_pairs.jsonl`` in file order, both texts streamed through one engine (the
  IDF the features use is learned from past texts only, as in a running engine), whose term
  frequencies start from background counts: how many of ~15,000 other texts (THUCNews
  headlines, DuEE news sentences, CED Weibo posts; not the pairs, not the stories) have each
  term.  Shipped with the model (``background``) so that an engine with no stream behind it
  (an analyst's merge suggestions) weighs words as in training (EngineConfig.background_idf):
  held-out F1 with no stream at all 0.415 -> 0.560, streamed 0.573 -> 0.598 (with the template
  cap of ``pairs.TEMPLATE_CONTAINMENT``).  Terms in fewer
  than BACKGROUND_MIN_DF texts are left out (read as never seen; 2 or 1 scored no better).
- Split: one pair in five is held out by a hash of its two texts (``train_sentiment.is_heldout``)
  and never enters training; ``eval/clustering.py`` scores exactly those.
- Model: logistic regression over ``pairs.FEATURES`` and one indicator per shared content word
  (``pairs.shared_words``; only words shared by ``MIN_WORD_PAIRS`` training pairs or more, so
  a weight rests on more than one story), classes balanced (about one pair in eight is the same
  event), a light L2 pull toward 0, each feature weight kept to its sign in ``pairs.SIGNS``
  (projected gradient descent).  A common word's weight takes either sign (视频, 广场舞 are
  shared by different events all the time; 回应, 道歉 mostly by reports of one incident); a
  proper noun's (``Segmenter.is_proper``) is kept at or below 0: let free, such weights learn
  which celebrities were in one story in the data's weeks, which no other stream shares, while
  a name shared by many different events (a comedian's many shows) is a lesson that carries.
  F1 cross-validated over four folds of the training rows: 0.589 without words, 0.610 with them
  (free name weights added nothing over that, nor did other L2 pulls or word counts).  A word
  indicator is rare, so its step is scaled by its frequency (a diagonal Newton step), else plain
  gradient descent would leave it near 0.  The decision threshold is the one with the best F1
  on the training rows.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_sentiment import data_dir, is_heldout  # noqa: E402

from qinglang.engine import Doc, Engine, EngineConfig  # noqa: E402
from qinglang.engine.pairs import (  # noqa: E402
    DEFAULT_MODEL,
    FEATURES,
    SIGNS,
    features,
    shared_words,
    template_instance,
)

L2 = 1e-3
WORD_L2 = 1e-3
MIN_WORD_PAIRS = 3
ITERATIONS = 3000
STEP = 0.5
WORD_STEP = 0.5
THRESHOLDS = [t / 100 for t in range(30, 99)]
BACKGROUND_MIN_DF = 3
Background = tuple[int, dict[str, int]]


@dataclass
class PairRow:
    values: list[float]
    shared: frozenset[str]   # content words both texts have
    names: frozenset[str]    # ... of which proper nouns (names, places, brands)
    join: float     # text2 scored against an event made of text1 (the clusterer's own view)
    label: int
    heldout: bool


def background_texts(root: Path) -> list[str]:
    with (root / "news_titles.csv").open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    for name in ("event_types_duee.jsonl", "rumor_ced.jsonl"):
        with (root / name).open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


def background(root: Path) -> Background:
    """How many background texts have each term, as the pair features read terms."""
    engine = Engine()
    texts = background_texts(root)
    df = Counter(t for text in texts for t in set(engine.analyze(Doc("background", text, 0.0)).seg.terms))
    return len(texts), {t: n for t, n in sorted(df.items()) if n >= BACKGROUND_MIN_DF}


def pair_rows(root: Path, config: EngineConfig | None = None, counts: Background | None = None) -> list[PairRow]:
    """Every pair's features; term frequencies start from ``counts`` (the shipped model's
    background when not given)."""
    engine = Engine(replace(config or EngineConfig(), background_idf=counts is None))
    if counts is not None:
        engine.clusterer.vectors.seed(*counts)
    idf = engine.clusterer.vectors.idf
    rows = []
    for row in _pairs(root):
        a, b, join = engine.pair_inputs(row["text1"], row["text2"], learn=True)
        shared = shared_words(a, b)
        names = frozenset(filter(engine.segmenter.is_proper, shared))
        rows.append(PairRow(features(a, b, join, idf), shared, names, join[0], int(row["same_event"]),
                            _heldout(row)))
    return rows


def _pairs(root: Path) -> list[dict[str, str]]:
    with (root / "same_event_pairs.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _heldout(row: dict[str, str]) -> bool:
    return is_heldout(row["text1"] + "\n" + row["text2"])


def heldout_pairs(root: Path) -> list[tuple[str, str]]:
    """The two texts of every held-out pair, in file order (the order ``pair_rows`` keeps)."""
    return [(row["text1"], row["text2"]) for row in _pairs(root) if _heldout(row)]


def f1(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(predicted & truth))
    p = tp / max(1.0, float(predicted.sum()))
    r = tp / max(1.0, float(truth.sum()))
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


@dataclass
class Words:
    """The shared-word indicators as a sparse matrix: pair ``rows[k]`` has word ``cols[k]``."""

    vocab: list[str]
    rows: np.ndarray
    cols: np.ndarray

    @classmethod
    def of(cls, shared: list[frozenset[str]], vocab: list[str] | None = None) -> Words:
        if vocab is None:   # the words enough training pairs share, in a fixed order
            counts = Counter(t for words in shared for t in words)
            vocab = sorted(t for t, n in counts.items() if n >= MIN_WORD_PAIRS)
        index = {t: i for i, t in enumerate(vocab)}
        pairs = [(r, index[t]) for r, words in enumerate(shared) for t in sorted(words) if t in index]
        rows = np.array([r for r, _ in pairs], dtype=np.int64)
        cols = np.array([c for _, c in pairs], dtype=np.int64)
        return cls(vocab, rows, cols)

    def dot(self, w: np.ndarray, n: int) -> np.ndarray:
        return np.bincount(self.rows, weights=w[self.cols], minlength=n)

    def grad(self, residual: np.ndarray) -> np.ndarray:
        return np.bincount(self.cols, weights=residual[self.rows], minlength=len(self.vocab))


def fit(x: np.ndarray, y: np.ndarray, words: Words, cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights (last one the bias) of a class-balanced, L2-regularised logistic regression, and
    the shared-word weights, each at most its ``cap`` (0 for names, see the module text)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    balance = np.where(y == 1, (1 - y.mean()) / y.mean(), 1.0)
    balance /= balance.mean()
    w = np.zeros(design.shape[1])
    v = np.zeros(len(words.vocab))
    pull = np.r_[np.full(x.shape[1], L2), 0.0]
    signs = np.array([SIGNS[name] for name in FEATURES] + [0])
    # diagonal Newton scaling for the word indicators: a logistic loss curves at most 1/4
    curvature = 0.25 * np.bincount(words.cols, weights=balance[words.rows], minlength=len(v)) / len(y) + WORD_L2
    for _ in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-(design @ w + words.dot(v, len(y)))))
        residual = (p - y) * balance / len(y)
        w -= STEP * (design.T @ residual + pull * w)
        w = np.where(signs * w < 0, 0.0, w)   # projected: a weight never takes the wrong sign
        v = np.minimum(v - WORD_STEP * (words.grad(residual) + WORD_L2 * v) / curvature, cap)
    return w, v


def train(root: Path) -> dict[str, object]:
    counts = background(root)
    rows = [r for r in pair_rows(root, counts=counts) if not r.heldout]
    x = np.array([r.values for r in rows])
    y = np.array([r.label for r in rows], dtype=float)
    words = Words.of([r.shared for r in rows])
    names = frozenset().union(*(r.names for r in rows))
    w, v = fit(x, y, words, np.array([0.0 if t in names else np.inf for t in words.vocab]))
    p = 1.0 / (1.0 + np.exp(-(x @ w[:-1] + w[-1] + words.dot(v, len(y)))))
    # one template's other instance: capped at the share of such training pairs that were one
    # event (pairs.TEMPLATE_CONTAINMENT says why), before the threshold is chosen
    template = np.array([template_instance(r.values) is not None for r in rows])
    template_rate = float(y[template].mean())
    p = np.where(template, np.minimum(p, template_rate), p)
    truth = y == 1
    best_f1, threshold = max((f1(p >= t, truth)[0], t) for t in THRESHOLDS)
    print(f"trained on {len(rows)} pairs ({int(y.sum())} same event): training F1 {best_f1:.4f} "
          f"at threshold {threshold:.2f}; {int(template.sum())} template instances, {template_rate:.0%} one event")
    return {
        "note": "Written by scripts/train_pairs.py; do not edit by hand.",
        "features": list(FEATURES),
        "weights": {name: round(float(v), 6) for name, v in zip(FEATURES, w[:-1], strict=True)},
        "bias": round(float(w[-1]), 6),
        "threshold": threshold,
        "template_rate": round(template_rate, 4),
        # words whose weight rounds to 0 are left out: the model reads a missing word as 0
        "shared_words": {t: round(float(x), 3) for t, x in zip(words.vocab, v, strict=True) if round(float(x), 3)},
        "trained_on": {"pairs": len(rows), "same_event": int(y.sum()), "training_f1": round(best_f1, 4)},
        "background": {"docs": counts[0], "df": counts[1]},
    }


def main() -> None:
    model = train(data_dir())
    DEFAULT_MODEL.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DEFAULT_MODEL.relative_to(REPO)}")


if __name__ == "__main__":
    main()
