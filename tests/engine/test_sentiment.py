"""Stage 7, sentiment: behaviour pinned on short strings written for these tests.

Every name is fictional (云帆集团, 青山化工, 澜石物流, 清溪市). The shipped weights are used, so
these tests also guard the artefact that scripts/train_sentiment.py writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rjieba

from qinglang.engine.normalize import normalize
from qinglang.engine.sentiment import (
    BIGRAM_SEP,
    CHAR_GRAM_HEAD,
    DEFAULT_WEIGHTS,
    NEGATED,
    NEGATORS,
    NEVER_BLAME,
    SentimentModel,
    _lexicon,
    char_grams,
    features,
    keep_lexicon_whole,
    looks_like_post,
    piece_code,
    piece_codes,
    starts_of,
)

SEGMENTER = rjieba.Jieba()
keep_lexicon_whole(SEGMENTER)


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


def tokens(text: str) -> list[str]:
    """What the pipeline hands the model: rjieba tokens of the normalised text, lexicon words
    kept whole as the pipeline's segmenter keeps them."""
    return SEGMENTER.cut(normalize(text).text)


def tone(model: SentimentModel, text: str) -> float:
    """The document tone, read as the pipeline reads it (posts with the post shifts, the
    lead's turns read, a review with the review reader too)."""
    toks = tokens(text)
    return model.document_tones(toks, starts_of(toks), normalize(text).text)[0]


def tone_about(model: SentimentModel, text: str, name: str, *others: str) -> float:
    """score_about for ``name``, the other parties named in the text at ``others`` (as the
    pipeline passes every other organisation it found)."""
    norm = normalize(text).text
    for party in (name, *others):   # the pipeline's segmenter keeps watched names whole
        SEGMENTER.add_word(party, 200000, "nt")
    toks = SEGMENTER.cut(norm)
    starts = starts_of(toks)

    def spans_of(party: str) -> list[tuple[int, int]]:
        found, at = [], norm.find(party)
        while at >= 0:
            found.append((at, at + len(party)))
            at = norm.find(party, at + 1)
        assert found, f"{party} not in text"
        return found

    return model.for_text(norm).score_about(toks, starts, spans_of(name),
                                            [span for other in others for span in spans_of(other)])


# --- document tone -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "青山化工因偷排废水被环保部门罚款80万元，负责人已被约谈",
    "澜石物流拖欠司机运费三个月，数十名司机上门讨薪",
    "清溪市一化工厂凌晨发生爆炸，造成两人死亡",
    "云帆集团涉嫌财务造假，证监会已立案调查",
])
def test_negative_news_is_negative(model: SentimentModel, text: str) -> None:
    assert tone(model, text) < 0


@pytest.mark.parametrize("text", [
    "青山化工新厂顺利投产，全年营收同比增长三成",
    "云帆集团荣获省级科技进步一等奖",
    "清溪市新建三所学校正式开学，惠及近万名学生",
])
def test_positive_news_is_positive(model: SentimentModel, text: str) -> None:
    assert tone(model, text) > 0


def test_weibo_complaint_is_negative(model: SentimentModel) -> None:
    post = "//@小鹿:同遇到 //@清溪维权群:在云帆商城买的耳机三天就坏了，客服一直踢皮球，太坑了"
    assert tone(model, post) < 0


def test_weibo_emoticon_sets_the_mood(model: SentimentModel) -> None:
    plain = "今天去云帆商城排了一个小时的队"
    assert tone(model, plain + "[怒]") < 0
    assert tone(model, plain + "[哈哈][哈哈]") > 0
    assert tone(model, plain + "[怒]") < tone(model, plain) < tone(model, plain + "[哈哈]")


def test_unicode_emoji_set_the_mood_as_bracketed_ones_do(model: SentimentModel) -> None:
    plain = "今天去云帆商城排了一个小时的队"
    assert tone(model, plain + "😡😡") < tone(model, plain) < tone(model, plain + "👍👍")
    assert tone(model, plain + "😡") < 0 < tone(model, plain + "👍")
    # a skin tone or a variation selector after the emoji changes nothing
    assert tone(model, plain + "👍🏻") == pytest.approx(tone(model, plain + "👍"), abs=0.05)


def test_quoted_praise_after_a_degree_word_is_irony_in_the_document_too(model: SentimentModel) -> None:
    told = "溪畔物业非常“贴心”，电梯坏了第九天，通知贴了三张。"
    # without the quotes the praise counts for the firm (against a lift broken nine days: about
    # even); with them it counts against
    assert tone(model, told) < 0
    assert tone(model, told) < tone(model, told.replace("非常“贴心”", "非常贴心")) - 0.5
    assert tone(model, "云帆快递真是太“高效”了，包裹走了十天。") < 0
    # the text the pipeline passes along only saves joining the tokens again
    text = normalize(told).text
    toks = tokens(told)
    assert model.tones(toks, starts_of(toks), text) == model.tones(toks, starts_of(toks))


def test_a_pleas_thanks_in_advance_are_manners_not_praise(model: SentimentModel) -> None:
    plea = "请大家帮忙转发！东湖区一位老人今早出门后走失，患有老年痴呆，家人急得不行，谢谢大家！"
    assert tone(model, plea) < 0
    # the same thanks without a plea still count: what is thanked for was done
    thanks = "东湖区一位老人今早出门后走失，幸亏好心的公交司机把他送回了家，谢谢大家！"
    assert tone(model, thanks) > 0
    assert tone(model, plea) < tone(model, plea.replace("请大家帮忙转发！", ""))


def test_a_claim_denied_by_a_question_counts_the_other_way(model: SentimentModel) -> None:
    # 谁说…？ quotes a claim to deny it: its blame is praise, its praise blame
    assert tone(model, "谁说云帆小馆的菜难吃？") > 0 > tone(model, "谁说云帆小馆的菜好吃？")
    assert tone_about(model, "谁说云帆小馆的菜难吃？", "云帆小馆") > 0
    assert tone_about(model, "谁说云帆小馆的菜好吃？", "云帆小馆") < 0
    # 谁 asking for help is still a complaint's, and a claim that is itself a refutation is
    # left to the refutation rules
    assert tone(model, "谁来管管云帆小馆？菜里吃出头发。") < 0
    assert tone_about(model, "谁说澜石物流“售后贴心”是谣言？", "澜石物流") > 0


def test_bracketed_headline_is_not_an_emoticon() -> None:
    # 【...】 is normalised to [...]; a long bracketed title must not become one feature.
    names = features(tokens("【云帆集团发布年度报告】"), {})
    assert not any(name.startswith("[") and len(name) > 1 and BIGRAM_SEP not in name for name in names)
    assert "[怒]" in features(tokens("【云帆】[怒]"), {})


# --- negation ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("plain", "negated"), [
    ("这家店的服务让人满意", "这家店的服务让人不满意"),   # 不 + 满意 are separate tokens
    ("新系统运行稳定", "新系统运行不稳定"),
    ("治理效果很明显", "治理效果不明显"),
    ("青山化工的排污存在隐患", "青山化工实现零隐患"),     # officialese: 零 + a bad thing
])
def test_negation_flips_the_tone(model: SentimentModel, plain: str, negated: str) -> None:
    assert tone(model, plain) * tone(model, negated) < 0


def test_negation_scope_stops_at_the_clause() -> None:
    # "不" negates 贵 within its clause, not 满意 after the comma.
    names = features(["价格", "不", "贵", ",", "满意"], {})
    assert "¬贵" in names and "¬满意" not in names and "满意" in names


# --- entity-level tone ------------------------------------------------------------------------

def test_tone_about_separates_praise_and_blame_in_one_text(model: SentimentModel) -> None:
    text = "云帆集团的新产品广受好评，澜石物流却因拖欠运费被多家商户投诉。"
    assert tone_about(model, text, "云帆集团") > 0
    assert tone_about(model, text, "澜石物流") < 0


def test_tone_about_follows_the_sentence_of_the_mention(model: SentimentModel) -> None:
    text = "澜石物流发布公告称因涉嫌违规被立案调查。云帆集团当天宣布新品销量创历史新高。"
    assert tone_about(model, text, "澜石物流") < 0
    assert tone_about(model, text, "云帆集团") > 0


def test_a_claim_answered_by_a_check_that_found_no_fault_is_good_news(model: SentimentModel) -> None:
    text = "网传青山化工排污超标。但经检测，其排放全部达标。"
    assert tone_about(model, text, "青山化工") > 0
    assert tone(model, text) > 0
    assert tone(model, "网传青山化工排放的废水有毒。经环保部门检测，废水未检出有害物质。") > 0
    # a check that found the fault, or the firm's own check, answers nothing
    assert tone_about(model, "网传青山化工排污超标。经环保部门检测，三项指标超标。", "青山化工") < 0
    assert tone_about(model, "青山乳业被曝奶粉含有致癌物。公司称经自检，产品全部合格。", "青山乳业") < 0


def test_a_next_sentence_that_opens_against_the_mentions_is_about_its_party(model: SentimentModel) -> None:
    text = "去年因拖欠工资被约谈的青山建设，称已完成整改。然而多名工人反映，工资至今仍未结清。"
    assert tone_about(model, text, "青山建设") < 0
    # ... but not where the mention's own clause has a clear tone, and another party is named
    text = "青山建设获评优秀企业。但澜沣建设却因拖欠工资被约谈。"
    assert tone_about(model, text, "青山建设", "澜沣建设") > 0


def test_tone_about_without_tonal_words_leans_on_the_document(model: SentimentModel) -> None:
    text = "云帆集团。员工反映公司长期拖欠工资，多人已申请劳动仲裁"
    about = tone_about(model, text, "云帆集团")
    assert about < 0 and abs(about) <= abs(tone(model, text))


@pytest.mark.parametrize("text", [
    "网传青山化工向河道偷排废水，经环保部门连夜检测，该消息不实，排放全部达标。",
    "青山化工辟谣：关于公司即将停产的说法纯属捏造，目前生产一切正常。",
    "青山化工被指产品重金属超标，经第三方复检，结果合格。",
    "网传青山化工产品甲醛超标，经质检部门抽检，各项指标均符合国家标准。",
    "网传青山化工因偷排被罚，经核实，罚款一事子虚乌有。",
    "网传青山化工偷排，经检测其排放全部达标。",
    # the claim in one sentence, shown false in the next, which names no party
    "近日，网传“青山化工老板卷款跑路，工厂全部停产”。经核实，该信息不实。",
    "针对网传“青山化工向河道偷排废水”一事，环保局已组织核查。经查，网传内容不实。",
    # the quoted claim called false in its own clause, a misreading, another's doing
    "警方通报：网传“青山化工老板卷款跑路”不实。经核查，该公司经营正常。",
    "“甲醛超标”系误读 青山化工：第三方复检结果全部合格",
    "针对网传“青山化工排污致鱼虾死亡”一事，调查组公布结果：死鱼系上游养殖场排污所致，与青山化工无关。",
    "严正声明：近日网络流传“青山化工偷排废水”系恶意捏造，相关检测报告已公示。",
    "警方通报：网传“青山化工老板跑路”的消息系网民为博取流量编造，发帖人已被行政拘留。",
    "网传青山化工生产事故致人受伤，经安监部门调查，其作业流程符合安全规范，不构成生产安全事故。",
    "网传青山化工排放的废水有毒，经环保部门检测，未检出有害物质。",
    "市网信办辟谣：近日，网传“青山化工老板卷款潜逃，工厂全部停产”。经核实，该信息不实。",
    "警方通报：造谣青山化工“老板跑路”的男子被行政拘留",
    "谣言止于智者：青山化工“创始人跑路”系恶意造谣，公司运营一切正常",
    # ... the check opening the next sentence
    "网传青山化工排放的废水有毒。经环保部门检测，废水未检出有害物质。",
])
def test_a_claim_shown_false_is_good_news_for_its_party(model: SentimentModel, text: str) -> None:
    assert tone_about(model, text, "青山化工") > 0


def test_a_smear_it_suffered_and_refuted_is_good_news_for_it(model: SentimentModel) -> None:
    assert tone_about(model, "青山化工遭同行恶意抹黑，公司发布声明辟谣。", "青山化工") > 0


def test_a_refutation_in_another_sentence_about_another_party_is_not_this_ones(model: SentimentModel) -> None:
    text = "青山化工偷排被罚款。网传澜石物流偷排，经查不实。青山化工回应称已缴纳罚款。"
    assert tone_about(model, text, "青山化工", "澜石物流") < 0
    assert tone_about(model, text, "澜石物流", "青山化工") > 0


@pytest.mark.parametrize("text", [
    "青山化工散布谣言诋毁同行，被市场监管部门罚款。",          # it spread the rumour
    "青山化工年报披露不实，被证监局出具警示函。",                # 不实 as its own fault
    "青山化工被指产品重金属超标，第三方检测证实超标两倍。",      # the claim held
    "网传青山化工产品不合格，经复检仍不合格，已被责令召回。",    # 不合格 is no finding for it
    "青山化工被指偷排废水，环保局检测发现排放不达标。",
    "网传青山化工偷排，环保局要求其尽快澄清。",                  # asked to clarify: nothing shown
    "青山化工偷排废水被罚款，这绝非谣言。",                      # 谣言 denied
    "青山化工此前的谣言被证实，确实存在偷排。",                  # 谣言 confirmed
    # from an adversarial review: each of these read clearly positive for a while
    "青山化工爆炸致3人死亡，警方辟谣“死亡数十人”的说法。",        # facts before the refuted claim stand
    "青山化工被罚款的消息不是什么谣言，环保局已经公开处罚决定。",
    "青山化工回应“纯属谣言”，警方通报却证实其确有违法排污行为。",
    "青山化工被曝散布谣言抹黑同行，被市场监管局罚款20万元。",     # 被曝 is no victim's 被
    "青山化工被质疑产品质量，抽检结果显示合格率仅为43%。",
    "青山化工被疑财务造假，证监会调查后认定其营收数据严重不实。",
    "网传青山化工偷排废水，经监测，其排放口污水无法达标。",
    "网传青山化工发生泄漏，记者现场未发现明火，但多名居民呼吸困难被送医。",
    "青山化工发生爆炸事故造成3人死亡，目前已恢复生产。",          # 恢复生产 is no problem put right
    "青山化工声称已整改，但记者暗访发现仍在偷排。",
    "青山化工网站一度恢复正常后再次崩溃，数千客户无法下单。",
    "青山化工拖欠工人工资的问题至今并未真正得到解决。",
    "青山化工拖欠工资的问题真的已经解决了吗？",
    # and from a third review
    "青山化工因发布虚假信息误导投资者，被证监会罚款600万元。",
    "青山化工此前辟谣称不存在偷排，今日被环保局罚款300万元。",
    "青山化工称偷排纯属谣言，不过环保局的监测数据显示排放超标三倍。",
    "这哪是谣言，青山化工偷排的视频都被人拍下来了。",
    "青山化工被指以次充好，已被多家车企取消合格供应商资格。",
    "青山化工被指瞒报事故，公司此前公布的伤亡人数与事实不符。",
    "网传青山化工偷排，检查组白天未发现问题，可记者夜里拍到了排污暗管。",
    "青山化工整改完毕不到半年，偷排故态复萌。",
    # and from a fourth, aimed only at bad news read as good
    "青山化工招股书被查出多处虚假信息，已被证监会立案调查。",
    "经查，青山化工提交的环评报告系编造，企业和环评机构均被处罚。",
    "网传澜石物流破产，警方查明造谣者竟是青山化工高管。",
    "面对偷排质疑，青山化工至今没有辟谣，周边居民已连续投诉三个月。",
    "青山化工辟谣翻车，环保局通报确认其存在偷排行为。",
    "青山化工说偷排是谣言？环保局的罚单都下来了。",
    # a claim and a later sentence: confirmed, denied only in part, denied by the party itself
    "网传青山化工拖欠工资。经核实，该信息属实。",
    "网传青山化工拖欠工资。经核实，部分不实，但确有拖欠。",
    "网传青山化工拖欠工资。青山化工回应称消息不实。",
    "网传青山化工偷排。经核实，该信息不实？记者却在夜里拍到了排污暗管。",
    "网传青山化工偷排，环保局检测结果显示排放超标两倍，与其此前声明不符。",   # 检测结果 held the claim
    "网传青山化工偷排，青山化工回应称与公司无关。",                      # its own word
    # from the review of 2026-11-30: the next sentence calls the party's own record false, the
    # party denies it itself, or the claim is corrected to worse
    "青山化工被疑财务造假。经证监会调查，其年报营收不实，虚增收入5亿元。",
    "网传青山化工资金链断裂。对此，该公司回应称，网传消息不实。",
    "网传青山化工老板卷款潜逃。经核实，该信息不实，实为其财务总监携款失联。",
    "有工人举报称青山化工克扣工资。经劳动监察部门核查，该公司提供的工资表与事实不符。",
    # a rectification ordered, due or not done
    "市场监管局责令青山化工限期完成整改。",
    "青山化工必须在月底前完成整改。",
    "青山化工至今没完成整改，周边居民仍在投诉。",
])
def test_a_rumour_it_spread_or_a_claim_that_held_stays_bad_news(model: SentimentModel, text: str) -> None:
    assert tone_about(model, text, "青山化工") < 0


def test_a_problem_put_right_is_good_news_one_still_open_is_not(model: SentimentModel) -> None:
    assert tone_about(model, "澜石物流拖欠司机运费的问题终于解决了，司机们拿到了全部运费。", "澜石物流") > 0
    assert tone_about(model, "澜石物流拖欠司机运费的问题至今尚未解决，司机们再次上门讨要。", "澜石物流") < 0
    assert tone_about(model, "澜石物流拖欠司机运费的问题一直没有得到解决。", "澜石物流") < 0
    for still_open in ("澜石物流拖欠运费的问题未能得到解决，司机再次投诉。", "澜石物流网点瘫痪，至今无法恢复正常。",
                       "澜石物流整改后未见明显好转，投诉仍然不断。", "澜石物流拖欠运费，司机们希望问题尽快得到解决。"):
        assert tone_about(model, still_open, "澜石物流") < 0, still_open
    # another party's problem put right is not this one's
    assert tone_about(model, "澜石物流拖欠运费被司机投诉，而青山化工的同类问题已经解决。", "澜石物流", "青山化工") < 0
    assert tone_about(model, "澜石物流此前被投诉的分拣设备故障已全部修复，商户纷纷点赞。", "澜石物流") > 0


@pytest.mark.parametrize("text", [
    "青禾乳业推行先行赔付后，消费投诉量同比减少近一半，退货处理时长明显缩短。",   # fewer of a bad thing
    "今年以来，青禾乳业生产安全事故同比下降七成，连续两年零死亡。",
    "青禾乳业攻克了困扰多年的冷链运输难题，产品损耗率降至1%以下。",             # a difficulty overcome
    "连续两年亏损后，青禾乳业今年前三季度实现扭亏为盈。",
    "青禾乳业已履行全部判决义务，被移出失信被执行人名单。",                     # a sanction lifted
    "经行政复议，青禾乳业此前被处以的30万元罚款决定被依法撤销。",
    # from an adversarial review: the shapes the first version of these rules missed
    "青禾乳业上半年同比减亏2.3亿元。",
    "消费者对青禾乳业的投诉从去年每月三百多件降到了二十件左右。",
    "法院判决撤销市场监管局对青禾乳业作出的行政处罚。",
    "青禾乳业一举扭转连续三年亏损的局面。",
    "青禾乳业被查封的生产线已全部解封。",
    "经核查，青禾乳业已被移出经营异常名录。",
    # and from a second review
    "今年以来，青禾乳业收到的业主投诉明显变少了。",
    "青禾乳业不良贷款率较年初下降0.15个百分点。",
    "青禾乳业攻克了高端轴承的技术难题，打破国外垄断。",
    "经法院审查，对青禾乳业的限制消费令已解除。",
    "青禾乳业已被移出严重违法失信名单。",
    # the list or the removal named before, the lifting in the next sentence or clause
    "青禾乳业此前因质量问题被列入经营异常名录。经过一年整改，近日已被移出名录。",
    "青禾乳业旗下App此前因违规收集个人信息被下架，经整改验收后已重新上架。",
    # the next sentence puts the problem right, calling the party 该公司
    "青禾乳业去年因超时配送遭大量投诉。今年该公司扩充运力，投诉量同比下降六成。",
    "青禾乳业被冻结的银行账户已全部解冻。",
    # and from a third
    "青禾乳业拖欠司机的运费已于本周全部结清。",
    "经过多轮谈判，青禾乳业债务展期方案获债权人通过，流动性危机得以化解。",
    "青禾乳业因系统故障被罚的100万元罚款，经复议已被依法撤销。",
    "此前有用户投诉青禾乳业理赔难，银保监局调查后认定相关投诉不属实。",
    # refutations as officials word them (a final review)
    "网传青禾乳业奶粉含有违禁添加剂，经核实，该消息属于谣言。",
    "青禾乳业“老板跑路”一说是一则谣言，公司生产经营正常。",
    "网传青禾乳业售卖“老鼠肉”的视频系摆拍，发布者已被警方行政拘留。",
])
def test_bad_news_words_in_good_news_are_turned(model: SentimentModel, text: str) -> None:
    assert tone_about(model, text, "青禾乳业") > 0


@pytest.mark.parametrize("text", [
    "青禾乳业消费投诉量不降反升，退货处理时长明显延长。",                       # no decrease
    "青禾乳业被列入经营异常名录，至今未被移出名录。",                           # not lifted
    "青禾乳业去年因质量问题遭大量投诉。今年该公司投诉量不降反升，又被约谈。",
    "青禾乳业去年因拖欠货款被起诉。该公司声称问题已经解决，但供应商表示至今未收到货款。",
    "青禾乳业因违规被下架，至今未能重新上架。",
    "多名消费者投诉称青禾乳业降低了奶源标准，口感大不如前。",                   # 投诉称…降低: a complaint
    "青禾乳业冷库事故导致产量下降三成，部分门店断货。",                         # 事故导致…下降: its cost
    "青禾乳业连续三年亏损，何时走出困境仍是未知数。",                           # not yet overcome
    "青禾乳业申请撤销罚款被驳回，须在十日内缴清30万元罚款。",                   # asked, refused
    "青禾乳业被列入失信被执行人名单，暂停参与政府采购。",                       # a sanction imposed
    "青禾乳业扭亏无望，董事会宣布裁员三成。",
    # from an adversarial review: each of these read positive under the first version
    "青禾乳业受奶粉事故拖累营收大幅下滑，净利润由盈转亏。",            # the fall is another thing's
    "青禾乳业客服电话长期无人接听，投诉量下降是因为消费者根本投诉无门。",  # explained away
    "青禾乳业年报中的安全事故数量减少系瞒报所致，已被监管部门查实。",
    "青禾乳业花钱删帖后，网上差评明显减少。",                          # complaints silenced
    "青禾乳业去年立下的扭亏目标彻底落空，全年亏损扩大至8亿元。",        # a plan, a boast, a fraud
    "青禾乳业自诩已走出经营困境，而供应商货款至今未付。",
    "青禾乳业通过财务造假虚构扭亏，被证监会立案调查。",
    "青禾乳业让快递员克服困难冒雨派件，一名快递员在途中触电身亡。",
    "青禾乳业会员系统遭黑客破解引发用户信息泄露危机，数百万用户信息外流。",
    "青禾乳业因超载运输被交通部门撤销道路运输许可并处罚款。",          # something else lifted
    "青禾乳业被立案调查，多家银行随即撤回授信。",
    "青禾乳业账户被法院冻结后，合作方纷纷撤回订单。",
    "青禾乳业擅自扣发员工工资，劳动仲裁委裁定撤销其罚款决定并责令补发。",
    "青禾乳业被罚款120万元，并被撤销营业执照。",
    "全行业投诉量普遍下降，唯独青禾乳业逆势上涨三成。",                # another topic's turn
    # and from a second review
    "青禾乳业的投诉量从未下降过，小区电梯三天两头故障，业主苦不堪言。",  # the fall denied
    "青禾乳业亏损额较去年未见收窄，资金链濒临断裂。",
    "青禾乳业因投诉较多导致平台信用评级下降，已被限制接单。",            # 较多 is no comparison
    "青禾乳业爆炸事故从发生至今已致销量下滑四成。",
    "青禾乳业走出国门后遭遇困境，海外工厂全部关停。",                    # other senses of the verbs
    "青禾乳业规模突破千亿却持续亏损，负债率高达90%。",
    "青禾乳业刚度过裁员风波又遇危机，数千学员学费无法退还。",
    "连年亏损的青禾乳业已无力扭转颓势，工厂停产、员工遣散。",
    "分析人士认为，青禾乳业走出困境的可能性微乎其微，债务违约恐难避免。",
    "市监局拒绝撤销对青禾乳业的行政处罚，维持罚款80万元的决定。",        # refused, replaced
    "复议机关维持原决定，对青禾乳业的罚款决定不予以撤销。",
    "市场监管局撤销了对青禾乳业的罚款决定，改为吊销其营业执照。",
    "青禾乳业被查封的厂房已全部解封并被法院强制拍卖抵债。",
    "经查，青禾乳业骗取医保基金320万元，目前已全部追回。",              # clawed back from it
    "青禾乳业突然停课，数百名家长已多次上门要求退款。",
    "知情人透露，青禾乳业的食物中毒事件已用封口费解决，受害者被要求签保密协议。",
    "青禾乳业涉嫌利用虚假信息骗取银行贷款2亿元，已被警方立案侦查。",    # its own falsehoods
    "警方查明，谣言的始作俑者就是青禾乳业的两名员工。",
    # and from a third
    "为了化解债务危机，青禾乳业将全体员工工资延迟发放三个月。",          # an attempt, not a result
    "青禾乳业提出的化解债务危机方案遭债权人集体否决。",
    "分析人士认为，青禾乳业恐难度过此轮债务危机。",
    "多位分析师表示，青禾乳业走出困境尚需时日，年内或有更多项目烂尾。",
    "青禾乳业已陷入退款潮，多地校区人去楼空。",                          # 已…退款 that is a run on it
    "青禾乳业App昨日宕机近10小时才恢复正常，数百万用户受影响。",
    "青禾乳业刚被移出经营异常名录，随即因提交虚假材料被列入严重违法失信名单。",
    "青禾乳业系统漏洞目前已修复，此前泄露的50万条客户信息已在暗网流传。",
    "青禾乳业此前发布的“获得国家认证”消息已被市场监管局辟谣。",          # its own claim debunked
    "青禾乳业宣称其产品可治愈糖尿病，专家辟谣：纯属虚假宣传。",
    "青禾乳业旗下账号多次发布谣言博取流量，已被平台永久封号。",          # 谣言 as what it spread
    "青禾乳业资金链断裂谣言四起，股价三日跌去四成。",
    "青禾乳业将员工欠薪维权帖一律称为“谣言”，并报警删帖。",
    "青禾乳业此前指控同行窃取商业机密，法院查明纯属捏造。",
    "网传青禾乳业发生透水事故，官方通报：事故造成2人死亡，周边矿井生产一切正常。",   # findings of
    "被指向河道偷排废水，青禾乳业回应称排放一切正常，环保局已立案调查。",            # its own, or
    "青禾乳业被指涉嫌非法集资，实控人已被警方刑拘，警方通报称目前未发现其他违法问题。",  # of others
    "网传青禾乳业董事长“被带走”一事并非事实，其本人已主动投案接受调查。",
    "青禾乳业被质疑夸大疗效，经核查，其产品包装和广告中宣传的“治愈率98%”的说法与事实不符。",
    # and from a final review
    "青禾乳业拒绝澄清，关于停产的谣言愈演愈烈。",                      # no comma-crossing reach
    "青禾乳业投诉不断，然而同行业投诉量同比下降三成。",                  # another topic after 然而
    "青禾乳业已回应：退款暂停办理。",
    "青禾乳业召开发布会。同行业投诉量同比下降，青禾乳业的投诉量也有所变化。",   # not its turn
])
def test_a_turn_not_taken_stays_bad_news(model: SentimentModel, text: str) -> None:
    assert tone_about(model, text, "青禾乳业") < 0


def test_more_of_a_bad_thing_is_bad_news_more_of_a_good_one_good(model: SentimentModel) -> None:
    # growth words learned praise from results news; right after a bad count they are blame
    assert tone_about(model, "云帆保险今年以来投诉量同比增长两倍，居全省首位。", "云帆保险") < 0
    assert tone_about(model, "云帆保险的理赔投诉量再创新高。", "云帆保险") < 0
    assert tone_about(model, "云帆保险今年保费收入同比增长两成。", "云帆保险") > 0
    # not a good count growing beside a bad word, nor days without accidents
    assert tone_about(model, "行业普遍亏损，澜石物流营收反而增长20%。", "澜石物流") > 0
    assert tone_about(model, "澜石物流安全生产无事故天数创新高。", "澜石物流") > 0
    assert tone_about(model, "澜石物流污染治理投资同比增长40%。", "澜石物流") > 0


def test_a_rumour_label_asked_about_or_a_peers_fall_led_by_the_party_stays_good(model: SentimentModel) -> None:
    assert tone_about(model, "谁说澜石物流“售后贴心”是谣言？", "澜石物流") > 0
    assert tone_about(model, "澜石物流是全行业投诉量下降幅度最大的企业。", "澜石物流") > 0


def test_a_party_held_up_against_another_gets_the_opposite_tone(model: SentimentModel) -> None:
    text = "比起服务热情的云帆酒店，青溪宾馆的房间又脏又吵，前台态度恶劣。"
    assert tone_about(model, text, "云帆酒店", "青溪宾馆") > 0
    assert tone_about(model, text, "青溪宾馆", "云帆酒店") < 0
    # 相比 with a time, or 对比 as a method, holds the party up against nobody
    assert tone_about(model, "青山化工相比去年，今年因偷排废水被罚款80万元。", "青山化工") < 0
    assert tone_about(model, "青山化工产品经对比检测，甲醛超标三倍，消费者愤怒。", "青山化工") < 0


def test_tone_about_reads_lexicon_phrases_and_unknown_compounds(model: SentimentModel) -> None:
    w = model.weights
    # a lexicon word that still comes out in pieces fires as a phrase, read at its head
    phrased = SentimentModel({"约": -0.5, "约谈": -8.0}, phrases=[["约", "谈"]])
    toks = ["青山化工", "被", "约", "谈", "。"]
    assert phrased._local_weight(toks, 2, set()) == pytest.approx(-8.5)
    # 明显好转 stays whole and is unknown to the model: it reads as its lexicon part 好转, and
    # a negator before it turns the whole compound (并未明显好转)
    assert w.get("明显好转") is None and w["好转"] > 0
    assert model._local_weight(["明显好转"], 0, set()) == pytest.approx(w["好转"])
    assert model._local_weight(["明显好转"], 0, {0}) == pytest.approx(-w["好转"])
    toks = ["云帆集团", "的", "经营", "状况", "明显好转", "。"]
    starts = starts_of(toks)
    assert model.score_about(toks, starts, [(0, 4)]) > 0


def test_with_nothing_said_near_it_a_party_does_not_take_another_partys_trouble(model: SentimentModel) -> None:
    text = "澜石物流涉嫌内幕交易被证监会立案调查。云帆集团当天召开年度股东大会。"
    norm = normalize(text).text
    toks = SEGMENTER.cut(norm)
    starts = starts_of(toks)
    ours, theirs = [(norm.find("云帆集团"), norm.find("云帆集团") + 4)], [(0, 4)]
    assert model.score_about(toks, starts, ours) < -0.1          # the document's tone, damped
    assert abs(model.score_about(toks, starts, ours, theirs)) < 0.1   # only its own sentence


def test_names_carry_no_tone(model: SentimentModel) -> None:
    # Places, people and companies seen in the training news must not colour later mentions.
    for name in ["四川", "北京", "刘翔", "携程", "美团"]:
        assert model.score([name]) == 0.0


# --- consumer posts, irony, lawsuits -------------------------------------------------------------

def test_lexicon_words_stay_whole_beside_a_degree_word() -> None:
    from qinglang.engine.segment import Segmenter

    # rjieba alone cuts 太靠|谱|了, and the model never sees 靠谱; every segmenter that feeds it
    # (training, evaluation, the pipeline's) keeps the lexicon's words whole
    assert "靠谱" not in rjieba.cut("阿姨太靠谱了")
    assert "靠谱" in tokens("阿姨太靠谱了")
    assert "靠谱" in Segmenter(frozenset()).cut("阿姨太靠谱了").tokens


@pytest.mark.parametrize(("text", "name"), [
    # a blamed thing negated is no blame, whatever the news taught its weight
    ("说个正面的：珈岚宠物今年没裁员，还给一线店员涨了薪。", "珈岚宠物"),
    ("珈岚宠物的快递员从没迟到过，每次都送货上门。", "珈岚宠物"),
    # what the writer only expected did not happen
    ("本以为澜沣电器的售后要扯皮，结果上门就给全额退了，点赞。", "澜沣电器"),
    # a customer's story that ends well
    ("锦川物业给我家装的热水器刚用就漏水，本来想避雷。结果售后上门换了新机，态度特别好。", "锦川物业"),
    ("栖川家政的阿姨刚来时做饭不合口味，后来她主动学着做，现在我们全家都很满意，太靠谱了。", "栖川家政"),
    # a rumour others spread in a post, checked by the writer
    ("群里传铭泽健身要倒闭了，今天去看还照常营业，教练也都在。", "铭泽健身"),
    ("网上说椒屿食品的辣条用的是过期原料，我专门去查了，抽检报告全部合格。", "椒屿食品"),
    # a story whose ending is a refutation: the refutation decides, not the words of the rumour
    ("群里有人转岚溪药房卖假药，我拿药去医院问了，都是正品，"
     "后来市场监管局也发通报说是谣言，大家别再乱传了。", "岚溪药房"),
    # quoted slogans and titles are not irony
    ("泾源供电公司全力做好“迎峰度夏”保供工作，保障全市居民用电安全稳定。", "泾源供电公司"),
    ("麟达物流当好“快递小哥”的贴心娘家人，为一线员工免费提供午餐和休息驿站，赢得一片点赞。", "麟达物流"),
    ("在原材料大涨的背景下，青芮食品能够“稳得住”，靠的是扎实的供应链管理和良好的口碑。", "青芮食品"),
    ('洛嘉超市在本次消费者满意度测评中服务评价为"好"，并被授予"诚信经营示范店"称号。', "洛嘉超市"),
    # a lawsuit won, as plaintiff or as defendant; an inspection passed
    ("记者获悉，铂屿科技诉某公司侵犯发明专利权一案二审宣判，"
     "认定被告侵权成立，判赔铂屿科技经济损失420万元。", "铂屿科技"),
    ("经法院审理查明，原告指控翎岸家电洗衣机存在设计缺陷的证据不足，一审判决驳回原告全部诉讼请求。", "翎岸家电"),
    ("云帆科技起诉竞争对手商标侵权，法院支持其全部诉讼请求。", "云帆科技"),
    ("欣屿物业日前通过了区应急管理局的消防复查。", "欣屿物业"),
    ("经对稷岚药房为期两个月的调查，未发现其存在违规销售处方药的问题。", "稷岚药房"),
    ("市场监管局对黎川食品作出的罚款决定，被法院一审判决撤销。", "黎川食品"),
    ("晴川家纺已履行全部判决义务，日前被法院从失信被执行人名单中移除。", "晴川家纺"),
    # a regulator's finding is a finding, though its officer 表示 it
    ("网传云帆乳业奶粉致婴儿生病，市市场监管局负责人表示，经抽检，该批次产品全部合格。", "云帆乳业"),
    ("海川纺织起诉侵权方获胜，法院判令被告赔偿海川纺织经济损失200万元。", "海川纺织"),
    # a third review: the party named as the payee, an appeal won
    ("原告蓝鲸传媒与被告某视频平台著作权纠纷一案宣判，"
     "法院认定侵权成立，判令被告向蓝鲸传媒支付赔偿金30万元。", "蓝鲸传媒"),
    ("法院审理认为，被告抄袭事实清楚，遂判决支持原告华曜科技的全部诉讼请求。", "华曜科技"),
    ("经过两年诉讼，原告华曜科技胜诉，被告需赔偿其经济损失200万元。", "华曜科技"),
    ("一审判令云顶餐饮赔偿原告5万元。云顶餐饮不服提起上诉，二审法院撤销一审判决，驳回原告全部诉讼请求。", "云顶餐饮"),
    # brought to court or accused: the defendant (session 16)
    ("一名前员工将云顶餐饮诉至法院，法院审理认为解除程序合法，依法驳回原告全部诉讼请求。", "云顶餐饮"),
    ("云顶餐饮被指抄袭菜品设计一案宣判，法院驳回原告全部诉讼请求。", "云顶餐饮"),
    # the claims against the party dismissed (session 18)
    ("市中级人民法院二审撤销一审判决，驳回原告对云顶餐饮的全部诉讼请求。", "云顶餐饮"),
    # the judgement told in the next sentence, opening with the court
    ("某公司起诉云顶餐饮侵犯其商标权一案已审结。法院认为原告证据不足，判决驳回其全部诉讼请求。", "云顶餐饮"),
    # an honour told of the party, however bad the news around it (session 18)
    ("某供应商隐瞒产品缺陷，多家企业受到牵连。云顶电子因最早发现问题并主动举报，获主管部门通报表扬。", "云顶电子"),
    ("昨夜一家小作坊发生爆炸，造成多人受伤，毗邻的云顶化工派出消防队协助疏散群众，"
     "应急管理部门建议予以表彰。", "云顶化工"),
])
def test_good_news_in_posts_and_courts_reads_good(model: SentimentModel, text: str, name: str) -> None:
    assert tone_about(model, text, name) > 0


@pytest.mark.parametrize(("text", "name"), [
    # irony: praise in quotes after a degree word, and the praise around it
    ("谢谢你啊晖途快递，让我的生日礼物在中转站睡了九天，真是太“贴心”了。", "晖途快递"),
    ("晖途汽车的售后真‘贴心’，修一次车等了四十天，还得自己去催零件。", "晖途汽车"),
    # a story that ends badly, told by the customer
    ("奕铂手机拍照不错，但是用了一个月就发烫，我很失望。", "奕铂手机"),
    ("嘉岚科技的手机拍照不错，不过电池太差，用半天就没电，后悔买了。", "嘉岚科技"),
    # from an adversarial review: a turn to harm limited or to someone else's doing, in news
    ("翔禾航空一架客机起飞后发动机起火紧急返航，但所幸未造成人员伤亡。", "翔禾航空"),
    ("沛源化工因涉嫌信息披露违法违规被证监会立案调查。不过，"
     "公司表示目前生产经营活动正常，将积极配合调查工作。", "沛源化工"),
    ("泓晟理财爆雷，数千名投资者血本无归。然而，当地政府表示将全力追赃挽损，切实维护投资者合法权益。", "泓晟理财"),
    ("麟达物流司机疲劳驾驶致三车追尾，一人死亡。后来，"
     "该公司负责人前往医院慰问伤者，并表示会积极承担责任。", "麟达物流"),
    ("晖途汽车新车刚提两天就断轴，4S店拒绝退换。谁知，厂家客服竟然说这是正常现象，让车主放心开。", "晖途汽车"),
    # 我市, 我省: news speaking for its place, not a customer's story
    ("我省云帆化工因违法排污被罚款200万元，不过该公司今年营收增长三成，发展势头良好。", "云帆化工"),
    # a harm narrowly missed is still blame; others' complaints are not a claim shown false
    ("我差点被泓晟理财的业务员骗走十万块养老钱，幸好银行柜员及时拦下，真的太感谢她了。", "泓晟理财"),
    ("很多人的押金至今没退，麟达单车的App却照常运营。", "麟达单车"),
    ("大家都在排队退费，铭泽健身却照常营业，拒不退款。", "铭泽健身"),
    ("很多人在洛嘉超市买到的鸡蛋是臭的，超市的检测报告倒是写着合格。", "洛嘉超市"),
    ("网上都说朗禾银行乱扣费，说句公道话，我的卡也被莫名其妙扣了两百多。", "朗禾银行"),
    ("柏溪奶茶后厨老鼠乱窜的视频在网上流传，很多人表示再也不敢去了，目前该店照常营业。", "柏溪奶茶"),
    # negation that is not blame negated: the scope ends where a new predicate starts
    ("沛源化工被罚了三次，却从没停止过偷排。", "沛源化工"),
    ("奕铂手机刚买没两天就黑屏了，售后还让我自己承担维修费。", "奕铂手机"),
    ("买澜沣电器的东西，不被坑才怪。", "澜沣电器"),
    # a lawsuit lost, as plaintiff or as defendant; an appeal dismissed is not a win
    ("消费者起诉云帆科技虚假宣传一案宣判，法院认定侵权成立，判令云帆科技赔偿原告损失2万元。", "云帆科技"),
    ("云帆科技起诉前员工泄露商业秘密，法院审理后驳回了云帆科技的全部诉讼请求。", "云帆科技"),
    ("被告云帆科技一审败诉，被判赔偿原告120万元。", "云帆科技"),
    ("云帆科技被诉拖欠货款，法院判令其支付货款及利息共计80万元。", "云帆科技"),
    ("法院驳回云帆科技的上诉，维持原判，云帆科技需赔偿消费者3万元。", "云帆科技"),
    # a second adversarial review: side suits, the party's own word, a plaintiff ordered to pay,
    # 通过 as "by means of", self-checks, fewer complaints bought, a sanction lifted from someone
    # else, a good ending someone else's doing, hearsay answered by a firm
    ("卓远科技诉讼缠身：法院判令其支付拖欠供应商的货款380万元及违约金，公司账户已被冻结。", "卓远科技"),
    ("多名员工投诉顺驰速运拖欠工资，顺驰速运不服劳动仲裁裁决，"
     "法院驳回了顺驰速运的全部诉讼请求，判其限期补发工资。", "顺驰速运"),
    ("消费者王某起诉蓝鲸电器热水器漏电致其烧伤，一审法院判令蓝鲸电器赔偿医疗费等共计26万元。"
     "蓝鲸电器回应称原告主张缺乏证据，已提起上诉。", "蓝鲸电器"),
    ("鼎盛置业起诉业主索赔千万元，法院驳回了鼎盛置业的全部诉讼请求，"
     "并判令鼎盛置业向业主支付律师费等5万元。", "鼎盛置业"),
    ("汇金宝理财因涉嫌非法吸收公众存款被立案侦查，实控人已被刑拘，"
     "上万名投资人血本无归。此前汇金宝理财起诉某自媒体名誉侵权，法院判令对方赔偿5万元。", "汇金宝理财"),
    ("百余名储户起诉恒信担保，法院判令恒信担保返还存款本息共计1.2亿元。"
     "另一起关联案件中，因原告证据不足，法院未支持储户对银行的索赔。", "恒信担保"),
    ("业主状告星港物业侵占公共收益，法院认定侵权成立。星港物业负责人坚称公司不构成侵权，拒绝履行判决。", "星港物业"),
    ("瑞丰建工通过伪造检测报告骗取竣工验收，交房不到半年，小区多栋楼出现墙体开裂、渗水。", "瑞丰建工"),
    ("有消费者反映贝康乳业婴儿奶粉结块有异味，已有20余名婴儿出现腹泻呕吐，"
     "贝康乳业回应：经内部检查，未发现产品存在质量问题。", "贝康乳业"),
    ("美乐优选店铺差评数环比大跌，背后是商家雇人刷单、打电话威胁差评用户。", "美乐优选"),
    ("康泰药业因产品质量问题被立案调查，经营许可证已被撤销。", "康泰药业"),
    ("金禾食品因使用过期原料被处以罚款，经营资质同步撤销。", "金禾食品"),
    ("宏达矿业原法定代表人已从限高名单中移出。"
     "宏达矿业目前仍有12条被执行信息，涉案金额超过3亿元，多名工人讨薪无果。", "宏达矿业"),
    ("我在雅居家电买的冰箱半年坏了三次，客服一直踢皮球。"
     "后来我打了12315，工作人员特别负责，三天就帮我协调好了，真心感谢！", "雅居家电"),
    ("我通过安家中介租的房子墙面发霉，押金扣了一半不退。"
     "后来换了一家中介，房东人很好，房子也干净，住得很舒服。", "安家中介"),
    ("优品电商如此“贴心”的售后，我这辈子都忘不了：电话打了二十次没人接。", "优品电商"),
    ("在迅捷数码买的手机一直以为是正品直到拿去检测才发现是翻新机", "迅捷数码"),
    ("这已经不是百味食品第一次被曝食品安全问题了。", "百味食品"),
    ("群里都在传聚财网贷要倒闭，我今天去门店看了，照常营业，"
     "就是员工说已经三个月没发工资了，钱也提不出来。", "聚财网贷"),
    ("都说顺风车联的车有异味，第三方检测甲醛达标。我家孩子坐了两次就起疹子，4S店拒绝退车。", "顺风车联"),
    ("好多人在骂快滴出行的网约车绕路，官方说系统一切正常，我昨天又被绕了8公里。", "快滴出行"),
    ("网上说乐游旅行跑路了，其实没有，还在正常营业，只是退款要排队半年，客服天天说在走流程。", "乐游旅行"),
    # a third review: an ending that is only a promise, someone else's doing or the firm's word;
    # a second sanction after the first; a check passed long before a fire; a double negative
    ("我在星岚家电买的冰箱用了三天就不制冷，打了十几次客服电话都没人管。"
     "后来客服说会尽快处理，一定给我满意的答复。", "星岚家电"),
    ("我家装的锐丰电器燃气热水器突然爆炸，厨房全毁了。结果消防员及时赶到，他们非常专业，家人都平安无事。", "锐丰电器"),
    ("我在云栈物流寄的包裹丢了，索赔拖了两个月没人理。"
     "结果最后只赔了五十块，客服还说这已经是特殊照顾了，真是太感谢他们了。", "云栈物流"),
    ("昌明食品被立案调查后生产许可证被撤销。", "昌明食品"),
    ("昌明食品受到行政处罚后政府补贴同步撤销。", "昌明食品"),
    ("宏利矿业因超标排污被罚款后排污许可证又被撤销。", "宏利矿业"),
    ("朗程电商的售后，业主没有一个不投诉的。", "朗程电商"),
    # a final review: a remedy not given is no praise; a plaintiff named in a dismissal or ordered
    # to pay lost; first person in a quote is no customer's story
    ("云帆电器的问题车辆至今没有召回。", "云帆电器"),
    ("云帆电器出事后一直没有道歉。", "云帆电器"),
    ("法院一审判决驳回原告云帆科技的全部诉讼请求。", "云帆科技"),
    ("云帆科技诉某公司侵权一案宣判，原告云帆科技败诉。", "云帆科技"),
    ("法院判令原告云帆科技支付被告律师费5万元。", "云帆科技"),
    ("云帆科技被指抄袭算法，法院判令其赔偿原告损失200万元。", "云帆科技"),
    ("云帆科技将供应商诉至法院，法院驳回了云帆科技的全部诉讼请求。", "云帆科技"),
    ("云帆科技起诉某公司侵犯其专利权一案已审结。法院认为原告证据不足，判决驳回其全部诉讼请求。", "云帆科技"),
    # an honour refused, or another's
    ("云帆乳业因使用不合格原料奶被通报，今年未获任何表彰。", "云帆乳业"),
    ("与同期获得表彰的同行形成鲜明对比，云帆乳业因使用不合格原料奶被监管部门通报。", "云帆乳业"),
    ("云帆化工因违法排污被罚款200万元。该公司负责人说：我们正在整改。"
     "不过，该公司今年营收增长三成，发展势头良好。", "云帆化工"),
    ("村民说我们家的井水都被云帆化工污染黑了。后来，该公司营收增长三成，发展势头良好。", "云帆化工"),
])
def test_bad_news_in_posts_and_courts_reads_bad(model: SentimentModel, text: str, name: str) -> None:
    assert tone_about(model, text, name) < 0


def test_the_plain_reading_keeps_the_story_as_told(model: SentimentModel) -> None:
    """What risk reads (turns=False) takes neither the story's end nor the writer's
    expectations: the leak and the feared wrangling stand."""
    text = "锦川物业给我家装的热水器刚用就漏水，本来想避雷。结果售后上门换了新机，态度特别好。"
    norm = normalize(text).text
    toks = SEGMENTER.cut(norm)
    starts = starts_of(toks)
    assert model.score_about(toks, starts, [(0, 4)]) > 0
    assert model.score_about(toks, starts, [(0, 4)], turns=False) < 0
    # nor a harm denied: the model's own weights stand there (and a remedy denied is blame in both)
    for text, reading in (("云帆电器今年没有裁员。", False), ("云帆电器的问题车辆至今没有召回。", True)):
        norm = normalize(text).text
        toks = SEGMENTER.cut(norm)
        starts = starts_of(toks)
        assert model.score_about(toks, starts, [(0, 4)], turns=reading) < 0


# --- the model as an artefact -----------------------------------------------------------------

def test_fast_path_equals_the_feature_map(model: SentimentModel) -> None:
    """score() takes shortcuts; it must compute exactly the trained function."""
    for text in ["[怒]服务不是很好，不会再来了//@某人:同感[泪]", "青山化工被约谈后杜绝了违规排污",
                 "不", "这个靠谱，正能量满满[good]", "【标题】不满意 不 满意 没有问题。",
                 # a bigram said twice counts once; one past BIGRAM_TOKENS (也 不错) not at all
                 "房间很一般，早餐也很一般" + "，" * 300 + "服务也不错"]:
        toks = tokens(text)
        reference = model.bias + sum(model.weight(name) * value
                                     for name, value in features(toks, model.phrases).items())
        assert model.logit(toks) == pytest.approx(reference, abs=1e-9)


def test_scores_are_bounded_and_empty_is_neutral(model: SentimentModel) -> None:
    assert model.score([]) == 0.0
    assert model.score_about([], [], []) == 0.0
    rant = "垃圾！骗子！差评！太坑了！恶心！"
    assert -1.0 <= tone(model, rant) < -0.9
    # Presence, not counts: saying it twenty times is not twenty times as negative.
    assert tone(model, rant) <= tone(model, rant * 20) < 0


def test_load_from_an_explicit_path_gives_the_same_model(tmp_path: Path) -> None:
    copy = tmp_path / "weights.json"
    copy.write_bytes(DEFAULT_WEIGHTS.read_bytes())
    text = tokens("澜石物流拖欠运费")
    assert SentimentModel.load(copy).score(text) == SentimentModel.load().score(text)


def test_shipped_weights_are_small() -> None:
    assert DEFAULT_WEIGHTS.stat().st_size < 3_000_000


# --- social posts ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "今天又被清溪物业气到了[怒]",
    "云帆咖啡太贴心了[微笑]",
    "#清溪地铁# 新线开通，通勤省了半小时",
    "同款遭遇 //@小鹿:云帆商城的耳机三天就坏了",
    "@云帆客服 订单三天了还没发货",
    "说好的退款呢@云帆客服",                          # an @ after Chinese is a mention
    "回复@小鹿：同款，退款拖了一个月",
    "我在云帆商城买的耳机音质不错",
])
def test_a_post_is_read_with_the_post_shifts(model: SentimentModel, text: str) -> None:
    norm = normalize(text).text
    assert looks_like_post(norm)
    assert model.for_text(norm) is model.posts is not model


@pytest.mark.parametrize("text", [
    "青山化工新厂顺利投产，全年营收同比增长三成",
    "【快讯】澜石物流致歉：已为客户全额退款",          # 【】 arrive as [] after normalising
    "我市出台新规 规范网约车经营",                    # news speaking for a place
    "澜石物流负责人表示：“我们已经整改到位。”",        # a quotation
    "据@清溪日报 报道，清溪大桥今日通车",
    "投诉请发邮件至 service@yunfan.example",
    "本台记者从我台获悉，清溪大桥今日通车",
    "云帆集团坚持自我革新，营收增长三成",
])
def test_news_is_read_with_the_shared_weights(model: SentimentModel, text: str) -> None:
    norm = normalize(text).text
    assert not looks_like_post(norm)
    assert model.for_text(norm) is model


def test_a_known_source_decides_what_is_a_post() -> None:
    assert looks_like_post("清溪大桥今日通车", "weibo") and looks_like_post("清溪大桥今日通车", "微博")
    assert not looks_like_post("我在云帆商城买的耳机坏了", "news")
    assert looks_like_post("我在云帆商城买的耳机坏了", "清溪日报")   # unknown: the words decide


def test_the_post_shifts_are_single_words_beside_the_shared_bigrams(model: SentimentModel) -> None:
    data = json.loads(DEFAULT_WEIGHTS.read_text(encoding="utf-8"))
    shifts = data["post_shifts"]
    moved = {name for name, weight in model.posts.weights.items() if weight != model.weights.get(name, 0.0)}
    assert moved and moved <= set(shifts)
    assert not any(BIGRAM_SEP in name for name in shifts)
    assert model.posts._bigrams == model._bigrams          # the bigrams are the reviews' own
    assert not NEGATORS & set(shifts)                      # a negator's own weight is the same everywhere
    assert not {name[1:-1] for name in shifts if name.startswith("[")} & set(shifts)   # [微笑] moves, 微笑 not
    # the phrases are read twice (the model, its post model): a generator must serve both
    again = SentimentModel(data["weights"], 0.0, (seq for seq in data["phrases"]), shifts)
    assert again.posts.phrases == again.phrases == model.phrases


PRAISE_IN_COMPLAINT_WORDS = [
    # praise told in the facts reviews complain with (小时, 电话, 退货)
    "云帆家政的阿姨两个小时就把三室一厅打扫得干干净净，我妈直夸",
    "打了个电话给清溪燃气，师傅半小时就上门把阀门换好了，没多收一分钱",
    "在云帆商城退货，快递员上门取件，第二天钱就退回来了，省心",
]


@pytest.mark.parametrize("text", PRAISE_IN_COMPLAINT_WORDS)
def test_the_reviews_keep_their_complaint_words_to_themselves(model: SentimentModel, text: str) -> None:
    # 小时, 电话, 退货 are complaints in reviews ("等了一个小时"): the review reading has them
    # (REVIEW_COPY in scripts/train_sentiment.py), news and posts are read without
    assert model.score(tokens(text)) > model.reviews.score(tokens(text)) + 0.05
    assert model.posts.score(tokens(text)) > model.reviews.score(tokens(text)) + 0.05


@pytest.mark.parametrize("text", [
    PRAISE_IN_COMPLAINT_WORDS[0],
    PRAISE_IN_COMPLAINT_WORDS[1],   # no mark of a post: the post router reads it as one
    PRAISE_IN_COMPLAINT_WORDS[2],
])
def test_a_post_praising_in_complaint_words_reads_good(model: SentimentModel, text: str) -> None:
    assert tone(model, text) > 0


@pytest.mark.parametrize("text", [
    "清溪物业的效率真高啊，报修一个月了还没人来[微笑]",
    "感谢云帆快递让我的生日礼物在路上过了个年[微笑]",
])
def test_the_weibo_smile_of_scorn_reads_bad(model: SentimentModel, text: str) -> None:
    assert tone(model, text) < 0


@pytest.mark.parametrize(("text", "name"), [
    ("云帆物业的服务真到位，停水三天没一个通知[微笑]", "云帆物业"),
    ("感谢澜石快递，生日礼物在路上走了半个月[微笑]", "澜石快递"),
    ("青梧银行的效率真高，排了三个小时终于办完[微笑]", "青梧银行"),
    ("恒舟外卖准时送达，就是汤全洒了[微笑]", "恒舟外卖"),
    ("鹿鸣酒店的隔音真好，隔壁打呼噜听得一清二楚[微笑]", "鹿鸣酒店"),
    ("云岫电信的客服很有礼貌，问题三个月了也没解决[微笑]", "云岫电信"),
    ("溪畔健身的教练很热情，热情到每节课都在推销私教[微笑]", "溪畔健身"),   # a known miss until session 15
])
def test_an_emoticon_is_the_verdict_on_the_one_party_a_post_names(model: SentimentModel, text: str, name: str) -> None:
    # the praise is in the party's clause, the scorn in the emoticon at the end of the post
    assert tone_about(model, text, name) < 0


def test_an_emoticon_reads_where_the_party_has_no_clause_of_its_own(model: SentimentModel) -> None:
    # the name alone after the post: no clause to read, the emoticon is all there is (this
    # divided by a window of no tokens before the emoticon counted as one)
    assert tone_about(model, "又丢件了[怒] 澜石快递", "澜石快递") < 0


def test_an_emoticon_is_not_read_into_the_window_of_one_of_two_parties(model: SentimentModel) -> None:
    text = "云帆外卖送得快，青梧外卖等了两小时[怒]"
    assert tone_about(model, text, "云帆外卖", "青梧外卖") > 0


def test_a_verb_of_harm_with_its_result_reads_as_the_verb(model: SentimentModel) -> None:
    # the model has no weight for 骗走; 骗 is blame. 好惨 is no 好, 慢走 no 慢.
    assert model._backoff("骗走") == model.weights["骗"] < 0
    assert model._backoff("好惨") == model._backoff("慢走") == model._backoff("走走") == 0.0


def test_a_harm_that_never_happens_is_more_praise_than_one_that_did_not_happen_once(model: SentimentModel) -> None:
    # 从没迟到过 praises a habit; 没迟到 is one day's luck: the floor of a denied harm's praise is
    # NEVER_BLAME per unit of blame after a "never" negator, NEGATED_BLAME after another
    def read(text: str) -> float:
        toks = tokens(text)
        at = toks.index("迟到")
        return model._local_weight(toks, at, {at})

    assert read("司机从没迟到过") == pytest.approx(-NEVER_BLAME * _lexicon()["迟到"])
    assert read("司机从没迟到过") > read("司机没迟到") > 0


def test_a_review_site_is_read_with_the_reviews_own_words(model: SentimentModel) -> None:
    text = normalize("等了一个小时才送到，汤都凉了").text
    assert model.for_text(text, "大众点评") is model.reviews is not model
    assert model.for_text(text, " Meituan ") is model.reviews
    assert model.for_text(text) is not model.reviews            # no source: read as a post or news
    assert model.for_text(text, "weibo") is model.posts
    # the shipped review shifts move vocabulary only: the lexicon's words and the grammar of
    # negation are the same in every reading
    shifts = json.loads(DEFAULT_WEIGHTS.read_text(encoding="utf-8"))["review_shifts"]
    assert "小时" in shifts and shifts["小时"] < 0
    assert not (set(shifts) & (_lexicon().keys() | NEGATORS))
    assert not any(name.startswith(NEGATED) or BIGRAM_SEP in name for name in shifts)


POSTS_READ_WHOLE = [
    # the name's clause tells the problem, the rest of the post how it was put right
    ("我在云帆家电买的冰箱出了点问题，售后第二天就上门换了新的，师傅很专业，服务很满意。", "云帆家电", 1),
    # the name's clause praises the front desk, the rest of the post is the verdict
    ("青梧酒店前台很热情，房间一股霉味，空调不制冷，隔音差，失望透顶。", "青梧酒店", -1),
]


LAWSUITS_TOLD_OF_THE_PARTY = [
    # an outcome told of the party itself; the last one told stands
    ("云帆科技诉侵权案二审胜诉，获赔三百万元。", "云帆科技", 1),
    ("二审法院改判云帆建工不承担赔偿责任。", "云帆建工", 1),
    ("法院驳回原告全部诉讼请求，云帆物业无需承担赔偿责任。", "云帆物业", 1),
    ("云帆科技诉侵权案一审败诉。", "云帆科技", -1),
    ("云帆物业败诉后拒不履行判决，被列入失信被执行人名单。", "云帆物业", -1),
    # ... not someone else's between the name and the outcome
    ("起诉云帆科技的原告胜诉，法院判令云帆科技赔偿五百万元。", "云帆科技", -1),
]

SANCTIONS_ENDED = [
    # a sanction ended: the trouble told before it is over
    ("青禾化工此前因废气超标被责令停产整治，经验收合格，生态环境局决定解除对青禾化工的停产整治措施，准予恢复生产。",
     "青禾化工", 1),
    ("市场监管局解除对云帆电器电热水器的暂停销售措施，相关产品恢复上架。", "云帆电器", 1),
    ("云帆酒店此前因消防问题被责令停业，现已整改完毕并通过验收，今起恢复营业。", "云帆酒店", 1),
    ("云帆餐厅因卫生问题被责令停业整顿。经复查合格，准予恢复营业。", "云帆餐厅", 1),
    # ... not one still to come, nor others', nor harm done, nor reopening against the rules
    ("云帆餐厅被责令停业整顿，整改合格前不得恢复营业。", "云帆餐厅", -1),
    ("云帆餐厅因卫生问题被责令停业整顿。目前，该店仍未恢复营业。", "云帆餐厅", -1),
    ("云帆化工因偷排被罚款50万元。园区其他企业均已恢复生产。", "云帆化工", -1),
    ("云帆化工发生爆炸致3人死亡。事故后第三天，园区已恢复生产。", "云帆化工", -1),
    ("云帆化工爆炸致3人死亡后被责令停产，现已恢复生产。", "云帆化工", -1),
    ("云帆化工擅自恢复生产，被生态环境局立案查处。", "云帆化工", -1),
    ("云帆餐厅未经复查擅自恢复营业，被罚款两万元。", "云帆餐厅", -1),
]


SANCTIONS_LIFTED_AND_PASTS_TOLD = [
    # a sanction lifted or found groundless lifts what was told of it before, in its sentence or
    # the one before; a party introduced with its past is judged by what it does now
    ("因被认定虚假宣传而被罚款50万元的云帆酒业，经行政复议，处罚决定被依法撤销。", "云帆酒业", 1),
    ("云帆化工因违法排污被罚款。经复议，该处罚决定被撤销。", "云帆化工", 1),
    ("罚款被撤销：法院认定云帆环保处罚事实不清", "云帆环保", 1),
    ("云帆水务今年共接到用户投诉43件，同比下降71%。", "云帆水务", 1),
    ("去年因食品安全问题被约谈的云帆幼儿园，今年在全区年检中获评A级。", "云帆幼儿园", 1),
    ("在去年因注水肉被查处后，云帆肉联厂投入1800万元新建冷链系统，今年历次抽检全部合格。", "云帆肉联厂", 1),
    ("此前因拖欠工资被列入失信名单的云帆建设，已被移出失信名单。", "云帆建设", 1),
    ("云帆电厂实现安全生产3000天零事故", "云帆电厂", 1),
    ("云帆航空一季度净亏损1.2亿元，较上年同期的6.8亿元大幅收窄。", "云帆航空", 1),
    ("云帆地产前三季度亏损同比收窄七成，业主满意度调查结果居全市前列。", "云帆地产", 1),
    ("云帆化工于去年9月被责令停产整治。经现场核查，各项排放指标稳定达标。经专家组验收，同意其恢复生产。",
     "云帆化工", 1),
    # ... not a sanction upheld, a lifting refused, a count that rose, the past come back, a boast
    ("云帆化工因违法排污被罚款。经复议，维持原处罚决定。", "云帆化工", -1),
    ("云帆化工申请撤销处罚决定，被法院驳回。", "云帆化工", -1),
    ("云帆物业共收到投诉43件，同比上升71%。", "云帆物业", -1),
    ("曾因排污被罚的云帆化工，近日再次被查出超标排放", "云帆化工", -1),
    ("被传资金链断裂的云帆置业，今日被曝大规模欠薪", "云帆置业", -1),
    ("号称“零投诉”的云帆养老院，被查出虐待老人", "云帆养老院", -1),
    ("宣传“三十年零事故”的云帆化工，昨日发生爆炸，造成3人受伤。", "云帆化工", -1),
    ("因送达程序瑕疵，区市场监管局撤销了对云帆乳业的处罚决定。随后重新立案，作出罚款200万元的新决定。", "云帆乳业", -1),
    ("上月对云帆制药的罚款被撤销，原因是其行为已涉嫌犯罪，案件依法移送公安机关。", "云帆制药", -1),
    ("云帆电商本季度收到投诉43件，同比下降71%。记者调查发现，该平台近期关闭了在线投诉入口。", "云帆电商", -1),
]


POST_STORIES_TOLD_BY_OTHERS = [
    # a post's story turns on the party whether or not the poster says 我 in it
    ("云帆酒店大堂装修得很气派，早餐也丰富。但是半夜楼上一直在施工，前台说管不了，一晚上没睡着。", "云帆酒店", -1),
    ("云帆物业刚接手的时候口碑不错。可是没过半年，电梯坏了两个月没人修，业主群天天骂。", "云帆物业", -1),
]


@pytest.mark.parametrize(("text", "name", "sign"), POSTS_READ_WHOLE + LAWSUITS_TOLD_OF_THE_PARTY + SANCTIONS_ENDED
                         + SANCTIONS_LIFTED_AND_PASTS_TOLD + POST_STORIES_TOLD_BY_OTHERS)
def test_the_tone_about_the_party_from_the_whole_of_what_is_told(model: SentimentModel, text: str, name: str,
                                                                  sign: int) -> None:
    assert tone_about(model, text, name) * sign > 0


DOCUMENTS_TOLD = [
    # the lead's turn is the document's verdict; its words, what alarms read, stay bad news
    ("关于网传“云帆乳业产品致儿童中毒”的情况通报：经调查，涉事儿童系食用自制食品引发肠胃不适，"
     "与云帆乳业产品无关。网传信息不实。", 1),
    ("因被认定虚假宣传而被罚款50万元的云帆酒业，经行政复议，处罚决定被依法撤销。", 1),
    ("云帆化工因违法排污被责令停产整治。经复查合格，准予恢复生产。", 1),
    # ... and no turn, no change: bad news told plainly, or a turn not taken
    ("云帆化工因违法排污被罚款。经复议，维持原处罚决定。", -1),
    ("云帆餐厅被责令停业整顿，整改合格前不得恢复营业。", -1),
]


@pytest.mark.parametrize(("text", "sign"), DOCUMENTS_TOLD)
def test_a_documents_tone_reads_the_turns_of_its_lead(model: SentimentModel, text: str, sign: int) -> None:
    toks = tokens(text)
    told, worded = model.tones(toks, starts_of(toks))
    assert told * sign > 0
    assert worded < 0   # the words are the bad news's either way
    assert told >= worded


def test_a_review_is_read_as_worded(model: SentimentModel) -> None:
    # 终于退款了 ends a bad experience on a review site, not a problem put right
    toks = tokens("等了两个小时还没送到，打电话也没人接，最后终于退款了")
    starts = starts_of(toks)
    told, worded = model.reviews.tones(toks, starts)
    assert told == worded < 0
    assert model.tones(toks, starts)[0] > worded   # read as news, the refund is a turn


# --- the character model -----------------------------------------------------------------------

CHAR_TEXTS = [
    "",
    "好",
    "客服  回复\n很快",
    "[微笑]物业真是太“贴心”了[微笑]",
    "澜石物流拖欠司机运费三个月，数十名司机上门讨薪。" * 30,   # longer than the head
    "Ａｂｃ 123，云帆集团发布年度报告",
]


@pytest.mark.parametrize("text", CHAR_TEXTS)
def test_the_pieces_as_numbers_are_the_pieces_as_strings(text: str) -> None:
    norm = normalize(text).text
    assert sorted(piece_codes(norm).tolist()) == sorted(map(piece_code, char_grams(norm)))
    assert piece_codes(norm).tolist() == sorted(set(piece_codes(norm).tolist()))   # sorted, distinct


def test_pieces_of_different_lengths_never_share_a_number() -> None:
    assert len({piece_code(p) for p in ("一", "一一", "一一一", "\x00一", "\x00", "\x00\x00")}) == 6


def test_the_character_model_reads_the_head_without_emoticons_or_space_runs() -> None:
    pieces = char_grams("[微笑]好  评" + "差" * (2 * CHAR_GRAM_HEAD))
    assert "[微" not in pieces and "微笑" not in pieces
    assert "好 评" in pieces and "好  " not in pieces
    assert max(map(len, pieces)) == 3
    assert char_grams("好 评" + "差" * CHAR_GRAM_HEAD) == char_grams("好 评" + "差" * (3 * CHAR_GRAM_HEAD))


@pytest.mark.parametrize("text", CHAR_TEXTS)
def test_char_logit_is_the_weights_of_the_pieces(model: SentimentModel, text: str) -> None:
    norm = normalize(text).text
    pieces = char_grams(norm)
    expected = sum(model.chars.get(piece, 0.0) for piece in pieces) / len(pieces) ** 0.5 if pieces else 0.0
    assert model.char_logit(norm) == pytest.approx(expected, abs=1e-9)
    assert model.posts.char_logit(norm) == model.char_logit(norm)


def test_the_shipped_character_model_weighs_tone_and_is_read_with_the_words(model: SentimentModel) -> None:
    assert model.char_scale > 0 and len(model.chars) > 10000
    assert model.chars["点赞"] > 0 and model.chars["罚款"] < 0
    text = "澜石物流拖欠司机运费三个月，数十名司机上门讨薪"
    toks = tokens(text)
    words_only = SentimentModel.load()
    words_only.char_scale = 0.0
    told, worded = model.tones(toks, starts_of(toks))
    words_told, words_worded = words_only.tones(toks, starts_of(toks))
    assert told < words_told < 0 and worded < words_worded < 0   # the pieces agree: more negative


@pytest.mark.parametrize("text", ["这家店的外卖量少还贵[怒]", "客服秒回，很满意[赞]"])
def test_an_emoticon_leaves_the_tone_to_the_words(model: SentimentModel, text: str) -> None:
    norm = normalize(text).text
    toks = tokens(text)
    words_only = SentimentModel.load()
    words_only.posts.char_scale = 0.0
    assert model.for_text(norm).tones(toks, starts_of(toks)) == words_only.for_text(norm).tones(toks, starts_of(toks))
    assert model.for_text(norm).char_logit(norm) != 0.0   # it had something to say


def test_a_review_sites_reader_does_not_read_pieces(model: SentimentModel) -> None:
    assert model.reviews is not model and model.reviews.char_scale == 0.0


@pytest.mark.parametrize(("text", "name"), [
    ("汀澜网吧的机子卡成幻灯片，键盘黏手，通宵还比隔壁贵十块。", "汀澜网吧"),
    ("找芃溪家政请的阿姨做事特别细，厨房油污都擦干净了，还主动帮忙收拾阳台。", "芃溪家政"),
])
def test_a_post_about_one_party_gives_it_the_whole_posts_tone_pieces_included(
        model: SentimentModel, text: str, name: str) -> None:
    whole = tone_about(model, text, name)
    norm = normalize(text).text
    toks = tokens(text)   # now with the name whole, as tone_about cut it
    reader = model.for_text(norm)
    assert reader is model.posts and reader.char_logit(norm) != 0.0
    assert whole == reader.tones(toks, starts_of(toks), norm)[1]   # the post's tone as worded
    assert abs(whole) > abs(reader.score(toks))                    # which the pieces made clearer


def _words_only() -> SentimentModel:
    words = SentimentModel.load()
    words.char_scale = words.posts.char_scale = 0.0
    return words


@pytest.mark.parametrize(("text", "name"), [
    ("据东湖区市场监管局通报，汭沅乳业生产的一批次酸奶菌落总数超标，已全部召回。", "汭沅乳业"),
    ("翊澄物流今年新开三条冷链专线，服务覆盖周边六个县。", "翊澄物流"),
])
def test_the_partys_sentence_is_read_in_pieces_too(model: SentimentModel, text: str, name: str) -> None:
    with_pieces, words = tone_about(model, text, name), tone_about(_words_only(), text, name)
    assert with_pieces * words > 0 and abs(with_pieces) > abs(words)


@pytest.mark.parametrize(("text", "names"), [
    ("翊澄物流今年新开三条冷链专线，覃岑快递却因延误被约谈。", ("翊澄物流", "覃岑快递")),   # another party
    ("青禾乳业被列入经营异常名录，至今未被移出名录。", ("青禾乳业",)),                      # a negator
    ("青禾乳业召开发布会。同行业投诉量同比下降，青禾乳业的投诉量也有所变化。", ("青禾乳业",)),  # a turn's words
])
def test_the_partys_sentence_is_left_to_the_words_where_pieces_cannot_tell(
        model: SentimentModel, text: str, names: tuple[str, ...]) -> None:
    assert tone_about(model, text, *names) == tone_about(_words_only(), text, *names)
