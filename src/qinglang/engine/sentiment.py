"""Stage 7: sentiment. Document tone and entity-level tone in [-1, 1] (negative below 0).

A linear model over the *set* of tokens in a text, trained by ``scripts/train_sentiment.py`` on
reviews, distantly labelled news and Weibo posts, and pulled toward a hand-written polarity
lexicon so that it carries over to domains it saw little of. Scoring is one dict lookup per
distinct token, so it fits the engine's per-item budget. Negation is the only context modelled:
a token inside a negator's short scope also fires a "¬token" feature, whose weight says how the
negation changes it ("不满意" turns 满意 around; "不是" hardly changes 是).

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
NEGATED = "¬"  # prefix of the feature a token fires inside a negation scope

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
    """The model's input: which tokens/phrases occur, and which occur negated, scaled by
    1/sqrt(len). Presence rather than counts: a review that says 好 five times is not five
    times as positive, and a long news item should not drown its headline."""
    if not tokens:
        return {}
    flipped = negated_positions(tokens)
    hits = phrases.hits(tokens)
    present = set(tokens) | {text for _, text in hits}
    negated = {tokens[j] for j in flipped} | {text for start, text in hits if start in flipped}
    scale = 1.0 / math.sqrt(len(tokens))
    out = dict.fromkeys(present, scale)
    out.update(dict.fromkeys((NEGATED + t for t in negated), scale))
    return out


class SentimentModel:
    """Shipped linear sentiment model. ``load()`` once, then call ``score``/``score_about``."""

    def __init__(self, weights: dict[str, float], bias: float, phrases: Phrases) -> None:
        self.weights = weights
        self.bias = bias
        self.phrases = phrases
        self._heads = frozenset(phrases.by_head)
        self._special = NEGATORS | self._heads

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
        distinct = set(tokens)
        total = sum(map(self.weights.get, distinct, repeat(0.0)))
        # Negators and phrase heads are rare; `special & distinct` walks only the small set.
        special = self._special & distinct
        if special:
            total += self._context(tokens, distinct, special)
        return self.bias + total / math.sqrt(len(tokens))

    def _context(self, tokens: Sequence[str], distinct: set[str], special: set[str]) -> float:
        """What negation scopes and split phrases add to the plain token sum."""
        negated: set[str] = set()
        flipped: set[int] = set()
        for negator in NEGATORS.intersection(special):
            for p in positions(tokens, negator):
                end = scope_end(tokens, p)
                negated.update(tokens[p + 1:end])
                flipped.update(range(p + 1, end))
        found: set[str] = set()
        heads = self._heads.intersection(special)
        for start, text in self.phrases.hits(tokens, heads) if heads else ():
            found.add(text)
            if start in flipped:
                negated.add(text)
        get = self.weights.get
        extra = sum(map(get, found - distinct, repeat(0.0)))
        return extra + sum(get(NEGATED + t, 0.0) for t in negated)

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
        # Position by position (a local reading of the same weights, not the trained set form).
        for i, weight in near.items():
            total += weight * self._token_weight(tokens[i], i in flipped)
        for start, text in self.phrases.hits(tokens):
            if start in near:
                total += near[start] * self._token_weight(text, start in flipped)
        if total == 0.0:
            return ABOUT_FALLBACK_SHARE * self.score(tokens)
        logit = self.bias + total / math.sqrt(sum(near.values()))
        return math.tanh(logit / 2.0)

    def _token_weight(self, token: str, negated: bool) -> float:
        weight = self.weights.get(token, 0.0)
        return weight + self.weights.get(NEGATED + token, 0.0) if negated else weight

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
