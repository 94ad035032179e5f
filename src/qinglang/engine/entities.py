"""Stage 6: watched entities (Aho-Corasick over names and aliases) and organisation discovery.

Watched names come from the office's list.  Organisations are also discovered on the stream from
cheap, explainable patterns - a listed company's short name before its stock code
("某某科技(830001)"), a name before 公司/集团, an industry word or an executive's title - and then
recognised as whole tokens in later items (they are added to the segmenter's dictionary).  The
stock code, when known, is the key, so "某某科技" and "某某科技(830001)" are the same organisation.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from dataclasses import dataclass
from itertools import compress
from pathlib import Path

import ahocorasick

from .normalize import fold
from .segment import Segmented, Segmenter

_CODE_RE = re.compile(r"\((\d{6})\)")
# A Chinese firm's name is trade name + industry + form (索力 鞋业 有限公司): the token before an
# industry word or a company form is a name candidate.
_INDUSTRY = ("鞋业", "基金", "重工", "健康", "投资", "科技", "药业", "电子", "控股", "股份", "实业", "传媒",
             "汽车", "电气", "能源", "食品", "物流", "地产", "置业", "证券", "银行", "保险", "信托", "生物",
             "医药", "环保", "化工", "机械", "光伏", "软件", "网络", "金服", "资本", "国际",
             "新材", "材料", "装备", "精密", "光电", "电力", "水务", "通信", "制药", "电器", "乳业", "酒业",
             "纸业", "钢铁", "锂业", "矿业", "航空", "港口", "燃气", "数码", "高新", "纺织", "服饰")
# Executives' titles as written; the segmenter cuts some into several tokens (法定代表|人,
# 实际|控制|人), so they are matched as the token runs it gives (EntityFinder.__init__).
_ROLES = ("CEO", "总经理", "董事长", "副董事长", "总裁", "老板", "创始人", "法定代表人", "代表人", "实控人",
          "实际控制人", "掌门人", "高管", "董秘", "副总裁", "副总经理", "财务总监")
_SUFFIX_TOKENS = frozenset({"公司", "集团", "有限公司", "股份公司", "集团公司", *_INDUSTRY})
_JUDGED_MAX = 200_000
# A registered name is place + trade name + industry + form (深圳市|善心汇|文化传播|有限公司, as
# court rulings and police notices name firms).  The forms, and the industry words (besides
# _INDUSTRY) that come between a trade name and its form, as the segmenter cuts them:
_FORMS = frozenset({"有限公司", "有限责任公司", "股份有限公司", "集团有限公司"})
_TRADES = frozenset({*_INDUSTRY, "文化", "传播", "文化传媒", "网络科技", "网络服务", "服务", "服务中心", "发展",
                     "工贸", "商贸", "贸易", "服饰", "服装", "纺织", "资源", "电子商务", "信息", "信息技术", "技术",
                     "咨询", "管理", "企业", "资产", "医疗", "教育", "餐饮", "农业", "建设", "工程", "房地产",
                     "开发", "物业", "材料", "新材料", "制造", "设备", "实业", "进出口", "运输", "旅游", "影视",
                     "广告", "金融", "财富", "租赁", "担保", "小额贷款", "家居", "矿业", "集团", "生物科技",
                     "新能源", "自然", "医学"})
_PLACE_ENDS = ("省", "市", "县", "区", "州", "盟", "旗")
_PLACES = frozenset({"ns"})
_TRADES_LONGEST_FIRST = tuple(sorted(_TRADES, key=lambda w: (-len(w), w)))   # a fixed order
# Tokens before 公司/集团 that are not names ("该公司", "子公司"...)
_GENERIC = frozenset({"该", "本", "子", "母", "总", "分", "上市", "这家", "那家", "一家", "涉事", "持有",
                      "减持", "增持", "控股", "参股", "合资", "股份", "有限", "科技", "投资", "贸易", "网络",
                      "集团", "公司", "食品", "电子", "能源", "环保", "房地产", "地产", "医药", "药业", "银行",
                      "证券", "保险", "基金", "信托", "传媒", "文化", "教育", "物流", "实业", "国际", "中小",
                      "三大", "四大", "加盟", "民营", "国有", "外资", "中国", "全国", "本地", "当地"})
# Before 公司/集团 a place name is a description (中国公司, 上海集团), not a firm's name.
_SUFFIX_NAME_TAGS = frozenset({"nr", "nt", "nz", "nrt", "nrfg", "j", "x"})
_FUNCTION_CHARS = frozenset("的在是了被将及和与对向从为等把让给由于至遭获称即又也都")
_NAME_CHARS = re.compile(r"^[\u4e00-\u9fffA-Za-z*]+$")
# A first character that glues a function word to a name or a verb ("为泽熙", "被查", "遭罚",
# "拟转股份", "恐遭国际"): not a trade name.  (Numerals and 和 do start names: 三一, 九鼎, 和顺.)
_NOT_FIRST = frozenset("为被将遭称把让给对向从由至即又也都最各每该此其或拟恐系股")
# ... and what stands before a name the segmenter left in single characters (在|曦|滢|股份)
_GLUED = _NOT_FIRST | frozenset("的在是了及与于像据如若经")
_NUMERALS = frozenset("一二两三四五六七八九十百千万亿零几多家个只名")


def _lone_name_char(token: str) -> bool:
    """A single character that can be part of a name: not a function word or a numeral."""
    return len(token) == 1 and bool(_NAME_CHARS.match(token)) and token not in _FUNCTION_CHARS \
        and token not in _NUMERALS


def _only_trades(word: str) -> bool:
    """Made of industry words only (控股集团, 网络科技): an industry, not a trade name."""
    while word and (cut := next((w for w in _TRADES_LONGEST_FIRST if word.endswith(w)), None)):
        word = word[: -len(cut)]
    return not word


def _commonest(forms: Counter[str]) -> str:
    """The name a stock code is shown under: the form most seen, the shorter on a tie."""
    return min(forms, key=lambda f: (-forms[f], len(f)))


@dataclass(frozen=True)
class WatchedEntity:
    name: str
    type: str = "enterprise"   # enterprise | person | place | organization
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    key: str        # clustering key: stock code, watched name or discovered name
    name: str       # canonical name shown to people
    type: str
    start: int      # offsets in the normalised text
    end: int
    watched: bool = False


def load_watchlist(path: Path) -> list[WatchedEntity]:
    """JSON list (or JSONL) of {"name", "type"?, "aliases"?}; a bare string is a name.  An
    office edits this file: what is wrong in it is said with the file and the entry."""
    raw = path.read_text(encoding="utf-8").strip()
    if not raw:
        return []   # an empty list: nothing watched
    try:
        rows = json.loads(raw) if raw.startswith("[") or "\n" not in raw else \
            [json.loads(line) for line in raw.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON or JSONL ({exc.msg}, line {exc.lineno})") from None
    if isinstance(rows, dict):   # {"entities": [...]}, or a one-line JSONL file
        rows = rows.get("entities", [rows])
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a list of entities")
    out = []
    for n, row in enumerate(rows, 1):
        if isinstance(row, str):
            row = {"name": row}
        name = row.get("name") if isinstance(row, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{path}: entity {n} has no name")
        aliases = row.get("aliases", ())
        if isinstance(aliases, str) or not isinstance(aliases, list | tuple) \
                or not all(isinstance(a, str) for a in aliases):
            raise ValueError(f"{path}: entity {n} ({name}): aliases must be a list of names")
        out.append(WatchedEntity(name.strip(), str(row.get("type") or "enterprise"), tuple(aliases)))
    return out


class EntityFinder:
    def __init__(self, watched: list[WatchedEntity], segmenter: Segmenter,
                 not_names: frozenset[str] = frozenset()) -> None:
        self.segmenter = segmenter
        # a suffix's first token -> the tokens that must follow it (none for one-token suffixes)
        self._suffixes: dict[str, tuple[str, ...]] = dict.fromkeys(_SUFFIX_TOKENS, ())
        for role in _ROLES:
            head, *tail = segmenter.cut(role).tokens
            self._suffixes[head] = tuple(tail)
        # words that tell what happened (the kinds of news' cues: 失联, 跑路, 重组...) are never
        # a firm's name, however a suffix follows them ("两高管失联公司声明称")
        self.not_names = not_names
        self.watched = watched
        self.automaton: ahocorasick.Automaton | None = None
        if watched:
            self.automaton = ahocorasick.Automaton()
            for ent in watched:
                for alias in (ent.name, *ent.aliases):
                    form = fold(alias)
                    if form:
                        self.automaton.add_word(form, (len(form), ent))
                        segmenter.add_word(form)  # keep the name whole for segmentation
            self.automaton.make_automaton()
        self.known: dict[str, str] = {}   # discovered name -> key (stock code or the name)
        self.known_set: set[str] = set()
        # stock code -> the names seen before it, counted, and the one shown: the commonest (the
        # shorter on a tie).  Names are read back from the code over tokens, and a token can carry
        # a stray first character (立案|雪莱特, 网传|国海证券); such a form ends with the shown name.
        self.forms: dict[str, Counter[str]] = {}
        self.shown: dict[str, str] = {}
        self._judged: set[str] = set()   # suffix candidates and registered names already judged
        self._fresh: set[str] = set()    # names learned from the item being read
        self._glimpsed: set[str] = set()  # names pieced from single characters, seen once so far

    # -- watched -----------------------------------------------------------------------------
    def _watched(self, text: str) -> list[Mention]:
        if self.automaton is None:
            return []
        found = []
        for end, (length, ent) in self.automaton.iter_long(text):
            found.append(Mention(ent.name, ent.name, ent.type, end - length + 1, end + 1, True))
        return found

    # -- discovered --------------------------------------------------------------------------
    def _name_before(self, seg: Segmented, pos: int) -> tuple[str, int]:
        """Walk back over tokens from `pos` until the name has 3+ characters (short names of
        listed companies are 3-4 characters; one more token would eat the previous word)."""
        starts = seg.starts
        i = bisect.bisect_left(starts, pos)
        name, start = "", pos
        while i > 0 and len(name) < 3:
            tok = seg.tokens[i - 1]
            if not _NAME_CHARS.match(tok):
                break
            if tok in self.segmenter._stopwords and not (name and self._inside_name(seg.tokens, i - 1)):
                break
            name, start, i = tok + name, starts[i - 1], i - 1
        # a lone character just before a 3-character stem is usually the name's first
        # character (先|达股份, 和|邦生物), unless it is a function word or a number's unit
        # (1|亿|酒鬼酒, 2013|年|...)
        if len(name) == 3 and i > 0 and len(seg.tokens[i - 1]) == 1 and _NAME_CHARS.match(seg.tokens[i - 1]) \
                and seg.tokens[i - 1] not in _FUNCTION_CHARS and not (i > 1 and seg.tokens[i - 2][-1:].isdigit()):
            name, start = seg.tokens[i - 1] + name, starts[i - 1]
        name = name.lstrip("*")
        if len(name) > 3 and name[0] in _NOT_FIRST:  # a function word glued on (最|三诺生物)
            name, start = name[1:], start + 1
        return name, start

    def _inside_name(self, tokens: list[str], k: int) -> bool:
        """A one-character stopword inside a name cut apart (嘉|和|科技(600696), 天|和|防务):
        it has a name's character before it, not a word or a function character."""
        return len(tokens[k]) == 1 and k > 0 and _lone_name_char(tokens[k - 1]) \
            and tokens[k - 1] not in self.segmenter._stopwords

    def _learn(self, name: str, key: str) -> None:
        if name not in self.known and len(name) >= 2 and name not in _GENERIC:
            self.known[name] = key
            self.known_set.add(name)
            self.segmenter.add_word(name)
            self._fresh.add(name)

    def _coded(self, text: str, seg: Segmented) -> list[Mention]:
        found = []
        for m in _CODE_RE.finditer(text):
            code = m.group(1)
            name, start = self._name_before(seg, m.start())
            # two-character stems are mostly words ("股份(600001)" after a longer name was cut)
            if len(name) >= 3 or (len(name) == 2 and self.segmenter.is_proper(name)):
                shown = self._count_form(code, name)
                if name != shown and name.endswith(shown):
                    name, start = shown, m.start() - len(shown)   # not learned: a stray first character
                else:
                    self._learn(name, code)
                found.append(Mention(code, name, "organization", start, m.start()))
        return found

    def _count_form(self, code: str, name: str) -> str:
        forms = self.forms.setdefault(code, Counter())
        if name in forms or len(forms) < 8:   # a code's names are few; bound them anyway
            forms[name] += 1
        shown = self.shown[code] = _commonest(forms)
        return shown

    def _suffixed(self, seg: Segmented) -> None:
        """Learn "X" from "X公司/X集团", from "X鞋业/X基金" (trade name before its industry) and
        from "X总经理/X董事长" (a firm named by its executives, 快播CEO) when X is tagged as a
        proper noun or is unknown to the dictionary: common words there
        ("发展有限公司", "持有公司", "风险投资") are not names.  The suffix tokens are picked out
        in C, and each candidate is judged once: tagging costs more than the rest of an item."""
        tokens, judged, suffixes = seg.tokens, self._judged, self._suffixes
        glimpsed: set[str] = set()
        for i in compress(range(len(tokens)), map(suffixes.__contains__, tokens)):
            name = self._stem_before(tokens, i)
            if len(name) < 2 or name in self.known or name in judged:
                continue
            tail = suffixes[tokens[i]]
            if tail and tuple(tokens[i + 1:i + 1 + len(tail)]) != tail:
                continue
            if tokens[i] == "控股" and tokens[i + 1:i + 2] == ["股东"]:
                continue  # X控股股东: X's controlling shareholder, not a holding company "X控股"
            # pieced from single characters, a name must come back in a later item before it is
            # learned: once, the characters are as likely a verb and its object cut apart
            # (占|总|股份, 拿|去|投资)
            if len(tokens[i - 1]) == 1 and name not in self._glimpsed:
                glimpsed.add(name)
                continue
            if len(judged) >= _JUDGED_MAX:  # a long stream must not grow this for ever
                judged.clear()
            judged.add(name)
            if not self._unlike_a_name(name) and self.segmenter.is_proper(name, _SUFFIX_NAME_TAGS):
                self._learn(name, name)
        if glimpsed:
            if len(self._glimpsed) >= _JUDGED_MAX:
                self._glimpsed.clear()
            self._glimpsed |= glimpsed

    @staticmethod
    def _stem_before(tokens: list[str], i: int) -> str:
        """The name candidate before a suffix at token i: the token before it; or, where the
        segmenter left a name it does not know in single characters (曦|滢|股份), those
        characters together, without a function character or a numeral before them."""
        name = tokens[i - 1] if i else ""
        if len(name) != 1:
            return name
        k = i
        while k > 0 and i - k < 4 and tokens[k - 1] not in _GLUED and (
                _lone_name_char(tokens[k - 1])
                # 和 inside a name, after another of its characters (嘉|和|科技, 中|和|药业)
                or (tokens[k - 1] == "和" and k > 1 and _lone_name_char(tokens[k - 2]))):
            k -= 1
        return "".join(tokens[k:i])

    def _registered(self, seg: Segmented) -> None:
        """Learn the trade name out of a registered name before 有限公司 and the like: the
        tokens back from the form while they can belong to a name (brackets of "（集团）"
        skipped), a place at their head dropped.  Among them an invented word (unknown to the
        dictionary: 权健, 赛雅, 云联惠) is the trade name; else the words right after the place
        (深圳市|善心|汇 -> 善心汇), or right before the industry (股东|万向|资源 -> 万向)."""
        tokens, judged = seg.tokens, self._judged
        for i in compress(range(len(tokens)), map(_FORMS.__contains__, tokens)):
            span: list[str] = []
            j = i
            while j > 0 and len(span) < 8:
                tok = tokens[j - 1]
                j -= 1
                if tok in ("(", ")"):
                    continue
                if not _NAME_CHARS.match(tok) or tok in self.segmenter._stopwords or tok in _FUNCTION_CHARS:
                    break
                span.insert(0, tok)
            whole = "".join(span) + tokens[i]   # judged once, like suffix candidates: tagging costs
            if whole in judged:
                continue
            if len(judged) >= _JUDGED_MAX:
                judged.clear()
            judged.add(whole)
            name = self._trade_name(span)
            if name and name not in self.known:
                self._learn(name, name)

    def _trade_name(self, span: list[str]) -> str | None:
        segmenter = self.segmenter
        places = [k for k, tok in enumerate(span) if tok.endswith(_PLACE_ENDS) or segmenter.is_proper(tok, _PLACES)]
        body = span[places[-1] + 1:] if places else span
        while body and _only_trades(body[-1]):   # the industry, read back from the form
            body.pop()
        if not body:
            return None
        k = next((k for k, tok in enumerate(body) if 2 <= len(tok) <= 4 and not segmenter.known_word(tok)), None)
        if k is not None:   # an invented word, with the lone character the segmenter split off its front (禾|丰源)
            lone = k > 0 and len(body[k - 1]) == 1 and body[k - 1] not in _FUNCTION_CHARS
            return self._plausible(body[k - 1] + body[k] if lone else body[k])
        if places:   # the words right after the place, to a name's length
            words: list[str] = []
            for tok in body:
                words.append(tok)
                if sum(map(len, words)) >= 3:
                    break
        else:        # the word right before the industry (with the one before, if a lone character)
            words = body[-2:] if len(body[-1]) < 2 else body[-1:]
        # dictionary words make a name only as an unusual combination (善心|汇, 融资|城) of words
        # that are no industry, or as one word tagged a proper noun: 核电, 互联网, 汽车|销售 are not
        if len(words) == 1 and not segmenter.is_proper(words[0], _SUFFIX_NAME_TAGS):
            return None
        if len(words) > 1 and not _TRADES.isdisjoint(words):
            return None
        return self._plausible("".join(words))

    def _plausible(self, name: str) -> str | None:
        return name if 2 <= len(name) <= 4 and not self._unlike_a_name(name) else None

    def _unlike_a_name(self, name: str) -> bool:
        """What no trade name looks like, whichever pattern proposed it: a function word glued
        to its front, a generic or industry word, a word that tells what happened (失联)."""
        return (name[0] in _NOT_FIRST or name in _GENERIC or name in self.not_names or name[:2] in self.not_names
                or not _NAME_CHARS.match(name) or _only_trades(name))

    def _known(self, text: str, seg: Segmented, taken: list[Mention]) -> list[Mention]:
        """Names learned earlier (discovered organisations), anywhere in the text.  They were
        added to the segmenter, so they come out as whole tokens: one C-level set intersection
        finds them (an Aho-Corasick automaton over thousands of names with thousands of first
        characters costs ~10x more per item in pyahocorasick), str.find locates them.  Names
        learned from this very item were not words yet when it was cut: they are looked for
        too (the court notice that names 某某文化传播有限公司 is news about 某某)."""
        hits = self.known_set.intersection(seg.tokens)
        if self._fresh:
            hits |= self._fresh
            self._fresh = set()
        if not hits:
            return []
        covered = [(m.start, m.end) for m in taken]
        found = []
        for name in hits:
            key = self.known[name]
            shown = self.shown.get(key, name)
            cut = len(name) - len(shown) if shown != name and name.endswith(shown) else 0
            pos = text.find(name)
            while pos >= 0:
                if not any(s <= pos + cut < e for s, e in covered):
                    found.append(Mention(key, name[cut:], "organization", pos + cut, pos + len(name)))
                pos = text.find(name, pos + len(name))
        return found

    def find(self, text: str, seg: Segmented) -> list[Mention]:
        """All mentions in text order.  Learning happens here, on the stream, from past items."""
        mentions = self._watched(text)
        if "(" in text:
            mentions += self._coded(text, seg)
        if not self._suffixes.keys().isdisjoint(seg.tokens):
            self._suffixed(seg)
        if "有限" in text:
            self._registered(seg)
        mentions += self._known(text, seg, mentions)
        mentions.sort(key=lambda m: (m.start, -m.end, m.key))   # ties in a fixed order, not a set's
        return mentions

    def state(self) -> dict[str, str]:
        return dict(self.known)

    def restore(self, known: dict[str, str], forms: dict[str, Counter[str]] | None = None) -> None:
        for name, key in known.items():
            self._learn(name, key)
        self._fresh = set()   # learned long ago, not from the next item
        for code, counted in (forms or {}).items():
            self.forms[code] = Counter(counted)
            self.shown[code] = _commonest(self.forms[code])


@dataclass(frozen=True)
class Clause:
    """The words around one anchor: an organisation (``org``) or another proper noun."""

    key: str
    terms: list[str]
    org: bool
    # where an organisation's kind of news is read: from its name to the clause's end (the
    # characters before the name end the previous headline); proper nouns have no kind
    span: tuple[int, int] = (0, 0)


def _span_terms(seg: Segmented, lo: int, hi: int) -> list[str]:
    """Content terms of the tokens starting in [lo, hi) (within the lead)."""
    starts = seg.lead_starts
    return seg.content(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi))


def anchors(mentions: list[Mention], seg: Segmented, proper: set[str],
            reach: int = 12, limit: int = 8, lead: int = 1 << 30) -> list[Clause]:
    """Items often run several headlines together; the words near a name say what happened to
    *that* name.  Organisations read forward to the next organisation (a headline usually
    starts with its company); other proper nouns (places, brands, unlisted firms) read
    ``reach`` characters either way.  Only the first ``lead`` characters are read: a story is
    told in its headline and lead, and this bounds the cost of long items."""
    orgs = [m for m in mentions if m.type in ("organization", "enterprise") and m.start < lead]
    out: dict[str, Clause] = {}
    taken: set[int] = set()
    for n, m in enumerate(orgs):
        taken.update(range(m.start, m.end))
        if m.key in out or len(out) >= limit:
            continue
        nxt = next((o.start for o in orgs[n + 1 :] if o.key != m.key), 1 << 30)
        stop = min(nxt, m.end + 40) if nxt > m.end else m.end + 4
        out[m.key] = Clause(m.key, _span_terms(seg, max(0, m.start - 6), stop), True, (m.start, stop))
    n = min(seg.n_lead, bisect.bisect_left(seg.lead_starts, lead))
    if proper.isdisjoint(seg.tokens[:n]):
        return [c for c in out.values() if c.terms]
    for tok, start in zip(seg.tokens[:n], seg.lead_starts[:n], strict=True):
        if len(out) >= limit:
            break
        if tok in proper and tok not in out and start not in taken:
            out[tok] = Clause(tok, _span_terms(seg, max(0, start - reach), start + len(tok) + reach), False)
    return [c for c in out.values() if c.terms]
