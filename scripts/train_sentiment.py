"""Train the shipped sentiment weights: ``src/qinglang/engine/models/sentiment.json``.

    .venv/bin/python scripts/train_sentiment.py            # data from ../shared/data
    QINGLANG_DATA_DIR=/path/to/data .venv/bin/python scripts/train_sentiment.py

Reproducible: no random numbers at all (full-batch optimisation from the lexicon prior,
hash-based splits), so the same data and lexicon give a byte-identical file.

Why the model looks like this (see also models/README.md):
- Reviews alone do not transfer to news and Weibo, so examples come in three groups weighed by
  GROUP_WEIGHT whatever their size: reviews (hotel, waimai); news with distant labels (DuEE
  event types such as 组织关系-裁员 -> negative, CCKS financial-risk stories -> negative,
  headlines the lexicon labels clearly); Weibo posts from rumor_ced labelled by their
  emoticons ([怒] vs [哈哈]) with the emoticons cut out, so that the words around them learn.
- Every weight is pulled toward the hand-written lexicon (L2 toward a prior, not toward 0), so
  polar words the data never shows still count, and the data corrects the lexicon where it is
  wrong for these texts, though not past 0 (a word the data would turn around has learned
  which corpus it came from). Words the lexicon does not know are pulled harder toward 0.
- Bigrams of adjacent tokens (很 一般, 也 不错, 了 点) are fitted in a second stage, on the
  reviews only, with the single-token weights held: held-out hotel +0.3 to +1.0 points and
  waimai +0.3 to +0.6 over the five possible held-out fifths, news and entity tone unchanged
  (the single-token weights are byte-identical), the emoticon-labelled Weibo posts -4 to +2
  (92 posts a fifth; mean -0.3).
- Social posts read differently (小时 and 电话 are complaints in reviews, [微笑] is scorn on
  Weibo): the shared weights are fitted without the project-written posts
  (scripts/data/sentiment_posts.jsonl), then *post shifts* are fitted on those posts alone,
  pulled back toward the shared weights, and shipped apart; the engine adds them for text that
  reads like a post (``SentimentModel.for_text``): news is read as before, and so are reviews
  unless they say 我.
- News written for the project (scripts/data/sentiment_news_written.jsonl) trains the shared
  weights too, its "plain" items only and at a quarter of the public news's weight, the
  enterprise's name masked: the distant labels alone had read news by other hands at 0.70.
- Held-out rows (``Example.heldout``) never enter training; eval/sentiment.py scores them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
import rjieba

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "src" / "qinglang" / "engine" / "models"
sys.path.insert(0, str(REPO / "src"))

from qinglang.engine.sentiment import (  # noqa: E402
    BIGRAM_SEP,
    EMOTICON_CLOSE,
    EMOTICON_OPEN,
    EMOTICON_RE,
    EXPECTED,
    EXPECTED_UNTIL,
    IRONIC_DEGREE,
    NEGATED,
    NEGATORS,
    REMEDIES,
    STORY_TURNS,
    PhraseIndex,
    char_grams,
    features,
    index_phrases,
    keep_lexicon_whole,
    negated_positions,
    read_lexicon,
)

OUTPUT = MODELS / "sentiment.json"
# Social posts written for the project (fictional businesses and places; twenty writers, each
# with its own topics and genres, balanced per topic; 1,600 by four of them in session 13, 1,799
# by four more in session 14, 2,308 by six in session 15, 857 in the style of old Weibo by three
# in session 16, all 2026-11-30), labelled by their writers: the only hand-labelled posts there
# are (see models/README.md; 1,720 more, of tone told in facts alone, were tried in session 16
# and left out: posts b, e, g 2 to 2.5 points worse).
OWN_POSTS = REPO / "scripts" / "data" / "sentiment_posts.jsonl"
# News written for the project by nine helpers (business, consumer, industry and public
# services, technology and finance; local services; industry and finance; the last three,
# session 14: good news told soberly, regulators and courts, two parties and media accounts;
# fictional names),
# each with the enterprise it is about,
# its tone for it, and its kind: "plain" where the words carry the tone, "turn" where they say
# the opposite (a rumour refuted, a penalty lifted, bad news in polite words). Only the plain
# ones train: the turns are the rules' work in score_about, and trained on, they would teach
# 谣言 and 处罚 to be mild, as the written posts' did.
OWN_NEWS = REPO / "scripts" / "data" / "sentiment_news_written.jsonl"

# --- hyper-parameters (chosen on held-out reviews and DuEE, see README) -----------------------
PRIOR_SCALE = 1.5        # logit weight of a lexicon entry of strength 1
L2 = 1e-5                # pull toward the prior; per unit of total example weight
L2_UNKNOWN_FACTOR = 4.0  # extra pull toward 0 for words without a lexicon prior
ITERATIONS = 600
LEARNING_RATE = 0.05
# An emoticon outweighs a lexicon word of the same strength this many times: it is the
# author's own label for the mood of the post. Not fitted: the only Weibo labels we have come
# from emoticons, so fitting would just reward trusting them without limit.
EMOTICON_SCALE = 5.0
EMOJI_SCALE = 2.5
TITLE_WEIGHT = 0.5        # lexicon-labelled headlines count half a distantly labelled sentence
MIN_DOCS = 5             # a feature must occur in this many training texts
SHIP_THRESHOLD = 0.02    # weights smaller than this are left out of the shipped file
# Reviews are the only hand-labelled data from outside: they weigh most. The Weibo group is a
# few hundred emoticon-labelled posts, noisy, so it weighs least. The written posts (OWN_POSTS)
# teach only the post shifts (see post_shifts); "post" is their total weight there.
# The written news (OWN_NEWS) weighs half the public news. With its first 1,200 plain items,
# 0.25 was best (0.5 and 1.0 cost DuEE, the reviews and entity_news); with 1,680 (session 13),
# 0.5 reads news by other hands a point better (c, d and the blind e) at no cost but a post or
# two; 1.0 better still on news (e 0.787) but the real Weibo posts 3 points worse.
GROUP_WEIGHT = {"review": 3.0, "news": 1.0, "weibo": 0.3, "post": 1.0, "news_written": 0.5}
# How hard the post shifts are pulled back to the shared weights, per unit of the posts' total
# weight. With 4,160 written posts, 3e-4 was the lowest that kept the pinned readings of
# tests/engine/test_sentiment.py (1e-4 read two consumer complaints as slightly good news).
# With 5,760 (session 13), 1e-4 keeps them (after 绕路 joined the lexicon) and reads the blind
# posts 3 to 8 points better; 5e-5 and 2.5e-5 better still on the written sets (posts a-d
# 0.84-0.875) but worse on the real Weibo posts (weibo_ced_text 0.761 / 0.750 against 0.783)
# and, through topic words the shifts learn (电器 +0.9, 好多 +0.8), on four pinned readings:
# the written posts are one style, and the shifts learn it. With 9,098 (session 15: emoji, turn
# stories, irony against sincere praise, comparisons, residents' slang) 5e-5 keeps every pinned
# reading (and reads one the tests had marked a known miss), reads posts a-g 1 to 5 points better
# by document and 0.6 to 3.5 about the party, at one real Weibo post (weibo_ced_text 0.772 ->
# 0.761) and one entity item; 2e-4 reads every written set 1 to 4 points worse.
POST_L2 = 5e-5
# The words a story is built with, which the rules read for its shape (本以为…结果, 但, 后来,
# the degree words of irony: STORY_TURNS, EXPECTED, EXPECTED_UNTIL, IRONIC_DEGREE in the
# engine), are pulled back to the shared weights this many times harder. Left as free as the
# rest, they took the tone of the stories the written posts tell most (以为 +5.1, 没想到 +3.8,
# 但 +2.8, 真的 +3.9 in the shifts: the helpers' turn stories end well), and a letdown told the
# same way (以为会员价是优惠，后来发现比标价还贵) read as praise. Session 16: 20 read the real
# Weibo posts 3.3 points better (weibo_ced_text 0.761 -> 0.794) and the written posts about
# the same by document (a-h -1 to +1) and half a point worse about the party (c, f -1); 5 gained
# a third as much on Weibo, 30 less than 20; adding 以前/现在/后来/最后 cost posts f 2.5 points.
STRUCTURE_PULL = 20.0
STRUCTURE_WORDS = frozenset(STORY_TURNS | EXPECTED | EXPECTED_UNTIL | IRONIC_DEGREE)
POST_INTERCEPT = "@posts_written:"
# Reviews' own copy of each word outside the lexicon ("%小时"), fitted beside the shared one and
# shipped as review shifts: the reading for a review site (SentimentModel.reviews), never for
# news or posts. Without it, the reviews' lean (no intercept, see intercept_name) settled in
# their vocabulary (小时 -4.0 from "等了一个小时", 空调 -1.4, 牛肉 -1.3) and a post praising a
# noodle shop's beef read as a complaint (models/README.md, "Reviews' own words"). A copy is
# pulled toward 0 at this fraction of the shared unknown words' pull, so a word only the
# reviews use settles mostly in the copy; one that news and posts use too stays shared (with
# every token copied, 0.5 and 1.0 read alike; 0.25 cost waimai, 2.0 the posts). Lexicon words,
# negators and negated words are not copied: copied, 不 took its blame into the reviews' copy
# and 不稳定 read as praise (see build_design).
REVIEW_COPY = "%"
REVIEW_COPY_FACTOR = 0.5
# Groups whose classes are rebalanced. Reviews are pulled only part of the way, per domain:
# their natural mix (hotel 68 % positive, waimai 34 %) taught the model that a hotel review is
# praise unless proven otherwise, and it read a third of hotel complaints as praise (held-out
# accuracy 0.778 on complaints, 0.894 on praise); fully balanced, the praise side pays more
# than the complaints gain. Each review weighs (0.5 / its class's share in its domain) ** this.
BALANCE_CLASSES = {"news", "weibo", "post", "news_written"}
REVIEW_BALANCE = 0.7

# DuEE event types as distant sentiment labels for news. Types whose tone depends on the side
# (竞赛行为-胜负, 财经/交易-出售/收购, 涨价/降价) or that are mostly neutral (产品行为-发布,
# 交往-会见) are left out: the model would learn their trigger word (发布) as a tone word.
EVENT_POLARITY: dict[str, int] = {
    **dict.fromkeys(
        ["交往-道歉", "产品行为-下架", "产品行为-召回", "人生-出轨", "人生-分手", "人生-失联",
         "人生-死亡", "人生-离婚", "司法行为-举报", "司法行为-入狱", "司法行为-拘捕",
         "司法行为-立案", "司法行为-约谈", "司法行为-罚款", "司法行为-起诉", "司法行为-开庭",
         "灾害/意外-地震", "灾害/意外-坍/垮塌", "灾害/意外-坠机", "灾害/意外-洪灾",
         "灾害/意外-爆炸", "灾害/意外-袭击", "灾害/意外-起火", "灾害/意外-车祸", "竞赛行为-禁赛",
         "竞赛行为-退赛", "组织关系-停职", "组织关系-裁员", "组织关系-解散", "组织关系-解约",
         "组织关系-解雇", "组织行为-罢工", "财经/交易-跌停"], -1),
    **dict.fromkeys(
        ["交往-感谢", "交往-点赞", "产品行为-获奖", "人生-产子/女", "人生-婚礼", "人生-庆生",
         "人生-求婚", "人生-结婚", "人生-订婚", "竞赛行为-夺冠", "竞赛行为-晋级",
         "组织关系-加盟", "组织行为-开幕", "财经/交易-上市", "财经/交易-涨停", "财经/交易-融资"],
        1),
}
# CCKS 2019 financial-risk event types; all but ownership changes and rating moves are bad news.
STORY_NEUTRAL = {"实控人股东变更", "评级调整"}

# Weibo emoticons (the text inside [..]) used as distant labels for rumor_ced posts.
POSITIVE_EMOTICONS = frozenset([
    "哈哈", "嘻嘻", "偷笑", "爱你", "心", "鼓掌", "good", "耶", "太开心", "笑哈哈", "威武",
    "给力", "赞", "酷", "花心", "可爱", "害羞", "馋嘴", "抱抱", "得意地笑", "给劲", "玫瑰",
    "干杯", "蛋糕", "好激动", "偷乐", "赞啊", "加油", "爱心", "欢欣鼓舞", "撒花", "握手", "ok",
    "亲亲", "萌", "爱心传递", "阳光", "礼物",
])
NEGATIVE_EMOTICONS = frozenset([
    "泪", "蜡烛", "衰", "怒", "抓狂", "汗", "生病", "可怜", "哼", "弱", "怒骂", "伤心",
    "泪流满面", "流泪", "委屈", "吐", "悲伤", "大哭", "鄙视", "晕", "黑线", "失望", "右哼哼",
    "左哼哼", "闭嘴", "打哈欠", "din泪",
])


@dataclass(frozen=True)
class Example:
    text: str
    label: int          # 1 positive, 0 negative
    domain: str         # hotel, waimai, news_duee, news_stories, weibo_ced
    group: str          # review, news, weibo: the balancing unit
    weight: float = 1.0
    split_key: str = ""  # text that decides the held-out split, if not ``text``

    @property
    def heldout(self) -> bool:
        return is_heldout(self.split_key or self.text)


def data_dir() -> Path:
    return Path(os.environ.get("QINGLANG_DATA_DIR") or REPO.parent / "shared" / "data")


def is_heldout(text: str) -> bool:
    """One text in five is held out for evaluation, decided by the text itself (order-free)."""
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:8], 16) % 5 == 0


def _normalizer() -> Callable[[str], str]:
    try:  # the engine's own stage 1, so training sees the tokens the pipeline will
        from qinglang.engine.normalize import normalize

        return lambda text: normalize(text).text
    except ImportError:  # stage 1 absent: NFKC is its core
        return lambda text: unicodedata.normalize("NFKC", text)


normalize_text = _normalizer()


SEGMENTER = rjieba.Jieba()
keep_lexicon_whole(SEGMENTER)   # as the pipeline's segmenter does


def tokenize(text: str) -> list[str]:
    return SEGMENTER.cut(normalize_text(text))


# --- corpus readers ---------------------------------------------------------------------------

def read_reviews(path: Path, domain: str) -> Iterator[Example]:
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("text") or "").strip()
            if text and row.get("label") in ("0", "1"):
                yield Example(text, int(row["label"]), domain, "review")


def read_duee(path: Path) -> Iterator[Example]:
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        polarity = EVENT_POLARITY.get(row.get("event_type", ""))
        if polarity:
            yield Example(row["text"], int(polarity > 0), "news_duee", "news")


def read_stories(path: Path) -> Iterator[Example]:
    """Negative only and several headlines run together, so they count half."""
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        if row["story"].split("|")[0] not in STORY_NEUTRAL:
            yield Example(row["text"], 0, "news_stories", "news", 0.5)


def emoticon_label(text: str) -> int | None:
    """1/0 when the post's emoticons agree on a side, else None."""
    faces = EMOTICON_RE.findall(text)
    pos = sum(face in POSITIVE_EMOTICONS for face in faces)
    neg = sum(face in NEGATIVE_EMOTICONS for face in faces)
    if pos == neg:
        return None
    return int(pos > neg)


def read_weibo(path: Path, keep_emoticons: bool = False) -> Iterator[Example]:
    """Posts whose emoticons agree on a side. For training the emoticons are cut out, so the
    words have to carry the label; the split is decided on the stripped text either way."""
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        label = emoticon_label(row["text"])
        if label is not None:
            stripped = EMOTICON_RE.sub(" ", row["text"]).strip()
            if len(stripped) >= 4:
                text = row["text"] if keep_emoticons else stripped
                yield Example(text, label, "weibo_ced", "weibo", split_key=stripped)


def read_posts(path: Path = OWN_POSTS) -> Iterator[Example]:
    for line in path.open(encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            yield Example(row["text"], int(row["label"]), "posts_written", "post")


def read_written_news(path: Path = OWN_NEWS, kinds: tuple[str, ...] = ("plain",), masked: bool = True
                      ) -> Iterator[Example]:
    """The written news of ``kinds``; ``masked``: the enterprise's invented name replaced by 公司
    (a word without weight), so that its pieces (乳业, 科技) learn no tone from its news."""
    for line in path.open(encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            if row["kind"] in kinds:
                text = row["text"].replace(row["entity"], "公司") if masked else row["text"]
                yield Example(text, int(row["label"]), "news_written", "news_written", split_key=row["text"])


def lexicon_vote(tokens: list[str], lexicon: dict[str, float]) -> int | None:
    """1/0 when a text's lexicon words all lean one way (negation applied), else None."""
    flipped = negated_positions(tokens)
    votes = {(-1 if i in flipped else 1) * lexicon[t] for i, t in enumerate(tokens) if t in lexicon}
    if not votes or (min(votes) < 0 < max(votes)) or max(abs(v) for v in votes) < 2:
        return None
    return int(max(votes) > 0)


def read_titles(path: Path, lexicon: dict[str, float]) -> Iterator[Example]:
    """News headlines (THUCNews) labelled by the lexicon alone, kept only when it is clear.
    This is self-training: it teaches the words that travel with clear tone in headlines
    (订单, 销量, 同比 ...) and offsets the all-negative financial stories."""
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label = lexicon_vote(tokenize(row["text"]), lexicon)
            if label is not None:
                yield Example(row["text"], label, "news_titles", "news", TITLE_WEIGHT)


def read_corpus(root: Path, lexicon: dict[str, float]) -> list[Example]:
    return [
        *read_reviews(root / "sentiment_hotel.csv", "hotel"),
        *read_reviews(root / "sentiment_waimai.csv", "waimai"),
        *read_duee(root / "event_types_duee.jsonl"),
        *read_stories(root / "stories.jsonl"),
        *read_weibo(root / "rumor_ced.jsonl"),
        *read_titles(root / "news_titles.csv", lexicon),
        *read_posts(),
        *read_written_news(),
    ]


# --- lexicon and features ---------------------------------------------------------------------

# Degree words: a lexicon entry made of one of these plus a polar piece ("很好", "太差") is
# already scored through its pieces, so it is not worth a phrase lookup.
DEGREE_WORDS = frozenset(["很", "挺", "太", "超", "好", "最", "真", "非常", "特别", "极", "巨", "好像"])


def split_entries(lexicon: dict[str, float]) -> list[list[str]]:
    """Lexicon words rjieba cuts into pieces whose own weights would miss the sense ("约谈" ->
    "约", "谈"); the model matches them as token sequences. Entries with a piece that is
    already polar, a negator or a degree word are covered by the pieces and left out: every
    phrase head costs a scan of the token list at scoring time."""
    covered = lexicon.keys() | NEGATORS | DEGREE_WORDS
    entries = []
    for word in lexicon:
        if is_emoticon(word):
            continue  # matched by emoticons(), not as a phrase
        pieces = SEGMENTER.cut(word)
        if len(pieces) > 1 and covered.isdisjoint(pieces):
            entries.append(pieces)
    return entries


@dataclass
class Design:
    """Sparse design matrix in COO form plus labels and per-example weights."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    labels: np.ndarray
    weights: np.ndarray
    names: list[str]          # column -> feature name ("@group:" prefix = domain copy)


def balanced_weights(examples: list[Example]) -> np.ndarray:
    """Each group gets the same total weight (GROUP_WEIGHT), split evenly between the classes
    for the groups in BALANCE_CLASSES; reviews lean toward their rarer class per domain by
    REVIEW_BALANCE."""
    by_class: dict[tuple[str, int], float] = {}   # review domain and label -> summed weight
    for ex in examples:
        if ex.group == "review":
            by_class[ex.domain, ex.label] = by_class.get((ex.domain, ex.label), 0.0) + ex.weight

    def lean(ex: Example) -> float:   # (0.5 / the class's share of its domain) ** REVIEW_BALANCE
        if ex.group != "review":
            return 1.0
        domain = by_class.get((ex.domain, 0), 0.0) + by_class.get((ex.domain, 1), 0.0)
        return float((0.5 * domain / by_class[ex.domain, ex.label]) ** REVIEW_BALANCE)

    raw = [ex.weight * lean(ex) for ex in examples]
    totals: dict[tuple[str, int], float] = {}
    for ex, w in zip(examples, raw, strict=True):
        key = (ex.group, ex.label if ex.group in BALANCE_CLASSES else -1)
        totals[key] = totals.get(key, 0.0) + w
    return np.array([
        w * GROUP_WEIGHT[ex.group]
        / (2 * totals[ex.group, ex.label] if ex.group in BALANCE_CLASSES else totals[ex.group, -1])
        for ex, w in zip(examples, raw, strict=True)
    ])


# Link and repost furniture, and the commonest function words: they say nothing about tone,
# yet each corpus would teach them its own base rate (了 and 这 end up negative after thousands
# of complaints) and carry it into every other domain.
MARKUP_WORDS = frozenset({"http", "https", "t.cn", "www", "com", "cn", "via", "url", "html"})
FUNCTION_WORDS = frozenset([
    "的", "了", "是", "在", "和", "与", "及", "或", "这", "那", "这个", "那个", "这些",
    "那些", "这里", "那里", "这样", "那样", "它", "他", "她", "我", "你", "我们", "你们",
    "他们", "她们", "它们", "人", "都", "也", "就", "还", "又", "再", "才", "把", "被",
    "让", "给", "对", "向", "从", "到", "为", "以", "于", "之", "其", "所", "将",
    "已", "已经", "着", "过", "地", "得", "个", "些", "之后", "以后", "之前", "时候",
    "时", "后", "前", "上", "下", "中", "里", "等", "啊", "呢", "吧", "吗", "呀",
    "哦", "嘛", "啦", "么",
])
# The words news is reported in, and its usual subjects: they say nothing about tone either, but
# distant news labels (every CCKS story negative, DuEE's 裁员 against its 夺冠) taught them
# their corpora's lean (称 -1.3, 公司 -1.0, 员工 -1.1), which then made a watched enterprise's
# good news read as bad ("星河科技员工勇救乘客，公司给予嘉奖").
REPORTING_WORDS = frozenset([
    "称", "回应", "表示", "公司", "员工", "记者", "据", "报道", "消息", "发布", "宣布", "透露",
    "指出", "声明", "获悉", "介绍", "说", "认为", "据悉", "了解", "相关", "方面", "有关", "情况",
])


# Dictionary part-of-speech tags of proper names (places, people, organisations).
NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz"})


# Company and platform names the segmenter tags as common nouns but the corpora mention often
# (携程 in hotel complaints, 三鹿 in old news). Words with an everyday sense (苹果, 小米) stay.
BRAND_NAMES = frozenset([
    "携程", "如家", "汉庭", "锦江", "喜来登", "希尔顿", "艺龙", "去哪儿", "美团", "饿了么",
    "大众点评", "百度", "淘宝", "天猫", "京东", "支付宝", "微信", "微博", "新浪", "腾讯", "阿里",
    "阿里巴巴", "网易", "搜狐", "肯德基", "麦当劳", "必胜客", "星巴克", "蒙牛", "伊利", "三鹿",
    "富士康", "联想", "中石化", "中石油", "滴滴", "拼多多", "抖音", "快手",
])


@cache
def is_name(token: str) -> bool:
    """Names get no weight: they would learn who was in the news (四川 after the earthquake,
    a company with a bad year) and then colour every later mention of that place or firm,
    which on a platform that watches enterprises must not happen.  Nor a bigram with a name."""
    if BIGRAM_SEP in token:
        return any(map(is_name, token.split(BIGRAM_SEP)))
    if token in BRAND_NAMES:
        return True
    tags = rjieba.tag(token)
    return len(tags) == 1 and tags[0][1] in NAME_TAGS


# When and how much: a report's dates and amounts say nothing of its tone, yet the written news
# taught 年度 +0.8 and 当天 +0.5 (results told by the year), enough to give a party that only
# held its annual meeting another's trouble (云帆集团当天召开年度股东大会)
WHEN_AND_HOW_MUCH = frozenset([
    "去年", "今年", "明年", "全年", "年度", "当天", "当日", "今日", "昨日", "今天", "昨天", "上半年", "下半年",
    "一季度", "二季度", "三季度", "四季度", "亿元", "万元", "元", "亿", "万", "至",
])


def is_wordlike(name: str) -> bool:
    """Punctuation, digits, symbols and link furniture get no weight: their use differs by
    domain ("." ends sentences in hotel reviews, "?" fills Weibo posts) and across domains they
    only act as a hidden bias term that headlines without punctuation never receive.  A bigram
    needs two such tokens, though function words may pair (还 行, 不 错)."""
    if BIGRAM_SEP in name:
        return all(any(ch.isalpha() for ch in part) and part.lower() not in MARKUP_WORDS
                   for part in name.split(BIGRAM_SEP))
    return (any(ch.isalpha() for ch in name) and name.lower() not in MARKUP_WORDS
            and name not in FUNCTION_WORDS and name not in REPORTING_WORDS and name not in WHEN_AND_HOW_MUCH)


def intercept_name(ex: Example) -> str | None:
    """Each news corpus and the Weibo posts get their own intercept, not shipped, to take their
    base rate (every CCKS story is negative), so that words marking the corpus (股份, 公告)
    need not carry it. Reviews get none on purpose: a review that praises nothing is usually a
    complaint, and without an intercept that lean settles on review vocabulary (房间, 送餐,
    味道), where it helps reviews (+1 to 2 points on held-out hotel and waimai) and seldom
    reaches a news item or a post."""
    if ex.group == "review":
        return None
    return f"@{ex.domain}:"


def _kept(feats: Iterable[dict[str, float]]) -> set[str]:
    """Features of at least MIN_DOCS texts that may carry a weight (no names, no punctuation)."""
    doc_freq = Counter(name for f in feats for name in f)
    return {n for n, df in doc_freq.items()
            if df >= MIN_DOCS and is_wordlike(n) and not is_name(n.removeprefix(NEGATED))}


def build_design(examples: list[Example], phrases: PhraseIndex, lexicon: dict[str, float]
                 ) -> Design:
    feats = [features(tokenize(ex.text), phrases) for ex in examples]
    is_post = [ex.group == "post" for ex in examples]
    # the shared weights' features are those of every corpus but the written posts; the posts
    # add their own (绝绝子, [微笑]), which only the post shifts learn (see post_shifts)
    keep = _kept(f for f, post in zip(feats, is_post, strict=True) if not post) | lexicon.keys()
    post_keep = keep | _kept(f for f, post in zip(feats, is_post, strict=True) if post)
    # the reviews' own copy of their vocabulary (REVIEW_COPY), not of the grammar of tone
    copied = {name for name in keep if BIGRAM_SEP not in name and name not in lexicon
              and name not in NEGATORS and not name.startswith(NEGATED)}
    index: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, (ex, f) in enumerate(zip(examples, feats, strict=True)):
        intercept = intercept_name(ex)
        row = {intercept: 1.0} if intercept else {}
        kept = post_keep if is_post[i] else keep
        # in name order: a set's order changes from run to run, and with it the order of the
        # float sums, which moved a few post shifts in the third decimal
        for name, value in sorted(f.items()):
            # bigrams learn from the hand-labelled reviews only: from distant labels they learned
            # each corpus's phrasing (将 于 -1.2 from the all-negative financial stories)
            if name in kept and (ex.group == "review" or BIGRAM_SEP not in name):
                row[name] = value
                if ex.group == "review" and name in copied:
                    row[REVIEW_COPY + name] = value
        for name, value in row.items():
            rows.append(i)
            cols.append(index.setdefault(name, len(index)))
            vals.append(value)
    for word in lexicon:  # lexicon words absent from the data still get their prior
        index.setdefault(word, len(index))
        if not is_emoticon(word):
            index.setdefault(NEGATED + word, len(index))
    return Design(
        np.array(rows), np.array(cols), np.array(vals, dtype=np.float64),
        np.array([ex.label for ex in examples], dtype=np.float64),
        balanced_weights(examples), list(index),
    )


# --- logistic regression (full-batch Adam; convex, so the start point does not matter) --------

def is_emoticon(name: str) -> bool:
    return name.startswith(EMOTICON_OPEN) and name.endswith(EMOTICON_CLOSE) and len(name) > 2


def is_emoji(name: str) -> bool:
    """A single pictograph (👍, 😡): Unicode's emoticons, which a post's author sets as [赞] and
    [怒] are set."""
    return len(name) == 1 and unicodedata.category(name) == "So"


def prior_weight(name: str, lexicon: dict[str, float]) -> float:
    """Lexicon polarity for a word; for a negated word, the change negation makes: a praised
    thing negated is blame (不满意), a blamed thing negated is only mild praise (没问题), a
    remedy not taken none (没整改 is the blame of 整改 alone, not praise). An emoticon's is
    EMOTICON_SCALE times its lexicon polarity, a pictograph's EMOJI_SCALE times (at 5, 👍 in a
    post about the evening outweighed the shop it named)."""
    if is_emoticon(name):
        return PRIOR_SCALE * EMOTICON_SCALE * lexicon.get(name, 0.0)
    if is_emoji(name):
        return PRIOR_SCALE * EMOJI_SCALE * lexicon.get(name, 0.0)
    if name.startswith(NEGATED):
        if name[len(NEGATED):] in REMEDIES:
            return 0.0
        polarity = lexicon.get(name[len(NEGATED):], 0.0)
        return -PRIOR_SCALE * polarity * (2.0 if polarity > 0 else 1.5)
    return PRIOR_SCALE * lexicon.get(name, 0.0)


def prior_vector(names: list[str], lexicon: dict[str, float]) -> np.ndarray:
    return np.array([prior_weight(name, lexicon) for name in names])


def gradient(design: Design, w: np.ndarray, prior: np.ndarray, lam: np.ndarray
             ) -> tuple[np.ndarray, float]:
    """Gradient of the weighted log-loss plus lam/2 * |w - prior|^2, and the loss itself."""
    z = np.bincount(design.rows, design.vals * w[design.cols], minlength=len(design.labels))
    p = 1.0 / (1.0 + np.exp(-z))
    residual = design.weights * (p - design.labels)
    grad = np.bincount(design.cols, design.vals * residual[design.rows], minlength=len(w))
    loss = -(design.weights * np.log(np.where(design.labels == 1, p, 1 - p) + 1e-12)).sum()
    return grad + lam * (w - prior), float(loss)


def fit(design: Design, prior: np.ndarray, start: np.ndarray | None = None, free: np.ndarray | None = None,
        l2: float = L2, unknown_factor: float = L2_UNKNOWN_FACTOR, signs: np.ndarray | None = None,
        iterations: int = ITERATIONS, unpenalised: np.ndarray | None = None,
        copies: np.ndarray | None = None, penalty: np.ndarray | None = None) -> np.ndarray:
    """Full-batch Adam from the prior (or ``start``), moving only the ``free`` weights (all when
    not given). No shared intercept: the per-corpus intercepts take the base rates, and a text
    without a tonal word scores 0 (neutral)."""
    w = prior.copy() if start is None else start.copy()
    step_mask = np.ones_like(w) if free is None else free.astype(w.dtype)
    m, v = np.zeros_like(w), np.zeros_like(w)
    # Words the lexicon knows are pulled toward it; every other word toward 0, harder, so that
    # "菜" or a name cannot turn tonal from one corpus's habits and then colour a news item.
    lam = l2 * design.weights.sum() * np.where(prior != 0.0, 1.0, unknown_factor)
    if copies is not None:   # the reviews' copies of their words (REVIEW_COPY), pulled more gently
        lam = np.where(copies, l2 * design.weights.sum() * REVIEW_COPY_FACTOR, lam)
    if penalty is not None:   # per-weight multipliers of the pull (see STRUCTURE_PULL)
        lam = lam * penalty
    if unpenalised is not None:   # an intercept (the post router's) is not pulled anywhere
        lam = np.where(unpenalised, 0.0, lam)
    for step in range(1, iterations + 1):
        grad, loss = gradient(design, w, prior, lam)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= step_mask * LEARNING_RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        # the data may weaken a lexicon word but not turn it around: where it does (曝, as in
        # 被曝, learned +2.6 from a few celebrity headlines among the distant positives) it
        # has learned which corpus a word came from, not what the word says
        w = np.where((prior if signs is None else signs) * w < 0, 0.0, w)
        if step % 100 == 0:
            print(f"  step {step}: loss {loss:.4f}", file=sys.stderr)
    return w


def post_shifts(design: Design, posts: np.ndarray, w: np.ndarray, lexicon_prior: np.ndarray) -> dict[str, float]:
    """How the single-token weights should move to read social posts: fitted on the written
    posts alone, from the shared weights and pulled back to them (POST_L2), so that a word
    moves only as far as the posts show. Shipped as shifts; the engine applies them to what
    reads like a post (SentimentModel.for_text), never to news. Learned on the
    posts with the rest, their refuted rumours and problems put right had taught the shared
    bag of words that 谣言, 拖欠 and 裁员 are mild (-3.3 -> -0.7)."""
    own = replace(design, weights=np.where(posts, design.weights, 0.0))
    # an emoticon's inner word is a token of its own ([微笑] is also 微笑): it is held, or the
    # scorn of [微笑] would make a waiter's 微笑 blame
    inner = {name[1:-1] for name in design.names if is_emoticon(name)}
    free = np.array([BIGRAM_SEP not in name and name not in NEGATORS and name not in inner
                     and not name.startswith(REVIEW_COPY)
                     and (not name.startswith("@") or name == POST_INTERCEPT) for name in design.names])
    # pulled toward the shared weights, but held on their side of 0 only where the lexicon says
    # (谣言 stays blame); 就是 and 结果, which the reviews taught, may turn
    # the words the rules read a story's shape by are pulled back harder (STRUCTURE_PULL)
    penalty = np.array([STRUCTURE_PULL if name in STRUCTURE_WORDS else 1.0 for name in design.names])
    moved = fit(own, w, free=free, l2=POST_L2, unknown_factor=1.0, signs=lexicon_prior, penalty=penalty)
    return {name: round(float(b - a), 3) for name, a, b, f in zip(design.names, w, moved, free, strict=True)
            if f and not name.startswith("@") and abs(b - a) >= SHIP_THRESHOLD}


def shipped_weights(names: list[str], w: np.ndarray, prefix: str = "") -> dict[str, float]:
    """The features named with ``prefix`` ("": the shared ones; REVIEW_COPY: the reviews'
    copies, under their shared names), rounded, tiny ones dropped; never the per-corpus
    intercepts ("@...")."""
    skipped = ("@",) if prefix else ("@", REVIEW_COPY)
    return {
        name.removeprefix(prefix): round(float(value), 3)
        for name, value in zip(names, w, strict=True)
        if name.startswith(prefix) and not name.startswith(skipped) and abs(value) >= SHIP_THRESHOLD
    }


# --- the character model ---------------------------------------------------------------------
# Naive-Bayes log-count ratios of character pieces (sentiment.char_grams), read beside the words
# (SentimentModel.char_logit). Trained on the written posts and news of every kind (the turns
# too: 不实, 已撤销 are how a turn is told, and pieces do not carry a word's weight into the
# entity windows), and on real text so that the helpers' way of writing is not all it knows:
# the Weibo posts and DuEE news at three times a written text's weight (at 1, real Weibo read 3
# of its 92 held-out posts worse; at 6, the written posts lost half of what they gained), the
# reviews at a tenth (the review sites have a reader of their own, which does not use this
# model; a review that arrives without its site's name is read with it).
CHAR_MIN_DOCS = 3       # a piece must occur in this many training texts
CHAR_SMOOTHING = 1.0    # added to each class's count of a piece
CHAR_MIN_WEIGHT = 0.5   # smaller log ratios are left out of the shipped file (0.25: 108k pieces, 2.3 MB, no better)
CHAR_SCALE = 1.0        # the character logit's weight beside the words' logit
CHAR_REAL_WEIGHT = 3.0
CHAR_REVIEW_WEIGHT = 0.1


def char_examples(root: Path) -> list[Example]:
    real = (read_weibo(root / "rumor_ced.jsonl"), read_duee(root / "event_types_duee.jsonl"))
    reviews = (read_reviews(root / f"sentiment_{domain}.csv", domain) for domain in ("hotel", "waimai"))
    weighted = [(read_posts(), 1.0), (read_written_news(kinds=("plain", "turn")), 1.0),
                *((reader, CHAR_REAL_WEIGHT) for reader in real), *((reader, CHAR_REVIEW_WEIGHT) for reader in reviews)]
    return [replace(ex, weight=weight) for reader, weight in weighted for ex in reader if not ex.heldout]


def char_weights(examples: list[Example]) -> dict[str, float]:
    """Each piece's log ratio of its share of the positive texts to its share of the negative."""
    found: list[Counter[str]] = [Counter(), Counter()]
    texts: Counter[int] = Counter()
    seen: Counter[str] = Counter()   # in how many texts, whatever their weight
    for ex in examples:
        counts = found[ex.label]
        pieces = char_grams(normalize_text(ex.text))
        seen.update(pieces)
        for piece in pieces:
            counts[piece] += ex.weight
        texts[ex.label] += ex.weight
    weights = {}
    for piece, times in seen.items():
        if times >= CHAR_MIN_DOCS:
            ratio = math.log((found[1][piece] + CHAR_SMOOTHING) / (texts[1] + CHAR_SMOOTHING)
                             / ((found[0][piece] + CHAR_SMOOTHING) / (texts[0] + CHAR_SMOOTHING)))
            if abs(ratio) >= CHAR_MIN_WEIGHT:
                weights[piece] = round(ratio, 3)
    return weights


def train(root: Path) -> dict[str, object]:
    lexicon = read_lexicon()
    phrases_list = split_entries(lexicon)
    phrases = index_phrases(phrases_list)
    examples = [ex for ex in read_corpus(root, lexicon) if not ex.heldout]
    print(f"training on {len(examples)} texts: "
          f"{dict(Counter(ex.domain for ex in examples))}", file=sys.stderr)
    design = build_design(examples, phrases, lexicon)
    prior = prior_vector(design.names, lexicon)
    # Two stages: the single-token model first, as if there were no bigrams, then the bigrams
    # on top of it with every other weight held.  Entity tone (score_about) reads the single
    # tokens only; fitted jointly, bigrams took over part of their work and near-neutral
    # entity readings tipped over, for nothing the document tone gained.
    pairs = np.array([BIGRAM_SEP in name for name in design.names])
    posts = np.array([ex.group == "post" for ex in examples])
    shared = replace(design, weights=np.where(posts, 0.0, design.weights))
    copies = np.array([name.startswith(REVIEW_COPY) for name in design.names])
    words = fit(shared, prior, free=~pairs, copies=copies)
    w = fit(shared, prior, start=words, free=pairs, copies=copies)
    weights = shipped_weights(design.names, w)
    shifts = post_shifts(design, posts, w, prior) if posts.any() else {}
    used = [seq for seq in phrases_list if "".join(seq) in weights]
    model: dict[str, object] = {"version": 1, "bias": 0.0, "phrases": used, "weights": weights}
    if shifts:
        model["post_shifts"] = shifts
    model["review_shifts"] = shipped_weights(design.names, w, REVIEW_COPY)
    model["chars"] = char_weights(char_examples(root))
    model["char_scale"] = CHAR_SCALE
    return model


def train_and_write(train: Callable[[Path], dict[str, object]], output: Path) -> None:
    """Train on the shared data folder and write the model as compact, key-sorted JSON (the
    same data give the same bytes); the post router's script writes its file the same way."""
    root = data_dir()
    if not root.is_dir():
        sys.exit(f"data folder not found: {root} (set QINGLANG_DATA_DIR)")
    model = train(root)
    output.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
                      encoding="utf-8")
    print(f"wrote {output} ({output.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)


def main() -> None:
    train_and_write(train, OUTPUT)


if __name__ == "__main__":
    main()
