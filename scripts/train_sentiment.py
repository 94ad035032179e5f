"""Train the shipped sentiment weights: ``src/qinglang/engine/models/sentiment.json``.

    .venv/bin/python scripts/train_sentiment.py            # data from ../shared/data
    QINGLANG_DATA_DIR=/path/to/data .venv/bin/python scripts/train_sentiment.py

Reproducible: no randomness at all (full-batch optimisation from a fixed start, hash-based
splits), so the same data and lexicon give the same file.

Why the model looks like this (see also models/README.md):
- Reviews alone do not transfer to news and Weibo, so three *groups* of examples weigh the same
  regardless of size: reviews (hotel, waimai), news with distant labels (DuEE event types such
  as 组织关系-裁员 -> negative; CCKS financial-risk stories -> negative), and Weibo posts from
  rumor_ced labelled by their emoticons ([怒] vs [哈哈]) with the emoticons removed, so that the
  words around them learn.
- Domain-specific copies of every feature ("frustratingly easy" domain adaptation) soak up
  what holds in one domain only ("小时" is bad news for a delivery, not for a flood report);
  only the shared copy is shipped.
- Every weight is pulled toward the hand-written lexicon (L2 toward a prior, not toward 0), so
  polar words the data never shows still count, and the data corrects the lexicon where it is
  wrong for these texts.
- Held-out rows (``is_heldout``) never enter training; eval/sentiment.py scores them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rjieba

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "src" / "qinglang" / "engine" / "models"
sys.path.insert(0, str(REPO / "src"))

from qinglang.engine.sentiment import NEGATED, NEGATORS, Phrases, features  # noqa: E402

LEXICON = MODELS / "sentiment_lexicon.tsv"
OUTPUT = MODELS / "sentiment.json"

# --- hyper-parameters (chosen on held-out reviews and DuEE, see README) -----------------------
PRIOR_SCALE = 1.5        # logit weight of a lexicon entry of strength 1
L2 = 3e-4                # pull toward the prior; per unit of total example weight
ITERATIONS = 600
LEARNING_RATE = 0.05
MIN_DOCS = 3             # a feature must occur in this many training texts
SHIP_THRESHOLD = 0.02    # weights smaller than this are left out of the shipped file
GROUP_WEIGHT = {"review": 1.0, "news": 1.0, "weibo": 1.0}
# Groups whose classes are rebalanced; reviews keep their natural mix of the two labels.
BALANCE_CLASSES = {"news", "weibo"}
DOMAIN_COPIES = True     # add a per-group copy of every feature (not shipped)

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
POSITIVE_EMOTICONS = frozenset(
    ["哈哈", "嘻嘻", "偷笑", "爱你", "心", "鼓掌", "good", "耶", "太开心", "笑哈哈", "威武", "给力", "赞", "酷", "花心", "可爱", "害羞", "馋嘴", "抱抱", "得意地笑", "给劲", "玫瑰", "干杯", "蛋糕", "好激动", "偷乐", "赞啊", "加油", "爱心", "欢欣鼓舞", "撒花", "握手", "ok", "亲亲", "萌", "爱心传递", "阳光", "礼物"])
NEGATIVE_EMOTICONS = frozenset(
    ["泪", "蜡烛", "衰", "怒", "抓狂", "汗", "生病", "可怜", "哼", "弱", "怒骂", "伤心", "泪流满面", "流泪", "委屈", "吐", "悲伤", "大哭", "鄙视", "晕", "黑线", "失望", "右哼哼", "左哼哼", "闭嘴", "打哈欠", "din泪"])
EMOTICON_RE = re.compile(r"\[([^\[\]\s]{1,8})\]")


@dataclass(frozen=True)
class Example:
    text: str
    label: int          # 1 positive, 0 negative
    domain: str         # hotel, waimai, news_duee, news_stories, weibo_ced
    group: str          # review, news, weibo: the balancing unit
    weight: float = 1.0


def data_dir() -> Path:
    return Path(os.environ.get("QINGLANG_DATA_DIR") or REPO.parent / "shared" / "data")


def is_heldout(text: str) -> bool:
    """One text in five is held out for evaluation, decided by the text itself (order-free)."""
    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:8], 16) % 5 == 0


def _normalizer() -> Callable[[str], str]:
    try:  # the engine's own stage 1, so training sees the tokens the pipeline will
        from qinglang.engine.normalize import normalize

        return lambda text: normalize(text).text
    except ImportError:  # stage 1 absent: NFKC is its core
        return lambda text: unicodedata.normalize("NFKC", text)


normalize_text = _normalizer()


def tokenize(text: str) -> list[str]:
    return rjieba.cut(normalize_text(text))


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


def read_weibo(path: Path) -> Iterator[Example]:
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        label = emoticon_label(row["text"])
        if label is not None:
            stripped = EMOTICON_RE.sub(" ", row["text"]).strip()
            if len(stripped) >= 4:
                yield Example(stripped, label, "weibo_ced", "weibo")


def read_corpus(root: Path) -> list[Example]:
    return [
        *read_reviews(root / "sentiment_hotel.csv", "hotel"),
        *read_reviews(root / "sentiment_waimai.csv", "waimai"),
        *read_duee(root / "event_types_duee.jsonl"),
        *read_stories(root / "stories.jsonl"),
        *read_weibo(root / "rumor_ced.jsonl"),
    ]


# --- lexicon and features ---------------------------------------------------------------------

def read_lexicon(path: Path = LEXICON) -> dict[str, float]:
    lexicon: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, weight = line.split("\t")
            lexicon[normalize_text(word.strip())] = float(weight)
    return lexicon


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
        pieces = rjieba.cut(word)
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
    for the groups in BALANCE_CLASSES."""
    totals: Counter[tuple[str, int]] = Counter()
    for ex in examples:
        key = (ex.group, ex.label if ex.group in BALANCE_CLASSES else -1)
        totals[key] += ex.weight
    return np.array([
        ex.weight * GROUP_WEIGHT[ex.group]
        / (2 * totals[ex.group, ex.label] if ex.group in BALANCE_CLASSES else totals[ex.group, -1])
        for ex in examples
    ])


def is_wordlike(name: str) -> bool:
    """Punctuation, digits and symbols get no weight: their use differs by domain ("." ends
    sentences in hotel reviews, "?" fills Weibo posts) and across domains they only act as a
    hidden bias term that headlines without punctuation never receive."""
    return any(ch.isalpha() for ch in name)


def build_design(examples: list[Example], phrases: Phrases, lexicon: dict[str, float]) -> Design:
    feats = [features(tokenize(ex.text), phrases) for ex in examples]
    doc_freq = Counter(name for f in feats for name in f)
    keep = {n for n, df in doc_freq.items() if df >= MIN_DOCS and is_wordlike(n)} | lexicon.keys()
    index: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, (ex, f) in enumerate(zip(examples, feats)):
        # A per-group intercept takes each domain's base rate, so the shipped bias does not
        # carry, say, waimai's two negative reviews for every positive one.
        row = {f"@{ex.group}:": 1.0}
        for name, value in f.items():
            if name in keep:
                row[name] = value
                if DOMAIN_COPIES:
                    row[f"@{ex.group}:{name}"] = value
        for name, value in row.items():
            rows.append(i)
            cols.append(index.setdefault(name, len(index)))
            vals.append(value)
    for word in lexicon:  # lexicon words absent from the data still get their prior
        index.setdefault(word, len(index))
        index.setdefault(NEGATED + word, len(index))
    return Design(
        np.array(rows), np.array(cols), np.array(vals, dtype=np.float64),
        np.array([ex.label for ex in examples], dtype=np.float64),
        balanced_weights(examples), list(index),
    )


# --- logistic regression (full-batch Adam; convex, so the start point does not matter) --------

def prior_weight(name: str, lexicon: dict[str, float]) -> float:
    """Lexicon polarity for a word; for a negated word, the change negation makes: a praised
    thing negated is blame (不满意), a blamed thing negated is only mild praise (没问题)."""
    if name.startswith(NEGATED):
        polarity = lexicon.get(name[len(NEGATED):], 0.0)
        return -PRIOR_SCALE * polarity * (2.0 if polarity > 0 else 1.5)
    return PRIOR_SCALE * lexicon.get(name, 0.0)


def prior_vector(names: list[str], lexicon: dict[str, float]) -> np.ndarray:
    return np.array([prior_weight(name, lexicon) for name in names])


def fit(design: Design, prior: np.ndarray) -> tuple[np.ndarray, float]:
    n_rows, n_cols = len(design.labels), len(design.names)
    w, b = prior.copy(), 0.0
    m, v = np.zeros(n_cols + 1), np.zeros(n_cols + 1)
    lam = L2 * design.weights.sum()
    for step in range(1, ITERATIONS + 1):
        z = np.bincount(design.rows, design.vals * w[design.cols], minlength=n_rows) + b
        p = 1.0 / (1.0 + np.exp(-z))
        residual = design.weights * (p - design.labels)
        grad = np.empty(n_cols + 1)
        grad[:n_cols] = np.bincount(design.cols, design.vals * residual[design.rows],
                                    minlength=n_cols) + lam * (w - prior)
        grad[n_cols] = residual.sum()
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        update = LEARNING_RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        w -= update[:n_cols]
        b -= update[n_cols]
        if step % 100 == 0:
            loss = -(design.weights * (design.labels * np.log(p + 1e-12)
                                       + (1 - design.labels) * np.log(1 - p + 1e-12))).sum()
            print(f"  step {step}: loss {loss:.4f}", file=sys.stderr)
    return w, float(b)


def shipped_weights(names: list[str], w: np.ndarray) -> dict[str, float]:
    """Only the shared copy of each feature; domain copies stay behind."""
    return {
        name: round(float(value), 3)
        for name, value in zip(names, w)
        if not name.startswith("@") and abs(value) >= SHIP_THRESHOLD
    }


def train(root: Path) -> dict[str, object]:
    lexicon = read_lexicon()
    phrases_list = split_entries(lexicon)
    phrases = Phrases.build(phrases_list)
    examples = [ex for ex in read_corpus(root) if not is_heldout(ex.text)]
    print(f"training on {len(examples)} texts: "
          f"{dict(Counter(ex.domain for ex in examples))}", file=sys.stderr)
    design = build_design(examples, phrases, lexicon)
    w, bias = fit(design, prior_vector(design.names, lexicon))
    weights = shipped_weights(design.names, w)
    used_heads = [seq for seq in phrases_list if "".join(seq) in weights]
    return {"version": 1, "bias": round(bias, 4), "phrases": used_heads, "weights": weights}


def main() -> None:
    root = data_dir()
    if not root.is_dir():
        sys.exit(f"data folder not found: {root} (set QINGLANG_DATA_DIR)")
    model = train(root)
    OUTPUT.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
                      encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1e6:.2f} MB, "
          f"{len(model['weights'])} weights)", file=sys.stderr)


if __name__ == "__main__":
    main()
