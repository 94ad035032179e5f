"""The engine: stateless analysis of one item, then the stateful stream stages.

``Engine.analyze`` (normalize, segment, entities, sentiment, category rules) needs nothing but
the item and can run in parallel workers; ``Engine.process`` adds duplicates, events, bursts and
risk, which need the stream's past and therefore run in one place per partition.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .bursts import Burst, BurstDetector
from .categories import ASTROTURF, CategoryHit, Classifier, RuleClassifier, load_taxonomy
from .cluster import Clause, Clusterer, ItemVectors
from .config import EngineConfig
from .dedup import Deduplicator
from .entities import Clause as AnchorClause
from .entities import EntityFinder, Mention, anchors, load_watchlist
from .kinds import KindFinder, load_kinds
from .normalize import Normalized, clean_text, normalize
from .pairs import PairDecision, PairModel, Side, side
from .risk import Risk, assess
from .segment import Segmented, Segmenter, load_stopwords
from .sentiment import SentimentModel

SNAPSHOT_VERSION = 3
SNAPSHOT_KEYS = frozenset({"version", "known", "dedup", "clusterer", "bursts", "times"})
LEAD_LABEL_CHARS = 80   # an untitled item's label: its opening words
MIN_HEADLINE_CHARS = 10


class DocError(ValueError):
    """An input document that cannot be processed (the run goes on without it)."""


LATEST_TIME = 253402300799.0   # 9999-12-31T23:59:59Z; times past it are not dates anyone meant


@dataclass
class Doc:
    id: str
    text: str
    time: float
    title: str | None = None
    source: str | None = None
    author: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        self.id, self.text = clean_text(self.id), clean_text(self.text)
        for name in ("title", "source", "author", "url"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, clean_text(value))


def raw_text(doc: Doc) -> str:
    """What is analysed: the text, after the title when the text does not repeat it."""
    return f"{doc.title} {doc.text}" if doc.title and doc.title not in doc.text else doc.text


def headline(f: Features, start: int, end: int) -> str:
    """Characters start..end of the normalised text as the source wrote them (a reader
    recognises the source's own words), whitespace collapsed; the normalised text where the
    source had markup there."""
    text = f.norm.text
    end = min(end, len(text))
    while 0 < start < end and text[start - 1] == "*":  # *ST names are keyed without the star
        start -= 1
    while end > start and text[end - 1] == "*":        # ... so the next name's star is not ours
        end -= 1
    if end <= start:
        return ""
    to_orig = f.norm.to_original
    words = raw_text(f.doc)[to_orig(start):to_orig(end - 1) + 1]
    if "<" in words or "&" in words:
        words = text[start:end]
    return " ".join(words.split())


def parse_time(value: Any) -> float:
    if isinstance(value, bool):
        raise DocError("time must be epoch seconds or ISO 8601")
    if isinstance(value, (int, float)):
        try:
            return _epoch(float(value), value)
        except OverflowError:   # an integer of hundreds of digits
            raise DocError("time out of range") from None
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                return _epoch(float(value), value)
            except ValueError:
                raise DocError(f"bad time {value[:40]!r}") from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return stamp.timestamp()
    raise DocError("time must be epoch seconds or ISO 8601")


def _epoch(seconds: float, given: Any) -> float:
    """Epoch seconds that name a date (NaN, infinities and 1e300 do not, and would break the
    time buckets downstream)."""
    if not math.isfinite(seconds) or abs(seconds) > LATEST_TIME:
        raise DocError(f"time out of range {str(given)[:40]}")
    return seconds


def to_doc(row: Any, last_time: float = 0.0) -> Doc:
    """Validate one input object.  A missing time takes the previous item's (stream order)."""
    if not isinstance(row, dict):
        raise DocError("line is not a JSON object")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DocError("missing text")
    doc_id = row.get("id")
    if doc_id is None or isinstance(doc_id, (dict, list)):
        raise DocError("missing id")
    time = parse_time(row["time"]) if row.get("time") is not None else last_time
    opt = {k: (str(row[k]) if row.get(k) is not None else None) for k in ("title", "source", "author", "url")}
    return Doc(str(doc_id), text, time, **opt)


@dataclass
class Features:
    """Everything the stateless stage knows about one item."""

    doc: Doc
    norm: Normalized
    seg: Segmented
    mentions: list[Mention]
    tone: float
    entity_tones: dict[str, float]   # watched name -> tone of the text about it (score_about)
    categories: list[CategoryHit]
    # the entity tones read without the turns (refuted, put right) where that is worse: what risk
    # weighs, since a watched party's bad news read as good is the costlier mistake, and a
    # refuted rumour about a watched enterprise still wants a duty officer's look
    alarm_tones: dict[str, float] = field(default_factory=dict)
    # ... and the document's tone as worded (``tone`` reads the turns of its lead, which only
    # ever raise it), likewise
    worded_tone: float = 0.0


@dataclass
class Result:
    id: str
    event: str
    duplicate_of: str | None
    sentiment: float
    entities: list[dict[str, Any]]
    categories: list[str]
    risk: Risk
    new_event: bool = False
    bursts: list[Burst] = field(default_factory=list)
    kind: str | None = None   # kind of news of the event after this item (data/event_kinds.json)
    label: str = ""           # the event's label after this item (its most representative headline)
    entity_tones: dict[str, float] = field(default_factory=dict)  # watched name -> tone about it
    # ... and the lower of that and the words read as they are (Features.alarm_tones): what to
    # alert on, since a turn misread (bad news taken for a refuted or settled one) costs more
    alarm_tones: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "event": self.event, "duplicate_of": self.duplicate_of,
                "sentiment": round(self.sentiment, 4), "entities": self.entities,
                "categories": self.categories, "risk": self.risk.to_dict()}


class Engine:
    def __init__(self, config: EngineConfig | None = None, classifiers: Iterable[Classifier] = ()) -> None:
        self.cfg = config or EngineConfig()
        self.segmenter = Segmenter(load_stopwords(self.cfg.stopwords))
        watched = load_watchlist(self.cfg.watchlist) if self.cfg.watchlist else []
        kinds = load_kinds(self.cfg.event_kinds)
        self.entities = EntityFinder(watched, self.segmenter, frozenset(cue for k in kinds for cue in k.cues))
        self.rules = RuleClassifier(load_taxonomy(self.cfg.taxonomy))
        self.kinds = KindFinder(kinds)
        self.classifiers: list[Classifier] = [self.rules, *classifiers]
        self.sentiment = SentimentModel.load()
        self._pairs: PairModel | None = None   # loaded when first asked
        self.dedup = Deduplicator(self.cfg)
        self.clusterer = Clusterer(self.cfg)
        if self.cfg.background_idf:
            self.clusterer.vectors.seed(*self.pairs.background)
        self.bursts = BurstDetector(self.cfg)
        self._times: list[tuple[int, float]] = []  # (seq, time) samples for window pruning

    # -- stateless ---------------------------------------------------------------------------
    def analyze(self, doc: Doc) -> Features:
        norm = normalize(raw_text(doc))
        seg = self.segmenter.cut(norm.text, self.cfg.cluster_chars)
        mentions = self.entities.find(norm.text, seg)
        model = self.sentiment.for_text(norm.text, doc.source)   # social posts with their post shifts
        tone, worded = self.sentiment.document_tones(seg.tokens, seg.starts, norm.text, doc.source, model)
        # each watched party on its own: one item often praises one and blames another
        watched: dict[str, list[tuple[int, int]]] = {}
        for m in mentions:
            if m.watched:
                watched.setdefault(m.name, []).append((m.start, m.end))
        # the other parties: organisations and people, not places (清溪市环保局通报其… is about
        # the party the sentence calls 其, not about the city)
        parties = [m for m in mentions if m.type != "place"]
        entity_tones, alarm_tones = {}, {}
        for name, spans in watched.items():
            others = [(m.start, m.end) for m in parties if m.name != name]
            entity_tones[name] = float(model.score_about(seg.tokens, seg.starts, spans, others))
            plain = float(model.score_about(seg.tokens, seg.starts, spans, others, turns=False))
            if model is not self.sentiment:
                # a complaint the post shifts read milder (they learned praise from the words of
                # problems put right) still raises what the shared weights raise
                plain = min(plain, self.sentiment.score_about(seg.tokens, seg.starts, spans, others, turns=False))
            alarm_tones[name] = min(plain, entity_tones[name])
        hits: list[CategoryHit] = []
        for clf in self.classifiers:
            hits += clf.classify(norm.text, seg.tokens, mentions)
        return Features(doc, norm, seg, mentions, tone, entity_tones, hits, alarm_tones, worded)

    # -- stateful ----------------------------------------------------------------------------
    def process(self, docs: Iterable[Doc | dict[str, Any]]) -> Iterator[Result]:
        last = 0.0
        for item in docs:
            doc = item if isinstance(item, Doc) else to_doc(item, last)
            last = doc.time
            yield self.process_one(doc)

    def process_one(self, doc: Doc) -> Result:
        feats = self.analyze(doc)
        return self.assign(feats)

    def assign(self, f: Features) -> Result:
        doc = f.doc
        dup = self.dedup.check(f.norm.text, doc.time, doc.author, doc.id)
        event = None
        new = False
        if dup.duplicate_of is not None and self.dedup.event_of(dup.root_seq) >= 0:
            event = self.clusterer.join(self.dedup.event_of(dup.root_seq), doc.time, doc.source)
        if event is None:
            found = self._anchors(f)
            parts = [self._clause(f.norm.text, c) for c in found]
            # a title is the headline; else the item's opening words, and its clause about each
            # organisation it names (items often run several headlines together)
            label = doc.title or headline(f, 0, LEAD_LABEL_CHARS)
            labels = {} if doc.title else self._headlines(f, found)
            got = self.clusterer.assign(doc.id, label, doc.time, self._lead_terms(f), parts, doc.source, labels)
            event, new = got.event, got.new
            if dup.duplicate_of is None:
                self.dedup.set_event(dup.root_seq, event.num)
        self.clusterer.record_tone(event, doc.time, f.tone)
        cats = list(f.categories)
        if dup.astroturf and not any(h.code == ASTROTURF for h in cats):
            cats.append(CategoryHit(ASTROTURF, f"{dup.group_authors} 个不同账号短时间内发布近似内容"))
        bursts = [self.bursts.observe(event.id, doc.time)]
        for name in sorted({m.name for m in f.mentions if m.watched}):
            bursts.append(self.bursts.observe(name, doc.time))
        risk = assess(self.cfg, f.mentions, f.worded_tone, f.alarm_tones, cats, bursts, doc.source)
        self._maybe_prune(self.dedup.seq - 1, doc.time)
        return Result(doc.id, event.id, dup.duplicate_of, f.tone, self._entities(f), sorted({h.code for h in cats}),
                      risk, new, bursts, event.kind, event.label, f.entity_tones, f.alarm_tones)

    def _lead_terms(self, f: Features) -> list[str]:
        """Events are matched on the headline and lead (first `cluster_chars` characters)."""
        return f.seg.terms

    def _anchors(self, f: Features) -> list[AnchorClause]:
        cfg = self.cfg
        return anchors(f.mentions, f.seg, self.segmenter.proper, limit=cfg.max_anchors, lead=cfg.cluster_chars)

    def _clause(self, text: str, c: AnchorClause) -> Clause:
        """An anchor with the words of its clause; an organisation with the kind of news too."""
        return (c.key, c.terms, c.org, self.kinds.find(text[c.span[0]:c.span[1]]) if c.org else None)

    def _clauses(self, f: Features) -> list[Clause]:
        return [self._clause(f.norm.text, c) for c in self._anchors(f)]

    @staticmethod
    def _headlines(f: Features, found: list[AnchorClause]) -> dict[str, str]:
        """Each named organisation's headline in a run-together item: its clause, from its name
        to the next organisation's; a clause cut short by a name found right after it is no
        headline."""
        lines = {c.key: headline(f, *c.span) for c in found if c.org}
        return {key: line for key, line in lines.items() if len(line) >= MIN_HEADLINE_CHARS}

    def _entities(self, f: Features) -> list[dict[str, Any]]:
        to_orig = f.norm.to_original
        return [{"name": m.name, "type": m.type, "start": to_orig(m.start), "end": to_orig(m.end - 1) + 1}
                for m in f.mentions]

    def _maybe_prune(self, seq: int, time: float) -> None:
        """Every prune_every items: forget copies older than the duplicate window and burst
        series that went quiet (bounded memory; events age out in the clusterer)."""
        if seq % self.cfg.prune_every:
            return
        self._times.append((seq, time))
        horizon = time - self.cfg.dedup_window_seconds
        old = [s for s, t in self._times if t < horizon]
        if not old:
            return
        min_seq = max(old)
        self._times = [(s, t) for s, t in self._times if s > min_seq]
        self.dedup.prune(min_seq)
        self.bursts.prune(time)

    # -- pairs -------------------------------------------------------------------------------
    def same_event(self, text_a: str, text_b: str, learn: bool = False) -> PairDecision:
        """Do the two texts tell the same event?  Probability, decision and reasons from the
        shipped pair model (see ``pairs.py``)."""
        return self.pairs.decide(*self.pair_inputs(text_a, text_b, learn), self.clusterer.vectors.idf)

    @property
    def pairs(self) -> PairModel:
        """The shipped same-event model, loaded when first asked."""
        if self._pairs is None:
            self._pairs = PairModel.load()
        return self._pairs

    def learn(self, texts: Iterable[str]) -> int:
        """Count texts into the term frequencies as items of the stream would be, without
        clustering them: an engine that only compares texts learns what is common where it
        works (a city's own names are in half its news, and in no background).  Returns how
        many were read."""
        read = 0
        for text in texts:
            self._pair_side(text, learn=True)
            read += 1
        return read

    def pair_inputs(self, text_a: str, text_b: str, learn: bool = False) -> tuple[Side, Side, tuple[float, float]]:
        """Both texts as the pair model reads them, and the clusterer's join score each way.
        ``learn=True`` counts the texts into the stream's term frequencies, as items of the
        stream would be (the evaluation does that); by default those stay as they are, though
        organisations the texts name are still learned, as from any text the engine reads."""
        (a, vec_a), (b, vec_b) = self._pair_side(text_a, learn), self._pair_side(text_b, learn)
        return a, b, (self.clusterer.similarity(vec_a, vec_b), self.clusterer.similarity(vec_b, vec_a))

    def _pair_side(self, text: str, learn: bool) -> tuple[Side, ItemVectors]:
        f = self.analyze(Doc("pair", text, 0.0))
        vec = self.clusterer.vectorize(self._lead_terms(f), self._clauses(f), learn)
        proper = frozenset(self.segmenter.proper.intersection(f.seg.tokens))
        return side(f.norm.text, frozenset(f.seg.terms), proper), vec

    # -- events ------------------------------------------------------------------------------
    def events(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Live events, most recently updated first: label, first poster, size, sources, tone
        trend and the current burst reading of each."""
        out = []
        for ev in reversed(self.clusterer.events.values()):
            summary = ev.summary()
            summary["top_terms"] = self.clusterer.vectors.top_terms(ev.centroid)
            series = self.bursts.series.get(ev.id)
            summary["last_bucket_count"] = series[-1][1] if series else 0
            out.append(summary)
            if limit is not None and len(out) >= limit:
                break
        return out

    # -- snapshot ----------------------------------------------------------------------------
    def snapshot(self, path: Path) -> None:
        """Save the stream state so a restart does not reprocess history.  Pickle: only load
        snapshots this engine wrote (they are trusted local files, never user input)."""
        state = {"version": SNAPSHOT_VERSION, "known": self.entities.state(), "forms": self.entities.forms,
                 "dedup": self.dedup, "clusterer": self.clusterer, "bursts": self.bursts, "times": self._times}
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    def restore(self, path: Path) -> None:
        with path.open("rb") as fh:
            try:
                state = pickle.load(fh)  # noqa: S301 - our own snapshot, see snapshot()
            except Exception as exc:  # unpickling garbage can raise almost anything
                raise ValueError(f"{path}: not a snapshot this engine wrote ({type(exc).__name__})") from exc
        if not isinstance(state, dict) or not state.keys() >= SNAPSHOT_KEYS:
            raise ValueError(f"{path}: not a snapshot this engine wrote")
        version = state.get("version")
        if version not in (1, 2, SNAPSHOT_VERSION):
            raise ValueError(f"snapshot version {version} != {SNAPSHOT_VERSION}")
        for ev in state["clusterer"].events.values():
            if version == 1:  # anchor slots gained the kinds of news seen (none yet)
                for slot in ev.orgs.values():
                    slot.append({})
            if version < 3:  # events gained how typical their label's item is (not yet known)
                ev.label_score, ev.opener_labels = -1.0, None
        if version < 3:  # posting lists held events, now their numbers
            postings = state["clusterer"].postings
            for key, plist in postings.items():
                postings[key] = [ev.num for ev in plist]
        self.entities.restore(state["known"], state.get("forms"))  # older snapshots kept no forms
        self.dedup, self.clusterer, self.bursts = state["dedup"], state["clusterer"], state["bursts"]
        self.dedup.cfg = self.clusterer.cfg = self.bursts.cfg = self.cfg
        self._times = state["times"]
