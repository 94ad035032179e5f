"""Is this text a social post or news? A character model for what the marks cannot tell.

Sentiment reads social posts with their own shifts (``SentimentModel.posts``). The sure marks
of a post (an emoticon, a #tag#, a repost chain, an @mention, 我 outside a quotation) are
tested first by ``sentiment.looks_like_post``; many posts carry none of them ("这家店的面越来
越咸了", "千万别去…"), and a news item none either. What is left tells them apart by its
characters: 了吧, 真的, 绝了, ！！ against 日电, 记者, 同比, 获悉. This module is that test: a
logistic model over the characters and character pairs of the text's first ROUTER_CHARS
characters (digits folded to 0 and Latin letters to a, so a figure or a code is not a word),
plus the text's length in powers of two. Trained by ``scripts/train_post_router.py`` on news of
../shared/data and written for the project against posts written for the project; shipped as
``models/post_router.json`` with its threshold, which the training sets so that almost no
news is routed (a news item read with the post shifts is the costlier mistake: the shifts
soften words such as 小时 that complaints use, never the bad news of a report).

The review router (``models/review_router.json``, ``scripts/train_review_router.py``) is the
same model trained to tell a consumer's review from news and posts, for reviews that come
without their site's name: sentiment reads them with the review shifts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from operator import add
from pathlib import Path

__all__ = ["DEFAULT_REVIEW_ROUTER", "DEFAULT_ROUTER", "PostRouter", "router_features"]

DEFAULT_ROUTER = Path(__file__).parent / "models" / "post_router.json"
DEFAULT_REVIEW_ROUTER = Path(__file__).parent / "models" / "review_router.json"
ROUTER_CHARS = 200   # a post shows its voice in its first sentences; longer text costs time only
LENGTH_PREFIX = "#len"
# two substitutions, not str.translate: a translation table walks a Chinese string in Python-level
# steps (17 µs for 200 characters, against 2 µs for these)
_DIGITS = re.compile(r"[0-9]")
_LATIN = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=2)
def router_features(text: str) -> frozenset[str]:
    """The characters and adjacent pairs of the (normalised) text's head, and its length.
    Kept for the last texts: both routers read the same text one after the other."""
    head = _LATIN.sub("a", _DIGITS.sub("0", text[:ROUTER_CHARS]))
    found = set(head)
    found.update(map(add, head, head[1:]))
    found.add(f"{LENGTH_PREFIX}{len(text).bit_length()}")
    return frozenset(found)


class PostRouter:
    """``router(text)`` is True for a text that reads like a social post (the review router's:
    like a consumer's review)."""

    def __init__(self, weights: Mapping[str, float], bias: float, threshold: float) -> None:
        self.weights = dict(weights)
        self.bias = bias
        self.threshold = threshold   # on the logit: above it, a post

    @classmethod
    def load(cls, path: str | Path | None = None) -> PostRouter:
        data = json.loads(Path(path or DEFAULT_ROUTER).read_text(encoding="utf-8"))
        return cls(data["weights"], float(data["bias"]), float(data["threshold"]))

    def logit(self, text: str) -> float:
        weights = self.weights
        # the features the model knows, found by set intersection in C, then their weights
        return self.bias + sum(map(weights.__getitem__, router_features(text) & weights.keys()))

    def __call__(self, text: str) -> bool:
        return self.logit(text) > self.threshold


@lru_cache(maxsize=1)
def shipped_router() -> PostRouter | None:
    """The shipped router, read once; None when the file is absent (the marks decide alone)."""
    return PostRouter.load() if DEFAULT_ROUTER.is_file() else None


@lru_cache(maxsize=1)
def shipped_review_router() -> PostRouter | None:
    """The shipped review router, read once; None when the file is absent (reviews without a
    source are read as posts or news)."""
    return PostRouter.load(DEFAULT_REVIEW_ROUTER) if DEFAULT_REVIEW_ROUTER.is_file() else None
