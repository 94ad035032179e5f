from qinglang.engine import Engine


def test_watched_alias_is_found_with_canonical_name_and_offsets(engine: Engine) -> None:
    text = "網傳星河科技股份有限公司董事长失联，星河回应称系谣言"
    result = next(engine.process([{"id": "x", "text": text, "time": 0}]))
    names = [(e["name"], e["type"], text[e["start"] : e["end"]]) for e in result.entities]
    assert ("星河科技", "enterprise", "星河科技股份有限公司") in names
    assert ("星河科技", "enterprise", "星河") in names


def test_watched_person_role_alias_maps_to_person(engine: Engine) -> None:
    result = next(engine.process([{"id": "x", "text": "星河科技董事长出席临川市营商环境座谈会", "time": 0}]))
    found = {(e["name"], e["type"]) for e in result.entities}
    assert ("张明远", "person") in found
    assert ("临川市", "place") in found


def test_watched_names_stay_whole_in_segmentation(engine: Engine) -> None:
    assert "星河科技" in engine.segmenter.cut("关于星河科技的传闻").tokens


def test_listed_company_is_discovered_and_then_recognised_without_its_code() -> None:
    engine = Engine()
    first = next(engine.process([{"id": "a", "text": "青禾食品(830777)涉嫌信披违规被立案调查", "time": 0}]))
    assert first.entities[0]["name"] == "青禾食品"
    later = next(engine.process([{"id": "b", "text": "监管层再次问询青禾食品", "time": 60}]))
    assert [e["name"] for e in later.entities] == ["青禾食品"]


def test_a_trade_name_before_its_industry_is_discovered_and_joins_its_story() -> None:
    engine = Engine()
    results = list(engine.process([
        {"id": "a", "text": "岚溪鞋业高管失联 临川银行(830555)股东减持300万股", "time": 0},
        {"id": "b", "text": "岚溪鞋业老板失联风波：供应商上门讨薪 青禾食品(830777)年报延期", "time": 60},
    ]))
    assert "岚溪" in engine.entities.known
    assert "岚溪" in [e["name"] for e in results[1].entities]
    assert results[1].event == results[0].event


def test_names_before_the_industry_words_of_listed_names_are_learned() -> None:
    # 新材, 光电, 锂业 … end many listed names; without them the name read was the industry
    # word itself, and every "…新材" of the stream was one organisation
    engine = Engine()
    texts = ["岑砚新材精准踩点遭质疑，是嗅觉异常还是内幕交易", "泽鹭新材：实控人拟变更，公司股价大涨",
             "岑砚新材再遭质疑，徐某因内幕交易被查"]
    results = list(engine.process({"id": str(i), "text": t, "time": i * 60} for i, t in enumerate(texts)))
    names = [[e["name"] for e in r.entities] for r in results]
    assert "岑砚" in names[0] and "泽鹭" in names[1] and all("新材" not in found for found in names)
    assert results[2].event == results[0].event != results[1].event
    # a numeral's unit or a word that tells what happened glued to the front is no name
    list(engine.process([{"id": "x", "text": "大股东减持120万股元亨光电，失联鸿特精密停牌", "time": 300}]))
    assert "股元亨" not in engine.entities.known and "失联鸿特" not in engine.entities.known


def test_a_listed_name_with_a_stopword_character_inside_is_read_whole() -> None:
    engine = Engine()   # 嘉|和|科技: 和 alone is a stopword, inside a name it is not
    result = next(engine.process([{"id": "a", "text": "嘉和科技(830696)实控人涉嫌虚假陈述遭起诉", "time": 0}]))
    assert [e["name"] for e in result.entities] == ["嘉和科技"]


def test_a_name_the_segmenter_leaves_in_single_characters_is_learned_when_it_comes_back() -> None:
    engine = Engine()   # 曦|滢|股份: rare characters the dictionary does not join
    texts = ["3月5日，曦滢股份涉嫌传销被立案调查", "警方通报曦滢股份涉嫌传销案进展", "曦滢股份涉嫌传销案又有三人被批捕"]
    results = list(engine.process({"id": str(i), "text": t, "time": i * 60} for i, t in enumerate(texts)))
    assert "曦滢" in engine.entities.known
    assert "曦滢" in [e["name"] for e in results[2].entities]
    assert results[2].event == results[1].event
    # seen once, single characters before an industry word are as likely a verb and its object
    list(engine.process([{"id": "x", "text": "该股东持股120万股，占总股份的3%", "time": 300}]))
    assert "占总" not in engine.entities.known
    # 和 inside such a name (嘉|和|科技) is one of its characters, not "and"
    list(engine.process({"id": f"j{i}", "text": t, "time": 400 + i} for i, t in enumerate(
        ["券商下调嘉和科技评级至卖出", "嘉和科技评级遭标普下调至垃圾级"])))
    assert "嘉和" in engine.entities.known
    # ... and coming back means in another item, not twice in one
    list(engine.process([{"id": "y", "text": "他在翊璟股份任职多年。翊璟股份称其已离职。", "time": 360}]))
    assert "翊璟" not in engine.entities.known


def test_a_common_word_before_an_industry_is_not_a_name() -> None:
    engine = Engine()
    list(engine.process([{"id": "a", "text": "多家风险投资机构看好新能源汽车赛道", "time": 0}]))
    assert "风险" not in engine.entities.known and "新能源" not in engine.entities.known


def test_a_name_before_an_executive_role_is_an_organisation_and_joins_its_story() -> None:
    """"禾播总经理…": an unlisted firm with no company form in sight is named by its executives."""
    engine = Engine()
    results = list(engine.process([
        {"id": "a", "text": "禾播总经理李明被警方带走 公司称正常运营", "time": 0},
        {"id": "b", "text": "禾播拒签罚款决定书 老板去向成谜", "time": 60},
    ]))
    assert engine.entities.known.get("禾播") == "禾播"
    assert [e["name"] for e in results[1].entities] == ["禾播"]
    assert results[1].event == results[0].event


def test_a_verb_glued_to_a_role_is_not_a_name() -> None:
    engine = Engine()
    list(engine.process([{"id": "a", "text": "记者获悉，遭罚董事长已辞职，被查高管仍在配合调查", "time": 0}]))
    assert not engine.entities.known
    list(engine.process([{"id": "b", "text": "岚溪鞋业拟转股份给临川国资", "time": 60}]))   # 拟转|股份
    assert set(engine.entities.known) == {"岚溪"}


def test_a_name_before_controlling_shareholder_is_not_a_holding_company() -> None:
    """"X控股股东" is X's controlling shareholder; only "X控股" on its own names a holding company."""
    engine = Engine()
    list(engine.process([{"id": "a", "text": "岚溪控股股东拟变更为临川国资", "time": 0}]))
    assert "岚溪" not in engine.entities.known
    list(engine.process([{"id": "b", "text": "岚溪控股拟收购临川一家物流公司", "time": 60}]))
    assert engine.entities.known.get("岚溪") == "岚溪"


def test_a_word_that_tells_what_happened_is_not_a_name() -> None:
    """"高管失联公司声明称…": 失联 before 公司 is what happened (a kind of news' cue), not a firm."""
    engine = Engine()
    list(engine.process([{"id": "a", "text": "岚溪鞋业两高管失联公司声明称正常经营", "time": 0}]))
    assert "失联" not in engine.entities.known


def test_roles_the_segmenter_cuts_in_pieces_still_name_the_firm() -> None:
    """法定代表人 and 实际控制人 come out of the segmenter as 法定代表|人 and 实际|控制|人."""
    engine = Engine()
    list(engine.process([{"id": "a", "text": "禾播法定代表人李明被警方带走", "time": 0},
                         {"id": "b", "text": "岚溪实际控制人王强失联", "time": 60}]))
    assert engine.entities.known.get("禾播") == "禾播"
    assert engine.entities.known.get("岚溪") == "岚溪"
    list(engine.process([{"id": "c", "text": "此事或致实际控制人变更", "time": 120}]))
    assert "或致" not in engine.entities.known   # 或 ("may") starts no trade name


def test_a_numbers_unit_is_not_the_first_character_of_the_name_after_it() -> None:
    engine = Engine()
    result = next(engine.process([{"id": "a", "text": "去年亏损3亿泰和源(830123)股价大跌", "time": 0}]))
    assert [e["name"] for e in result.entities] == ["泰和源"]
    assert "亿泰和源" not in engine.entities.known


def test_a_stray_first_character_glued_to_a_listed_name_is_shown_without_it() -> None:
    """The first sighting "12亿禾丰源(830123)" is segmented 亿禾丰源; once the code is seen more
    often as 禾丰源, that is the name shown, also where the glued form comes back."""
    engine = Engine()
    docs = ["营收12亿禾丰源(830123)披露年报", "禾丰源(830123)回应问询", "禾丰源(830123)董事长辞职",
            "营收12亿禾丰源(830123)再遭问询", "市场传闻去年营收12亿禾丰源将被收购"]
    results = list(engine.process({"id": str(i), "text": t, "time": i * 60} for i, t in enumerate(docs)))
    assert [e["name"] for e in results[0].entities] == ["亿禾丰源"]   # nothing better known yet
    for result, text in zip(results[3:], docs[3:], strict=True):
        found = [(e["name"], text[e["start"]:e["end"]]) for e in result.entities]
        assert found == [("禾丰源", "禾丰源")]
    assert "亿禾丰源" in engine.entities.known   # still recognised (as 禾丰源), not forgotten


def test_the_trade_name_is_read_out_of_a_registered_name() -> None:
    """Court rulings and police notices name firms in full: place + trade name + industry +
    form.  The trade name is learned, and later news naming it joins as an organisation."""
    engine = Engine()
    results = list(engine.process([
        {"id": "a", "text": "法院判处被告单位临川市禾丰源文化传播有限公司罚金", "time": 0},
        {"id": "b", "text": "警方通报：云州市青松岭网络科技有限公司涉嫌组织传销", "time": 60},
        {"id": "c", "text": "上海岚帆投资(集团)有限公司实际控制人被批捕", "time": 120},
        {"id": "d", "text": "青松岭传销案一审宣判 主犯获刑", "time": 180},
    ]))
    assert {"禾丰源", "青松岭", "岚帆"} <= set(engine.entities.known)
    assert [e["name"] for e in results[3].entities] == ["青松岭"]
    assert results[3].event == results[1].event


def test_an_industry_or_a_common_word_before_a_form_is_no_trade_name() -> None:
    engine = Engine()
    text = "一家科技有限公司与某某控股集团有限公司及临川核电有限公司签约"
    list(engine.process([{"id": "a", "text": text, "time": 0}]))
    assert not {"科技", "控股集团", "核电", "一家"} & set(engine.entities.known)


def test_watchlist_files_in_each_shape_and_their_mistakes_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from qinglang.engine.entities import load_watchlist

    shapes = {
        "list.json": '["星河科技", {"name": "云帆集团", "aliases": ["云帆"]}]',
        "wrapped.json": '{"entities": ["星河科技", {"name": "云帆集团", "aliases": ["云帆"]}]}',
        "lines.jsonl": '"星河科技"\n{"name": "云帆集团", "aliases": ["云帆"]}\n',
    }
    for name, text in shapes.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        got = load_watchlist(tmp_path / name)
        assert [(e.name, e.aliases) for e in got] == [("星河科技", ()), ("云帆集团", ("云帆",))], name
    one = tmp_path / "one.jsonl"
    one.write_text('{"name": "临川市", "type": "place"}\n', encoding="utf-8")
    assert [(e.name, e.type) for e in load_watchlist(one)] == [("临川市", "place")]
    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "云帆集团", "aliases": "云帆"}]', encoding="utf-8")
    with pytest.raises(ValueError, match=r"entity 1 \(云帆集团\): aliases must be a list"):
        load_watchlist(bad)
