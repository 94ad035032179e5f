import json
from pathlib import Path

from qinglang.engine import Engine, EngineConfig, Result
from qinglang.engine.bursts import BurstDetector
from qinglang.engine.normalize import normalize
from qinglang.engine.sentiment import SentimentModel


def test_burst_against_own_baseline() -> None:
    bursts = BurstDetector(EngineConfig(burst_min_count=5, burst_z=3.0))
    hour = 3600.0
    for h in range(48):  # one item an hour for two days: the baseline
        assert not bursts.observe("云帆集团", h * hour).bursting
    results = [bursts.observe("云帆集团", 48 * hour + i) for i in range(12)]
    assert not results[2].bursting
    assert results[-1].bursting and results[-1].count == 12


def test_quiet_news_is_blue_and_extortion_about_watched_enterprise_is_higher(engine: Engine) -> None:
    calm, threat = engine.process([
        {"id": "a", "text": "临川市图书馆延长周末开放时间", "time": 0},
        {"id": "b", "text": "星河科技的负面帖子想删帖？交五千元删帖费，不给钱就继续曝光", "time": 60},
    ])
    assert calm.risk.level == "blue"
    assert threat.risk.level in {"orange", "red"}
    assert any("星河科技" in r for r in threat.risk.reasons)
    assert threat.risk.score > calm.risk.score


def test_source_weight_scales_risk(watchlist) -> None:
    text = "星河科技的负面帖子想删帖？交五千元删帖费"
    base = Engine(EngineConfig(watchlist=watchlist))
    weighted = Engine(EngineConfig(watchlist=watchlist, source_weights={"大V": 1.5}))
    a = next(base.process([{"id": "a", "text": text, "time": 0}]))
    b = next(weighted.process([{"id": "a", "text": text, "time": 0, "source": "大V"}]))
    assert b.risk.score > a.risk.score


def test_coordinated_copies_from_many_accounts_are_flagged_astroturf(engine: Engine) -> None:
    post = "星河科技的产品全是假货，大家千万别买，已经有人用出问题了！"
    docs = [{"id": f"p{i}", "text": ("转发微博 " if i else "") + post, "time": 60 * i, "author": f"acct{i}"}
            for i in range(6)]
    results = list(engine.process(docs))
    assert "SMEAR.ASTROTURF" not in results[1].categories
    assert "SMEAR.ASTROTURF" in results[-1].categories
    assert all(r.duplicate_of == "p0" for r in results[1:])
    assert any("账号" in reason for reason in results[-1].risk.reasons)


def watching(tmp_path: Path, *entities: dict[str, str]) -> Engine:
    """An engine whose watch list holds ``entities`` (name, and type where not an enterprise)."""
    path = tmp_path / "watch.json"
    path.write_text(json.dumps(list(entities), ensure_ascii=False), encoding="utf-8")
    return Engine(EngineConfig(watchlist=path))


def negativity_reasons(result: Result) -> list[str]:
    return [r for r in result.risk.reasons if "负面倾向" in r]


def test_negativity_is_read_per_watched_party_and_names_the_one_blamed(tmp_path: Path) -> None:
    engine = watching(tmp_path, {"name": "星河科技"}, {"name": "云帆集团"})
    both, praise = engine.process([
        {"id": "a", "text": "星河科技新品获得用户广泛好评，云帆集团却因拖欠货款被多家供应商起诉。", "time": 0},
        {"id": "b", "text": "星河科技新品获得用户广泛好评，销量创下新高。", "time": 60},
    ])
    negative = negativity_reasons(both)
    assert len(negative) == 1 and "云帆集团" in negative[0] and "星河科技" not in negative[0]
    assert not negativity_reasons(praise)
    assert both.risk.score > praise.risk.score


def test_a_watched_place_is_not_the_party_a_text_blames(tmp_path: Path) -> None:
    engine = watching(tmp_path, {"name": "青山化工"}, {"name": "清溪市", "type": "place"})
    text = "青山化工发布公告。清溪市环保局通报其偷排废水被罚款80万元，责令停产整改。"
    result = next(engine.process([{"id": "a", "time": 0, "text": text}]))
    negative = negativity_reasons(result)
    assert result.entity_tones["青山化工"] < 0
    assert len(negative) == 1 and "青山化工" in negative[0]


def test_a_refuted_rumour_reads_good_for_its_party_but_still_counts_for_risk(tmp_path: Path) -> None:
    engine = watching(tmp_path, {"name": "青山化工"})
    text = "网传青山化工偷排废水致河道污染，经环保部门连夜检测，该说法不实，排放全部达标。"
    result = next(engine.process([{"id": "a", "time": 0, "text": text}]))
    assert result.entity_tones["青山化工"] > 0          # the stance: a rumour shown false
    assert any("针对关注对象“青山化工”的负面倾向" in r for r in negativity_reasons(result))   # still worth a look


def told(engine: Engine, model: SentimentModel, text: str) -> float:
    """The document tone ``model`` reads in ``text``, as the pipeline asks for it."""
    norm = normalize(text).text
    cut = engine.segmenter.cut(norm)
    return model.tones(cut.tokens, cut.starts, norm)[0]


def test_a_post_is_read_with_the_post_shifts_and_its_alarm_with_the_shared_weights_too(tmp_path: Path) -> None:
    engine = watching(tmp_path, {"name": "星河科技"})
    # the post shifts read this complaint milder than the shared weights do (结果 is less damning
    # in posts than in reviews): the alarm keeps the harsher reading
    text = "我在星河科技买的耳机结果用了两次就坏了"
    result = next(engine.process([{"id": "a", "time": 0, "text": text}]))
    tokens = engine.segmenter.cut(normalize(text).text).tokens
    assert result.sentiment == told(engine, engine.sentiment.posts, text) != told(engine, engine.sentiment, text)
    assert engine.sentiment.posts.score(tokens) != engine.sentiment.score(tokens)
    norm = normalize(text).text
    spans = [(norm.find("星河科技"), norm.find("星河科技") + 4)]
    starts = engine.segmenter.cut(norm).starts
    shared = engine.sentiment.score_about(tokens, starts, spans, [], turns=False)
    assert shared < engine.sentiment.posts.score_about(tokens, starts, spans, [], turns=False)
    assert result.alarm_tones["星河科技"] <= min(shared, result.entity_tones["星河科技"]) < 0


def test_news_is_read_with_the_shared_weights_and_a_known_source_decides(tmp_path: Path) -> None:
    engine = watching(tmp_path, {"name": "星河科技"})
    news = "星河科技新厂顺利投产，全年营收同比增长三成"
    read = list(engine.process([{"id": "a", "time": 0, "text": news},
                                {"id": "b", "time": 60, "text": news + "。", "source": "weibo"}]))
    tokens = engine.segmenter.cut(normalize(news).text).tokens
    assert read[0].sentiment == told(engine, engine.sentiment, news)
    assert read[1].sentiment == told(engine, engine.sentiment.posts, news + "。")
    assert engine.sentiment.posts.score(tokens) != engine.sentiment.score(tokens)
