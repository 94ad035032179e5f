"""Kinds of news (kinds.py, data/event_kinds.json)."""

from pathlib import Path

import pytest

from qinglang.engine import Engine, to_doc
from qinglang.engine.config import EngineConfig
from qinglang.engine.kinds import Kind, KindFinder, load_kinds


def _shipped() -> KindFinder:
    return KindFinder(load_kinds(EngineConfig().event_kinds))


def test_a_clause_with_the_cues_of_one_kind_has_that_kind() -> None:
    finder = _shipped()
    assert finder.find("云帆股份(830199)涉嫌内幕交易被立案调查") == "TRADING"
    assert finder.find("青禾控股(830777)控股股东拟变更 实际控制人易主") == "CONTROL_CHANGE"
    assert finder.find("临川市今日晴") is None


def test_cues_match_longest_first_so_one_phrase_is_one_kind() -> None:
    # 集资诈骗 is fund-raising; its 诈骗 must not also count as fraud and make a tie
    assert _shipped().find("岚溪财富涉嫌集资诈骗") == "ILLEGAL_FUNDRAISING"


def test_cues_of_two_kinds_leave_the_kind_unknown() -> None:
    finder = KindFinder([Kind("A", "甲", ("违规",)), Kind("B", "乙", ("辞职",))])
    assert finder.find("某公司违规") == "A"
    assert finder.find("某公司违规 董事长辞职") is None


def test_patterns_tell_a_party_and_what_happened_to_it_with_words_between() -> None:
    finder = _shipped()
    assert finder.find("云帆集团(830101)实控人或将变更") == "CONTROL_CHANGE"
    assert finder.find("青禾控股(830777)控制权争夺升级") == "CONTROL_CHANGE"
    assert finder.find("岚溪股份(830555)拟变更实际控制人 明起复牌") == "CONTROL_CHANGE"
    assert finder.find("岚溪股份(830555)年报推迟至4月15日披露") == "DISCLOSURE"
    assert finder.find("岚溪股份(830555)大股东减持300万股") is None   # a sale is no change of control
    assert finder.find("岚溪股份(830555)公告披露年报") is None


def test_a_bad_pattern_in_an_edited_file_says_where(tmp_path: Path) -> None:
    path = tmp_path / "kinds.json"
    path.write_text('{"kinds": [{"code": "X", "cues": ["测试词"], "patterns": ["(未闭合"]}]}', encoding="utf-8")
    with pytest.raises(ValueError, match="kind X: pattern"):
        load_kinds(path)


def test_the_shipped_kinds_load_and_edited_files_are_read(tmp_path: Path) -> None:
    assert len(load_kinds(EngineConfig().event_kinds)) >= 10
    path = tmp_path / "kinds.json"
    path.write_text('{"kinds": [{"code": "X", "cues": ["测试词"]}]}', encoding="utf-8")
    assert KindFinder(load_kinds(path)).find("这是测试词") == "X"


def test_a_clause_runs_to_the_next_name_so_its_last_words_count() -> None:
    """Run-together headlines: what happened often ends right before the next company's name
    (…董事长失联 青禾食品…); the clause keeps those words for its kind and its headline."""
    engine = Engine()
    text = "云帆集团(830101)董事长失联 青禾食品(830777)股东减持300万股"
    f = engine.analyze(to_doc({"id": "a", "text": text, "time": 0}))
    found = engine._anchors(f)
    assert {key: kind for key, _, _, kind in engine._clauses(f)} == {"830101": "UNABLE_TO_SERVE", "830777": None}
    assert engine._headlines(f, found)["830101"] == "云帆集团(830101)董事长失联"
