"""Same-event pair decisions (pairs.py): the shipped model, its reasons, and the CLI."""

import json
import subprocess
import sys

import pytest

from qinglang.engine import Engine, EngineConfig
from qinglang.engine.pairs import DEFAULT_MODEL, FEATURES, SIGNS, PairModel

STORY = "岚溪鞋业被曝拖欠工人工资三个月，数百名工人到青禾市人社局反映情况"


@pytest.fixture(scope="module")
def engine() -> Engine:
    """A pair engine as the CLI and the monitoring app make one."""
    return Engine(EngineConfig(background_idf=True))


def test_a_repost_and_a_syndicated_copy_are_the_same_event(engine: Engine) -> None:
    for copy in (f"转发微博 {STORY}", f"【临川晚报】{STORY}。记者 王小禾"):
        decision = engine.same_event(STORY, copy)
        assert decision.same, decision
        assert decision.probability >= PairModel.load().threshold
        assert any("字面重合度" in r or "共有关键词" in r for r in decision.reasons)


def test_the_same_kind_of_news_about_another_work_is_another_event(engine: Engine) -> None:
    decision = engine.same_event("《星河往事》定档国庆 导演称拍了三年", "《云帆少年》定档国庆 导演称拍了五年")
    assert not decision.same and decision.probability <= PairModel.load().template_rate < 0.5
    assert decision.reasons[0] == "作品不同 《云帆少年》、《星河往事》"


def test_another_round_or_day_of_the_same_notice_is_another_event(engine: Engine) -> None:
    """One template, another instance: the results of another round, another day's warning."""
    for first, other, reason in [
        ("远航杯联赛第3轮：临川队主场击败青禾队", "远航杯联赛第5轮：临川队主场击败青禾队", "序号或日期不同 3轮/5轮"),
        ("临川市气象台2月3日发布大雾黄色预警", "临川市气象台2月6日发布大雾黄色预警", "序号或日期不同 3日/6日"),
    ]:
        decision = engine.same_event(first, other)
        assert not decision.same and decision.reasons[0] == reason
        assert decision.probability <= PairModel.load().template_rate
        assert engine.same_event(first, first.replace("发布", "再次发布").replace("主场", "在主场")).same


def test_a_word_shared_by_many_different_events_counts_against() -> None:
    """Two items of one paper's news flash share 快讯 and little else: the shared word is the
    paper's label, not the event, and the model learned to discount it.  The paper's name is
    in every item of its feed; an engine that has read the feed knows it is no evidence."""
    engine = Engine(EngineConfig(background_idf=True))
    places = ["市图书馆", "东湖公园", "青禾中学", "远航社区", "地铁二号线", "西城菜市场", "人民医院", "火车站",
              "体育中心", "老城区"]
    happenings = ["周末延长开放时间", "举行春季活动", "新增两处充电桩", "明起调整运营时间", "开展消防演练",
                  "完成设施改造", "迎来客流高峰", "发布出行提示"]
    assert engine.learn(f"临川晚报快讯：{p}{h}" for p in places for h in happenings) == 80
    first, other = "临川晚报快讯：青禾大桥今晨封闭施工", "临川晚报快讯：远航路口发生两车相撞"
    decision = engine.same_event(first, other)
    assert not decision.same
    assert decision.reasons[0].startswith("共有词多见于不同事件") and "快讯" in decision.reasons[0]
    shipped = PairModel.load()
    assert shipped.words["快讯"] < 0
    a, b, join = engine.pair_inputs(first, other)
    without = PairModel(dict(zip(FEATURES, shipped.weights, strict=True)), shipped.bias, shipped.threshold)
    assert without.decide(a, b, join, engine.clusterer.vectors.idf).probability > decision.probability


def test_unrelated_texts_are_not_the_same_event_and_say_why(engine: Engine) -> None:
    decision = engine.same_event(STORY, "远航市首届马拉松赛10月9日鸣枪，两万名跑者参赛")
    assert not decision.same and decision.probability < 0.2
    assert decision.reasons and all(isinstance(r, str) and r for r in decision.reasons)


def test_with_no_stream_behind_it_a_pair_engine_weighs_words_by_the_background(engine: Engine) -> None:
    """Without a stream every word weighs the same, and two reports of one downpour that share
    its place and its words (暴雨, 积水) but not their phrasing read as too thin; the shipped
    background counts make the shared words count as what they are."""
    first, other = "青禾市暴雨致多条道路积水", "青禾暴雨：多路段积水 交警疏导"
    assert not Engine().same_event(first, other).same
    decision = engine.same_event(first, other)
    assert decision.same and "共有关键词 暴雨、积水、青禾" in decision.reasons
    vectors, docs = engine.clusterer.vectors, PairModel.load().background[0]
    assert vectors.docs == docs > 10_000      # nothing streamed: the background alone
    assert vectors.idf("公司") < vectors.idf("暴雨") < vectors.idf("青禾")


def test_looking_at_a_pair_leaves_the_stream_state_alone_unless_asked() -> None:
    engine = Engine()
    vectors = engine.clusterer.vectors
    engine.same_event(STORY, f"转发微博 {STORY}")
    assert vectors.docs == 0 and not any(vectors.df)
    engine.same_event(STORY, f"转发微博 {STORY}", learn=True)
    assert vectors.docs == 2 and vectors.df[vectors.vocab["岚溪"]] == 2


def test_the_shipped_weights_cover_every_feature_with_the_declared_sign() -> None:
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    for name, weight in data["weights"].items():
        assert SIGNS[name] * weight >= 0, name  # evidence never counts against, conflict never for
    # a name's weight only ever counts against: which celebrities were in one story during the
    # data's weeks is no lesson for another stream (scripts/train_pairs.py)
    segmenter = Engine().segmenter
    assert data["shared_words"] and not [w for w, v in data["shared_words"].items() if v > 0 and segmenter.is_proper(w)]
    with pytest.raises(ValueError, match="title_conflict"):
        PairModel({k: v for k, v in data["weights"].items() if k != "title_conflict"}, 0.0, 0.5)


def test_cli_answers_every_line_in_order_and_names_bad_ones() -> None:
    lines = [json.dumps({"id": "p1", "text1": STORY, "text2": f"转发微博 {STORY}"}, ensure_ascii=False),
             "{broken", json.dumps({"id": "p3", "text1": STORY}, ensure_ascii=False)]
    proc = subprocess.run([sys.executable, "-m", "qinglang.engine", "pairs"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["p1", None, "p3"]
    assert out[0]["same_event"] is True and set(out[0]) == {"id", "same_event", "probability", "reasons"}
    assert "error" in out[1] and "text1 and text2" in out[2]["error"]
    assert "line 2" in proc.stderr and "id p3" in proc.stderr
