"""Stage 1: normalise raw text while keeping a map back to the original offsets.

Everything per character runs in C: ``unicodedata`` for NFKC, one ``str.translate`` table for
traditional -> simplified characters and punctuation, and ``re`` for markup and page boilerplate.
OpenCC's pure-Python converter costs milliseconds per item, so its dictionaries are only read
once to build the table; phrase conversion runs only when a traditional character is present.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import numpy as np

# An edit replaces text[start:end] with a (usually shorter) string.
Edit = tuple[int, int, str]

_TAG_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]{1,400}>", re.S | re.I)
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
_SPACE_RE = re.compile(r"[\s\u3000\u200b\ufeff]+")
# Page furniture that says nothing about the story: breadcrumbs, editor lines, share buttons.
_BOILERPLATE_RE = re.compile(
    r"您(?:现在|当前)?的?(?:所在)?位置(?:是)?\s*[:：]?\s*(?:[^\n>]{0,12}>\s*)+[^\n\s>]{0,12}"
    r"|[(\[]?责任编辑\s*:?\s*[^\s)\]]{1,10}[)\]]?"
    r"|分享(?:到|至)\s*:?(?:\s*(?:微信|朋友圈|新浪微博|腾讯微博|微博|QQ空间|QQ|豆瓣|人人网))+"
    r"|(?:打印本页|关闭窗口|返回顶部|扫一扫分享|字号\s*:?\s*[大中小\s]{3,5})"
)
# Punctuation variants folded to one form (all 1:1, so offsets do not move).
_PUNCT = {"「": "“", "」": "”", "『": "“", "』": "”", "〔": "[", "〕": "]", "【": "[", "】": "]",
          "〈": "<", "〉": ">", "《": "《", "﹐": ",", "､": "、", "–": "-", "—": "-", "―": "-"}

_OPENCC_DICT = Path(str(__import__("opencc").__file__)).parent / "dictionary"


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Lone UTF-16 surrogates (JSON lets "\\ud800" stand alone) become U+FFFD, one for one so
    offsets hold: neither the segmenter nor the output could encode them."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE_RE.sub("\ufffd", value)
    return value


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus anchors (normalised position, original position)."""

    text: str
    anchors: tuple[tuple[int, int], ...] = ((0, 0),)

    def to_original(self, pos: int) -> int:
        """Map a position in ``text`` back to the raw input (for highlighting)."""
        i = bisect.bisect_right(self.anchors, (pos, 1 << 62)) - 1
        norm, orig = self.anchors[max(i, 0)]
        return orig + (pos - norm)


def _read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[1]:
            pairs.append((parts[0], parts[1].split(" ")[0]))
    return pairs


_PLANE = 0x30000  # BMP + SIP + TIP: every CJK character we expect


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Build once: char -> folded char, and flags for 'traditional' and 'needs slow NFKC'.

    Folding = NFKC where it is one char to one char, then traditional -> simplified, punctuation
    variants, and every kind of whitespace to a plain space.  Applying it is one numpy gather.
    """
    table = np.arange(_PLANE, dtype=np.uint32)
    slow = np.zeros(_PLANE, dtype=bool)
    for cp in range(_PLANE):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) != 1 or unicodedata.combining(ch) or 0x1100 <= cp < 0x1200:
            slow[cp] = True
        elif folded != ch:
            table[cp] = ord(folded)
    for k, v in _PUNCT.items():
        table[ord(k)] = ord(v)
    trad = np.zeros(_PLANE, dtype=bool)
    for t, simp in _read_pairs(_OPENCC_DICT / "TSCharacters.txt"):
        if len(t) == len(simp) == 1 and t != simp and max(ord(t), ord(simp)) < _PLANE:
            trad[ord(t)] = True
            table[ord(t)] = ord(simp)
    for cp in range(_PLANE):
        if table[cp] < 0x10000 and chr(int(table[cp])).isspace():
            table[cp] = 0x20
    for cp in (0x200B, 0xFEFF, 0x3000):
        table[cp] = 0x20
    return table, trad, slow


TRAD, SLOW, CUE, MARKUP = 1, 2, 4, 8
_CUE_CHARS = "位辑享印窗顶号"


@lru_cache(maxsize=1)
def _flags() -> np.ndarray:
    """Per code point: which slow paths a text containing it needs (one gather decides all)."""
    table, trad, slow = _tables()
    flags = trad.astype(np.uint8) * TRAD | slow.astype(np.uint8) * SLOW
    for ch in _CUE_CHARS:
        flags[table == ord(ch)] |= CUE
    for ch in "<&":
        flags[ord(ch)] |= MARKUP
    return flags


def _scan(text: str) -> tuple[np.ndarray, int]:
    cps = _codepoints(text)
    if cps.size and cps.max() >= _PLANE:
        cps = np.minimum(cps, _PLANE - 1)
    return cps, int(np.bitwise_or.reduce(_flags()[cps])) if cps.size else 0


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _windows(positions: list[int], reach: int, size: int) -> list[tuple[int, int]]:
    """Merged [lo, hi) spans within `reach` characters of the given positions."""
    spans: list[tuple[int, int]] = []
    for p in positions:
        lo, hi = max(0, p - reach + 1), min(size, p + reach)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((lo, hi))
    return spans


def _phrases(text: str, cps: np.ndarray) -> list[tuple[int, str]]:
    """Phrase-level traditional -> simplified (start, replacement), searched only around
    traditional characters: pyahocorasick is slow over a whole text with this many phrases,
    and a mostly simplified text with one traditional character should not pay for it."""
    automaton = _phrase_automaton()
    positions = np.flatnonzero(_tables()[1][cps]).tolist()
    found: list[tuple[int, str]] = []
    for lo, hi in _windows(positions, _PHRASE_REACH, len(text)):
        found += [(lo + end - len(simp) + 1, simp) for end, simp in automaton.iter_long(text[lo:hi])]
    return found


def fold(text: str) -> str:
    """NFKC (1:1 part), traditional -> simplified, punctuation and spaces: one C-speed pass."""
    cps, flags = _scan(text)
    return _fold_cps(text, cps, flags)


def _fold_cps(text: str, cps: np.ndarray, flags: int) -> str:
    out = _tables()[0][cps]
    if flags & TRAD:
        # a phrase's own conversion wins over the character table (乾隆 stays 乾隆)
        for start, simp in _phrases(text, cps):
            out[start : start + len(simp)] = _codepoints(simp)
    return str(out.tobytes().decode("utf-32-le"))


def to_simplified(text: str) -> str:
    """Public helper: traditional -> simplified with the same tables the pipeline uses."""
    return fold(text)


_PHRASE_REACH = 8  # longest phrase used; longer OpenCC phrases are rare idioms


@lru_cache(maxsize=1)
def _phrase_automaton() -> ahocorasick.Automaton:
    """Same-length traditional phrases (e.g. 乾燥 -> 干燥) so offsets stay put."""
    automaton = ahocorasick.Automaton()
    for trad, simp in _read_pairs(_OPENCC_DICT / "TSPhrases.txt"):
        if len(trad) == len(simp) > 1 and len(trad) <= _PHRASE_REACH:
            automaton.add_word(trad, simp)
    automaton.make_automaton()
    return automaton


def _compose(new_mid: list[tuple[int, int]], old: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Compose anchors new->mid (from one edit pass) with mid->original (from earlier passes).

    Breakpoints of both maps survive: an earlier anchor that falls in a kept stretch is moved to
    its new position, one inside a removed stretch disappears with the text it pointed at.
    """
    mid_map = Normalized("", tuple(old))
    out = [(n, mid_map.to_original(m)) for n, m in new_mid]
    mids = [m for _, m in new_mid]
    for m, o in old:
        k = bisect.bisect_right(mids, m) - 1
        n = new_mid[k][0] + (m - mids[k])
        if k + 1 == len(new_mid) or (n < new_mid[k + 1][0] - 0 and m < mids[k + 1]):
            out.append((n, o))
    out.sort()
    # equal new positions: the last (largest original) anchor governs what follows
    return [a for i, a in enumerate(out) if i + 1 == len(out) or out[i + 1][0] != a[0]]


def apply_edits(text: str, edits: list[Edit], old: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Apply sorted, non-overlapping edits; return new text and its anchors to the original."""
    if not edits:
        return text, old
    parts: list[str] = []
    anchors: list[tuple[int, int]] = [(0, 0)]
    pos = new_len = 0
    for start, end, repl in edits:
        parts.append(text[pos:start])
        new_len += start - pos
        parts.append(repl)
        new_len += len(repl)
        anchors.append((new_len, end))
        pos = end
    parts.append(text[pos:])
    return "".join(parts), _compose(anchors, old)


def _regex_edits(pattern: re.Pattern[str], text: str, repl: str) -> list[Edit]:
    return [(m.start(), m.end(), repl) for m in pattern.finditer(text)]


def _strip_markup(text: str, anchors: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    if "<" in text:
        text, anchors = apply_edits(text, _regex_edits(_TAG_RE, text, " "), anchors)
    if "&" in text:
        edits = [(m.start(), m.end(), html.unescape(m.group())) for m in _ENTITY_RE.finditer(text)]
        text, anchors = apply_edits(text, edits, anchors)
    return text, anchors


def _slow_nfkc(text: str, anchors: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Characters whose NFKC is not one char (ligatures, ㈱, emoji variation selectors...):
    only the flagged positions are visited, so offsets stay exact at little cost."""
    cps = _codepoints(text)
    flagged = np.flatnonzero(_tables()[2][np.minimum(cps, _PLANE - 1)]).tolist()
    edits = []
    for i in flagged:
        folded = unicodedata.normalize("NFKC", text[i])
        if folded != text[i]:
            edits.append((i, i + 1, folded))
    return apply_edits(text, edits, anchors)


_MULTISPACE_RE = re.compile(r" {2,}")


_CUE_WORDS = ("位置", "编辑", "分享", "打印", "窗口", "顶部", "字号")


def _strip_boilerplate(text: str, anchors: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    # The cue characters are common (号, 位); the two-character cues are not, and a substring
    # test costs far less than the regex.
    if not any(cue in text for cue in _CUE_WORDS):
        return text, anchors
    return apply_edits(text, _regex_edits(_BOILERPLATE_RE, text, " "), anchors)


def _collapse_space(text: str, anchors: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    edits: list[Edit] = []
    if "  " in text:
        edits = _regex_edits(_MULTISPACE_RE, text, " ")
    if text.startswith(" "):
        edits = [(0, edits[0][1] if edits and edits[0][0] == 0 else 1, "")] + [e for e in edits if e[0] != 0]
    text, anchors = apply_edits(text, edits, anchors)
    if text.endswith(" "):
        text = text[:-1]
    return text, anchors


def normalize(raw: str) -> Normalized:
    """Markup, NFKC, traditional -> simplified, boilerplate, spaces; offsets kept.

    One gather over a per-code-point flag table decides which slow paths this text needs, so
    plain text pays only for the fold itself.
    """
    anchors: list[tuple[int, int]] = [(0, 0)]
    text = raw
    cps, flags = _scan(text)
    if flags & MARKUP:
        text, anchors = _strip_markup(text, anchors)
    if flags & SLOW:
        text, anchors = _slow_nfkc(text, anchors)
    if flags & (MARKUP | SLOW):
        cps, flags = _scan(text)
    text = _fold_cps(text, cps, flags)
    if flags & CUE:  # the boilerplate regex alone costs more than the whole fold
        text, anchors = _strip_boilerplate(text, anchors)
    text, anchors = _collapse_space(text, anchors)
    return Normalized(text, tuple(anchors))
