"""Stage 2: segmentation with rjieba, plus the content-term filter used downstream.

rjieba (Rust) is ~35x faster than jieba.  Each ``Segmenter`` owns its own ``rjieba.Jieba`` so
names added for one engine (watched names, organisations discovered on the stream) do not leak
into another.  Numbers are dropped from content terms on purpose: amounts and dates vary across
copies of one story, and the few numbers that matter (stock codes, prices) are read by patterns.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import is_
from pathlib import Path

import rjieba

from .sentiment import keep_lexicon_whole


def load_stopwords(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _is_content(token: str, stopwords: frozenset[str]) -> bool:
    """A token worth counting: not a stopword, not punctuation or a number, CJK needs 2 chars."""
    if token in stopwords or not token.strip():
        return False
    if not any(ch.isalpha() for ch in token):
        return False  # numbers, punctuation, symbols
    if len(token) == 1:
        return "a" <= token.lower() <= "z" and False
    return True


# Finance and web acronyms that are everywhere and name nothing in particular; credit rating
# grades too (S&P's AAA/BBB/CCC, Moody's Aaa/Baa/Caa): "下调至CCC" is what happened, not who.
_COMMON_ACRONYMS = frozenset({"CEO", "CFO", "COO", "CTO", "IPO", "APP", "GDP", "CPI", "PPI", "ETF",
                              "AAA", "BBB", "CCC", "BAA", "CAA", "VIP", "PPT", "HTTP", "HTTPS", "WWW", "COM",
                              "STCN"})


@dataclass
class Segmented:
    """Tokens of the whole text; content flags and terms only for the lead (the first
    ``lead_chars`` characters), because per-token Python work there is what clustering needs
    and per-token work over a whole long article is what would dominate the cost."""

    tokens: list[str]
    n_lead: int         # tokens[:n_lead] start within the lead
    flags: list[int]    # content flag per lead token
    terms: list[str]    # content terms of the lead, in text order (may repeat)
    lead_starts: list[int]   # char offsets of the lead's tokens
    _starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        """Char offset of each token in the normalised text (computed when first needed)."""
        if self._starts is None:
            self._starts = list(accumulate(map(len, self.tokens), initial=0))
            self._starts.pop()
        return self._starts

    def content(self, i: int, j: int) -> list[str]:
        """Content terms among tokens[i:j] (within the lead)."""
        j = min(j, self.n_lead)
        return list(compress(self.tokens[i:j], self.flags[i:j]))


class Segmenter:
    def __init__(self, stopwords: frozenset[str]) -> None:
        self._jieba = rjieba.Jieba()
        keep_lexicon_whole(self._jieba)   # the sentiment model reads these tokens
        self._stopwords = stopwords
        # token -> 1 (content term) or 0 (stopword, number, punctuation), judged once per word.
        # One C-level map(dict.get) over the tokens gives the flags; None marks a new word.
        self._flags: dict[str, int] = {}
        self.added: set[str] = set()
        self.proper: set[str] = set()   # content words tagged as names, places, brands

    def add_word(self, word: str) -> None:
        """Keep a name whole from now on (watched names, discovered organisations)."""
        if word not in self.added and len(word) > 1:
            self._jieba.add_word(word, 200000, "nt")
            self.added.add(word)
            self._flags[word] = 1
            self.proper.add(word)

    # Tags of words that can name an organisation; person names (nr) only count before
    # 公司/集团, since as anchors they are mostly surnames glued to verbs (陈述, 高管名).
    _NAMES = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg", "j", "x"})
    _ANCHORS = frozenset({"ns", "nt", "nz", "nrt", "j", "x"})

    def is_proper(self, word: str, tags: frozenset[str] = _NAMES) -> bool:
        """Proper noun or unknown word by the dictionary's tag (off the hot path: only called
        for a word never seen before or one a pattern suggests is a name)."""
        if not self._jieba.has_word(word):
            # Unknown to the dictionary (a word the HMM put together).  Tagging it can run the
            # POS model (up to ~250 µs for one word), so decide without it: such a word is a
            # name candidate, but as an anchor only from three characters on - two-character
            # HMM words are mostly person names or fragments, like the nr tags excluded above.
            return "nr" in tags or (len(word) >= 3 and "x" in tags)
        tagged = self._jieba.tag(word)
        return len(tagged) == 1 and tagged[0][1] in tags

    def known_word(self, word: str) -> bool:
        """In the dictionary (rather than put together by the HMM for an unseen word)."""
        return bool(self._jieba.has_word(word))

    def _looks_proper(self, token: str) -> bool:
        if token.isascii():
            return len(token) >= 3 and token.isalpha() and token.upper() not in _COMMON_ACRONYMS
        if len(token) < 2:
            return False
        # three-character nr words are full names (people, transliterated places); two-character
        # ones are too often a surname glued to a word (陈述)
        return self.is_proper(token, self._ANCHORS if len(token) == 2 else self._NAMES)

    def _learn(self, tokens: list[str], seen: list[int | None]) -> list[int]:
        flags = self._flags
        if len(flags) > 1_000_000:  # a long stream of rare tokens must not grow this forever
            self._flags = flags = dict.fromkeys(self.added, 1)
            self.proper = set(self.added)
            seen = [None] * len(tokens)
        # the new words, picked out in C (most items bring one or two: numbers, names)
        numbers = False
        for tok in set(compress(tokens, map(is_, seen, repeat(None)))):
            if tok.isdigit():  # never a term, and endless in variety: not worth remembering
                numbers = True
                continue
            keep = _is_content(tok, self._stopwords)
            flags[tok] = int(keep)
            # judged once per new word: the tagger's cost is paid per vocabulary, not per item
            if keep and self._looks_proper(tok):
                self.proper.add(tok)
        if numbers:
            return list(map(flags.get, tokens, repeat(0)))
        return list(map(flags.__getitem__, tokens))

    def cut(self, text: str, lead_chars: int = 1 << 30) -> Segmented:
        tokens: list[str] = self._jieba.cut(text)
        # tokens are at least one character long, so the lead lies within the first
        # lead_chars tokens: no need to sum lengths over a whole long article
        head = list(accumulate(map(len, tokens[:lead_chars]), initial=0))
        head.pop()
        n = bisect.bisect_left(head, lead_chars)
        lead = tokens[:n] if n < len(tokens) else tokens
        seen = list(map(self._flags.get, lead))
        flags: list[int] = self._learn(lead, seen) if None in seen else seen  # type: ignore[assignment]
        starts = head if n == len(tokens) else None
        return Segmented(tokens, n, flags, list(compress(lead, flags)), head[:n], starts)
