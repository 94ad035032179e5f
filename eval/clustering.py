"""Clustering and pair metrics for the quality gate (B-cubed, NMI, pair F1).

Runs the engine exactly as the CLI does: one fresh ``Engine`` per data set, items in file order,
no look-ahead.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

from qinglang.engine import Engine, EngineConfig
from qinglang.engine.pipeline import to_doc


def bcubed(truth: list[str], pred: list[str]) -> tuple[float, float, float]:
    """Item-averaged B-cubed precision, recall and F1."""
    pair = Counter(zip(truth, pred, strict=True))
    t_size, p_size = Counter(truth), Counter(pred)
    n = len(truth)
    precision = sum(c * c / p_size[p] for (_, p), c in pair.items()) / n
    recall = sum(c * c / t_size[t] for (t, _), c in pair.items()) / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def nmi(truth: list[str], pred: list[str]) -> float:
    """Normalised mutual information (arithmetic-mean normalisation)."""
    n = len(truth)
    pair = Counter(zip(truth, pred, strict=True))
    t_size, p_size = Counter(truth), Counter(pred)
    mi = sum(c / n * math.log(c * n / (t_size[t] * p_size[p])) for (t, p), c in pair.items())
    h_t = -sum(c / n * math.log(c / n) for c in t_size.values())
    h_p = -sum(c / n * math.log(c / n) for c in p_size.values())
    return 2 * mi / (h_t + h_p) if h_t + h_p else 1.0


def stories(data_dir: Path, config: EngineConfig | None = None) -> dict[str, float]:
    rows = [json.loads(line) for line in (data_dir / "stories.jsonl").open(encoding="utf-8")]
    engine = Engine(config)
    pred = [r.event for r in engine.process(to_doc(row) for row in rows)]
    truth = [row["story"] for row in rows]
    p, r, f = bcubed(truth, pred)
    return {"stories_bcubed_f1": f, "stories_bcubed_p": p, "stories_bcubed_r": r,
            "stories_nmi": nmi(truth, pred), "stories_events": float(len(set(pred)))}


def pairs(data_dir: Path, config: EngineConfig | None = None) -> dict[str, float]:
    """Same-event pairs, judged by the clusterer's own similarity: text1 opens an event in a
    fresh clusterer state view, text2 is scored against it and would join it (score at least
    the join threshold).  IDF is learned online over the pair stream, past texts only."""
    engine = Engine(config)
    cl = engine.clusterer
    tp = fp = fn = 0
    for line in (data_dir / "same_event_pairs.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        sides = []
        for key in ("text1", "text2"):
            f = engine.analyze(to_doc({"id": key, "text": row[key], "time": 0}))
            parts = engine._clauses(f)
            sides.append(cl.vectorize(engine._lead_terms(f), parts))
        same = cl.similarity(sides[0], sides[1]) >= cl.cfg.join_threshold
        truth = bool(row["same_event"])
        tp += same and truth
        fp += same and not truth
        fn += truth and not same
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"pairs_f1": 2 * p * r / (p + r) if p + r else 0.0, "pairs_precision": p, "pairs_recall": r}
