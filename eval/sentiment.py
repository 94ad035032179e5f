"""Sentiment accuracy per domain, on texts the shipped model never trained on.

    .venv/bin/python eval/sentiment.py [DATA_DIR]

Domains:
- ``hotel``, ``waimai``: the held-out fifth of the labelled reviews (``is_heldout`` in
  scripts/train_sentiment.py decides, by a hash of the text; training skips exactly these).
- ``weibo``, ``news``: eval/data/sentiment_{weibo,news}.jsonl, short posts and headlines
  written for the project about fictional enterprises, people and places. Evaluation only:
  neither file is read by training.
- ``news_duee``: the held-out fifth of DuEE news sentences with event-type labels
  (组织关系-裁员 -> negative, 竞赛行为-夺冠 -> positive); distant labels, so noisier.

A text counts as correct when the sign of the score matches its label (0 counts as positive
for nothing: a score of exactly 0 is a miss either way).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OWN_DATA = HERE / "data"


def _training_module() -> ModuleType:
    """The training script owns the corpus readers and the split; load it by path."""
    path = REPO / "scripts" / "train_sentiment.py"
    spec = importlib.util.spec_from_file_location("train_sentiment", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("train_sentiment", module)
    spec.loader.exec_module(module)
    return module


def _read_jsonl(path: Path) -> list[tuple[str, int]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(row["text"], int(row["label"])) for row in rows]


def heldout_sets(data_dir: Path) -> dict[str, list[tuple[str, int]]]:
    train = _training_module()
    sets: dict[str, list[tuple[str, int]]] = {
        "weibo": _read_jsonl(OWN_DATA / "sentiment_weibo.jsonl"),
        "news": _read_jsonl(OWN_DATA / "sentiment_news.jsonl"),
    }
    readers = {
        "hotel": train.read_reviews(data_dir / "sentiment_hotel.csv", "hotel"),
        "waimai": train.read_reviews(data_dir / "sentiment_waimai.csv", "waimai"),
        "news_duee": train.read_duee(data_dir / "event_types_duee.jsonl"),
    }
    for domain, examples in readers.items():
        sets[domain] = [(ex.text, ex.label) for ex in examples if train.is_heldout(ex.text)]
    return sets


def accuracy(model: object, rows: Iterable[tuple[str, int]]) -> float:
    tokenize = _training_module().tokenize
    hits = total = 0
    for text, label in rows:
        score = model.score(tokenize(text))  # type: ignore[attr-defined]
        hits += (score > 0) if label == 1 else (score < 0)
        total += 1
    return hits / total if total else float("nan")


def evaluate(data_dir: Path) -> dict[str, float]:
    """Accuracy per domain on held-out data (see the module docstring)."""
    from qinglang.engine.sentiment import SentimentModel

    model = SentimentModel.load()
    return {domain: round(accuracy(model, rows), 4)
            for domain, rows in heldout_sets(Path(data_dir)).items()}


def main() -> None:
    train = _training_module()
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else train.data_dir()
    for domain, value in evaluate(data_dir).items():
        print(f"{domain:10s} {value:.4f}")


if __name__ == "__main__":
    main()
