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
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import itemgetter, mul
from typing import Any

from .config import EngineConfig

Vector = dict[int, float]
LABEL_CHARS = 200   # an event's label is a headline: at most this long
# An anchor of an item as the clusterer is given it: key (stock code or name), the content terms
# of its clause, whether it is an organisation, and the kind of news its clause tells (or None).
Clause = tuple[str, list[str], bool, str | None]


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
    # anchor -> [count, context, is org, {kind of news: count}]
    orgs: dict[str, list[Any]] = field(default_factory=dict)
    indexed: set[object] = field(default_factory=set)         # posting keys it is listed under
    sources: dict[str, int] = field(default_factory=dict)
    tone_sum: float = 0.0
    tone_recent: list[tuple[float, float]] = field(default_factory=list)  # last few (time, tone)
    org_checked: int = -1
    org_flag: bool = False
    name_flag: bool = False
    # The label is the headline of the member most like the event when it joined: its join
    # score (-1 until a second item shows how typical the first is), and, until then, the
    # first item's headline about each organisation it names (see Clusterer._relabel).
    label_score: float = -1.0
    opener_labels: dict[str, str] | None = None

    @property
    def id(self) -> str:
        return f"e{self.num:07d}"

    @property
    def kind(self) -> str | None:
        """The kind of news the event tells about the organisation it names most, if settled."""
        slot = self.orgs.get(main_anchor(self) or "")
        return settled_kind(slot[3]) if slot is not None and slot[2] else None

    def summary(self) -> dict[str, object]:
        return {"id": self.id, "label": self.label, "first_id": self.first_id, "size": self.size, "kind": self.kind,
                "first_time": self.first_time, "last_time": self.last_time,
                "sources": dict(self.sources), "tone": self.tone_sum / max(self.size, 1),
                "tone_trend": list(self.tone_recent)}


def main_anchor(ev: Event) -> str | None:
    """The organisation most of the event's items name (else its most named proper noun)."""
    if not ev.orgs:
        return None
    return max(ev.orgs, key=lambda k: (ev.orgs[k][2], ev.orgs[k][0]))


def settled_kind(kinds: dict[str, int]) -> str | None:
    """The kind most clauses tell, if more than half of those with a kind tell it."""
    if not kinds:
        return None
    top = max(kinds, key=kinds.__getitem__)
    return top if kinds[top] * 2 > sum(kinds.values()) else None


@dataclass
class Assignment:
    event: Event
    score: float
    new: bool


def _normalise(vec: Vector) -> Vector:
    norm = math.hypot(*vec.values()) or 1.0
    return {t: w / norm for t, w in vec.items()}


def _top(vec: Vector, k: int) -> Vector:
    """The k heaviest entries (ties in insertion order).  A sort, not heapq.nlargest: for the
    few dozen entries of an item it is 3x faster, with the same result."""
    if len(vec) <= k:
        return vec
    return dict(sorted(vec.items(), key=itemgetter(1), reverse=True)[:k])


def cosine(a: Vector, b: Vector, b_norm: float | None = None) -> float:
    if len(a) > len(b):
        a, b = b, a
    # map/mul walk both dicts in C: a generator expression here was the clusterer's hottest line
    dot: float = sum(map(mul, a.values(), map(b.get, a, repeat(0.0))))
    if b_norm is None:
        b_norm = math.hypot(*b.values()) or 1.0
    return dot / b_norm


_TF = [0.0] + [1.0 + math.log(c) for c in range(1, 256)]   # sublinear tf, precomputed


class Vectorizer:
    """Term ids and incremental document frequencies (IDF uses only items seen so far).

    Plain lists and dicts: per item this touches ~50 distinct terms, where numpy's per-call
    overhead costs more than the arithmetic."""

    def __init__(self, rarity_floor: float = 3.0, org_floor: float = 1.0) -> None:
        self.vocab: dict[str, int] = {}
        self.words: list[str] = []      # id -> term, for event labels
        self.df: list[int] = []
        self.log_df: list[float] = []   # log(df + 1), kept in step with df
        self.docs = 0
        self.rarity_floor = rarity_floor
        self.org_floor = org_floor

    def observe(self, terms: list[str], learn: bool = True) -> dict[int, int]:
        """Count the item into the document frequencies; return term id -> tf.  With
        ``learn=False`` the frequencies stay as they are (a text looked at, not streamed)."""
        vocab, df, log_df = self.vocab, self.df, self.log_df
        tf: dict[int, int] = {}
        for term, count in Counter(terms).items():
            i = vocab.get(term)
            if i is None:
                i = self._new_term(term)
            if learn:
                df[i] += 1
                log_df[i] = math.log(df[i] + 1)
            tf[i] = count
        self.docs += learn
        return tf

    def _new_term(self, term: str) -> int:
        i = self.vocab[term] = len(self.df)
        self.words.append(term)
        self.df.append(0)
        self.log_df.append(0.0)
        return i

    def seed(self, docs: int, df: Mapping[str, int]) -> None:
        """Start from background counts (``docs`` texts, ``df`` of their terms) as if those
        texts had been streamed: for an engine that judges pairs of texts without a stream to
        learn from, where every term would otherwise weigh the same.  Not for a clustering
        stream: its own frequencies are what separate its stories (see EngineConfig)."""
        for term in sorted(df):
            i = self.vocab.get(term)
            if i is None:
                i = self._new_term(term)
            self.df[i] += df[term]
            self.log_df[i] = math.log(self.df[i] + 1)
        self.docs += docs

    def idf(self, term: str) -> float:
        """log(N + 1) + 1 - log(df + 1) over the items seen so far, as ``weigh`` uses it (the
        + 1 keeps every term worth something before the stream has taught any frequencies)."""
        i = self.vocab.get(term)
        return math.log(self.docs + 1.0) + 1.0 - (self.log_df[i] if i is not None else 0.0)

    def weigh(self, tf: dict[int, int], k: int) -> Vector:
        """TF-IDF, top k terms, unit length."""
        if not tf:
            return {}
        log_n = math.log(self.docs + 1.0) + 1.0
        log_df = self.log_df
        w = {i: _TF[min(c, 255)] * (log_n - log_df[i]) for i, c in tf.items()}
        w = _top(w, k)
        norm = math.hypot(*w.values()) or 1.0
        return {i: x / norm for i, x in w.items()}

    def top_terms(self, vec: Vector, k: int = 5) -> list[str]:
        """Readable top terms (organisation keys, counted as "@code" pseudo-terms, left out)."""
        ranked = sorted(vec, key=vec.__getitem__, reverse=True)[: k + 4]
        return [w for w in map(self.words.__getitem__, ranked) if not w.startswith("@")][:k]

    def rarity(self, term: str, org: bool = False) -> float:
        """0 for a name in every item, 1 for a rare one: how much a shared name should count.
        Organisations get a floor: a listed company is a strong key even when much in the news."""
        i = self.vocab.get(("@" + term) if org else term)
        if i is None:
            return 1.0
        idf = math.log(self.docs + 1.0) - self.log_df[i]
        value = min(1.0, max(0.0, (idf - self.rarity_floor) / 2.0))
        return max(value, self.org_floor) if org else value

    def context(self, terms: list[str], k: int = 12) -> Vector:
        """IDF-weighted, unit-length vector of a clause (terms already counted by observe)."""
        vocab, log_df = self.vocab, self.log_df
        log_n = math.log(self.docs + 1.0) + 1.0
        w: Vector = {}
        for t in terms:
            i = vocab.get(t)
            if i is not None:
                w[i] = w.get(i, 0.0) + log_n - log_df[i]
        w = _top(w, k)
        norm = math.hypot(*w.values()) or 1.0
        return {i: x / norm for i, x in w.items()}


def _merge(ev: Event, vec: Vector, orgs: dict[str, tuple[Vector, bool, str | None]], time: float,
           event_terms: int) -> None:
    """Add one item's vectors to an event's centroid and organisation contexts."""
    ev.size += 1
    ev.last_time = max(ev.last_time, time)
    cen = ev.centroid
    for t, w in vec.items():
        cen[t] = cen.get(t, 0.0) + w
    if len(cen) > event_terms * 2:
        ev.centroid = cen = _top(cen, event_terms)
    ev.norm = math.hypot(*cen.values()) or 1.0
    for k, (ctx, org, kind) in orgs.items():
        slot = ev.orgs.setdefault(k, [0, {}, org, {}])
        slot[0] += 1
        if kind:
            slot[3][kind] = slot[3].get(kind, 0) + 1
        merged = slot[1]
        for t, w in ctx.items():
            merged[t] = merged.get(t, 0.0) + w
        if len(merged) > 24:
            slot[1] = _top(merged, 12)
    if len(ev.orgs) > 12:  # keep the anchors the event is really about (bounded memory)
        ev.orgs = dict(sorted(ev.orgs.items(), key=lambda kv: -kv[1][0])[:6])


@dataclass
class ItemVectors:
    """An item as the clusterer sees it: the whole, and the context of each anchor (an
    organisation or another proper noun), with how much a shared anchor should count."""

    whole: Vector
    anchors: dict[str, Vector]
    parts: list[tuple[str, Vector, bool]]   # (anchor key, context vector, is organisation)
    rarity: dict[str, float]
    orgs_keys: set[str] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)   # anchor -> kind of news, where known


class Clusterer:
    def __init__(self, config: EngineConfig) -> None:
        self.cfg = config
        self.vectors = Vectorizer(config.rarity_floor, config.org_floor)
        self.events: OrderedDict[int, Event] = OrderedDict()   # least recently updated first
        # posting key (term id or "@anchor") -> numbers of the events listed under it, oldest
        # first; numbers rather than events, so an event that ages out is freed at once
        self.postings: dict[object, list[int]] = {}
        self.next_num = 0
        self.items = 0
        self._sweep: list[object] = []   # posting keys still to check in the current sweep

    # -- scoring -----------------------------------------------------------------------------
    def _candidates(self, item: ItemVectors) -> list[Event]:
        """Events sharing the item's anchors or top terms, best `max_candidates` by the weight
        they share.  Posting lists are read from the newest end and cut at `postings_tail`, so
        the work is bounded whatever the window holds."""
        vec = item.whole
        keys: list[tuple[object, float]] = [(f"@{k}", 1.0) for k in item.anchors]
        keys += [(t, vec[t]) for t in sorted(vec, key=vec.__getitem__, reverse=True)[: self.cfg.query_terms]]
        acc: dict[int, float] = {}
        shared = acc.get
        tail = self.cfg.postings_tail
        for key, weight in keys:
            plist = self.postings.get(key)
            if plist:
                for num in islice(reversed(plist), tail):
                    acc[num] = shared(num, 0.0) + weight
        # Event numbers are never reused, so an event that aged out is simply not in `events`:
        # only the best-ranked numbers are checked, not every posting read.
        events = self.events
        ranked = sorted(acc, key=acc.__getitem__, reverse=True)
        return [events[num] for num in islice((n for n in ranked if n in events), self.cfg.max_candidates)]

    @staticmethod
    def _has_org(ev: Event) -> bool:
        """Names an organisation in more than a stray item (an event about one company is not
        joined by the same kind of news about another).  Cached per event size."""
        if ev.org_checked != ev.size:
            ev.org_checked = ev.size
            ev.org_flag = any(org and c * 4 >= ev.size for c, _, org, _ in ev.orgs.values())
            ev.name_flag = any(not org and c * 2 >= ev.size > 1 for c, _, org, _ in ev.orgs.values())
        return ev.org_flag

    def _led_by_name(self, ev: Event) -> bool:
        """An event most of whose items name the same place or brand (评级下调 of one country)."""
        self._has_org(ev)
        return ev.name_flag

    def _score_whole(self, item: ItemVectors, ev: Event) -> float:
        s = cosine(item.whole, ev.centroid, ev.norm)
        best = 0.0
        for k, ctx in item.anchors.items():
            slot = ev.orgs.get(k)
            if slot is not None:
                share = slot[0] / (ev.size + self.cfg.share_prior)
                fit = self.cfg.anchor_floor + (1 - self.cfg.anchor_floor) * cosine(ctx, slot[1])
                best = max(best, item.rarity[k] * share * self._by_kind(slot, item.kinds.get(k), fit))
        if best:
            return s + self.cfg.entity_bonus * best
        if item.orgs_keys and self._has_org(ev):
            s -= self.cfg.entity_conflict
        elif self._led_by_name(ev) and any(r >= 0.5 for k, r in item.rarity.items() if k not in item.orgs_keys):
            s -= self.cfg.name_conflict
        return s

    def _by_kind(self, slot: list[Any], kind: str | None, fit: float) -> float:
        """An anchor's fit, decided by the kind of news where both sides know it: the event's
        clauses about this organisation mostly tell one kind, and the item's clause tells that
        kind (the same event) or another (most likely another event about the same company)."""
        top = settled_kind(slot[3]) if kind else None
        if top is None:
            return fit  # the item's clause or the event has no kind for it
        return self.cfg.kind_same if kind == top else self.cfg.kind_other * fit

    def _score_part(self, key: str, vec: Vector, rarity: float, ev: Event, kind: str | None) -> float:
        """One clause of a run-together item against an event that knows its anchor."""
        s = cosine(vec, ev.centroid, ev.norm)
        slot = ev.orgs[key]
        fit = self._by_kind(slot, kind, 1.0)
        return s + self.cfg.entity_bonus * rarity * fit * float(slot[0]) / (ev.size + self.cfg.share_prior)

    def score(self, item: ItemVectors, ev: Event) -> tuple[float, int]:
        """Best join score and which part matched: -1 the whole item, i >= 0 part i.  Only
        parts around an anchor the event knows are scored on their own (bounded work)."""
        best, part = self._score_whole(item, ev), -1
        known = ev.orgs
        for i, (key, vec, _org) in enumerate(item.parts):
            if key not in known:
                continue
            s = self._score_part(key, vec, item.rarity[key], ev, item.kinds.get(key))
            if s > best:
                best, part = s, i
        return best, part

    # -- updating ----------------------------------------------------------------------------
    def _index(self, ev: Event, key: object) -> None:
        if key not in ev.indexed:
            ev.indexed.add(key)
            plist = self.postings.setdefault(key, [])
            plist.append(ev.num)
            # only the newest `postings_tail` entries are ever read: older ones are dead weight
            if len(plist) > 2 * self.cfg.postings_tail:
                del plist[: -self.cfg.postings_tail]

    def _add(self, ev: Event, item: ItemVectors, part: int, time: float) -> None:
        """Join the whole item, or only the clause that matched (the rest of a run-together
        item is other news and would blur the event)."""
        if part < 0:
            vec, orgs = item.whole, self._anchor_slots(item)
        else:
            key, vec, org = item.parts[part]
            orgs = {key: (vec, org, item.kinds.get(key))}
        _merge(ev, vec, orgs, time, self.cfg.event_terms)
        for k in orgs:
            self._index(ev, f"@{k}")
        if len(ev.indexed) < 24:
            for t in sorted(vec, key=vec.__getitem__, reverse=True)[:4]:
                self._index(ev, t)
        self.events.move_to_end(ev.num)

    def similarity(self, a: ItemVectors, b: ItemVectors) -> float:
        """The join score of item b against an event made of item a alone (pair decisions)."""
        ev = Event(-1, "", "", 0.0, 0.0)
        _merge(ev, a.whole, self._anchor_slots(a), 0.0, self.cfg.event_terms)
        return self.score(b, ev)[0]

    @staticmethod
    def _anchor_slots(item: ItemVectors) -> dict[str, tuple[Vector, bool, str | None]]:
        return {k: (v, k in item.orgs_keys, item.kinds.get(k)) for k, v in item.anchors.items()}

    def _open(self, doc_id: str, label: str, time: float, labels: dict[str, str]) -> Event:
        ev = Event(self.next_num, label[:LABEL_CHARS], doc_id, time, time, opener_labels=labels or None)
        self.next_num += 1
        self.events[ev.num] = ev
        return ev

    def vectorize(self, terms: list[str], clauses: list[Clause], learn: bool = True) -> ItemVectors:
        # organisation keys count as pseudo-terms: a stock code shared by two items is a word
        # they share (and gives the key a document frequency for its rarity)
        tf = self.vectors.observe(terms + ["@" + k for k, _, org, _ in clauses if org], learn)
        whole = self.vectors.weigh(tf, self.cfg.item_terms)
        if len(clauses) == 1:
            key, _, org, _ = clauses[0]
            parts = [(key, whole, org)]
        else:
            parts = [(key, self.vectors.context(ts), org) for key, ts, org, _ in clauses]
        kinds = {key: kind for key, _, _, kind in clauses if kind}
        # where some organisation's clause tells a kind of news, those whose clauses tell none
        # are the routine headlines beside the news: they count less (EngineConfig.routine_share)
        routine = self.cfg.routine_share if kinds else 1.0
        rarity = {key: self.vectors.rarity(key, org) * (routine if org and key not in kinds else 1.0)
                  for key, _, org, _ in clauses}
        item = ItemVectors(whole, {k: v for k, v, _ in parts}, parts if len(parts) > 1 else [], rarity, kinds=kinds)
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
               clauses: list[Clause], source: str | None = None,
               labels: dict[str, str] | None = None) -> Assignment:
        """Join the item to its best event or open one.  ``label`` is the item's headline and
        ``labels`` its headline about each organisation it names (for run-together items)."""
        self.items += 1
        labels = labels or {}
        item = self.vectorize(terms, clauses)
        ev, score, part = self.best(item)
        new = ev is None or score < self.cfg.join_threshold
        if new:
            ev, part = self._open(doc_id, label, time, labels), -1
        assert ev is not None
        self._add(ev, item, part, time)
        if not new:
            self._relabel(ev, score, item.parts[part][0] if part >= 0 else None, label, labels)
        if source:
            ev.sources[source] = ev.sources.get(source, 0) + 1
        if self.items % self.cfg.prune_every == 0:
            self.prune(time)
        return Assignment(ev, max(score, 0.0), new)

    def _relabel(self, ev: Event, score: float, key: str | None, label: str, labels: dict[str, str]) -> None:
        """Keep as label the most representative headline so far: that of the member that was
        most like the event when it joined.  When items run several headlines together, only
        the headline about the organisation the event is about (the clause that matched, or
        the event's main organisation) is taken."""
        key = key or main_anchor(ev)
        if ev.label_score < 0:  # the first join: the opener is as like the event as this item
            ev.label_score = score
            if ev.opener_labels and key in ev.opener_labels:
                ev.label = ev.opener_labels[key][:LABEL_CHARS]
            ev.opener_labels = None
        elif score > ev.label_score:
            # an item with headlines about organisations, none of them the event's, has no
            # headline of the event to give
            line = labels.get(key) if labels and key else label
            if line:
                ev.label_score, ev.label = score, line[:LABEL_CHARS]

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
        if len(ev.tone_recent) > 8:
            del ev.tone_recent[:4]

    def prune(self, now: float) -> None:
        """Events untouched for a whole window age out, and beyond `max_events` the least
        recently updated go first (memory stays bounded however busy the window is); posting
        lists drop them lazily."""
        horizon = now - self.cfg.window_seconds
        events = self.events
        while events:
            num, ev = next(iter(events.items()))
            if ev.last_time >= horizon and len(events) <= self.cfg.max_events:
                break
            del events[num]
        self._sweep_postings()

    def _sweep_postings(self, batch: int = 2000) -> None:
        """Drop posting lists whose events all aged out, a batch of keys per prune: a full
        pass over every key at once would stall the stream for seconds in a big window."""
        if not self._sweep:
            self._sweep = list(self.postings)
        live = self.events
        for key in self._sweep[-batch:]:
            plist = self.postings.get(key)
            if plist is not None and live.keys().isdisjoint(plist):
                del self.postings[key]
        del self._sweep[-batch:]
