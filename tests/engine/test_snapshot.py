from collections.abc import Callable
from pathlib import Path

from qinglang.engine import Engine, Result

Runner = Callable[[Engine, list[str]], list[Result]]

FIRST = ["云帆集团(830101)董事长失联 公司股价连续跌停", "临川市气象台发布暴雨黄色预警"]
LATER = ["云帆集团(830101)回应董事长失联传闻：正在全力联系", "转发微博 临川市气象台发布暴雨黄色预警"]


def test_restored_engine_continues_like_the_original(tmp_path: Path) -> None:
    original = Engine()
    before = list(original.process({"id": f"a{i}", "text": t, "time": 60 * i} for i, t in enumerate(FIRST)))
    original.snapshot(tmp_path / "state.pkl")
    restored = Engine()
    restored.restore(tmp_path / "state.pkl")
    docs = [{"id": f"b{i}", "text": t, "time": 600 + 60 * i} for i, t in enumerate(LATER)]
    after = list(restored.process(docs))
    reference = list(original.process(docs))
    assert [r.to_dict() for r in after] == [r.to_dict() for r in reference]
    assert after[0].event == before[0].event
    assert after[1].duplicate_of == "a1"
