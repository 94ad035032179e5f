"""Stage 7: sentiment. Document tone and entity-level tone in [-1, 1] (negative below 0).

A linear model over segmentation tokens, trained by ``scripts/train_sentiment.py`` on reviews,
distantly labelled news and Weibo posts, and pulled toward a hand-written polarity lexicon so
that it carries over to domains it saw little of. Scoring is a handful of dict lookups per token
so it fits the engine's per-item budget; negation is the only context it models.

The feature map is defined once, in :func:`features`; training uses it directly and
:meth:`SentimentModel.score` computes the same dot product by a faster route (a test pins that
both agree).
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

__all__ = ["DEFAULT_WEIGHTS", "SentimentModel", "features", "negated_positions"]

DEFAULT_WEIGHTS = Path(__file__).parent / "models" / "sentiment.json"

# Words that invert the polarity of what follows ("不满意", "没有问题"). rjieba keeps many
# negated adjectives whole ("不好", "不错"); those are ordinary features with learned weights.
NEGATORS = frozenset(
    {"不", "没", "没有", "无", "未", "别", "非", "不是", "不会", "不能", "不要", "并非", "并不",
     "并没有", "毫无", "从未", "从不", "绝不", "决不", "未曾", "不再", "不太", "不怎么", "不够",
     "没什么", "谈不上", "算不上"}
)
# A negator reaches at most this many tokens ahead, and never past a clause boundary.
NEGATION_WINDOW = 3

# Clause boundaries stop negation and delimit the "near the entity" window of score_about.
# Text reaches us NFKC-normalised, so full-width ,!?:; arrive as ASCII.
SENTENCE_ENDS = frozenset({"。", "!", "?", ";", "\n", "…", "……", "！", "？", "；"})
CLAUSE_ENDS = SENTENCE_ENDS | frozenset({",", "，", ":", "：", "、", " ", "~", "～", "//"})
SCOPE_STOPS = CLAUSE_ENDS | NEGATORS

# score_about: tokens of the mention's own clause count fully, the rest of its sentence less,
# because a sentence often names two parties ("A 获好评，B 却被投诉").
SAME_SENTENCE_WEIGHT = 0.35
ABOUT_MAX_TOKENS = 60  # how far (in tokens) a run-on post may reach from the mention
# No tonal word near the mention: fall back to this share of the document tone.
ABOUT_FALLBACK_SHARE = 0.5


def negated_positions(tokens: Sequence[str]) -> set[int]:
    """Token positions whose polarity a preceding negator inverts."""
    flipped: set[int] = set()
    for negator in NEGATORS.intersection(tokens):
        for p in positions(tokens, negator):
            flipped.update(range(p + 1, scope_end(tokens, p)))
    return flipped


def scope_end(tokens: Sequence[str], negator_at: int) -> int:
    """End (exclusive) of a negator's scope: a few tokens, cut at a boundary or the next
    negator. Scopes never overlap, so no token is flipped twice ("不是不好" reads as negative,
    a rare miss we accept for a scan this cheap)."""
    end = min(negator_at + 1 + NEGATION_WINDOW, len(tokens))
    for j in range(negator_at + 1, end):
        if tokens[j] in SCOPE_STOPS:
            return j
    return end


def positions(tokens: Sequence[str], token: str) -> list[int]:
    """All indices of ``token``; list.index scans in C, cheaper than a Python loop."""
    found: list[int] = []
    index = -1
    try:
        while True:
            index = tokens.index(token, index + 1)
            found.append(index)
    except ValueError:
        return found


@dataclass(frozen=True)
class Phrases:
    """Lexicon words that rjieba splits ("约谈" -> "约", "谈"), matched as token sequences."""

    by_head: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, sequences: Iterable[Sequence[str]]) -> Phrases:
        grouped: dict[str, list[tuple[str, ...]]] = {}
        for seq in sequences:
            if len(seq) >= 2:
                grouped.setdefault(seq[0], []).append(tuple(seq))
        return cls({head: tuple(seqs) for head, seqs in grouped.items()})

    def hits(self, tokens: Sequence[str], heads: Iterable[str] | None = None) -> list[tuple[int, str]]:
        """(start position, phrase text) for every phrase occurrence; ``heads`` = the phrase
        heads known to occur in ``tokens``, when the caller has already found them."""
        if heads is None:
            heads = self.by_head.keys() & set(tokens)
        found: list[tuple[int, str]] = []
        for head in heads:
            for start in positions(tokens, head):
                for seq in self.by_head[head]:
                    if tuple(tokens[start:start + len(seq)]) == seq:
                        found.append((start, "".join(seq)))
        return found


def features(tokens: Sequence[str], phrases: Phrases) -> dict[str, float]:
    """The model's input: signed token and phrase counts, scaled by 1/sqrt(len)."""
    if not tokens:
        return {}
    flipped = negated_positions(tokens)
    counts: dict[str, float] = {}
    for i, token in enumerate(tokens):
        counts[token] = counts.get(token, 0.0) + (-1.0 if i in flipped else 1.0)
    for start, text in phrases.hits(tokens):
        counts[text] = counts.get(text, 0.0) + (-1.0 if start in flipped else 1.0)
    scale = 1.0 / math.sqrt(len(tokens))
    return {name: value * scale for name, value in counts.items() if value}


class SentimentModel:
    """Shipped linear sentiment model. ``load()`` once, then call ``score``/``score_about``."""

    def __init__(self, weights: dict[str, float], bias: float, phrases: Phrases) -> None:
        self.weights = weights
        self.bias = bias
        self.phrases = phrases
        self._special = NEGATORS | frozenset(phrases.by_head)

    @classmethod
    def load(cls, path: str | Path | None = None) -> SentimentModel:
        data = json.loads(Path(path or DEFAULT_WEIGHTS).read_text(encoding="utf-8"))
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            phrases=Phrases.build(data.get("phrases", [])),
        )

    def logit(self, tokens: Sequence[str]) -> float:
        """Bias plus the dot product of ``features(tokens)`` with the weights."""
        if not tokens:
            return 0.0
        total = sum(map(self.weights.get, tokens, repeat(0.0)))
        # Negators and phrase heads are rare: one C-level set intersection finds whether any
        # occur, and only then do we look at positions.
        present = self._special.intersection(tokens)
        if present:
            total += self._context(tokens, present)
        return self.bias + total / math.sqrt(len(tokens))

    def _context(self, tokens: Sequence[str], present: frozenset[str]) -> float:
        """Correction to the plain token sum for negation scopes and split phrases."""
        get = self.weights.get
        correction = 0.0
        flipped: set[int] = set()
        for negator in NEGATORS.intersection(present):
            for p in positions(tokens, negator):
                end = scope_end(tokens, p)
                correction -= 2.0 * sum(map(get, tokens[p + 1:end], repeat(0.0)))
                flipped.update(range(p + 1, end))
        heads = self.phrases.by_head.keys() & present
        for start, text in self.phrases.hits(tokens, heads) if heads else ():
            correction += (-1.0 if start in flipped else 1.0) * get(text, 0.0)
        return correction

    def score(self, tokens: list[str]) -> float:
        """Document tone in [-1, 1]; tokens = rjieba.cut(normalized text)."""
        if not tokens:
            return 0.0
        return math.tanh(self.logit(tokens) / 2.0)  # = 2*sigmoid(logit) - 1

    def score_about(
        self, tokens: list[str], token_starts: list[int], spans: list[tuple[int, int]]
    ) -> float:
        """Tone of the text near the character spans of one entity's mentions."""
        if not tokens or not spans:
            return self.score(tokens)
        near = self._window_weights(tokens, token_starts, spans)
        flipped = negated_positions(tokens)
        get = self.weights.get
        total = 0.0
        for i, weight in near.items():
            total += weight * (-1.0 if i in flipped else 1.0) * get(tokens[i], 0.0)
        for start, text in self.phrases.hits(tokens):
            if start in near:
                total += near[start] * (-1.0 if start in flipped else 1.0) * get(text, 0.0)
        if total == 0.0:
            return ABOUT_FALLBACK_SHARE * self.score(tokens)
        logit = self.bias + total / math.sqrt(sum(near.values()))
        return math.tanh(logit / 2.0)

    def _window_weights(
        self, tokens: list[str], token_starts: list[int], spans: list[tuple[int, int]]
    ) -> dict[int, float]:
        """Token index -> weight: 1 in a mention's clause, less in the rest of its sentence."""
        near: dict[int, float] = {}
        mention: set[int] = set()
        for start, end in spans:
            first = max(bisect_right(token_starts, start) - 1, 0)
            last = max(bisect_left(token_starts, end) - 1, first)
            lo, hi = _extent(tokens, first, last, SENTENCE_ENDS)
            c_lo, c_hi = _extent(tokens, first, last, CLAUSE_ENDS)
            for i in range(lo, hi):
                weight = 1.0 if c_lo <= i < c_hi else SAME_SENTENCE_WEIGHT
                if weight > near.get(i, 0.0):
                    near[i] = weight
            mention.update(range(first, last + 1))
        # The name itself says nothing about tone ("星河" may carry a stray weight).
        for i in mention:
            near.pop(i, None)
        return near


def _extent(tokens: Sequence[str], first: int, last: int, ends: frozenset[str]) -> tuple[int, int]:
    """[lo, hi) around tokens first..last, stopping at ``ends`` or ABOUT_MAX_TOKENS away."""
    lo = first
    while lo > 0 and first - lo < ABOUT_MAX_TOKENS and tokens[lo - 1] not in ends:
        lo -= 1
    hi = last + 1
    while hi < len(tokens) and hi - last < ABOUT_MAX_TOKENS and tokens[hi] not in ends:
        hi += 1
    return lo, hi
