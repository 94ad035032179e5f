from qinglang.engine.normalize import normalize, to_simplified


def test_traditional_script_becomes_simplified() -> None:
    assert to_simplified("雲帆集團發佈公告") == "云帆集团发布公告"


def test_nfkc_folds_fullwidth_digits_and_brackets() -> None:
    assert normalize("星河科技（８３０００１）").text == "星河科技(830001)"


def test_markup_and_boilerplate_are_removed() -> None:
    raw = "<p>您现在的位置是：首页 &gt; 新闻 &gt; 正文</p><p>云帆集团发布年报</p>责任编辑：李四"
    assert normalize(raw).text == "云帆集团发布年报"


def test_offsets_map_back_to_the_original() -> None:
    raw = "<b>雲帆集團</b>　發佈　公告"
    norm = normalize(raw)
    start = norm.text.index("云帆集团")
    assert raw[norm.to_original(start) : norm.to_original(start + 3) + 1] == "雲帆集團"
    assert raw[norm.to_original(norm.text.index("公告"))] == "公"


def test_runs_of_space_collapse() -> None:
    assert normalize("  临川市 \n\t 新闻  ").text == "临川市 新闻"


def test_phrase_conversion_wins_over_the_character_table() -> None:
    # 乾 is 干 in 乾燥 but stays 乾 in the name 乾隆: OpenCC's phrase list decides, not the char
    assert to_simplified("乾燥劑在乾隆年間發佈") == "干燥剂在乾隆年间发布"
