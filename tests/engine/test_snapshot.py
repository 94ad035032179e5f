from collections.abc import Callable
from pathlib import Path

import pytest

from qinglang.engine import Engine, Result, to_doc
from qinglang.engine.cluster import Event

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
    # the names each stock code was seen under, and so the name shown for it, carry over
    assert restored.entities.forms == original.entities.forms
    assert restored.entities.shown == original.entities.shown == {"830101": "云帆集团"}
    assert not restored.entities._fresh   # restored names are not news of the next item


@pytest.mark.parametrize("version", [1, 2])
def test_a_snapshot_of_an_earlier_version_is_read_and_continued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    """Earlier snapshots still restore, so a restart after an upgrade does not reprocess
    history: version 1 (anchor slots without kinds of news) and 2 (events without the score of
    their label's item, posting lists of events rather than event numbers)."""
    import pickle

    original = Engine()
    list(original.process({"id": f"a{i}", "text": t, "time": 60 * i} for i, t in enumerate(FIRST)))
    original.snapshot(tmp_path / "state.pkl")
    state = pickle.loads((tmp_path / "state.pkl").read_bytes())  # noqa: S301 - the test's own file
    state["version"] = version
    clusterer = state["clusterer"]   # posting lists held the events themselves
    clusterer.postings = {k: [clusterer.events[n] for n in plist] for k, plist in clusterer.postings.items()}
    if version == 1:
        for ev in state["clusterer"].events.values():
            for slot in ev.orgs.values():
                del slot[3:]
    def as_before(ev: Event) -> tuple[None, dict[str, object]]:
        slots = {k: getattr(ev, k) for k in Event.__slots__ if k not in ("label_score", "opener_labels")}
        return None, slots

    monkeypatch.setattr(Event, "__getstate__", as_before)
    (tmp_path / "old.pkl").write_bytes(pickle.dumps(state))
    monkeypatch.undo()
    restored = Engine()
    restored.restore(tmp_path / "old.pkl")
    later = {"id": "b0", "text": LATER[0], "time": 600}
    after, reference = restored.process_one(to_doc(later)), original.process_one(to_doc(later))
    assert after.event == reference.event
    assert after.label  # the joined event has a label, and a score for it now
    assert all(ev.label_score != -1.0 or ev.size == 1 for ev in restored.clusterer.events.values())
