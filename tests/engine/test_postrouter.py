"""The post router: a social post without a sure mark is still read as a post, news is not.

Every text is written for these tests (fictional shops, firms and places). The shipped router
(models/post_router.json, written by scripts/train_post_router.py) is used, so these tests
also guard that artefact.
"""

from __future__ import annotations

import json

import pytest
import rjieba

from qinglang.engine import postrouter, sentiment
from qinglang.engine.normalize import normalize
from qinglang.engine.postrouter import DEFAULT_ROUTER, LENGTH_PREFIX, PostRouter, router_features
from qinglang.engine.sentiment import SentimentModel, has_post_mark, looks_like_post

UNMARKED_POSTS = [
    "梧桐路那家烘焙店的蛋挞绝了，排队半小时也值",
    "千万别在青梧快修换屏，换完三天就失灵，找过去还说是人为损坏",
    "溪畔物业的报修电话打了一下午都没人接，交物业费的时候倒是挺积极",
    "这家店的牛肉面越来越咸了，汤也不热，再也不去了",
    # a known miss (2026-11-30): a short question with no tone of its own reads as a headline
    pytest.param("有谁知道鹿鸣镇哪家驾校靠谱吗？求推荐",
                 marks=pytest.mark.xfail(strict=True, reason="short question read as news (logit -1.7)")),
]

UNMARKED_NEWS = [
    "记者从清溪市市场监管局获悉，该局近日对辖区内12家餐饮企业开展专项检查，责令3家限期整改。",
    "5月12日，清溪市公安局发布警情通报：一辆货车在滨江路与一辆电动车相撞，致1人受伤。",
    "清溪市中级人民法院审结一起合同纠纷案，判令被告返还货款80万元。",
    "云帆集团发布公告称，公司上半年实现营业收入12.6亿元，同比增长18%。",
    "鹿鸣镇今年新建改建农村公路40公里，群众出行更加便捷",
]


@pytest.fixture(scope="module")
def router() -> PostRouter:
    loaded = postrouter.shipped_router()
    assert loaded is not None, f"{DEFAULT_ROUTER} missing: run scripts/train_post_router.py"
    return loaded


@pytest.mark.parametrize("text", UNMARKED_POSTS)
def test_a_post_without_a_sure_mark_is_read_as_a_post(text: str) -> None:
    norm = normalize(text).text
    assert not has_post_mark(norm)           # no 我, emoticon, #tag# or @mention: the router decides
    assert looks_like_post(norm)
    model = SentimentModel.load()
    assert model.for_text(norm) is model.posts


@pytest.mark.parametrize("text", UNMARKED_NEWS)
def test_news_without_a_mark_is_read_as_news(router: PostRouter, text: str) -> None:
    norm = normalize(text).text
    assert not looks_like_post(norm)
    assert router.logit(norm) < router.threshold


def test_a_known_source_is_not_second_guessed_by_the_router() -> None:
    post = normalize(str(UNMARKED_POSTS[0])).text
    assert looks_like_post(post) and not looks_like_post(post, "news")
    assert looks_like_post(normalize(UNMARKED_NEWS[0]).text, "weibo")


def test_the_logit_is_the_bias_plus_the_weights_of_the_features(router: PostRouter) -> None:
    text = normalize(UNMARKED_POSTS[2]).text
    expected = router.bias + sum(router.weights.get(name, 0.0) for name in router_features(text))
    assert router.logit(text) == pytest.approx(expected, abs=1e-9)


def test_features_fold_figures_and_latin_letters_and_read_the_head_only() -> None:
    assert router_features("AB12") == {"a", "0", "aa", "a0", "00", f"{LENGTH_PREFIX}3"}
    long = "好" * 150 + "坏" * 150
    found = router_features(long)
    assert "坏" in found and f"{LENGTH_PREFIX}9" in found
    assert router_features("好" * 150 + "坏" * 50 + "差" * 100) - {f"{LENGTH_PREFIX}9"} == found - {f"{LENGTH_PREFIX}9"}


def test_the_shipped_router_is_small_and_complete() -> None:
    data = json.loads(DEFAULT_ROUTER.read_text(encoding="utf-8"))
    assert {"bias", "threshold", "weights", "version"} <= data.keys()
    names = data["weights"].keys()
    assert all(len(name) <= 2 or name.startswith(LENGTH_PREFIX) for name in names)
    assert 1_000 < len(names) < 50_000


def test_without_the_router_file_only_the_sure_marks_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "shipped_router", lambda: None)
    assert not looks_like_post(normalize(UNMARKED_POSTS[0]).text)
    assert looks_like_post(normalize("我在云帆商城买的耳机坏了").text)


# The review router (models/review_router.json, scripts/train_review_router.py): reviews that
# come without their site's name. Written for these tests; 我们 and 下次还会再来 are a review's
# voice too, so the sure marks of a post do not decide first.
UNSOURCED_REVIEWS = [
    "房间很大很干净，前台服务热情，早餐种类也多，下次还会再来",
    "送餐太慢了，等了一个半小时，饭菜都凉了",
    "服务员态度恶劣，菜也难吃，差评",
    "我们住的是标准间，空调很好用，早餐一般",
    "床单有污渍，卫生间有异味，太失望了",
    "房间小了点，不过干净，离地铁站近",
]


@pytest.mark.parametrize("text", UNSOURCED_REVIEWS)
def test_a_review_without_its_source_is_taken_for_a_review(text: str) -> None:
    assert sentiment.looks_like_review(normalize(text).text)


@pytest.mark.parametrize("text", [*UNMARKED_NEWS, *(p for p in UNMARKED_POSTS if isinstance(p, str))])
def test_news_and_posts_are_not_taken_for_reviews(text: str) -> None:
    assert not sentiment.looks_like_review(normalize(text).text)


def test_a_named_source_decides_whether_a_text_is_a_review() -> None:
    review, news = normalize(UNSOURCED_REVIEWS[0]).text, normalize(UNMARKED_NEWS[0]).text
    assert not sentiment.looks_like_review(review, "weibo") and not sentiment.looks_like_review(review, "news")
    assert sentiment.looks_like_review(news, "大众点评")


def test_without_the_review_router_file_no_text_is_taken_for_a_review(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "shipped_review_router", lambda: None)
    assert not sentiment.looks_like_review(normalize(UNSOURCED_REVIEWS[0]).text)


SEGMENTER = rjieba.Jieba()
sentiment.keep_lexicon_whole(SEGMENTER)


Tones = tuple[float, float]


def _cut(text: str) -> tuple[list[str], list[int], str]:
    """Tokens, their starts and the normalised text, as the pipeline hands them to the model."""
    norm = normalize(text).text
    tokens = SEGMENTER.cut(norm)
    return tokens, sentiment.starts_of(tokens), norm


def _tones(model: SentimentModel, text: str, source: str | None = None) -> tuple[Tones, Tones]:
    """``document_tones``, and the tones of the model ``for_text`` picks alone."""
    tokens, starts, norm = _cut(text)
    return model.document_tones(tokens, starts, norm, source), model.for_text(norm, source).tones(tokens, starts, norm)


def _review_tones(model: SentimentModel, text: str) -> tuple[float, float]:
    return model.reviews.tones(*_cut(text))


def test_an_unsourced_review_is_read_by_the_mean_of_its_reader_and_the_review_reader() -> None:
    model = SentimentModel.load()
    text = UNSOURCED_REVIEWS[5]     # just past the router's threshold
    assert 0 < sentiment.review_margin(normalize(text).text) <= sentiment.REVIEW_SURE_MARGIN
    (told, worded), (own_told, own_worded) = _tones(model, text)
    review = _review_tones(model, text)[0]
    assert review != pytest.approx(own_told, abs=0.05)      # the two readers differ on this one
    assert told == pytest.approx((own_told + review) / 2) and worded == pytest.approx((own_worded + review) / 2)


def test_a_review_sites_document_unlike_the_corpora_is_read_by_the_mean_too() -> None:
    # the review shifts learned two corpora's reviews; another kind, on a review site, is
    # hedged with the reader its words pick, as an unsourced review is
    model = SentimentModel.load()
    text = "上次来住过，这次又来了，还是一样满意"
    tokens, starts, norm = _cut(text)
    assert sentiment.review_margin(norm) <= 0 and sentiment.looks_like_review(norm, "大众点评")
    told, worded = model.document_tones(tokens, starts, norm, "大众点评")
    own_told, own_worded = _tones(model, text)[1]      # the reader its words pick, no source
    review = _review_tones(model, text)[0]
    assert told == pytest.approx((own_told + review) / 2) and worded == pytest.approx((own_worded + review) / 2)
    # one the router takes for a review is the review reader's alone
    assert _tones(model, UNSOURCED_REVIEWS[5], "大众点评")[0] == _review_tones(model, UNSOURCED_REVIEWS[5])


def test_a_review_the_router_is_sure_of_is_read_by_the_review_reader_alone() -> None:
    model = SentimentModel.load()
    text = UNSOURCED_REVIEWS[1]
    assert sentiment.review_margin(normalize(text).text) > sentiment.REVIEW_SURE_MARGIN
    assert _tones(model, text)[0] == _review_tones(model, text)


@pytest.mark.parametrize(("text", "source"), [(UNMARKED_NEWS[2], None), (UNMARKED_POSTS[1], None),
                                              (UNSOURCED_REVIEWS[5], "大众点评"), (UNSOURCED_REVIEWS[5], "weibo")])
def test_other_documents_are_read_by_their_own_reader_alone(text: str, source: str | None) -> None:
    mine, own = _tones(SentimentModel.load(), str(text), source)
    assert mine == own


def test_the_shipped_review_router_is_small_and_complete() -> None:
    data = json.loads(postrouter.DEFAULT_REVIEW_ROUTER.read_text(encoding="utf-8"))
    assert {"bias", "threshold", "weights", "version"} <= data.keys()
    assert all(len(name) <= 2 or name.startswith(LENGTH_PREFIX) for name in data["weights"])
    assert 1_000 < len(data["weights"]) < 50_000


def test_the_pipeline_reads_an_unsourced_review_as_document_tones_does() -> None:
    from qinglang.engine import Engine

    text = UNSOURCED_REVIEWS[5]
    result = next(Engine().process([{"id": "r1", "text": text, "time": 0}]))
    (told, _), (own, _) = _tones(SentimentModel.load(), text)
    assert result.sentiment == pytest.approx(told, abs=1e-6) and result.sentiment != pytest.approx(own, abs=0.05)
