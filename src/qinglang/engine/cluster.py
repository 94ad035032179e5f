"""Stage 4: online event clustering over a sliding time window.

Single pass, past items only.  An item is a TF-IDF vector (incremental IDF) plus, for every
organisation it names, the terms of the clause around that name.  Candidate events come from an
inverted index over each event's top terms and organisation keys; only the most recent
``postings_tail`` events of each posting list are read, so the cost per item is bounded however
many items the window holds.  Similarity = cosine to the event centroid, plus a bonus when the
item names an organisation the event is about *in a similar context*, minus a penalty when both
name organisations and none is shared (same event type at another company is another event).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from .config import EngineConfig

Vector = dict[int, float]


@dataclass(slots=True)
class Event:
    num: int
    label: str
    first_id: str
    first_time: float
    last_time: float
    size: int = 0
    centroid: Vector = field(default_factory=dict)
    norm: float = 0.0
    orgs: dict[str, list] = field(default_factory=dict)   # anchor -> [count, context, is org]
    indexed: set = field(default_factory=set)             # posting keys this event is listed under
    sources: dict[str, int] = field(default_factory=dict)
    tone_sum: float = 0.0
    tone_recent: list = field(default_factory=list)       # last few (time, tone)

    @property
    def id(self) -> str:
        return f"e{self.num:07d}"

    def summary(self) -> dict[str, object]:
        return {"id": self.id, "label": self.label, "first_id": self.first_id, "size": self.size,
                "first_time": self.first_time, "last_time": self.last_time,
                "sources": dict(self.sources), "tone": self.tone_sum / max(self.size, 1),
                "tone_trend": list(self.tone_recent)}


@dataclass
class Assignment:
    event: Event
    score: float
    new: bool


def _normalise(vec: Vector) -> Vector:
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {t: w / norm for t, w in vec.items()}


def _top(vec: Vector, k: int) -> Vector:
    if len(vec) <= k:
        return vec
    return dict(sorted(vec.items(), key=lambda kv: -kv[1])[:k])


def cosine(a: Vector, b: Vector, b_norm: float | None = None) -> float:
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    dot = sum(w * get(t, 0.0) for t, w in a.items())
    if b_norm is None:
        b_norm = math.sqrt(sum(w * w for w in b.values())) or 1.0
    return dot / b_norm


class Vectorizer:
    """Term ids and incremental document frequencies (IDF uses only items seen so far)."""

    def __init__(self, rarity_floor: float = 3.0, org_floor: float = 1.0) -> None:
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(1024, dtype=np.float32)
        self.docs = 0
        self.rarity_floor = rarity_floor
        self.org_floor = org_floor

    def _ids(self, terms: list[str]) -> list[int]:
        vocab = self.vocab
        ids = []
        for t in terms:
            i = vocab.get(t)
            if i is None:
                i = vocab[t] = len(vocab)
                if i >= self.df.size:
                    self.df = np.concatenate([self.df, np.zeros(self.df.size, dtype=np.float32)])
            ids.append(i)
        return ids

    def observe(self, terms: list[str]) -> dict[int, int]:
        """Count the item into the document frequencies; return term id -> tf."""
        tf: dict[int, int] = {}
        for i in self._ids(terms):
            tf[i] = tf.get(i, 0) + 1
        self.docs += 1
        if tf:
            self.df[np.fromiter(tf.keys(), np.int64, len(tf))] += 1
        return tf

    def weigh(self, tf: dict[int, int], k: int) -> Vector:
        if not tf:
            return {}
        ids = np.fromiter(tf.keys(), np.int64, len(tf))
        counts = np.fromiter(tf.values(), np.float32, len(tf))
        idf = np.log((self.docs + 1.0) / (self.df[ids] + 1.0)) + 1.0
        w = (1.0 + np.log(counts)) * idf
        if w.size > k:
            keep = np.argpartition(-w, k)[:k]
            ids, w = ids[keep], w[keep]
        w /= float(np.sqrt((w * w).sum())) or 1.0
        return dict(zip(ids.tolist(), w.tolist()))

    def rarity(self, term: str, org: bool = False) -> float:
        """0 for a name in every item, 1 for a rare one: how much a shared name should count.
        Organisations get a floor: a listed company is a strong key even when much in the news."""
        i = self.vocab.get(("@" + term) if org else term)
        if i is None:
            return 1.0
        idf = math.log((self.docs + 1.0) / (float(self.df[i]) + 1.0))
        value = min(1.0, max(0.0, (idf - self.rarity_floor) / 2.0))
        return max(value, self.org_floor) if org else value

    def context(self, terms: list[str], k: int = 12) -> Vector:
        vocab = self.vocab
        tf: dict[int, int] = {}
        for t in terms:
            i = vocab.get(t)
            if i is not None:
                tf[i] = tf.get(i, 0) + 1
        return self.weigh(tf, k)


def _merge(ev: Event, vec: Vector, orgs: dict[str, tuple[Vector, bool]], time: float, event_terms: int) -> None:
    """Add one item's vectors to an event's centroid and organisation contexts."""
    ev.size += 1
    ev.last_time = max(ev.last_time, time)
    cen = ev.centroid
    for t, w in vec.items():
        cen[t] = cen.get(t, 0.0) + w
    if len(cen) > event_terms * 2:
        ev.centroid = cen = _top(cen, event_terms)
    ev.norm = math.sqrt(sum(w * w for w in cen.values())) or 1.0
    for k, (ctx, org) in orgs.items():
        slot = ev.orgs.setdefault(k, [0, {}, org])
        slot[0] += 1
        merged = slot[1]
        for t, w in ctx.items():
            merged[t] = merged.get(t, 0.0) + w
        if len(merged) > 32:
            slot[1] = _top(merged, 24)
    if len(ev.orgs) > 16:  # keep the organisations the event is really about
        ev.orgs = dict(sorted(ev.orgs.items(), key=lambda kv: -kv[1][0])[:8])


@dataclass
class ItemVectors:
    """An item as the clusterer sees it: the whole, and the context of each anchor (an
    organisation or another proper noun), with how much a shared anchor should count."""

    whole: Vector
    anchors: dict[str, Vector]
    parts: list[tuple[str, Vector, bool]]   # (anchor key, context vector, is organisation)
    rarity: dict[str, float]
    orgs_keys: set[str] = field(default_factory=set)


class Clusterer:
    def __init__(self, config: EngineConfig) -> None:
        self.cfg = config
        self.vectors = Vectorizer(config.rarity_floor, config.org_floor)
        self.events: OrderedDict[int, Event] = OrderedDict()   # least recently updated first
        self.postings: dict[object, list[Event]] = {}
        self.next_num = 0
        self.items = 0

    # -- scoring -----------------------------------------------------------------------------
    def _candidates(self, item: ItemVectors) -> list[Event]:
        vec = item.whole
        keys: list[object] = [f"@{k}" for k in item.anchors]
        keys += sorted(vec, key=vec.__getitem__, reverse=True)[: self.cfg.query_terms]
        seen: dict[int, Event] = {}
        tail = self.cfg.postings_tail
        for key in dict.fromkeys(keys):
            plist = self.postings.get(key)
            if plist:
                for ev in islice(reversed(plist), tail):
                    seen[ev.num] = ev
        events = self.events
        return [ev for num, ev in seen.items() if events.get(num) is ev]

    @staticmethod
    def _org_led(ev: Event) -> str | None:
        """The organisation an event is about, if one is named in at least half its items."""
        best = max(((c, k) for k, (c, _, org) in ev.orgs.items() if org), default=None)
        return best[1] if best and best[0] * 2 >= ev.size else None

    @staticmethod
    def _has_org(ev: Event) -> bool:
        """Names an organisation in more than a stray item (an event about one company is not
        joined by the same kind of news about another)."""
        return any(org and c * 4 >= ev.size for c, _, org in ev.orgs.values())

    def _score_whole(self, item: ItemVectors, ev: Event) -> float:
        s = cosine(item.whole, ev.centroid, ev.norm)
        best = 0.0
        for k, ctx in item.anchors.items():
            slot = ev.orgs.get(k)
            if slot is not None:
                share = min(1.0, slot[0] / ev.size)
                best = max(best, item.rarity[k] * share * (0.35 + 0.65 * cosine(ctx, slot[1])))
        if best:
            return s + self.cfg.entity_bonus * best
        if item.orgs_keys and self._has_org(ev):
            s -= self.cfg.entity_conflict
        return s

    def _score_part(self, key: str, vec: Vector, org: bool, rarity: float, ev: Event) -> float:
        s = cosine(vec, ev.centroid, ev.norm)
        slot = ev.orgs.get(key)
        if slot is not None:
            return s + self.cfg.entity_bonus * rarity * min(1.0, slot[0] / ev.size)
        if org and self._has_org(ev):
            return s - self.cfg.entity_conflict
        return s - self.cfg.window_penalty

    def score(self, item: ItemVectors, ev: Event) -> tuple[float, int]:
        """Best join score and which part matched: -1 the whole item, i >= 0 part i."""
        best, part = self._score_whole(item, ev), -1
        for i, (key, vec, org) in enumerate(item.parts):
            s = self._score_part(key, vec, org, item.rarity[key], ev)
            if s > best:
                best, part = s, i
        return best, part

    # -- updating ----------------------------------------------------------------------------
    def _index(self, ev: Event, key: object) -> None:
        if key not in ev.indexed:
            ev.indexed.add(key)
            self.postings.setdefault(key, []).append(ev)

    def _add(self, ev: Event, item: ItemVectors, part: int, time: float) -> None:
        """Join the whole item, or only the clause that matched (the rest of a run-together
        item is other news and would blur the event)."""
        if part < 0:
            vec, orgs = item.whole, {k: (v, k in item.orgs_keys) for k, v in item.anchors.items()}
        else:
            key, vec, org = item.parts[part]
            orgs = {key: (vec, org)}
        _merge(ev, vec, orgs, time, self.cfg.event_terms)
        for k in orgs:
            self._index(ev, f"@{k}")
        if len(ev.indexed) < 64:
            for t in sorted(vec, key=vec.__getitem__, reverse=True)[:4]:
                self._index(ev, t)
        self.events.move_to_end(ev.num)

    def similarity(self, a: ItemVectors, b: ItemVectors) -> float:
        """The join score of item b against an event made of item a alone (pair decisions)."""
        ev = Event(-1, "", "", 0.0, 0.0)
        _merge(ev, a.whole, {k: (v, k in a.orgs_keys) for k, v in a.anchors.items()}, 0.0, self.cfg.event_terms)
        return self.score(b, ev)[0]

    def _open(self, doc_id: str, label: str, time: float) -> Event:
        ev = Event(self.next_num, label[:80], doc_id, time, time)
        self.next_num += 1
        self.events[ev.num] = ev
        return ev

    def vectorize(self, terms: list[str], clauses: list[tuple[str, list[str], bool]]) -> ItemVectors:
        tf = self.vectors.observe(terms + ["@" + k for k, _, org in clauses if org])
        whole = self.vectors.weigh(tf, self.cfg.item_terms)
        if len(clauses) == 1:
            key, _, org = clauses[0]
            parts = [(key, whole, org)]
        else:
            parts = [(key, self.vectors.context(ts), org) for key, ts, org in clauses]
        rarity = {key: self.vectors.rarity(key, org) for key, _, org in clauses}
        item = ItemVectors(whole, {k: v for k, v, _ in parts}, parts if len(parts) > 1 else [], rarity)
        item.orgs_keys = {k for k, _, org in parts if org}
        return item

    def best(self, item: ItemVectors) -> tuple[Event | None, float, int]:
        best, best_score, best_part = None, -1.0, -1
        for ev in self._candidates(item):
            s, part = self.score(item, ev)
            if s > best_score:
                best, best_score, best_part = ev, s, part
        return best, best_score, best_part

    def assign(self, doc_id: str, label: str, time: float, terms: list[str],
               clauses: list[tuple[str | None, list[str]]], source: str | None = None) -> Assignment:
        self.items += 1
        item = self.vectorize(terms, clauses)
        ev, score, part = self.best(item)
        new = ev is None or score < self.cfg.join_threshold
        if new:
            ev, part = self._open(doc_id, label, time), -1
        assert ev is not None
        self._add(ev, item, part, time)
        if source:
            ev.sources[source] = ev.sources.get(source, 0) + 1
        if self.items % self.cfg.prune_every == 0:
            self.prune(time)
        return Assignment(ev, max(score, 0.0), new)
    def join(self, num: int, time: float, source: str | None = None) -> Event | None:
        """A duplicate joins the event of its first copy without moving the centroid."""
        ev = self.events.get(num)
        if ev is not None:
            ev.size += 1
            ev.last_time = max(ev.last_time, time)
            if source:
                ev.sources[source] = ev.sources.get(source, 0) + 1
            self.events.move_to_end(num)
        return ev

    def record_tone(self, ev: Event, time: float, tone: float) -> None:
        ev.tone_sum += tone
        ev.tone_recent.append((time, round(tone, 3)))
        if len(ev.tone_recent) > 16:
            del ev.tone_recent[:8]

    def prune(self, now: float) -> None:
        """Events untouched for a whole window age out; posting lists drop them lazily."""
        horizon = now - self.cfg.window_seconds
        while self.events:
            num, ev = next(iter(self.events.items()))
            if ev.last_time >= horizon:
                break
            del self.events[num]
        if self.items % (self.cfg.prune_every * 50) == 0:
            live = self.events
            self.postings = {k: v for k, v in ((k, [e for e in p if live.get(e.num) is e])
                                               for k, p in self.postings.items()) if v}
