from collections.abc import Callable

from qinglang.engine import Engine, EngineConfig, Result, to_doc
from qinglang.engine.cluster import Clusterer

Runner = Callable[[Engine, list[str]], list[Result]]


def test_same_company_same_event_joins(run: Runner) -> None:
    results = run(Engine(), [
        "云帆集团(830101)董事长失联 公司股价连续跌停",
        "临川市气象台发布暴雨黄色预警",
        "云帆集团(830101)回应董事长失联传闻：正在全力联系",
    ])
    assert results[0].event == results[2].event
    assert results[1].event != results[0].event


def test_same_event_type_at_another_company_is_another_event(run: Runner) -> None:
    results = run(Engine(), [
        "云帆集团(830101)董事长失联 公司股价连续跌停",
        "云帆集团(830101)回应董事长失联传闻：正在全力联系",
        "青禾食品(830777)董事长失联 公司股价连续跌停",
    ])
    assert results[0].event == results[1].event
    assert results[2].event != results[0].event


def test_run_together_headlines_join_the_event_of_their_company(run: Runner) -> None:
    results = run(Engine(), [
        "云帆集团(830101)涉嫌财务造假被证监会立案调查",
        "临川银行(830555)股东减持300万股云帆集团(830101)财务造假案细节曝光",
    ])
    assert results[1].event == results[0].event


def test_no_look_ahead_first_item_opens_an_event(run: Runner) -> None:
    results = run(Engine(), ["云帆集团(830101)涉嫌财务造假被证监会立案调查"])
    assert results[0].new_event


def test_event_summary_names_first_poster_size_and_sources() -> None:
    engine = Engine()
    docs = [
        {"id": "p1", "text": "云帆集团(830101)董事长失联 公司股价连续跌停", "time": 0, "source": "weibo"},
        {"id": "p2", "text": "云帆集团(830101)回应董事长失联传闻：正在全力联系", "time": 60, "source": "news"},
    ]
    results = list(engine.process(docs))
    summary = engine.events()[0]
    assert summary["id"] == results[0].event
    assert summary["first_id"] == "p1"
    assert summary["size"] == 2
    assert summary["sources"] == {"weibo": 1, "news": 1}
    assert len(summary["tone_trend"]) == 2
    assert "失联" in summary["top_terms"]
    assert summary["kind"] == "UNABLE_TO_SERVE"


def test_one_company_in_the_news_for_two_kinds_of_thing_makes_two_events(run: Runner) -> None:
    """Same company, same days: a disclosure violation and a change of controlling
    shareholder are two events; news of the first kind in other words joins the first."""
    results = run(Engine(), [
        "云帆股份(830199)信披违规遭交易所通报批评 未及时披露重大合同",
        "云帆股份(830199)控股股东拟变更为临川国资 实控人将易主",
        "云帆股份(830199)涉嫌信息披露违法被证监会立案调查",
        "云帆股份(830199)实际控制人变更获批 临川国资正式入主",
    ])
    assert results[0].event == results[2].event
    assert results[1].event == results[3].event
    assert results[0].event != results[1].event
    # each event says what kind of news it is (the monitoring app shows and filters by it)
    assert [r.kind for r in results] == ["DISCLOSURE", "CONTROL_CHANGE", "DISCLOSURE", "CONTROL_CHANGE"]


def test_event_label_is_the_headline_about_its_company(run: Runner) -> None:
    """Items that run several headlines together: once a second item shows what the event is
    about, its label is the first item's headline about that company, not the item's opening."""
    results = run(Engine(), [
        "臨川銀行(830555)股東減持300萬股云帆集团（830101）涉嫌财务造假，被证监会立案调查",
        "青禾食品(830777)发布年度报告云帆集团(830101)财务造假案细节曝光",
    ])
    assert results[1].event == results[0].event
    assert results[0].label.startswith("臨川銀行(830555)股東減持300萬股")
    # in the source's own characters (full-width brackets and comma), as a reader saw it
    assert results[1].label == "云帆集团（830101）涉嫌财务造假，被证监会立案调查"


def test_event_label_is_the_title_of_its_most_typical_item() -> None:
    """Titled items: the label is a title, the opener's until an item joins that is more like
    the event than the first joiner was."""
    engine = Engine()
    titles = ["突发：云帆集团(830101)董事长失联", "云帆集团(830101)董事长失联 公司股价连续跌停",
              "云帆集团(830101)董事长失联 公司股价连续跌停 董事会紧急联系"]
    texts = ["据悉，云帆集团董事长已失联三日。", "云帆集团(830101)董事长失联，公司股价连续跌停。",
             "云帆集团(830101)董事长失联，公司股价连续跌停，董事会正在紧急联系。"]
    results = list(engine.process({"id": f"t{i}", "title": title, "text": text, "time": 60 * i}
                                  for i, (title, text) in enumerate(zip(titles, texts, strict=True))))
    assert len({r.event for r in results}) == 1
    assert results[0].label == results[1].label == titles[0]   # the first join only sets the bar
    # the third item matches an event that now holds the second, its near twin, more closely
    # than the second matched the opener alone: its title becomes the label
    assert results[2].label == titles[2]
    assert engine.events()[0]["label"] == titles[2]


def test_an_event_left_alone_for_a_whole_window_ages_out() -> None:
    """News of the same company after a quiet window opens a new event; the old event and its
    posting lists are gone (memory stays bounded)."""
    engine = Engine(EngineConfig(window_seconds=3600, prune_every=2))
    first = engine.process_one(to_doc({"id": "a", "text": "云帆集团(830101)董事长失联 公司股价连续跌停", "time": 0}))
    for i, text in enumerate(["临川市气象台发布暴雨黄色预警", "青禾食品(830777)发布年度报告"]):
        engine.process_one(to_doc({"id": f"x{i}", "text": text, "time": 7200 + i}))
    assert int(first.event[1:]) not in engine.clusterer.events
    assert "@830101" not in engine.clusterer.postings
    later = engine.process_one(to_doc({"id": "b", "text": "云帆集团(830101)回应董事长失联传闻", "time": 7300}))
    assert later.new_event and later.event != first.event


def test_a_run_together_item_goes_with_the_news_rather_than_the_routine_headline() -> None:
    """An item names two organisations: one in a clause telling a kind of news (信披违规), one in
    a routine headline (股东减持).  Where the words would favour the routine headline's event,
    the organisation the news is about decides; without that preference (routine_share 1) the
    item would go the other way."""
    def joins_the_news(cfg: EngineConfig) -> bool:
        clusterer = Clusterer(cfg)
        told = ["股东", "减持", "万股", "计划"]
        routine = clusterer.assign("a", "", 0, told, [("830101", told, True, None)])
        told = ["回应", "信披", "涉嫌"]
        news = clusterer.assign("b", "", 60, told, [("830202", told, True, None)])
        assert routine.event is not news.event
        item = clusterer.assign("c", "", 120, ["股东", "减持", "万股", "涉嫌", "信披"],
                                [("830101", ["股东", "减持", "万股"], True, None),
                                 ("830202", ["涉嫌", "信披"], True, "DISCLOSURE")])
        return item.event is news.event

    assert joins_the_news(EngineConfig())
    assert not joins_the_news(EngineConfig(routine_share=1.0))


def test_a_rating_grade_is_not_a_name_two_stories_share() -> None:
    """"下调至CCC" tells what happened, not who: the grade is no anchor (it made one event of
    two countries' downgrades), while an unknown Latin name still is."""
    engine = Engine()
    item = engine.analyze(to_doc({"id": "a", "text": "标普下调北原国评级至CCC 北原国央行回应Zorvex传闻", "time": 0}))
    keys = [key for key, *_ in engine._clauses(item)]
    assert "CCC" not in keys and "Zorvex" in keys
