from collections.abc import Callable
from pathlib import Path

from qinglang.engine import Engine, Result, to_doc

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


def test_a_snapshot_of_the_previous_version_is_read_and_continued(tmp_path: Path) -> None:
    """Version 1 snapshots (anchor slots without kinds of news) still restore: a restart
    after an upgrade does not reprocess history."""
    import pickle

    original = Engine()
    list(original.process({"id": f"a{i}", "text": t, "time": 60 * i} for i, t in enumerate(FIRST)))
    original.snapshot(tmp_path / "state.pkl")
    state = pickle.loads((tmp_path / "state.pkl").read_bytes())  # noqa: S301 - the test's own file
    state["version"] = 1
    for ev in state["clusterer"].events.values():
        for slot in ev.orgs.values():
            del slot[3:]
    (tmp_path / "old.pkl").write_bytes(pickle.dumps(state))
    restored = Engine()
    restored.restore(tmp_path / "old.pkl")
    later = {"id": "b0", "text": LATER[0], "time": 600}
    assert restored.process_one(to_doc(later)).event == original.process_one(to_doc(later)).event
