"""The post router: a social post without a sure mark is still read as a post, news is not.

Every text is written for these tests (fictional shops, firms and places). The shipped router
(models/post_router.json, written by scripts/train_post_router.py) is used, so these tests
also guard that artefact.
"""

from __future__ import annotations

import json

import pytest

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
