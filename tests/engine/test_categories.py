import json
from pathlib import Path

from qinglang.engine import Engine, EngineConfig
from qinglang.engine.categories import RuleClassifier, load_taxonomy

TAXONOMY = EngineConfig().taxonomy


def _codes(text: str) -> set[str]:
    rules = RuleClassifier(load_taxonomy(TAXONOMY))
    return {h.code for h in rules.classify(text, [], [])}


def test_shipped_taxonomy_has_every_category_with_names() -> None:
    cats = load_taxonomy(TAXONOMY)
    assert len(cats) == 15
    assert all(c.name_zh and c.name_en for c in cats)
    assert {"EXTORT.DELETE_FEE", "SMEAR.ASTROTURF", "RECRUIT.BLACK_PR"} <= {c.code for c in cats}


def test_delete_for_a_price_is_extortion() -> None:
    assert "EXTORT.DELETE_FEE" in _codes("想要删帖可以，先转账五千元，否则继续发")
    assert "EXTORT.DELETE_FEE" in _codes("对方报价2万元撤稿")


def test_delete_without_price_and_plain_news_are_not_categorised() -> None:
    assert "EXTORT.DELETE_FEE" not in _codes("版主删帖了，因为帖子重复")
    assert _codes("云帆集团发布三季度报告，营收同比增长百分之十") == set()


def test_impersonation_pattern() -> None:
    assert "PRIVACY.IMPERSONATION" in _codes("有人冒充云帆集团客服，以退款为名骗钱")


def test_category_reasons_are_readable(engine: Engine) -> None:
    result = next(engine.process([{"id": "x", "text": "星河科技负面稿件有偿删帖，每篇收费三千元", "time": 0}]))
    assert "EXTORT.DELETE_FEE" in result.categories
    assert any("有偿删帖" in r for r in result.risk.reasons)


def test_taxonomy_is_editable_data(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps({"categories": [
        {"code": "LOCAL.TEST", "name_zh": "测试类", "name_en": "Test", "phrases": ["恶意刷单"]}
    ]}, ensure_ascii=False), encoding="utf-8")
    engine = Engine(EngineConfig(taxonomy=path))
    result = next(engine.process([{"id": "x", "text": "有人对云帆集团恶意刷单", "time": 0}]))
    assert result.categories == ["LOCAL.TEST"]
