"""Kinds of news an organisation can be in (``data/event_kinds.json``), for the clusterer.

One company is often in the news for several things in the same days: a disclosure violation,
a change of controlling shareholder, an executive who cannot be reached.  Those are different
events, and the words around the name tell them apart only loosely (all of them mention 公告,
股东, 证监会).  A short list of cue words per kind tells them apart sharply where it speaks, and
the clusterer uses it only where both the item and the event have a kind for the organisation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .normalize import fold


@dataclass(frozen=True)
class Kind:
    code: str
    name_zh: str
    cues: tuple[str, ...]
    # regular expressions for what a cue word cannot say: a party and what happened to it with
    # words between (实控人或将变更, 控制权争夺, 年报推迟至4月15日披露)
    patterns: tuple[str, ...] = ()


def load_kinds(path: Path) -> list[Kind]:
    data = json.loads(path.read_text(encoding="utf-8"))
    kinds = [Kind(row["code"], row.get("name_zh", row["code"]), tuple(fold(c) for c in row["cues"] if c),
                  tuple(row.get("patterns", ()))) for row in data["kinds"]]
    for kind in kinds:
        for pattern in kind.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:  # an office edits this file: say where it is wrong
                raise ValueError(f"{path}: kind {kind.code}: pattern {pattern!r} is not a valid "
                                 f"regular expression ({exc})") from None
    return kinds


class KindFinder:
    """The kind of news a clause tells: the one kind whose cues occur in it.  Cues are matched
    longest first and without overlap (集资诈骗 is fund-raising, not also 诈骗).  Cues of two
    kinds in one clause leave it unknown: run-together headlines mix kinds, and a wrong kind
    splits an event where an unknown one only defers to the words around the name."""

    def __init__(self, kinds: list[Kind]) -> None:
        self.owner = {cue: k.code for k in kinds for cue in k.cues}
        cues = sorted(self.owner, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, cues))) if cues else None
        self.patterns = [(re.compile(p), k.code) for k in kinds for p in k.patterns]

    def find(self, text: str) -> str | None:
        found = {self.owner[cue] for cue in self.pattern.findall(text)} if self.pattern else set()
        found.update(code for rx, code in self.patterns if code not in found and rx.search(text))
        return found.pop() if len(found) == 1 else None
