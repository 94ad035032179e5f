"""Stage 8: harm-to-enterprise categories from editable rules, with a classifier hook.

The taxonomy (``data/taxonomy.json``) is data: offices add, rename and retire categories without
touching code.  One pass finds every phrase and cue of every category; regex patterns (e.g.
删帖 near a price) run only for categories whose words are present, so a clean item costs one
scan.  A hit is a lead for a person, never a sanction: every hit carries the words that raised
it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .entities import Mention
from .normalize import fold

ASTROTURF = "SMEAR.ASTROTURF"


@dataclass(frozen=True)
class CategoryHit:
    code: str
    reason: str


@dataclass
class Category:
    code: str
    name_zh: str
    name_en: str
    class_zh: str = ""
    description: str = ""
    phrases: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    with_entity: bool = False
    min_cues: int = 99
    structural: bool = False


class Classifier(Protocol):
    """Interface for learned classifiers added next to the rules (see ``EngineConfig``)."""

    def classify(self, text: str, tokens: list[str], mentions: list[Mention]) -> list[CategoryHit]: ...


def load_taxonomy(path: Path) -> list[Category]:
    """The harm categories (``data/taxonomy.json`` or an office's own file); what is wrong in
    an edited file is said with the file and the category."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    rows = data.get("categories") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a list of categories")
    cats = []
    for n, row in enumerate(rows, 1):
        try:
            cats.append(_category(row))
        except (KeyError, TypeError, AttributeError, ValueError, re.error) as exc:
            code = row.get("code", "?") if isinstance(row, dict) else "?"
            raise ValueError(f"{path}: category {n} ({code}): {type(exc).__name__}: {exc}") from None
    return cats


def _category(row: dict[str, Any]) -> Category:
    return Category(
        code=row["code"], name_zh=row.get("name_zh", ""), name_en=row.get("name_en", ""),
        class_zh=row.get("class_zh", ""), description=row.get("description", ""),
        phrases=[fold(p) for p in row.get("phrases", [])], cues=[fold(c) for c in row.get("cues", [])],
        patterns=[re.compile(p) for p in row.get("patterns", [])],
        with_entity=bool(row.get("with_entity", False)), min_cues=int(row.get("min_cues", 99)),
        structural=bool(row.get("structural", False)),
    )


_PLANE = 0x30000


class RuleClassifier:
    """Phrases and cues of every category, found in one pass.

    pyahocorasick walks a root with one child per distinct first character slowly (~0.1 µs a
    character here), and single characters are too common to filter on, so matching is done
    the other way round: numpy marks the positions whose character *pair* starts some phrase
    (a sorted-array lookup of all bigrams at once), and only those positions are tested with
    str.startswith."""

    def __init__(self, categories: list[Category]) -> None:
        self.categories = {c.code: c for c in categories}
        words: dict[str, list[tuple[str, bool]]] = {}
        for cat in categories:
            for p in cat.phrases:
                words.setdefault(p, []).append((cat.code, True))
            for c in cat.cues:
                words.setdefault(c, []).append((cat.code, False))
        self.by_pair: dict[str, list[tuple[str, list[tuple[str, bool]]]]] = {}
        for word, owners in sorted(words.items()):
            if len(word) >= 2:
                self.by_pair.setdefault(word[:2], []).append((word, owners))
        self.singles = [(w, o) for w, o in words.items() if len(w) == 1]
        pairs = [min(ord(p[0]), _PLANE - 1) * _PLANE + min(ord(p[1]), _PLANE - 1) for p in self.by_pair]
        self.pairs = np.unique(np.array(pairs, dtype=np.int64))

    def _scan(self, text: str) -> dict[str, tuple[set[str], set[str]]]:
        found: dict[str, tuple[set[str], set[str]]] = {}
        if (not self.by_pair and not self.singles) or len(text) < 2:
            return found
        cps = np.minimum(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), _PLANE - 1).astype(np.int64)
        codes = cps[:-1] * _PLANE + cps[1:]
        idx = np.minimum(np.searchsorted(self.pairs, codes), self.pairs.size - 1)
        by_pair = self.by_pair
        hits = [(w, o) for w, o in self.singles if w in text]
        for pos in np.flatnonzero(self.pairs[idx] == codes).tolist():
            hits += [(w, o) for w, o in by_pair.get(text[pos : pos + 2], ()) if text.startswith(w, pos)]
        for word, owners in hits:
            for code, strong in owners:
                phrases, cues = found.setdefault(code, (set(), set()))
                (phrases if strong else cues).add(word)
        return found

    def _judge(self, cat: Category, text: str, phrases: set[str], cues: set[str], watched: bool) -> str | None:
        if phrases:
            return f"命中短语“{'、'.join(sorted(phrases))}”"
        for pattern in cat.patterns:
            m = pattern.search(text)
            if m:
                return f"命中模式“{m.group()[:30]}”"
        if len(cues) >= cat.min_cues:
            return f"多个线索词“{'、'.join(sorted(cues))}”"
        if cat.with_entity and watched and cues:
            return f"关注对象与线索词“{'、'.join(sorted(cues))}”同现"
        return None

    def classify(self, text: str, tokens: list[str], mentions: list[Mention]) -> list[CategoryHit]:
        watched = any(m.watched for m in mentions)
        hits = []
        for code, (phrases, cues) in self._scan(text).items():
            reason = self._judge(self.categories[code], text, phrases, cues, watched)
            if reason:
                hits.append(CategoryHit(code, reason))
        return hits
