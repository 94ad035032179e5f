"""Clustering and pair metrics for the quality gate (B-cubed, NMI, pair F1).

Runs the engine exactly as the CLI does: one fresh ``Engine`` per data set, items in file order,
no look-ahead. The stories are also scored with their companies renamed to invented names
(``stories_renamed_*``): the unseen stories that judge the engine are about other companies.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from training import training_module

from qinglang.engine import Engine, EngineConfig
from qinglang.engine.pairs import PairModel
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


STOCK_CODE = re.compile(r"[(（]\d{6}[)）]")


def label_quality(rows: list[dict[str, str]], pred: list[str], labels: dict[str, str], least: int = 3) -> float:
    """Share of events of at least ``least`` items whose label names the company of the story
    most of their items tell (the part of ``story`` after "|"), no other story's company and at
    most one stock code: a label a duty officer can read the event by, not a run of several
    headlines."""
    companies = {row["story"].split("|")[1] for row in rows}
    by_event: dict[str, Counter[str]] = {}
    for row, event in zip(rows, pred, strict=True):
        by_event.setdefault(event, Counter())[row["story"]] += 1
    good = total = 0
    for event, told in by_event.items():
        if told.total() < least or event not in labels:
            continue
        total += 1
        company, label = told.most_common(1)[0][0].split("|")[1], labels[event]
        others = [c for c in companies if c in label and c not in company and company not in c]
        good += company in label and not others and len(STOCK_CODE.findall(label)) <= 1
    return good / total if total else 0.0


def stories(data_dir: Path, config: EngineConfig | None = None) -> dict[str, float]:
    rows = [json.loads(line) for line in (data_dir / "stories.jsonl").open(encoding="utf-8")]
    out = _stories(rows, config)
    # the same stream with its companies renamed (see ``renamed``), over two kinds of invented
    # names and three draws of each
    runs = [_stories(renamed(rows, seed, chars), config)["stories_bcubed_f1"]
            for chars in (COMMON_NAME_CHARS, RARE_NAME_CHARS) for seed in (1, 2, 3)]
    out["stories_renamed_bcubed_f1"] = sum(runs) / len(runs)
    out["stories_renamed_worst_f1"] = min(runs)
    return out


# Characters invented names are drawn from: those of everyday trade names (华, 金, 恒 …), and
# rare ones (曦, 滢, 翊 …) that the segmenter leaves as single characters.
COMMON_NAME_CHARS = "华金海恒信达泰康盛通中新天东鑫宏联安博瑞丰德明光远兴隆昌荣汇正长永美嘉富利和顺"
RARE_NAME_CHARS = "澄泽禾川岚澜屿汀湄溪棠杉桐榆枫栎朔霁翎鹭洺沅渝泓滢瀚峤岫崇岑嵘垣墨砚璟琮瑾珩玥珂琦琪璋翊昶昀晟晖暄曦"
NAME_SUFFIXES = ("股份", "科技", "集团", "控股", "实业", "药业", "电子", "新材", "")


def renamed(rows: list[dict[str, str]], seed: int, chars: str) -> list[dict[str, str]]:
    """The stream with each story's company (the part of ``story`` after "|") replaced, in
    every item, by an invented name of two characters and an industry word: the unseen stories
    that judge the engine name other companies, and a clusterer that leans on the names the
    dictionary or this stream's tuning happens to know scores lower here."""
    rng = random.Random(seed)
    companies = sorted({row["story"].split("|")[1] for row in rows}, key=lambda c: (-len(c), c))
    names: dict[str, str] = {}
    for company in companies:
        name = ""
        while not name or name in names.values():
            name = rng.choice(chars) + rng.choice(chars) + rng.choice(NAME_SUFFIXES)
        names[company] = name
    # one pass, longest name first: an invented name is never rewritten by a later replacement
    pattern = re.compile("|".join(map(re.escape, companies)))
    out = []
    for row in rows:
        kind, company = row["story"].split("|")
        out.append({**row, "text": pattern.sub(lambda m: names[m.group()], row["text"]),
                    "story": f"{kind}|{names[company]}"})
    return out


def _stories(rows: list[dict[str, str]], config: EngineConfig | None) -> dict[str, float]:
    engine = Engine(config)
    pred = [r.event for r in engine.process(to_doc(row) for row in rows)]
    truth = [row["story"] for row in rows]
    p, r, f = bcubed(truth, pred)
    labels = {str(e["id"]): str(e["label"]) for e in engine.events()}
    return {"stories_bcubed_f1": f, "stories_bcubed_p": p, "stories_bcubed_r": r,
            "stories_nmi": nmi(truth, pred), "stories_events": float(len(set(pred))),
            "stories_label_clean": label_quality(rows, pred, labels)}


def pairs(data_dir: Path, config: EngineConfig | None = None) -> dict[str, float]:
    """Same-event pairs, on the held-out fifth the pair model never trained on
    (``scripts/train_pairs.py`` decides the split).  Both texts of every pair are streamed
    through one engine in file order, so IDF comes from the shipped background counts and past
    texts only, as with the ``pairs`` command.  ``pairs_f1`` is the
    engine's pair decision (``Engine.same_event``, the shipped model); ``pairs_join_f1`` is the
    clusterer's join score on the same pairs (text2 against an event made of text1), the
    measure used before the pair model, kept for comparison.  ``pairs_cold_f1`` asks the same
    pairs of an engine that has streamed nothing (``same_event`` with ``learn=False``), as the
    monitoring app's merge suggestions do (less what they learn from the city's own labels):
    only the shipped background frequencies to go on."""
    train = training_module("train_pairs")
    model = PairModel.load()
    rows = [r for r in train.pair_rows(data_dir, config) if r.heldout]
    truth = np.array([bool(r.label) for r in rows])
    cold = Engine(replace(config or EngineConfig(), background_idf=True))
    out: dict[str, float] = {}
    for name, predicted in (("pairs", [model.probability(r.values, r.shared) >= model.threshold for r in rows]),
                            ("pairs_join", [r.join >= (config or EngineConfig()).join_threshold for r in rows]),
                            ("pairs_cold", [cold.same_event(a, b).same for a, b in train.heldout_pairs(data_dir)])):
        scores = train.f1(np.array(predicted), truth)  # the training script's own F1
        out[f"{name}_f1"], out[f"{name}_precision"], out[f"{name}_recall"] = scores
    out["pairs_heldout"] = float(len(rows))
    return out

