"""The one place the monitor talks to ``qinglang.engine``.

The engine reads its watch list from a file and knows nothing of the database; this adapter
turns stored rows into what the engine wants (a watch list, ``Doc`` objects) and reads back what
it made (event labels). If the engine's API moves, only this module changes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import tempfile
import threading
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import rjieba
from django.db import DatabaseError
from django.utils.translation import gettext as _

from qinglang.engine import Doc, Engine, EngineConfig, normalize
from qinglang.engine.categories import load_taxonomy
from qinglang.engine.kinds import load_kinds
from qinglang.engine.pairs import PairDecision

log = logging.getLogger(__name__)
_WORD_RE = re.compile(r"\w", re.UNICODE)


def watchlist_rows() -> list[dict[str, Any]]:
    """The active watched entities with their aliases, in a stable order."""
    from qinglang.monitor.models import WatchedEntity

    rows = []
    for entity in WatchedEntity.objects.filter(active=True).prefetch_related("aliases").order_by("name"):
        aliases = sorted(a.alias for a in entity.aliases.all())
        rows.append({"id": entity.pk, "name": entity.name, "type": entity.type, "aliases": aliases})
    return rows


def watch_hash(rows: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def build_engine(rows: list[dict[str, Any]], snapshot_dir: Path) -> Engine:
    """A fresh engine for this watch list (the engine only takes a file, so write one)."""
    if not rows:
        return Engine(EngineConfig())
    rows = [{k: v for k, v in row.items() if k != "id"} for row in rows]
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", dir=snapshot_dir, delete=False, encoding="utf-8"
    ) as handle:
        json.dump(rows, handle, ensure_ascii=False)
        path = Path(handle.name)
    try:
        return Engine(EngineConfig(watchlist=path))
    finally:
        path.unlink(missing_ok=True)


def to_engine_doc(
    pk: int, text: str, title: str, published: datetime, source: str, author: str, url: str
) -> Doc:
    """The document as the engine sees it; the same values on replay give the same state."""
    return Doc(
        id=str(pk), text=text, time=published.timestamp(), title=title or None,
        source=source or None, author=author or None, url=url or None,
    )


_PAIRS_LOCK = threading.Lock()


PAIR_ENGINE_LABELS = 2_000   # recent event labels a new pair engine counts into its frequencies


@lru_cache(maxsize=1)
def _pair_engine() -> Engine:
    # An engine of its own in each web process, off the stream: it learns no frequencies from
    # the labels it compares, so it starts from the pair model's background counts (without
    # them every word weighs the same: held-out pairs F1 0.415 against 0.560 with them) and
    # the labels of the latest events (the city's own names are in many of them and in no
    # background: read as rare, sharing one would count as strong evidence).
    from qinglang.monitor.models import Event

    engine = Engine(EngineConfig(background_idf=True))
    try:
        engine.learn(Event.objects.order_by("-last_seen", "-pk").values_list("label", flat=True)[:PAIR_ENGINE_LABELS])
    except DatabaseError:   # suggestions from the background alone beat an error page
        log.exception("monitor: the pair engine could not read recent event labels")
    return engine


PAIR_ENGINE_RENEW = 50_000   # pairs decided before the pair engine starts afresh
_pair_calls = itertools.count(1)


def same_event(text_a: str, text_b: str) -> PairDecision:
    """The engine's same-event decision for two texts (event labels), with its reasons."""
    # built (a query and 2,000 labels read) before the lock, so other requests keep going
    engine = _pair_engine()
    with _PAIRS_LOCK:   # analysis learns names as it reads: one thread at a time
        if next(_pair_calls) % PAIR_ENGINE_RENEW == 0:
            _pair_engine.cache_clear()   # what it learned from labels must not grow for ever
        return engine.same_event(text_a, text_b)


@lru_cache(maxsize=1)
def _search_jieba() -> Any:
    # A plain dictionary, never extended: index and query must be cut the same way forever.
    return rjieba.Jieba()


def _words(tokens: list[str]) -> list[str]:
    return [t.lower() for t in tokens if _WORD_RE.search(t)]


def index_text(title: str, text: str) -> str:
    """Words for the full-text index: every word and the shorter words inside long ones."""
    folded = normalize(f"{title} {text}").text
    return " ".join(_words(_search_jieba().cut_for_search(folded)))


def query_words(query: str) -> list[str]:
    folded = normalize(query).text
    return list(dict.fromkeys(_words(_search_jieba().cut(folded))))


@lru_cache(maxsize=4)
def _taxonomy(path: Path, mtime: float) -> tuple[tuple[str, str, str], ...]:
    return tuple((c.code, c.name_zh, c.class_zh) for c in load_taxonomy(path))


@lru_cache(maxsize=4)
def _kinds(path: Path, mtime: float) -> tuple[tuple[str, str], ...]:
    return tuple((k.code, k.name_zh) for k in load_kinds(path))


def kinds() -> dict[str, str]:
    """Code -> Chinese name of every kind of news the engine tells events by
    (``engine/data/event_kinds.json``), read again whenever the office edits that file."""
    path = EngineConfig().event_kinds
    return dict(_kinds(path, path.stat().st_mtime))


def taxonomy() -> list[tuple[str, str, str]]:
    """(code, Chinese name, Chinese class name) of every harm category the engine classifies,
    read again whenever the office edits the taxonomy file."""
    path = EngineConfig().taxonomy
    return list(_taxonomy(path, path.stat().st_mtime))


def category_choices() -> list[tuple[str, str]]:
    """What an alert rule may match: a whole class (SMEAR) or one code (SMEAR.ASTROTURF)."""
    choices: list[tuple[str, str]] = []
    classes: set[str] = set()
    for code, name, class_name in taxonomy():
        prefix = code.split(".", 1)[0]
        if prefix not in classes:
            classes.add(prefix)
            choices.append((prefix, _("%(code)s %(name)s (whole class)") % {"code": prefix, "name": class_name}))
        choices.append((code, f"{code} {name}"))
    return choices
