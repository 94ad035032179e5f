from collections.abc import Callable

import numpy as np

from qinglang.engine import Engine, EngineConfig, Result
from qinglang.engine.dedup import Deduplicator, core_text, exact_key, minhash, similarity

Runner = Callable[[Engine, list[str]], list[Result]]
# Pinned: a change here silently invalidates every stored snapshot and duplicate link.
PINNED_KEY = 0x51C17AF997CCFC93
PINNED_SIG = [3981513736, 1327077975, 913084259, 561070092]

ORIGINAL = "云帆集团今日宣布在临川市投资建设新能源电池工厂，预计年产值五十亿元，将带动当地就业三千人。"


def test_fingerprint_is_stable_and_pinned() -> None:
    assert exact_key(ORIGINAL) == exact_key(ORIGINAL)
    sig = minhash(ORIGINAL, 48)
    assert sig.dtype == np.uint32 and sig.shape == (48,)
    assert np.array_equal(sig, minhash(ORIGINAL, 48))
    assert exact_key("星河科技") == PINNED_KEY
    assert sig[:4].tolist() == PINNED_SIG


def test_similar_texts_have_similar_fingerprints() -> None:
    edited = ORIGINAL.replace("五十亿元", "六十亿元")
    other = "临川市气象台发布暴雨黄色预警，请市民减少外出，注意防范山洪和地质灾害。"
    assert similarity(minhash(ORIGINAL, 48), minhash(edited, 48)) > 0.6
    assert similarity(minhash(ORIGINAL, 48), minhash(other, 48)) < 0.2


def test_repost_furniture_is_stripped() -> None:
    assert core_text("转发微博 " + ORIGINAL) == ORIGINAL
    assert core_text("说得好！//@路人甲:" + ORIGINAL) == ORIGINAL


def _check(dedup: Deduplicator, doc_id: str, text: str, author: str = "a") -> str | None:
    return dedup.check(text, 1_700_000_000, author, doc_id).duplicate_of


def test_repost_comment_chain_and_syndicated_copy_point_to_first_copy() -> None:
    dedup = Deduplicator(EngineConfig())
    assert _check(dedup, "first", ORIGINAL) is None
    assert _check(dedup, "repost", "转发微博 " + ORIGINAL) == "first"
    assert _check(dedup, "chain", "这是真的吗//@某人:" + ORIGINAL) == "first"
    syndicated = "来源：临川日报 记者 王五\n" + ORIGINAL + "（完）"
    assert _check(dedup, "copy", syndicated) == "first"
    assert _check(dedup, "other", "临川市气象台发布暴雨黄色预警，请市民减少外出。") is None


def test_traditional_script_copy_is_a_duplicate_after_normalisation(engine: Engine, run: Runner) -> None:
    traditional = "云帆集团今日宣布在臨川市投資建設新能源電池工廠，預計年產值五十億元，將帶動當地就業三千人。"
    first, copy = run(engine, [ORIGINAL, traditional])
    assert copy.duplicate_of == first.id
    assert copy.event == first.event


def test_many_authors_posting_copies_is_astroturf() -> None:
    dedup = Deduplicator(EngineConfig(astroturf_authors=4))
    results = [dedup.check(f"{ORIGINAL}#{i}", 1_700_000_000 + i, f"user{i}", f"d{i}") for i in range(5)]
    assert not results[1].astroturf
    assert results[4].astroturf and results[4].group_authors == 5


def test_copies_older_than_the_window_are_forgotten() -> None:
    dedup = Deduplicator(EngineConfig())
    assert _check(dedup, "old", ORIGINAL) is None
    assert _check(dedup, "filler", "临川市气象台发布暴雨黄色预警，请市民减少外出。") is None
    dedup.prune(min_seq=2)  # both items above left the window
    assert _check(dedup, "again", ORIGINAL) is None
    assert _check(dedup, "copy", "转发微博 " + ORIGINAL) == "again"
