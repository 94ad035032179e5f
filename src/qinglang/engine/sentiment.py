"""Stage 7: sentiment. Document tone and entity-level tone in [-1, 1] (negative below 0).

A linear model over the *set* of tokens in a text, trained by ``scripts/train_sentiment.py`` on
reviews, distantly labelled news and Weibo posts, and pulled toward a hand-written polarity
lexicon (``models/sentiment_lexicon.tsv``) so that it carries over to domains it saw little of.
Three kinds of context are modelled, all cheap:

- negation: a token within a negator's short scope also fires "¬token", whose weight says how
  negation changes it ("不满意" turns 满意 around; "不是" hardly changes 是);
- Weibo emoticons: "[怒]" (cut as "[", "怒", "]") fires the feature "[怒]";
- lexicon words that rjieba splits ("约谈" -> "约", "谈") fire as phrases.

:func:`features` defines the model's input once; training uses it directly and
:meth:`SentimentModel.logit` computes the same dot product by a faster route (a test pins that
both agree). Scoring costs one dict lookup per token, in C, plus a little work at the few
negators and brackets.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import compress, count, repeat
from pathlib import Path

__all__ = ["DEFAULT_WEIGHTS", "SentimentModel", "features", "index_phrases"]

DEFAULT_WEIGHTS = Path(__file__).parent / "models" / "sentiment.json"

# Words that invert the polarity of what follows ("不满意", "没有问题"). rjieba keeps many
# negated adjectives whole ("不好", "不错"); those are ordinary features with learned weights.
# The second group is the officialese of good news: "零事故", "消除隐患", "摆脱贫困".
NEGATORS = frozenset(
    {"不", "没", "没有", "无", "未", "别", "非", "不是", "不会", "不能", "不要", "并非", "并不",
     "并没有", "毫无", "从未", "从不", "绝不", "决不", "未曾", "不再", "不太", "不怎么", "不够",
     "没什么", "谈不上", "算不上",
     "零", "杜绝", "避免", "防止", "远离", "告别", "摆脱", "消除", "化解", "减少", "降低"}
)
NEGATION_WINDOW = 3  # a negator reaches this many tokens ahead at most
NEGATED = "¬"  # prefix of the feature a token fires inside a negation scope

# Weibo emoticons: the bracketed form is its own feature, because an emoticon states the
# author's mood far more plainly than the word inside it. Longer bracketed text (a 【headline】)
# is not an emoticon.
EMOTICON_OPEN, EMOTICON_CLOSE = "[", "]"
EMOTICON_MAX_TOKENS = 3
EMOTICON_MAX_CHARS = 8

# Clause boundaries stop negation and delimit the "near the entity" window of score_about.
# Text reaches us NFKC-normalised, so full-width ,!?:; arrive as ASCII.
SENTENCE_ENDS = frozenset({"。", "!", "?", ";", "\n", "…", "……", "！", "？", "；"})
CLAUSE_ENDS = SENTENCE_ENDS | frozenset({",", "，", ":", "：", "、", " ", "~", "～", "//"})
SCOPE_STOPS = CLAUSE_ENDS | NEGATORS  # a scope ends at a boundary or at the next negator

# score_about: tokens of the mention's own clause count fully, the rest of its sentence less,
# because one sentence often names two parties ("A 获好评，B 却被投诉").
SAME_SENTENCE_WEIGHT = 0.35
ABOUT_MAX_TOKENS = 60  # how far (in tokens) a run-on post may reach from the mention
ABOUT_MIN_EVIDENCE = 2.0  # summed |weight| a window needs before its tone counts
ABOUT_FALLBACK_SHARE = 0.5  # no tonal word near the mention: this share of the document tone

# first piece -> ((all pieces), word) for lexicon words that rjieba cuts into pieces
PhraseIndex = dict[str, tuple[tuple[tuple[str, ...], str], ...]]


# --- the feature map (reference form, position by position) ----------------------------------

def features(tokens: Sequence[str], phrases: PhraseIndex) -> dict[str, float]:
    """The model's input: which tokens, emoticons and phrases occur, and which tokens occur
    negated, each valued 1/sqrt(len(tokens)). Presence rather than counts: a review saying 好
    five times is not five times as positive, and a long item must not drown its headline."""
    if not tokens:
        return {}
    present = set(tokens) | emoticons(tokens) | phrase_hits(tokens, phrases)
    present.update(NEGATED + t for t in negated_tokens(tokens))
    return dict.fromkeys(present, 1.0 / math.sqrt(len(tokens)))


def negated_tokens(tokens: Sequence[str]) -> set[str]:
    return {tokens[j] for j in negated_positions(tokens)}


def negated_positions(tokens: Sequence[str], start: int = 0, stop: int | None = None) -> set[int]:
    """Positions inside a negation scope: up to NEGATION_WINDOW tokens after a negator, cut at
    a boundary or the next negator (so "不是不好" reads as negative: a rare miss). Only
    negators at positions start..stop-1 are looked at."""
    flipped: set[int] = set()
    for p in range(max(start, 0), len(tokens) if stop is None else min(stop, len(tokens))):
        if tokens[p] in NEGATORS:
            for j in range(p + 1, min(p + 1 + NEGATION_WINDOW, len(tokens))):
                if tokens[j] in SCOPE_STOPS:
                    break
                flipped.add(j)
    return flipped


def emoticons(tokens: Sequence[str]) -> set[str]:
    """"[" + up to EMOTICON_MAX_TOKENS tokens + "]", inner text at most EMOTICON_MAX_CHARS."""
    found: set[str] = set()
    for p, token in enumerate(tokens):
        if token == EMOTICON_OPEN:
            inner = _emoticon_inner(tokens[p + 1:p + 2 + EMOTICON_MAX_TOKENS])
            if inner is not None:
                found.add(EMOTICON_OPEN + inner + EMOTICON_CLOSE)
    return found


def _emoticon_inner(following: Sequence[str]) -> str | None:
    """Text between "[" and the first "]" among ``following``, if it looks like an emoticon."""
    for k in range(1, min(len(following), EMOTICON_MAX_TOKENS + 1)):
        if following[k] == EMOTICON_CLOSE:
            inner = "".join(following[:k])
            return inner if len(inner) <= EMOTICON_MAX_CHARS else None
    return None


def index_phrases(sequences: Iterable[Sequence[str]]) -> PhraseIndex:
    grouped: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for seq in sequences:
        if len(seq) > 1:
            grouped.setdefault(seq[0], []).append((tuple(seq), "".join(seq)))
    return {head: tuple(entries) for head, entries in grouped.items()}


def phrase_hits(tokens: Sequence[str], phrases: PhraseIndex) -> set[str]:
    found: set[str] = set()
    for p, token in enumerate(tokens):
        for pieces, word in phrases.get(token, ()):
            if tuple(tokens[p:p + len(pieces)]) == pieces:
                found.add(word)
    return found


# --- the model --------------------------------------------------------------------------------

class SentimentModel:
    """Shipped linear sentiment model. ``load()`` once, then call ``score``/``score_about``."""

    def __init__(self, weights: dict[str, float], bias: float = 0.0,
                 phrases: Iterable[Sequence[str]] = ()) -> None:
        self.weights = dict(weights)
        self.bias = bias
        self.phrases = index_phrases(phrases)
        self._special = NEGATORS | frozenset(self.phrases) | {EMOTICON_OPEN}
        for token in self._special:  # so that logit() finds them among the weighted tokens
            self.weights.setdefault(token, 0.0)
        self._keys = self.weights.keys()
        self._is_special = self._special.__contains__

    @classmethod
    def load(cls, path: str | Path | None = None) -> SentimentModel:
        """Read shipped weights (``models/sentiment.json``) or the file at ``path``."""
        data = json.loads(Path(path or DEFAULT_WEIGHTS).read_text(encoding="utf-8"))
        return cls(data["weights"], float(data.get("bias", 0.0)), data.get("phrases", []))

    def score(self, tokens: list[str]) -> float:
        """Document tone in [-1, 1], negative below 0; tokens = rjieba.cut(normalized text)."""
        if not tokens:
            return 0.0
        return math.tanh(self.logit(tokens) / 2.0)  # = 2 * sigmoid(logit) - 1

    def logit(self, tokens: Sequence[str]) -> float:
        """Bias plus the dot product of ``features(tokens)`` with the weights."""
        if not tokens:
            return 0.0
        # keys() & list walks the tokens once in C and keeps the distinct ones with a weight,
        # which is exactly the set the features need; negators etc. are keys (see __init__).
        hits = self._keys & tokens
        total = sum(map(self.weights.__getitem__, hits))
        if not self._special.isdisjoint(hits):
            total += self._context_sum(tokens, hits)
        return self.bias + total / math.sqrt(len(tokens))

    def _context_sum(self, tokens: Sequence[str], seen: set[str]) -> float:
        """Weights of the negated, emoticon and phrase features. One pass in C (compress over
        a set-membership map) finds where the rare special tokens are; only there do we look
        at the following tokens. A Python loop over ~400 tokens would cost more than the rest
        of scoring."""
        extra: set[str] = set()
        for p in compress(count(), map(self._is_special, tokens)):
            token = tokens[p]
            if token in NEGATORS:
                for following in tokens[p + 1:p + 1 + NEGATION_WINDOW]:
                    if following in SCOPE_STOPS:
                        break
                    extra.add(NEGATED + following)
            elif token == EMOTICON_OPEN:
                inner = _emoticon_inner(tokens[p + 1:p + 2 + EMOTICON_MAX_TOKENS])
                if inner is not None:
                    extra.add(EMOTICON_OPEN + inner + EMOTICON_CLOSE)
            for pieces, word in self.phrases.get(token, ()):
                if tuple(tokens[p:p + len(pieces)]) == pieces:
                    extra.add(word)
        return sum(map(self.weights.get, extra - seen, repeat(0.0)))

    def score_about(
        self, tokens: list[str], token_starts: list[int], spans: list[tuple[int, int]]
    ) -> float:
        """Tone of the text near the character spans of one entity's mentions: is the text
        negative *about* it? The nearest text with clear tone decides: the clauses holding a
        mention, else their sentences (other clauses weighing less, since one sentence often
        names two parties: "A 获好评，B 却被投诉"), else a damped document tone."""
        if not tokens or not spans:
            return self.score(tokens)
        clause, sentence = _windows(tokens, token_starts, spans)
        if not sentence:
            return ABOUT_FALLBACK_SHARE * self.score(tokens)
        # Only negators that can reach the window matter; scanning the whole item would cost
        # more than the rest of this method.
        flipped = negated_positions(tokens, min(sentence) - NEGATION_WINDOW, max(sentence) + 1)
        for near in (clause, sentence):
            values = {i: w * self._local_weight(tokens, i, flipped) for i, w in near.items()}
            if sum(map(abs, values.values())) >= ABOUT_MIN_EVIDENCE:
                total = sum(values.values())
                return math.tanh((self.bias + total / math.sqrt(sum(near.values()))) / 2.0)
        return ABOUT_FALLBACK_SHARE * self.score(tokens)

    def _local_weight(self, tokens: Sequence[str], i: int, flipped: set[int]) -> float:
        """A token's weight read in place (plus its negated weight inside a negation scope)."""
        get = self.weights.get
        token = tokens[i]
        return get(token, 0.0) + (get(NEGATED + token, 0.0) if i in flipped else 0.0)


def _windows(
    tokens: list[str], token_starts: list[int], spans: list[tuple[int, int]]
) -> tuple[dict[int, float], dict[int, float]]:
    """Token index -> weight for the mentions' clauses, and for their sentences (1 in the
    clause, SAME_SENTENCE_WEIGHT elsewhere). The mention itself is left out: a name says
    nothing about tone."""
    clause: dict[int, float] = {}
    sentence: dict[int, float] = {}
    mention: set[int] = set()
    for start, end in spans:
        first = max(bisect_right(token_starts, start) - 1, 0)
        last = max(bisect_left(token_starts, end) - 1, first)
        lo, hi = _extent(tokens, first, last, SENTENCE_ENDS)
        c_lo, c_hi = _extent(tokens, first, last, CLAUSE_ENDS)
        clause.update(dict.fromkeys(range(c_lo, c_hi), 1.0))
        for i in range(lo, hi):
            sentence[i] = max(clause.get(i, SAME_SENTENCE_WEIGHT), sentence.get(i, 0.0))
        mention.update(range(first, last + 1))
    for i in mention:
        clause.pop(i, None)
        sentence.pop(i, None)
    return clause, sentence


def _extent(tokens: Sequence[str], first: int, last: int, ends: frozenset[str]) -> tuple[int, int]:
    """[lo, hi) around tokens first..last, stopping at ``ends`` or ABOUT_MAX_TOKENS away."""
    lo = first
    while lo > 0 and first - lo < ABOUT_MAX_TOKENS and tokens[lo - 1] not in ends:
        lo -= 1
    hi = last + 1
    while hi < len(tokens) and hi - last < ABOUT_MAX_TOKENS and tokens[hi] not in ends:
        hi += 1
    return lo, hi
