"""Sentiment accuracy per domain, on texts the shipped model never trained on.

    .venv/bin/python eval/sentiment.py [DATA_DIR] [--timing]

Domains:
- ``hotel``, ``waimai``: the held-out fifth of the labelled reviews (``is_heldout`` in
  scripts/train_sentiment.py decides, by a hash of the text; training skips exactly these).
- ``weibo``, ``news``: eval/data/sentiment_{weibo,news}.jsonl, short posts and headlines
  written for the project about fictional enterprises, people and places. Evaluation only:
  neither file is read by training.
- ``news_long``: eval/data/sentiment_news_long.jsonl, 40 news paragraphs (100-200 characters,
  the lead of a report), written the same way and also evaluation only.
- ``weibo_text``: the same posts with their emoticons cut out (words only).
- ``news_duee``: the held-out fifth of DuEE news sentences with event-type labels
  (组织关系-裁员 -> negative, 竞赛行为-夺冠 -> positive); distant labels, so noisier.
- ``weibo_emoticon``: the held-out fifth of real Weibo posts (rumor_ced) whose emoticons agree
  on a side, labelled by those emoticons and scored *with* them: the shape of emoticon-labelled
  Weibo corpora, and a check that emoticons are read; leaky by construction, so it flatters.
- ``weibo_ced_text``: the same posts with the emoticons cut out, so only the words speak.
  Distant and noisy labels (a [蜡烛] post may be calm news); the hardest and most honest
  Weibo figure here.

- ``entity``: eval/data/sentiment_entities.jsonl, 123 (text, enterprise, tone) triples written
  for the project, many naming two enterprises with opposite fortunes in one text, refuted
  rumours, problems put right, comparisons (the last 30 and the last 24 were each written after
  the rules that read those, as checks on text they were not shaped on: see models/README.md);
  scored with
  ``score_about`` on the enterprise's mentions, names kept whole as the pipeline keeps watched
  names. Evaluation only.

- ``entity_posts``, ``entity_news``: eval/data/sentiment_entity_{posts,news}.jsonl, 130 consumer
  and employee posts and 90 news items in the same triple form, written by two helpers that saw
  neither the code nor any other set (fictional names; each a mix of typical and hard items:
  irony, a complaint put right, a defended brand, lawsuits, good news in bad words). First
  measured blind, then read to shape the rules of 2026-11-29 evening (models/README.md gives
  both figures), so they now guard those rules rather than judge them.

- ``posts_a``, ``posts_b`` (document tone) and ``entity_posts_a``, ``entity_posts_b`` (tone about
  the named enterprise): eval/data/sentiment_posts_{a,b}.jsonl, 160 Weibo-style posts each
  (customers, employees, residents; about half hard: irony, [微笑], problems put right,
  comparisons), written 2026-11-30 by two helpers that saw neither the code nor any other set.
  Set a was read to study the misses; set b was only scored, its texts never read: with the
  model before the post shifts, with each of the three shipped versions of them, and, by
  accident before it was set aside, with three early training variants (seven models in all).
- ``posts_c`` / ``entity_posts_c`` (200 posts) and ``news_c`` / ``entity_news_c`` (150 news
  items: headlines, leads, official notices, media accounts' items), document tone and tone
  about the named enterprise: eval/data/sentiment_{posts,news}_c.jsonl, written 2026-11-30 by two
  more helpers that saw neither the code nor any other set, and scored once, blind, with the
  code before and after the post router (models/README.md has both figures); read afterwards.
  Of the posts 165 have no 我, 34 an emoticon.
- ``posts_d`` / ``entity_posts_d`` (160 posts) and ``news_d`` / ``entity_news_d`` (120 news items):
  eval/data/sentiment_{posts,news}_d.jsonl, written the same way by a fifth helper after the
  session's changes were made and scored once with the code of the morning (cd0c207), of the post
  router (c96c501) and with the written news (models/README.md has the figures); read afterwards.
- ``posts_e`` / ``entity_posts_e`` (200 posts) and ``news_e`` / ``entity_news_e`` (150 news items):
  eval/data/sentiment_{posts,news}_e.jsonl, written the same way by a sixth helper at the start of
  session 13 (2026-11-30) and never read that session; scored with the code of the morning and
  with each change of the session, and so consulted when two settings were chosen (POST_L2 and
  the written news' weight in scripts/train_sentiment.py): no longer quite blind.
- ``posts_f`` / ``entity_posts_f`` (200 posts) and ``news_f`` / ``entity_news_f`` (150 news items):
  eval/data/sentiment_{posts,news}_f.jsonl, written the same way by a seventh helper during
  session 13 and scored once, blind, at its end, with the code of the morning (349d19d) and the
  submitted code (models/README.md has both figures); not read that session. Read in session
  14 (2026-11-30) to study the misses of news told as good, so no longer blind.
- ``posts_g`` / ``entity_posts_g`` (200 posts) and ``news_g`` / ``entity_news_g`` (150 news items):
  eval/data/sentiment_{posts,news}_g.jsonl, written the same way by a helper at the start of
  session 14 and scored once, blind, with the code of the morning (ef09166) and once with the
  submitted code at its end (models/README.md has both figures); not read that session.
  Read in session 15 (its news misses), so no longer blind.
- ``posts_h`` / ``entity_posts_h`` (200 posts) and ``news_h`` / ``entity_news_h`` (150 news items):
  eval/data/sentiment_{posts,news}_h.jsonl, written the same way by a helper at the start of
  session 15 and scored once, blind, with the code of the morning (259bddd) and once with the
  submitted code at its end (models/README.md has both figures); not read that session. Its
  texts are shorter (posts 21-49 characters, news 16-66) than the earlier sets'.
- ``posts_i`` / ``entity_posts_i`` (200 posts) and ``news_i`` / ``entity_news_i`` (150 news items):
  eval/data/sentiment_{posts,news}_i.jsonl, written the same way by a helper at the start of
  session 16, never read; scored with the code of the morning (fabd2a8), with each commit of the
  session (which is how the one-party mix was found to cost 2.7 points about the enterprise and
  was reverted) and at its end (models/README.md has the figures): consulted, so no longer quite
  blind. Longer than set h (posts up to 139 characters, news up to 300).
- ``posts_j`` / ``entity_posts_j`` (200 posts) and ``news_j`` / ``entity_news_j`` (150 news items):
  eval/data/sentiment_{posts,news}_j.jsonl, written the same way by a helper at the start of
  session 17, never read; scored with the morning's code (abd1864: posts 0.855 / 0.865 by
  document / about the enterprise, news 0.947 / 0.900), when the character model was chosen,
  with ``_whole``, with the pieces' floor and with ``_window_pieces`` (models/README.md):
  consulted, no longer blind. Posts 16-121 characters, news 14-73.
- ``hotel_r``, ``waimai_r``: eval/data/sentiment_reviews_r.jsonl, 150 hotel and 150 takeaway
  reviews (8-60 characters, balanced, a third hard: mixed verdicts, negation, sarcasm, a problem
  put right) written by a helper at session 18 that saw neither code nor data, read as a
  document without a source is (the review router takes 30 % of them for reviews, against 91 %
  of the corpora's held-out reviews); ``hotel_r_site`` and ``waimai_r_site``: the same read as a
  review site's. Blind with the morning's code (b5e73da): unsourced 0.900 / 0.920, as a site's
  0.913 / 0.820 (which made a review site's documents unlike the corpora's read by the mean of
  the two readers too: 0.933 / 0.907).
- ``posts_k`` / ``entity_posts_k`` (200 posts) and ``news_k`` / ``entity_news_k`` (150 news items):
  eval/data/sentiment_{posts,news}_k.jsonl, written the same way by a helper at the start of
  session 18; scored with the morning's code (b5e73da: posts 0.865 / 0.870, news 0.920 / 0.920)
  and with the review router of that session (posts 0.855 with the review reader alone, whose
  five routed posts were then read, and 0.865 with the mean of the two readings). Posts 15-140
  characters, news 40-250, 130 distinct names, some of them service halls.
- Document tone is read as the pipeline reads it: ``SentimentModel.tones``, the turns of the
  lead included (before session 14, the words alone).
- ``news_written``: the held-out fifth of scripts/data/sentiment_news_written.jsonl, news
  written for the project to train the shared weights (its "plain" items; the held-out fifth
  scored here holds its "turn" items too: refuted rumours, lifted penalties, polite bad news).
- ``posts_written``: the held-out fifth of scripts/data/sentiment_posts.jsonl, the posts written
  for the project to train the post shifts (see scripts/train_sentiment.py); same hands, so
  kinder than a and b.

Texts are read as the pipeline reads them: what looks like a social post with the post shifts
(``SentimentModel.for_text``).

``routed_news`` and ``routed_posts``: how often that choice is right without a source, on the
project's own sets: the share of the news texts (news, news_long, entity_news, news_c) read as
news, and of the posts (posts_a, entity_posts, weibo, posts_c) read as posts, by a sure mark or the post router
(``qinglang.engine.postrouter``, trained on other texts: scripts/train_post_router.py).

``hotel`` and ``waimai`` are read as the pipeline reads a document whose source is a review
site (``REVIEW_SOURCES``: with the review shifts, averaged with the words' own reader where the
review router does not take the text for a review); ``hotel_unsourced`` and ``waimai_unsourced``
as it reads one that comes without its source (as a post or as news by its words, averaged with
the review reader's tone where the review router takes it for a review, the review reader's
alone where the router is sure: ``document_tones``);
``routed_reviews``: the share of those reviews the router takes for reviews.
``hotel_balanced`` and ``waimai_balanced``: the same reviews, each class counted as half (the
accuracy on a set with as many complaints as praise).

A text counts as correct when the sign of the score matches its label (0 counts as positive
for nothing: a score of exactly 0 is a miss either way).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import rjieba
from training import training_module

from qinglang.engine.sentiment import (
    DEFAULT_WEIGHTS,
    SentimentModel,
    keep_lexicon_whole,
    looks_like_post,
    looks_like_review,
    starts_of,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OWN_DATA = HERE / "data"
BALANCED_DOMAINS = ("hotel", "waimai")
BLIND_POSTS = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k")   # eval/data/sentiment_posts_{a,...,k}.jsonl
BLIND_NEWS = ("c", "d", "e", "f", "g", "h", "i", "j", "k")    # eval/data/sentiment_news_{c,...,k}.jsonl


def _training_module() -> ModuleType:
    return training_module("train_sentiment")


def _read_jsonl(path: Path, domain: str | None = None) -> list[tuple[str, int]]:
    """(text, label) of each row (of ``domain`` only, when given)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(row["text"], int(row["label"])) for row in rows if domain is None or row["domain"] == domain]


def heldout_sets(data_dir: Path) -> dict[str, list[tuple[str, int]]]:
    train = _training_module()
    weibo = _read_jsonl(OWN_DATA / "sentiment_weibo.jsonl")
    sets: dict[str, list[tuple[str, int]]] = {
        "weibo": weibo,
        "weibo_text": [(train.EMOTICON_RE.sub(" ", text), label) for text, label in weibo],
        "news": _read_jsonl(OWN_DATA / "sentiment_news.jsonl"),
        **{f"news_{part}": _read_jsonl(OWN_DATA / f"sentiment_news_{part}.jsonl") for part in BLIND_NEWS},
        "news_long": _read_jsonl(OWN_DATA / "sentiment_news_long.jsonl"),
        **{f"posts_{part}": _read_jsonl(OWN_DATA / f"sentiment_posts_{part}.jsonl") for part in BLIND_POSTS},
        # reviews written for the project by a helper (session 18), read without their source
        **{f"{domain}_r": _read_jsonl(OWN_DATA / "sentiment_reviews_r.jsonl", domain) for domain in BALANCED_DOMAINS},
        # the held-out fifth of the project-written training posts (same writers' hands)
        "posts_written": [(ex.text, ex.label) for ex in train.read_posts() if ex.heldout],
        # the held-out fifth of the news written to train the shared weights (plain and turns)
        "news_written": [(ex.text, ex.label) for ex in train.read_written_news(kinds=("plain", "turn"), masked=False)
                         if ex.heldout],
    }
    readers = {
        "hotel": train.read_reviews(data_dir / "sentiment_hotel.csv", "hotel"),
        "waimai": train.read_reviews(data_dir / "sentiment_waimai.csv", "waimai"),
        "news_duee": train.read_duee(data_dir / "event_types_duee.jsonl"),
        "weibo_emoticon": train.read_weibo(data_dir / "rumor_ced.jsonl", keep_emoticons=True),
        "weibo_ced_text": train.read_weibo(data_dir / "rumor_ced.jsonl"),
    }
    for domain, examples in readers.items():
        try:
            sets[domain] = [(ex.text, ex.label) for ex in examples if ex.heldout]
        except FileNotFoundError:  # shared data absent (a fresh clone): own sets only
            print(f"sentiment: {domain} skipped, no data in {data_dir}", file=sys.stderr)
    return sets


def class_hits(model: SentimentModel, rows: Iterable[tuple[str, int]], source: str | None = None
               ) -> tuple[list[int], list[int]]:
    """Texts whose score has the sign of their label, and all texts, per label (0, 1); tokens
    as the pipeline makes them (the engine's normalisation, then rjieba); ``source`` as the
    pipeline passes a document's."""
    train = _training_module()
    hits, totals = [0, 0], [0, 0]
    for text, label in rows:
        tokens = train.tokenize(text)
        starts = starts_of(tokens)
        score = model.document_tones(tokens, starts, train.normalize_text(text), source)[0]
        hits[label] += (score > 0) if label == 1 else (score < 0)
        totals[label] += 1
    return hits, totals


def accuracy(hits: list[int], totals: list[int], balanced: bool = False) -> float:
    """Share of texts right; ``balanced``: the mean of the two classes' shares, which is what
    the accuracy would be on a set with as many complaints as praise."""
    if balanced:
        return sum(h / t for h, t in zip(hits, totals, strict=True)) / 2 if all(totals) else float("nan")
    return sum(hits) / sum(totals) if sum(totals) else float("nan")


def entity_accuracy(model: SentimentModel, path: Path = OWN_DATA / "sentiment_entities.jsonl"
                    ) -> float:
    """Share of (text, enterprise) pairs whose score_about has the sign of the label."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    jieba = rjieba.Jieba()
    keep_lexicon_whole(jieba)
    names = {row["entity"] for row in rows}
    for name in names:  # the pipeline adds watched names to its segmenter the same way
        jieba.add_word(name, 200000, "nt")
    normalize = _training_module().normalize_text
    hits = 0
    for row in rows:
        text = normalize(row["text"])
        tokens = jieba.cut(text)
        starts = starts_of(tokens)
        name = row["entity"]
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(name), text)]
        # the other enterprises of the set named in the text, as the pipeline passes the other
        # organisations it found
        others = [(m.start(), m.end()) for other in names - {name} for m in re.finditer(re.escape(other), text)]
        tone = model.for_text(text).score_about(tokens, starts, spans, others)
        hits += (tone > 0) if row["label"] == 1 else (tone < 0)
    return hits / len(rows)


ROUTED_NEWS = ("news", "news_long", "entity_news", "news_c")
ROUTED_POSTS = ("posts_a", "entity_posts", "weibo", "posts_c")


def routed(names: Iterable[str], as_posts: bool) -> float:
    """Share of the texts of eval/data/sentiment_<name>.jsonl that ``looks_like_post`` reads as
    posts (``as_posts``) or as news."""
    normalize = _training_module().normalize_text
    texts = [normalize(text) for name in names for text, _ in _read_jsonl(OWN_DATA / f"sentiment_{name}.jsonl")]
    return sum(looks_like_post(text) == as_posts for text in texts) / len(texts)


def routed_reviews(sets: dict[str, list[tuple[str, int]]]) -> float:
    """Share of the held-out reviews that ``looks_like_review`` takes for reviews without
    their source (``document_tones`` then reads them with the review shifts too)."""
    normalize = _training_module().normalize_text
    texts = [normalize(text) for domain in BALANCED_DOMAINS for text, _ in sets.get(domain, ())]
    return sum(map(looks_like_review, texts)) / len(texts)


def evaluate(data_dir: Path) -> dict[str, float]:
    """Accuracy per domain on held-out data (see the module docstring)."""
    model = SentimentModel.load()
    sets = heldout_sets(Path(data_dir))
    counted = {domain: class_hits(model, rows, "review" if domain in BALANCED_DOMAINS else None)
               for domain, rows in sets.items()}
    scores = {domain: round(accuracy(*counts), 4) for domain, counts in counted.items()}
    # a review that reaches the engine without its site's name: by its words and the review router
    scores.update({f"{domain}_unsourced": round(accuracy(*class_hits(model, sets[domain])), 4)
                   for domain in BALANCED_DOMAINS if domain in sets})
    # the written reviews as a review site's documents: the review shifts, learned on the two
    # corpora, read other hands' reviews worse than the shared weights do (see models/README.md)
    scores.update({f"{domain}_r_site": round(accuracy(*class_hits(model, sets[f"{domain}_r"], "review")), 4)
                   for domain in BALANCED_DOMAINS})
    # the review sets keep their natural class mix (hotel 68 % praise, waimai 34 %); another
    # set of the same kind may not, so the accuracy at an even mix is gated as well
    scores.update({f"{domain}_balanced": round(accuracy(*counted[domain], balanced=True), 4)
                   for domain in BALANCED_DOMAINS if domain in counted})
    scores["entity"] = round(entity_accuracy(model), 4)
    scores["entity_posts"] = round(entity_accuracy(model, OWN_DATA / "sentiment_entity_posts.jsonl"), 4)
    scores["entity_news"] = round(entity_accuracy(model, OWN_DATA / "sentiment_entity_news.jsonl"), 4)
    for part in BLIND_NEWS:
        scores[f"entity_news_{part}"] = round(entity_accuracy(model, OWN_DATA / f"sentiment_news_{part}.jsonl"), 4)
    for part in BLIND_POSTS:
        scores[f"entity_posts_{part}"] = round(entity_accuracy(model, OWN_DATA / f"sentiment_posts_{part}.jsonl"), 4)
    scores["routed_news"] = round(routed(ROUTED_NEWS, as_posts=False), 4)
    scores["routed_posts"] = round(routed(ROUTED_POSTS, as_posts=True), 4)
    if any(domain in sets for domain in BALANCED_DOMAINS):
        scores["routed_reviews"] = round(routed_reviews(sets), 4)
    return scores


def _per_item(fn: Callable[[Any], object], items: list[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - start) / len(items) * 1e6


def timing(data_dir: Path) -> None:
    """Load time, weights size, and score() per ~800-character Weibo item against
    rjieba.cut of 400 characters measured in the same run (machines differ, ratios less)."""
    start = time.perf_counter()
    model = SentimentModel.load()
    print(f"load {(time.perf_counter() - start) * 1e3:.1f} ms, weights "
          f"{DEFAULT_WEIGHTS.stat().st_size / 1e6:.2f} MB")
    posts = [json.loads(line)["text"] for line in (data_dir / "rumor_ced.jsonl").open(encoding="utf-8")]
    stream = _training_module().normalize_text("".join(posts))
    texts = [stream[i:i + 800] for i in range(0, min(len(stream), 800 * 200), 800)]
    items = [rjieba.cut(text) for text in texts]
    heads = [text[:400] for text in texts]
    # Interleaved rounds, best of each: other processes only ever add time.
    cut = score = float("inf")
    for _ in range(15):
        cut = min(cut, _per_item(rjieba.cut, heads))
        score = min(score, _per_item(model.score, items))
    tokens = sum(map(len, items)) / len(items)
    print(f"score {score:.1f} us per 800-char item ({tokens:.0f} tokens); rjieba.cut of 400 chars "
          f"{cut:.1f} us; ratio {score / cut:.2f}")


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--timing"]
    data_dir = Path(args[0]) if args else _training_module().data_dir()
    for domain, value in evaluate(data_dir).items():
        print(f"{domain:15s} {value:.4f}")
    if "--timing" in sys.argv:
        timing(data_dir)


if __name__ == "__main__":
    main()
