"""Same-event decisions for two texts: "do these two reports tell the same event?"

Analysts ask it when they merge events, link a report to a case or check a repost; the
evaluation's same-event pairs ask it too.  The clusterer's join score compares an item with an
*event* (a centroid built from many items); two short texts need more evidence than that, and
the ways two texts about one topic still differ are specific: another film in the same genre,
another match of the same team, other numbers on the same kind of notice.  So the decision is a
logistic model over a few explainable features of the pair:

- the clusterer's own join score, both ways;
- literal overlap: shared character bigrams (containment and Jaccard), the longest common run;
- IDF-weighted term overlap and the rarest shared term (a rare word shared is strong evidence);
- titles in 《》 shared or in conflict, proper nouns in conflict, numbers shared, and numbers
  of the same unit in conflict (another day, episode or round), alone and in nearly the same
  words (one template's other instance);
- lengths (a headline against a long lead);
- which words the two share: a learned weight per word (``shared_words``), since sharing
  广场舞 or 视频 says little (two dances, two clips) and sharing 回应 or 道歉 more than its
  IDF tells (one incident and its aftermath).  Only words shared by enough training pairs get
  a weight, and a name's weight can only count against (see ``scripts/train_pairs.py``).

Weights are trained by ``scripts/train_pairs.py`` on four fifths of ``same_event_pairs.jsonl``
(full-batch gradient descent, no random numbers, so reproducible) and shipped as
``models/same_event.json``; the held-out fifth is scored by ``eval/clustering.py``.
Every decision lists the features that weighed most, in Chinese.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

__all__ = ["FEATURES", "SIGNS", "PairDecision", "PairModel", "Side", "features", "shared_words", "side",
           "template_instance"]

DEFAULT_MODEL = Path(__file__).parent / "models" / "same_event.json"

# Only the head of a long text is compared: a story is told in its headline and lead, and the
# longest-common-run search is quadratic in the worst case.
PAIR_CHARS = 400
RARE_IDF = 6.0   # a shared term at least this rare (idf incl. the +1) is a "rare shared term"
# Nearly the same words (this share of the shorter text's bigrams shared) with another number of
# a unit or another 《work》: one template's other instance (another round's results, another
# film's release date).  Too few such pairs to learn from (49 of 7,943 training pairs, 6 of them
# one event) and the rest of their evidence is overwhelming overlap, so the model read most of
# them as the same event; their probability is capped at the share of them that were
# (``PairModel.template_rate``, written by the training script).
TEMPLATE_CONTAINMENT = 0.5

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
# A number with its unit of "which one": the day, the episode, the round, the magnitude.  Two
# texts that both give one and disagree are most often two instances of one template (the
# results of another match day, another episode, another quake).
_FRAMED_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(月|日|号|集|期|轮|季|届|场|级|章|话)"
                        r"|第([一二三四五六七八九十百零两]+)(集|期|轮|季|届|场|章|话|回)")
_TITLE_RE = re.compile(r"《([^》]{1,40})》")

FEATURES = (
    "join_max", "join_min", "bigram_jaccard", "bigram_containment", "idf_overlap",
    "max_shared_idf", "rare_shared", "title_shared", "title_conflict", "proper_conflict",
    "number_shared", "length_gap", "length_min", "identical", "common_run", "number_conflict",
    "template_instance",
)
# The sign each weight must have: evidence of sameness may only raise the probability and a
# conflict may only lower it (training clips to these), so every reason given reads the right
# way round and correlated features cannot cancel into nonsense ("same title" counting against).
_AGAINST = frozenset({"title_conflict", "proper_conflict", "number_conflict", "template_instance"})
_EITHER = frozenset({"length_gap", "length_min"})
SIGNS = {name: 0 if name in _EITHER else -1 if name in _AGAINST else 1 for name in FEATURES}
_CONTAINMENT, _NUMBER_CONFLICT, _TITLE_CONFLICT = (
    FEATURES.index(name) for name in ("bigram_containment", "number_conflict", "title_conflict"))


@dataclass(frozen=True)
class Side:
    """What the pair features read of one text (built by ``Engine.pair_inputs``)."""

    text: str
    terms: frozenset[str]
    proper: frozenset[str]
    numbers: frozenset[str]
    titles: frozenset[str]
    bigrams: frozenset[str]
    # unit (日, 集, 轮...) -> the numbers given with it; derived from text, so not compared
    framed: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)


def side(text: str, terms: frozenset[str], proper: frozenset[str]) -> Side:
    head = text[:PAIR_CHARS]
    framed: dict[str, set[str]] = {}
    for digits, unit, numeral, nth in _FRAMED_RE.findall(head):
        framed.setdefault(unit or nth, set()).add(digits or numeral)
    return Side(head, terms, proper, frozenset(_NUMBER_RE.findall(head)), frozenset(_TITLE_RE.findall(head)),
                frozenset(head[i:i + 2] for i in range(len(head) - 1)),
                {unit: frozenset(numbers) for unit, numbers in framed.items()})


def number_conflicts(a: Side, b: Side) -> list[str]:
    """Units both texts give a number with, and no number in common (2月3日 / 2月6日)."""
    return [unit for unit in a.framed.keys() & b.framed.keys() if not a.framed[unit] & b.framed[unit]]


def template_instance(values: list[float]) -> str | None:
    """The conflict that makes a pair one template's other instance (see TEMPLATE_CONTAINMENT):
    the feature to name as the reason, or None."""
    if values[_CONTAINMENT] < TEMPLATE_CONTAINMENT:
        return None
    if values[_NUMBER_CONFLICT]:
        return "number_conflict"
    return "title_conflict" if values[_TITLE_CONFLICT] else None


def _containment(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def features(a: Side, b: Side, join: tuple[float, float], idf: Callable[[str], float]) -> list[float]:
    """The model's input, in FEATURES order; each roughly in [0, 1]."""
    bi_a, bi_b = a.bigrams, b.bigrams
    shared, union = a.terms & b.terms, a.terms | b.terms
    shared_idf = [idf(t) for t in shared]
    run = SequenceMatcher(None, a.text, b.text, autojunk=False).find_longest_match(0, len(a.text), 0, len(b.text)).size
    containment = _containment(bi_a, bi_b)
    conflict = float(bool(number_conflicts(a, b)))
    len_a, len_b = math.log(len(a.text) + 1), math.log(len(b.text) + 1)
    return [
        max(join), min(join),
        len(bi_a & bi_b) / max(1, len(bi_a | bi_b)), containment,
        sum(shared_idf) / (sum(map(idf, union)) or 1.0),
        max(shared_idf, default=0.0) / 10.0,
        min(sum(v >= RARE_IDF for v in shared_idf), 5) / 5.0,
        float(bool(a.titles & b.titles)),
        float(bool(a.titles and b.titles and not a.titles & b.titles)),
        float(bool(a.proper and b.proper and not a.proper & b.proper)),
        min(len(a.numbers & b.numbers), 3) / 3.0,
        abs(len_a - len_b), min(len_a, len_b) / 6.0,
        float(a.text == b.text),
        run / max(1, min(len(a.text), len(b.text))),
        conflict,
        # the same words with another number: one template's other instance (another day's
        # warning, another round's results).  A number conflict alone is weak evidence (a report
        # dated the 6th of an event on the 3rd); in the training pairs, with most bigrams
        # shared it leaves 11 % the same event, against 76 % without the conflict
        conflict * containment,
    ]


@dataclass
class PairDecision:
    same: bool
    probability: float
    reasons: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"same_event": self.same, "probability": round(self.probability, 4), "reasons": self.reasons}


def _describe(name: str, a: Side, b: Side, values: dict[str, float]) -> str:
    """A feature as an analyst would say it.  Features that measure one thing in different
    ways say it the same way, so the caller gives a reason only once."""
    if name in ("title_shared", "title_conflict"):
        titles = "、".join(f"《{t}》" for t in sorted(a.titles & b.titles or a.titles | b.titles)[:3])
        return f"同一作品 {titles}" if name == "title_shared" else f"作品不同 {titles}"
    if name == "proper_conflict":
        return f"专名不同 {'、'.join(sorted(a.proper | b.proper)[:4])}"
    if name in ("number_conflict", "template_instance"):
        units = sorted(number_conflicts(a, b))
        given = "；".join("/".join("、".join(sorted(side.framed[u])) + u for side in (a, b)) for u in units[:2])
        return f"序号或日期不同 {given}"
    if name == "number_shared":
        return f"数字一致 {'、'.join(sorted(a.numbers & b.numbers)[:4])}"
    if name in ("rare_shared", "max_shared_idf", "idf_overlap"):
        return f"共有关键词 {'、'.join(sorted(a.terms & b.terms)[:5]) or '无'}"
    if name in ("join_max", "join_min"):
        # a negative join score is the clusterer's veto: both name organisations, none shared
        value = values[name]
        return "所涉机构不同" if value < 0 else f"事件聚类相似度 {values['join_max']:.2f}"
    if name == "identical":
        return "文本相同"
    if name.startswith("length"):
        return "篇幅差异大" if name == "length_gap" else "文本较短"
    return f"字面重合度 {_containment(a.bigrams, b.bigrams):.2f}"


def shared_words(a: Side, b: Side) -> frozenset[str]:
    """The content words both texts have: what the per-word weights read."""
    return a.terms & b.terms


def _describe_words(words: dict[str, float], same: bool) -> str:
    """The shared words that pushed toward the decision, heaviest first."""
    ranked = sorted((w if same else -w, t) for t, w in words.items())
    picked = [t for push, t in reversed(ranked) if push > 0][:4]
    return f"共有特征词 {'、'.join(picked)}" if same else f"共有词多见于不同事件 {'、'.join(picked)}"


class PairModel:
    """Shipped same-event model.  ``load()`` once, then ``decide(a, b, join, idf)``."""

    def __init__(self, weights: dict[str, float], bias: float, threshold: float,
                 words: dict[str, float] | None = None, background: tuple[int, dict[str, int]] = (0, {}),
                 template_rate: float = 1.0) -> None:
        missing = set(FEATURES) - set(weights)
        if missing:
            raise ValueError(f"pair model lacks weights for {sorted(missing)}")
        self.weights = [float(weights[name]) for name in FEATURES]
        self.bias = bias
        self.threshold = threshold
        self.words = {t: float(w) for t, w in (words or {}).items()}   # shared word -> weight
        # (texts, term -> how many of them have it): the frequencies the model was trained
        # with before the stream's own (EngineConfig.background_idf)
        self.background = background
        self.template_rate = template_rate   # the most a template's other instance can score

    @classmethod
    def load(cls, path: str | Path | None = None) -> PairModel:
        data = json.loads(Path(path or DEFAULT_MODEL).read_text(encoding="utf-8"))
        background = data.get("background") or {"docs": 0, "df": {}}
        return cls(data["weights"], float(data["bias"]), float(data["threshold"]), data.get("shared_words"),
                   (int(background["docs"]), {t: int(n) for t, n in background["df"].items()}),
                   float(data.get("template_rate", 1.0)))

    def word_weights(self, shared: frozenset[str]) -> dict[str, float]:
        """The weights of the shared words the model knows."""
        return {t: self.words[t] for t in shared if t in self.words}

    def probability(self, values: list[float], shared: frozenset[str] = frozenset()) -> float:
        return self._squash(values, self.word_weights(shared))

    def _squash(self, values: list[float], words: dict[str, float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, values, strict=True)) + sum(words.values())
        p = 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))
        return min(p, self.template_rate) if template_instance(values) else p

    def decide(self, a: Side, b: Side, join: tuple[float, float], idf: Callable[[str], float],
               reasons: int = 3) -> PairDecision:
        values = features(a, b, join, idf)
        words = self.word_weights(shared_words(a, b))
        p = self._squash(values, words)
        same = p >= self.threshold
        # the features that pushed hardest toward the decision taken; the shared words as one
        sign = 1.0 if same else -1.0
        pushes = [(sign * w * x, name) for name, w, x in zip(FEATURES, self.weights, values, strict=True)]
        pushes.append((sign * sum(words.values()), "shared_words"))
        pushes.sort()
        named = dict(zip(FEATURES, values, strict=True))
        template = template_instance(values)
        # a capped pair says first what made it another instance, whatever else weighed
        told: list[str] = [_describe(template, a, b, named)] if template and not same else []
        for push, name in reversed(pushes):
            if push <= 0 or len(told) >= reasons:
                break
            text = _describe_words(words, same) if name == "shared_words" else _describe(name, a, b, named)
            if text not in told:
                told.append(text)
        if not told and not same:  # nothing speaks against: the evidence for is too thin
            told.append(f"相同事件的证据不足（{p:.2f} < {self.threshold:.2f}）")
        return PairDecision(same, p, told)
