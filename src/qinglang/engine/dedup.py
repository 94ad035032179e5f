"""Stage 3: exact and near-duplicate detection with a banded MinHash index.

Fingerprints are one-permutation MinHash over character 3-grams of the item's *core* text (the
repost furniture stripped), computed with numpy on the code-point array: no Python loop over
characters.  The band index is a dict for recent keys merged into sorted numpy arrays (12 bytes
per key), so a window of a million items costs ~150 MB rather than several GB of dict entries.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .config import EngineConfig

_M1, _M2, _M3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_EMPTY = np.uint32(0xFFFFFFFF)
_CHUNK = 1 << 16

# "评论//@某人:原文" - the quoted original follows the last "//@name:"
_CHAIN_RE = re.compile(r"//\s*@[^:：\s]{1,30}\s*[:：]")
_REPOST_RE = re.compile(r"转发微博|轉發微博|^\s*(?:转发|repost|RT)\s*[:：]?|回复\s*@[^:：\s]{1,30}\s*[:：]")


def core_text(text: str) -> str:
    """The part of a post that identifies its content (repost and comment furniture removed)."""
    if "//" in text:
        parts = [p.strip() for p in _CHAIN_RE.split(text)]
        original = parts[-1] if len(parts) > 1 else ""
        fallback = next((p for p in reversed(parts) if len(p) >= 4), parts[0])
        text = original if len(original) >= 4 else fallback
    if "转" in text or "回" in text or "R" in text:
        text = _REPOST_RE.sub("", text)
    return text.strip()


def exact_key(core: str) -> int:
    """Stable across processes (Python's hash() is salted), so snapshots stay valid."""
    return int.from_bytes(hashlib.blake2b(core.encode("utf-8"), digest_size=8).digest(), "little")


def minhash(core: str, bins: int, k: int = 3) -> np.ndarray:
    """One-permutation MinHash (uint32 per bin) over character k-grams (k <= 3), densified."""
    cps = np.frombuffer(core.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if cps.size < k:
        cps = np.concatenate([cps, np.zeros(k - cps.size, dtype=np.uint64)])
    h = cps[: cps.size - k + 1] * _M1
    for j, mult in zip(range(1, k), (_M2, _M3), strict=False):  # k <= 3 supported
        h = h + cps[j : cps.size - k + 1 + j] * mult
    h ^= h >> np.uint64(29)
    h *= _MIX
    h ^= h >> np.uint64(32)
    sig = np.full(bins, _EMPTY, dtype=np.uint32)
    np.minimum.at(sig, (h % np.uint64(bins)).astype(np.intp), (h >> np.uint64(32)).astype(np.uint32))
    return _densify(sig)


def _densify(sig: np.ndarray) -> np.ndarray:
    """Empty bins borrow the next filled bin (rotation), so short texts still band."""
    if sig.max() != _EMPTY:
        return sig
    filled = np.flatnonzero(sig != _EMPTY)
    if filled.size == 0:
        return sig
    pos = np.arange(sig.size)
    src = filled[np.searchsorted(filled, pos) % filled.size]
    out = sig[src] + ((src - pos) % sig.size).astype(np.uint32) * np.uint32(0x9E3779B1)
    out[filled] = sig[filled]
    return np.asarray(out, dtype=np.uint32)


def band_keys(sig: np.ndarray, rows: int) -> np.ndarray:
    """One uint64 key per band of `rows` bins (rows must be even: bins are read in pairs)."""
    pairs = sig.view(np.uint64).reshape(-1, rows // 2)
    key = pairs[:, 0] * _M1
    for j in range(1, rows // 2):
        key = (key ^ pairs[:, j]) * _M2
    return np.asarray(key ^ _band_salt(key.size), dtype=np.uint64)


def _band_salt(n: int, _cache: dict[int, np.ndarray] = {}) -> np.ndarray:  # noqa: B006 - memo
    if n not in _cache:
        _cache[n] = np.arange(n, dtype=np.uint64) * _M3
    return _cache[n]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two k-gram sets."""
    return float(np.count_nonzero(a == b)) / a.size


class BandIndex:
    """key -> first seq.  Recent keys in a dict, older ones in sorted numpy arrays."""

    def __init__(self) -> None:
        self.min_seq = 0   # keys of older items are dropped at the next merge
        self.recent: dict[int, int] = {}
        self.keys = np.empty(0, dtype=np.uint64)
        self.seqs = np.empty(0, dtype=np.int32)  # 12 bytes a key: a day of items fits easily

    def __len__(self) -> int:
        return len(self.recent) + self.keys.size

    def lookup(self, keys: np.ndarray) -> list[int]:
        """First seq for each key, -1 if none inside the window (expired keys read as misses,
        so a new copy re-registers the key)."""
        found = [self.recent.get(k, -1) for k in keys.tolist()]
        if self.keys.size:
            pos = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
            hit = (self.keys[pos] == keys) & (self.seqs[pos] >= self.min_seq)
            old = np.where(hit, self.seqs[pos], -1).tolist()
            found = [o if o >= 0 else f for f, o in zip(found, old, strict=True)]  # the older copy wins
        return [f if f >= self.min_seq else -1 for f in found]

    def add(self, keys: np.ndarray, seq: int, found: list[int]) -> None:
        for key, hit in zip(keys.tolist(), found, strict=True):
            if hit < 0:
                self.recent[key] = seq
        if len(self.recent) > max(50_000, self.keys.size // 4):
            self.merge(self.min_seq)

    def merge(self, min_seq: int) -> None:
        """Fold recent keys into the arrays, dropping keys of items older than min_seq."""
        keys = np.concatenate([self.keys, np.fromiter(self.recent.keys(), np.uint64, len(self.recent))])
        seqs = np.concatenate([self.seqs, np.fromiter(self.recent.values(), np.int32, len(self.recent))])
        if min_seq > 0:
            keep = seqs >= min_seq
            keys, seqs = keys[keep], seqs[keep]
        order = np.argsort(keys, kind="stable")  # stable: the older copy of a key stays first
        keys, seqs = keys[order], seqs[order]
        first = np.ones(keys.size, dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        self.keys, self.seqs = keys[first], seqs[first]
        self.recent = {}


@dataclass
class DupResult:
    duplicate_of: str | None
    root_seq: int
    similarity: float
    astroturf: bool = False
    group_authors: int = 0


@dataclass
class _Group:
    """Copies of one root seen recently, for coordinated-posting detection."""

    posts: deque[tuple[float, str]] = field(default_factory=deque)


class Deduplicator:
    def __init__(self, config: EngineConfig) -> None:
        self.cfg = config
        self.exact = BandIndex()
        self.bands = BandIndex()
        # per chunk of 65536 seqs: signatures (uint16 is enough to verify), root seqs and ids
        self.sigs: dict[int, np.ndarray] = {}
        self.roots: dict[int, np.ndarray] = {}
        self.events: dict[int, np.ndarray] = {}   # event number of each first copy (-1: none)
        self.ids: dict[int, list[str]] = {}
        self.authors: dict[int, list[str]] = {}
        self.groups: dict[int, _Group] = {}
        self.seq = 0

    def _store(self, seq: int, sig: np.ndarray, root: int, doc_id: str, author: str) -> None:
        chunk, row = divmod(seq, _CHUNK)
        if chunk not in self.sigs:
            self.sigs[chunk] = np.zeros((_CHUNK, self.cfg.minhash_bins), dtype=np.uint16)
            self.roots[chunk] = np.zeros(_CHUNK, dtype=np.int64)
            self.events[chunk] = np.full(_CHUNK, -1, dtype=np.int64)
            self.ids[chunk] = []
            self.authors[chunk] = []
        self.sigs[chunk][row] = sig.astype(np.uint16)
        self.roots[chunk][row] = root
        self.ids[chunk].append(doc_id)
        self.authors[chunk].append(author)

    def _row(self, seq: int) -> tuple[np.ndarray, int, str] | None:
        chunk, row = divmod(seq, _CHUNK)
        if chunk not in self.sigs:
            return None  # aged out
        return self.sigs[chunk][row], int(self.roots[chunk][row]), self.ids[chunk][row]

    def set_event(self, seq: int, event: int) -> None:
        chunk, row = divmod(seq, _CHUNK)
        if chunk in self.events:
            self.events[chunk][row] = event

    def event_of(self, seq: int) -> int:
        """Event number recorded for this (first-copy) item, -1 if none or aged out."""
        chunk, row = divmod(seq, _CHUNK)
        events = self.events.get(chunk)
        return int(events[row]) if events is not None else -1

    def _best_candidate(self, sig: np.ndarray, found: list[int]) -> tuple[int, float]:
        best, best_sim = -1, 0.0
        short = sig.astype(np.uint16)
        for cand in dict.fromkeys(s for s in found if s >= 0):
            row = self._row(cand)
            if row is not None:
                sim = similarity(short, row[0])
                if sim > best_sim:
                    best, best_sim = cand, sim
        return best, best_sim

    def check(self, text: str, time: float, author: str | None, doc_id: str) -> DupResult:
        seq, self.seq = self.seq, self.seq + 1
        core = core_text(text)
        ekey = np.array([exact_key(core)], dtype=np.uint64)
        ehit = self.exact.lookup(ekey)
        sig = minhash(core, self.cfg.minhash_bins, self.cfg.shingle)
        keys = band_keys(sig, self.cfg.band_rows)
        found = self.bands.lookup(keys)
        root, sim = -1, 0.0
        if ehit[0] >= 0 and self._row(ehit[0]) is not None:
            root, sim = ehit[0], 1.0
        else:
            cand, cand_sim = self._best_candidate(sig, found)
            if cand_sim >= self.cfg.near_dup_jaccard:
                root, sim = cand, cand_sim
        self.exact.add(ekey, seq, ehit)
        self.bands.add(keys, seq, found)
        if root < 0:
            self._store(seq, sig, seq, doc_id, author or doc_id)
            return DupResult(None, seq, 0.0)
        row = self._row(root)
        assert row is not None
        root = row[1]  # the first copy of the chain, not the copy we happened to match
        first = self._row(root)
        self._store(seq, sig, root, doc_id, author or doc_id)
        result = DupResult(first[2] if first else row[2], root, sim)
        self._watch_group(result, time, author or doc_id, self._author(root))
        return result

    def _author(self, seq: int) -> str | None:
        chunk, row = divmod(seq, _CHUNK)
        authors = self.authors.get(chunk)
        return authors[row] if authors is not None else None

    def _watch_group(self, result: DupResult, time: float, author: str, first_author: str | None) -> None:
        """Many copies from distinct authors within a short window: coordinated posting.
        The first poster counts too (its time is not kept; it is at most one window old)."""
        group = self.groups.get(result.root_seq)
        if group is None:
            group = self.groups[result.root_seq] = _Group()
            if first_author is not None:
                group.posts.append((time, first_author))
        group.posts.append((time, author))
        while group.posts and group.posts[0][0] < time - self.cfg.astroturf_seconds:
            group.posts.popleft()
        result.group_authors = len({a for _, a in group.posts})
        result.astroturf = result.group_authors >= self.cfg.astroturf_authors

    def prune(self, min_seq: int) -> None:
        """Forget items with seq < min_seq (they left the duplicate window).  Whole chunks of
        per-item data go at once; index keys go at the band index's next natural merge, so a
        prune never re-sorts millions of keys (lookups of dropped chunks already miss)."""
        for chunk in [c for c in self.sigs if (c + 1) * _CHUNK <= min_seq]:
            del self.sigs[chunk], self.roots[chunk], self.ids[chunk], self.authors[chunk]
            del self.events[chunk]
        self.exact.min_seq = self.bands.min_seq = min_seq
        self.groups = {k: g for k, g in self.groups.items() if k >= min_seq}
