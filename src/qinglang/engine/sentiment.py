"""Stage 7: sentiment. Document tone and entity-level tone in [-1, 1] (negative below 0).

A linear model over the *set* of tokens in a text, trained by ``scripts/train_sentiment.py`` on
reviews, distantly labelled news and Weibo posts, and pulled toward a hand-written polarity
lexicon (``models/sentiment_lexicon.tsv``) so that it carries over to domains it saw little of.
Three kinds of context are modelled, all cheap:

- negation: a token within a negator's short scope also fires "¬token", whose weight says how
  negation changes it ("不满意" turns 满意 around; "不是" hardly changes 是);
- Weibo emoticons: "[怒]" (cut as "[", "怒", "]") fires the feature "[怒]";
- lexicon words that rjieba's dictionary lacks ("靠谱", "踩雷") are added to every segmenter
  that feeds the model (:func:`keep_lexicon_whole`), so a neighbour cannot glue onto a piece
  (太靠|谱); the few that still come out in pieces fire as phrases;
- adjacent tokens: "很 一般", "也 不错", "贵 了 点" fire as bigrams ("a b", in a text's first
  BIGRAM_TOKENS tokens), the way a review says what single words cannot; learned from the
  reviews only, on top of the single-token weights (see scripts/train_sentiment.py), and read by
  the document tone only: the entity windows of score_about read single tokens;
- character pieces (1 to 3 characters of the text's head) through a naive-Bayes model of their
  own, added to the logit where no rule has read the text (``char_logit``; score_about reads
  them on the party's sentence, see ``_window_pieces``).

:func:`features` defines the model's input once; training uses it directly and
:meth:`SentimentModel.logit` computes the same dot product by a faster route (a test pins that
both agree). Scoring costs one dict lookup per token, in C, plus a little work at the few
negators and brackets.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import accumulate, compress, count, islice, repeat
from operator import add
from pathlib import Path

import numpy as np
import rjieba

from .normalize import normalize
from .postrouter import shipped_review_router, shipped_router

__all__ = [
    "BIGRAM_SEP",
    "DEFAULT_WEIGHTS",
    "EMOTICON_RE",
    "SentimentModel",
    "bigrams",
    "features",
    "has_post_mark",
    "index_phrases",
    "keep_lexicon_whole",
    "looks_like_post",
    "looks_like_review",
    "review_margin",
]

DEFAULT_WEIGHTS = Path(__file__).parent / "models" / "sentiment.json"

# Words that invert the polarity of what follows ("不满意", "没有问题"). rjieba keeps many
# negated adjectives whole ("不好", "不错"); those are ordinary features with learned weights.
# The second group is the officialese of good news: "零事故", "消除隐患", "摆脱贫困".
# 不是 and the like also say "it is not that..." (这已经不是X第一次被曝…), so what follows them is
# never read as blame denied, only as the model learned it.
COPULAR_NEGATORS = frozenset({"不是", "并非", "非", "不再"})
OFFICIAL_NEGATORS = frozenset({"零", "杜绝", "避免", "防止", "远离", "告别", "摆脱", "消除", "化解", "减少", "降低"})
NEGATORS = frozenset(
    {"不", "没", "没有", "无", "未", "别", "非", "不是", "不会", "不能", "不要", "并非", "并不",
     "并没有", "毫无", "从未", "从不", "从没", "从没有", "毫不", "再没", "绝不", "决不", "未曾", "不再",
     "不太", "不怎么", "不够",
     "没什么", "谈不上", "算不上"}
) | OFFICIAL_NEGATORS
NEGATION_WINDOW = 3  # a negator reaches this many tokens ahead at most
NEGATED = "¬"  # prefix of the feature a token fires inside a negation scope
BIGRAM_SEP = " "  # a bigram feature is its two tokens with this between (tokens hold no space)
# Bigrams are read in a text's first this many tokens: 95 % of hotel reviews whole, while a long
# article (~480 tokens for 800 characters) pays for half of its pairs; its tone is in its words.
BIGRAM_TOKENS = 240
# Character pieces (1 to 3 characters) read apart from the words: how a text is put, which the
# words the segmenter cuts miss (出了名的慢, 又双叒叕, 不愧是, a phrase rjieba splits its own
# way). Read in the first CHAR_GRAM_HEAD characters: a news item's lead carries its tone, and a
# long article costs no more than a post.
CHAR_GRAM_SIZES = (1, 2, 3)
CHAR_GRAM_HEAD = 300
CHAR_MIN_TEXT = 12   # shorter texts are left to the words (see SentimentModel._pieces)

# Weibo emoticons: the bracketed form is its own feature, because an emoticon states the
# author's mood far more plainly than the word inside it. Longer bracketed text (a 【headline】)
# is not an emoticon.
EMOTICON_OPEN, EMOTICON_CLOSE = "[", "]"
EMOTICON_MAX_TOKENS = 3
EMOTICON_MAX_CHARS = 8

# Clause boundaries stop negation and delimit the "near the entity" window of score_about.
# Text reaches us NFKC-normalised, so full-width ,!?:; arrive as ASCII.
SENTENCE_ENDS = frozenset({"。", "!", "?", ";", "\n", "…", "……", "！", "？", "；"})
CLAUSE_ENDS = SENTENCE_ENDS | frozenset({",", "，", ":", "：", "、", " ", "~", "～", "//"})
# A scope ends at a boundary, at the next negator, or where a new predicate starts (没两天就黑屏
# is a phone that broke within two days, 没多久又坏了 one that broke again).
SCOPE_STOPS = CLAUSE_ENDS | NEGATORS | frozenset({"就", "才", "便", "又"})

# score_about: tokens of the mention's own clause count fully, the rest of its sentence less,
# because one sentence often names two parties ("A 获好评，B 却被投诉").
SAME_SENTENCE_WEIGHT = 0.35
ABOUT_MAX_TOKENS = 60  # how far (in tokens) a run-on post may reach from the mention
ABOUT_MIN_EVIDENCE = 2.0  # summed |weight| a window needs before its tone counts
ABOUT_WEAK_EVIDENCE = 1.0  # ... or the sentence, before the document's tone is used instead
ABOUT_EVIDENCE = (ABOUT_MIN_EVIDENCE, ABOUT_MIN_EVIDENCE, ABOUT_WEAK_EVIDENCE)  # clause, sentence, sentence
ABOUT_FALLBACK_SHARE = 0.5  # no tonal word near the mention: this share of the document tone
ABOUT_BACKOFF_MIN = 0.5  # a compound the model does not know reads as its lexicon part this tonal
NEGATED_BLAME = 0.75  # a negated lexicon blame word reads at least this much praise per unit of blame
# ... and a harm that "never" happened (从没迟到过, 从未拖欠) twice that: a trait praised, not one
# day's luck (没迟到)
NEVER_NEGATORS = frozenset({"从未", "从不", "从没", "从没有", "未曾", "再没", "绝不", "决不"})
NEVER_BLAME = 2 * NEGATED_BLAME
LEXICON = Path(__file__).parent / "models" / "sentiment_lexicon.tsv"
WHOLE_WORD_FREQ = 1000  # dictionary frequency of lexicon words added to the segmenter (很好 needs ~1000)

# What turns bad news around for the party it names. A rumour shown false (网传X排污…经检测不实,
# X辟谣) and a problem put right (拖欠工资的问题终于解决了, 已整改到位) are good news about
# it, though their words are those of the bad news they answer. Matched on the text of the
# sentence holding the mention, because rjieba cuts these phrases in many ways; and read
# conservatively, because a watched party's bad news read as good is the costlier mistake.
# the marks that end a clause; texts arrive NFKC-normalised, so full-width ，；：？！ come as ASCII
_MARKS = "，,。；;：:？！?!"
_SENTENCE_MARKS = "。；;？！?!\n…"
QUESTION_MARKS = frozenset({"?", "？"})
# - the claim was false, said outright ...
# (谣言 and 虚假信息 as a verdict, after a copula: 系网络谣言, 属于谣言; not as what was spread:
# 发布谣言, 谣言四起).
REFUTED_RE = re.compile(rf"辟谣|(?:系|是|属于?|(?<![称认作成])为|乃)(?:(?![不没未非])[^{_MARKS}]){{0,6}}?"
                        r"(?:谣言|谣传|虚假信息|假消息|不实信息|不实消息|误读|误传)"
                        rf"|谣言(?:不攻自破|被戳穿|被粉碎)|(?:澄清|驳斥|回击|粉碎|破除)[^{_MARKS}]{{0,8}}?谣言"
                        r"|纯属捏造|恶意编造|编造谣言|造谣者"
                        # ... or a fabrication, said in an official's words (系恶意捏造, 系网民为博取流量编造)
                        rf"|系(?:(?![不没未非])[^{_MARKS}]){{0,10}}?(?:捏造|编造|杜撰|造谣)"
                        # ... or its spreader punished (造谣X“老板跑路”的男子被行政拘留)
                        rf"|造谣[^{_MARKS}]{{0,24}}?的(?:男子|女子|网民|网友|人员|嫌疑人|博主|账号|自媒体)")
# ... unless denied or confirmed in its clause (绝非谣言, 并不是网上所说的谣言, “谣言”最终被证实)
NOT_REFUTED_BEFORE = re.compile(r"(?<!是)非(?!法)|不是|哪是|称为|称之为|说成|打成|谁[还再]?(?:敢|能)?说"
                                r"|(?:没有?|未|不|不再是)$")
NOT_REFUTED_AFTER = re.compile(r"(?<!不)(?<![获经])证实|(?<!不)属实|成真|(?<!不)是真的|落地|坐实|漏洞|质疑|打脸"
                               r"|应验|翻车|扒出|穿帮|造假|谁信|我笑了|呵呵|\?|？")
# - or said by a finding, in a later clause than a claim (网传…, 经检测…不实; 被指…, 复检…合格);
#   not a finding when negated (不合格, 无法达标, 不完全符合) or about what the party said or did
#   (其营收数据严重不实, 其宣传与事实不符，被罚款)
_STILL_OPEN = r"(?:正常|照常)(?:营业|运营|经营|发货|生产)"
_HEARSAY = (r"(?:网上|群里|朋友圈|评论区)(?:都|一直)?在?(?:说|传)|有人(?:说|在?传|转发?)|都说"
            r"|(?:很多|好多|不少)人都?在?(?:说|传|骂)|大家都在?(?:说|传|骂)")
CLAIM_RE = re.compile(r"网传|传言|传闻|网上流传|网民发帖|有网民|有(?:用户|消费者|业主|市民|网友|乘客|顾客|家长)"
                      r"(?:投诉|反映|举报|称)|投诉称|举报称|造谣称|爆料称|被指|被疑|被质疑|有人称"
                      rf"|(?:遭|受到)[^{_MARKS}]{{0,6}}?(?:抹黑|造谣|诋毁)|{_HEARSAY}")
# ... and as posts say it (群里传X要倒闭, 好多人在骂X, 网上说X…), where only a plain finding
# answers it (正常营业, 不实, 抽检合格), not the vaguer words a firm answers with (达标, 一切正常)
HEARSAY_RE = re.compile(_HEARSAY)
HEARSAY_FINDING = re.compile(rf"{_STILL_OPEN}|不实|不属实|并非事实|与事实不符|子虚乌有|查无实据|合格")
# a finding the party voices itself (X回应：经内部检查，未发现…) is its denial, not a finding
SELF_VOICED = re.compile(r"(?:方面|负责人|客服|官方|工作人员|发言人)?(?:回应|声明|表示|称|说)")
# (not 负责人/官方 before the verb: regulators speak so)
_SAYS = r".{0,2}?(?:回应|声明|表示|称|说)"
FIRM_VOICED = re.compile(rf"(?:客服|商家|店家|厂家){_SAYS}")
# ... and in a post, the firm's or an official word told against the poster's (官方说系统一切正常)
ANSWERED = re.compile(rf"(?:客服|商家|店家|厂家|官方){_SAYS}")
BUT_ALSO = re.compile(r"就是|只是|只不过")   # 照常营业，就是三个月没发工资
# open for business, a finding only against a claim that the party shut down (群里传X要倒闭，
# 我去问了，正常营业), not where customers wait for their money (押金没退，App却照常运营)
STILL_OPEN_RE = re.compile(_STILL_OPEN)
CLOSURE_CLAIM = re.compile(r"倒闭|跑路|关门|停业|停产|停摆|破产|暴雷|爆雷|卷款|关店|解散|停运")
FINDING_RE = re.compile(r"不实|不属实|并非事实|与事实不符|子虚乌有|查无实据|合格(?![率证供])|达标"
                        r"|符合(?:国家)?(?:[^，,。；;：:]{0,8}?)(?:标准|规范)|不构成(?:医疗)?(?:事故|侵权|违法|犯罪)"
                        rf"|{_STILL_OPEN}"
                        rf"|一切正常|未发现[^{_MARKS}]{{0,8}}?(?:问题|异常|违规|违法|超标|证据|设备)"
                        rf"|未检出[^{_MARKS}]{{0,8}}?(?:有害|有毒|超标|问题|异常|病毒|病菌|细菌|农药|残留|违禁|致病|污染)"
                        # the harm claimed was another's doing (该患者系在外地医院就诊，与X无关)
                        rf"|与[^{_MARKS}]{{1,12}}?无关")
NOT_A_FINDING = re.compile(r"不|未|没|无法|难以|但|却|倒是|写着|挂着|取消|承诺|责令|要求|方可|仅|少数|数据|人数"
                           rf"|只|伪造|造假|虚假|偷|表面|看似|(?:坚|声|宣|号|自)称|公司[^{_MARKS}]{{0,3}}称"
                           r"|回应|回复|表示|负责人|方面称|工作人员|客服|自查|自检|周边|周围|附近|其他|其余|移出|剔除")
NEGATIVE_FINDING = re.compile(r"(?<![未不没无])超标|不合格|不达标|属实|确有|确实存在"
                              r"|死亡|遇难|受伤|被困|引发|造成"
                              rf"|(?:实控人|董事长|总经理|负责人|法定代表人|高管|老板)[^{_MARKS}]{{0,6}}?(?:刑拘|逮捕|拘留|立案)")
NOT_A_FINDING_AFTER = re.compile(r"罚|处罚|立案")
BLAME = re.compile(r"(?:其|公司|企业|宣称|声称|所称|自称|号称|承诺|通报|报告|年报|财报|招股书|营收|收入"
                   r"|宣传|广告|标注|标称|说明书)"
                   rf"[^{_MARKS}]{{0,24}}?(?:不实|与事实不符|不符|子虚乌有|并非事实)")
# a finding right after the claim's noun, in the claim's own clause (破产传闻不实, 网传…的消息不实)
CLAIM_NOUN_FINDING = re.compile(r"(?:传闻|传言|消息|说法|一事|一说|投诉|举报|视频|图片|照片|[”\"’'])"
                                r"(?:纯属|系|均|并|完全)?"
                                r"(?:不实|不属实|子虚乌有|并非事实|与事实不符|摆拍|拼接|合成|旧闻)")
# ... unless the party itself spread it (X散布谣言诋毁对手; not X遭同行恶意抹黑, X被曝散布谣言 is)
SPREADER_RE = re.compile(r"造谣|散布|编造|捏造|炮制|传播谣言|诋毁|抹黑|之手|所为"
                         r"|(?:利用|使用|借助|凭借|依靠|靠|以|通过|编发|编写|制造|发送|推送|发)(?:虚假|假)"
                         r"|(?:发布|散播|披露|传播|放出|报送|提供|填报)(?:虚假|假)"
                         r"|(?:提交|公布|出具|披露|发布|发出|宣传)的|招股书|年报|财报"
                         r"|用(?:虚假|假)|(?:发布|发|转发)谣言|传谣|宣称|声称|号称|自称|吹嘘|(?<!被)(?:指控|举报|控告|诬告|指责)")
PERPETRATOR = re.compile(rf"(?:(?:造谣|编造|散布|捏造|传谣)[^{_MARKS}]{{0,4}}?[者人]"
                         r"|(?:谣言|假消息|虚假信息|不实信息)的?(?:始作俑者|源头|制造者|发布者|散布者|传播者|幕后推手|元凶|出处))"
                         rf"[^{_MARKS}]{{0,3}}?(?:是|系|为)$|(?:出自|来自|源自|源于)$")
VICTIM_RE = re.compile(rf"遭|受到|被(?![指疑曝查控告诉])(?![^{_MARKS}]{{0,4}}举报)")
# - a problem put right, wiping out the complaint before it in its clause ...
_BAD_COUNTS = (r"(?:投诉|客诉|事故|故障|亏损|差评|违规|违章|发案|案件|污染|排放|拖欠|逾期|不良(?:贷款|资产)?率"
               r"|伤亡|死亡|退货|召回)")
_MEASURES = r"(?:量|数|率|额|数量|总量|总数|人数|次数|起数|件数|金额|行为|发生率|发生数|发生量)"
# a comparison between the count and its fall (同比, 较去年同期, 从每月三百多件): nothing else may
# stand there, or the thing that fell is another (事故拖累营收下滑, 投诉处理及时率下降); not a
# word that merely starts so (较多, 比好评, 从事, 从来, 由于), no negation, no cause
_COMPARED = (r"(?:同比|环比|(?:(?:较|比)(?![多少大高低重好差])|从(?![事来未而])|由(?!于))"
             rf"(?:(?![不没未无非毫致导使让令引造拖还更])[^{_MARKS}并而但]){{0,12}}?)")
_RUN = r"连续(?:第?[\d一二两三四五六七八九十]+个?(?:月|年|季度|周))?"   # 投诉量连续第五个月下降
_FALLS = r"(?:减少|少了|变少|下降|降低|下滑|收窄|回落|缩小|降至|降到|降为|减至|减半|锐减|大降|暴跌|骤降|锐降|大跌)"
_SANCTIONS = (r"(?:处罚|罚款|罚单|失信|黑名单|经营异常名录|异常名录|风险警示|警示|冻结|禁令|立案|指控|起诉"
              r"|通报批评|查封|扣押|限制高消费|限高|限制消费令?|限消令)")
_GROUNDLESS = (rf"(?:{_SANCTIONS}|认定[^{_MARKS}]{{0,12}}?(?:构成|存在))[^{_MARKS}]{{0,14}}?"
               r"(?:事实不清|证据不足|依据不足)")
# between a sanction and its lifting: not a later step, nor another thing revoked (立案调查后生产
# 许可证被撤销, 被罚款后排污许可证又被撤销: a second sanction, not the first one lifted)
_LIFT_GAP = rf"(?:(?!后|许可|执照|资质|补贴|资格|证书|牌照)[^{_MARKS}并其不没未无非毫])"
_NOT_OVERCOME = "不没未无引导造带陷致使却仍又但遇临酿形"   # in the gap: the difficulty came, not went
RESOLVED_RE = re.compile(
    r"(?:终于|已经?|均已|得到了?|顺利)"
    rf"(?:(?!要求|申请|索|讨|催|责令|封口|私了|摆平|陷|出现|爆发|遭|发生|接到|收到|面临|积压)(?![不没未无停暂延拒逾难])[^{_MARKS}]){{0,6}}?"
    r"(?:解决|修复|修好|结清|兑付|补发|退还|退款|追回|发放到位|到账)(?!不|潮|危机|风险|困难|难|投诉|纠纷|申请|诉求)"
    r"|整改到位|整改完毕|整改完成|恢复正常(?!交易)|明显好转|拿到了?全部|彻底根治"
    # ... fewer of a bad thing, said of the count itself (投诉量同比减少六成, 亏损额大幅缩小) ...
    rf"|{_BAD_COUNTS}{_MEASURES}?{_COMPARED}?(?:大幅|明显|显著|持续|进一步|逐步|逐年|逐月|{_RUN})?{_FALLS}|减亏"
    # (投诉43件，同比下降71%: the count told, then its fall)
    rf"|{_BAD_COUNTS}{_MEASURES}?[^{_MARKS}\d]{{0,2}}?\d[\d.]*[^{_MARKS}\d]{{0,3}}[，,]{_COMPARED}(?:大幅|明显|显著)?{_FALLS}"
    # ... a difficulty overcome (攻克…难题, 走出困境, 扭亏为盈; not 破解, mostly hacking; not
    # 走出国门, 突破千亿) ...
    r"|(?:攻克|克服|走出(?!国门|家门|校门|厂门)|战胜|渡过|度过|闯过|突破(?![\d一二两三四五六七八九十百千万亿])"
    rf"|扭转|摆脱|化解)(?:(?![{_NOT_OVERCOME}])[^{_MARKS}]){{0,10}}?"
    r"(?:难题|困境|难关|危机|瓶颈|困难|低谷|亏损|颓势|(?:亏损|被动|不利|下滑|困难|低迷|混乱)局面)(?=了|[，,。；;！!]|$|并|后|之后|的(?:局面|态势|状况|困境|难题))"
    r"|扭亏为盈|转亏为盈|由亏转盈|扭亏(?=了|[，,。；;！!]|$|并|成功)"
    r"|(?:危机|难题|困境|风险|隐患|纠纷)(?:得以|已经?|已被|均已|成功|顺利|基本)(?:化解|解决|解除|排除|缓解)"
    # ... or a sanction lifted, named as what is lifted (被移出失信名单, 撤销对其作出的行政处罚;
    # 罚款决定被依法撤销, 已全部解封), not a lifting of something else beside a sanction
    # (撤销许可并处罚款, 被立案调查，银行撤回授信), nor one refused (不予以撤销)
    rf"|(?:撤销|撤回|解除|移出|取消|免除)了?对?(?:该|此|原)?(?:[^{_MARKS}并及和后被又再]{{0,15}}?的(?:[^{_MARKS}并及和后被又再的其]{{0,6}}?))?(?:行政|严重违法|严重)?{_SANCTIONS}"
    rf"|{_SANCTIONS}(?:决定书?|令|措施)?{_LIFT_GAP}{{0,8}}?(?:[，,](?:经(?!营|济|理|销|费|常)[^{_MARKS}]{{0,8}}?)?(?:予以|被|已)|予以|被|已|同步|一并)"
    rf"{_LIFT_GAP}{{0,6}}?(?:撤销|撤回|解除)(?=了?(?:[，,。；;！!：:]|$))"
    # ... or found groundless, the sanction or the charge behind it (原处罚决定认定事实不清, 认定原告
    # 构成虚假宣传的主要证据不足)
    rf"|{_GROUNDLESS}"
    # (从失信被执行人名单中移除)
    rf"|从[^{_MARKS}并其不没未无非毫]{{0,4}}?{_SANCTIONS}[^{_MARKS}并其不没未无非毫]{{0,8}}?(?:移除|移出|剔除)(?=了?(?:[，,。；;！!：:]|$))"
    rf"|(?:已|均已|全部|已全部|已经)(?:解封|解冻)|摘帽|摘掉[^{_MARKS}]{{0,4}}帽子"
    # ... or an inspection passed or found nothing (通过了区应急管理局的复查; 经调查，未发现违规)
    rf"|(?<!骗取)通过了?(?:(?!骗|伪造|虚假|造假|贿|违规|关系)[^{_MARKS}]){{0,10}}?(?:复查|复检|复核|验收)(?![，,]?发现)"
    rf"|(?:调查|检查|核查|检测|复查|抽检)[^{_MARKS}]{{0,4}}?[，,]?(?:均|并)?未发现[^{_MARKS}]{{0,10}}?(?:问题|违规|违法|异常|超标)")
# A sanction's end: the party allowed to reopen, resume production or sell again, or the order
# lifted (准予恢复营业, 今起恢复生产, 解除对X的停产整治措施). Unlike the other turns it ends the
# trouble the sentence (or the one before, naming the party) told of, so that is void too.
REINSTATED_RE = re.compile(
    rf"(?:准予|获准|批准|同意|决定|今起|即日起|现已|已经?|均已|日前|正式|全面|陆续|顺利)[^{_MARKS}]{{0,4}}?"
    rf"恢复(?:营业|生产|经营|销售|上架|运营|营运|供货|接待|开放|班线|[^{_MARKS}]{{0,8}}?(?:经营|营运|业务)资格)"
    r"|(?:已|均已|日前|现已|获准)?重新(?:上架|开业|营业|开放|上线)"
    # (the list named before: 被列入经营异常名录。…已被移出名录)
    r"|(?:已|均已|日前|现已|正式)被?移出(?:该|此|上述)?(?:名录|名单)"
    rf"|解除了?(?:对[^{_MARKS}]{{0,15}}?的)?(?:停产|停业|暂停|停止|限制)[^{_MARKS}]{{0,6}}?措施")
# ... a sanction's, told in the voided sentence, and no harm done beside it (爆炸致3人死亡。事故
# 后第三天，园区已恢复生产: the deaths stand), nor others reinstated (园区其他企业均已恢复生产)
SANCTION_TOLD = re.compile(r"责令|停业|停产|暂停|整改|整顿|整治|查封|处罚|罚款|约谈|下架|叫停|关停|列入|名录|名单")
HARM_TOLD = re.compile(r"死|伤|爆炸|泄漏|中毒|事故|火灾|起火|坍塌|垮塌|失踪")
OTHERS_REINSTATED = re.compile(r"其他|其余|其它|别的|另一|另外|同行|多家|部分企业|周边")
# ... unless not done, only wished for, asked about, or only claimed by the party (尚未全部得到
# 解决, 希望尽快得到解决, 真的已经解决了吗？, 声称问题已经解决，但…)
UNRESOLVED_BEFORE = re.compile(r"没有?|没能|未能?|不能|无法|尚|仍|很难|难以|未见|不见|看不到|何时|多久|距离"
                               r"|离(?!职|婚|开)"
                               r"|所谓|骗|套取|违规|非法|希望|要求|期待|期盼|盼|等待|亟待|尽快|"
                               r"能否|是否|声称|宣称|称|表示|承诺|要等|才能|申请|申诉|请求|拟|或将|有望"
                               # planned, boasted, once, or bought (誓言扭亏, 自诩走出困境, 曾扭亏为盈,
                               # 出售股权才实现账面扭亏, 虚构扭亏, 让快递员克服困难冒雨派件)
                               r"|誓言|力争|争取|力图|试图|企图|打算|计划|目标|准备|需要|急需|亟需|必须|自诩|号称"
                               r"|曾|虚构|造假|虚增|粉饰|伪造|账面|让|无力|无从|想要?|妄图|指望|寄望|号召|动员|逼|迫使"
                               # refused, upheld, or the party's own (不予撤销, 驳回…撤销…的请求,
                               # 其获得的禁令被撤销)
                               r"|不予|拒绝|拒不|驳回|维持|提起|获得的|取得的|即将|前夕"
                               r"|(?<![因成作认行称更较以])为了?$|为求$|难$|才$|仅|只有|少数|个别")
UNRESOLVED_AFTER = re.compile(r"但|却|然而|仍|再次|又|吗|么|？|\?|还是|依然|依旧|照样|重新|再度|复萌|可(?!以|能)|只"
                              # (结果 as the story's turn, not a finding: 调查结果居全市前列)
                              r"|不料|(?<!调查)(?<!检测)(?<!检查)(?<!鉴定)(?<!评估)(?<!核查)(?<!抽检)(?<!评议)(?<!测评)"
                              r"结果(?!显示|表明)|之前|以前|前(?:不得|方可)|不过|遥遥无期|驳回|被拒|未获|无望|失败|无果"
                              # or explained away (投诉量下降是因为投诉无门, 事故减少系瞒报所致)
                              r"|因为|源于|所致|系因|瞒报|漏报|造假|删帖|拉黑|无门|说法|一说"
                              r"|目标|计划|落空|泡汤|渺茫|希望|扣非|再陷|如今|现在"
                              r"|可能性|微乎其微|梦碎|破灭|泡影|空谈|口号|无法|难以|恐难|遥不可及"
                              r"|请求|诉求|的申请|改为|改判|吊销|从重|加重|拍卖|变卖|抵债|前夕"
                              rf"|无法表示意见|保留意见|非标|被[^{_MARKS}]{{0,6}}?(?:立案|约谈|查处|罚)"
                              r"|随即|列入|纳入|泄露|受影响|移送|涉嫌")
RELAPSE = re.compile(r"重新|再次|再度|又被|另行|移送|新决定|新的处罚")
RECOVERED = re.compile(r"追回|退还|退款")
# ... nor nothing found by the party's own check, or before an exposé (此前检查均未发现问题，直到
# 记者暗访); nor fewer complaints bought (差评数大跌，背后是商家雇人刷单); nor a sanction lifted
# from someone else (原法定代表人已从限高名单中移出)
PASSED_LONG_AGO = re.compile(r"去年|当年|前年|曾|早在|多年前")   # 去年通过了消防验收。今年3月…火灾
FOUND_NOTHING_DOUBTED = re.compile(r"回应|声明|内部|自查|自检|此前|以往|曾")
EXPOSED_AFTER = re.compile(r"直到|暗访|曝光")
FALL_FAKED = re.compile(r"背后|原来|原因是|其实|刷单|刷好评|雇人|威胁")
SANCTION_HOLDER = re.compile(r"法定代表人|实控人|实际控制人|董事长|总经理|股东|高管|子公司|关联公司")
FALLS_RE = re.compile(_FALLS)
SANCTIONS_RE = re.compile(_SANCTIONS)
ILLICIT = re.compile(r"骗|套取|侵占|挪用|违规收取|违规领取|多领|冒领|违法所得|非法所得|赃|涉案|责令|强制执行|追讨")
SILENCED = re.compile(rf"删帖|删评|拉黑|封号|屏蔽|禁言|关闭[^{_MARKS}]{{0,4}}?(?:投诉|评论|留言)")
# (结果 as a conjunction, not the noun of a finding: 检测结果, 调查结果, 鉴定结果)
CONTRADICTED_AFTER = re.compile(r"但|却|然而|实则|事实上|不过|可(?!以|能)|不料|(?<![检测查验核评审定的])结果"
                                r"|打脸|今日|今天|如今|随后"
                                r"|殊不知|没想到|又(?:在|有|一次)|次日|第二天|[一二两三四五六七八九十几\d]+(?:天|日|周|个?月)后"
                                r"|透露|居民称|网友称|随即|投案|接受(?:调查|审查)"
                                r"|不到[一二两三四五六七八九十几半\d]+(?:天|日|周|个?月|年)")
# The words of a turn, whoever's it is (see SentimentModel._window_pieces).
TOLD_TURNS = (REFUTED_RE, RESOLVED_RE, REINSTATED_RE, FALLS_RE, CLAIM_RE, FINDING_RE)
# A mention's clause that holds it up against another party named in its sentence (比起服务周到
# 的A，B的房间又脏又吵) gets the opposite of the rest of the sentence.
CONTRAST_MARKERS = frozenset({"比起", "相比", "相比于", "相较", "相较于", "不同于", "有别于"})
ABOUT_NEGATORS = frozenset({"看不到", "不见", "何时", "何时能", "很难", "难以", "并未", "尚未"})  # entity windows only
TURN_WEIGHT = 3.0  # logit evidence of one such turn, as strong as a strong lexicon word
# What the writer only expected, feared or meant to do is not what happened (本以为要扯皮，
# 结果…全额退了; 还以为又要被坑): the rest of the clause after one of these carries no tone.
# (Not 差点: 差点被X骗走十万 is a harm narrowly missed, still blame.)
EXPECTED = frozenset({"以为", "原以为", "本以为", "还以为", "原本以为", "本想", "本打算", "原打算"})
# (... up to where the clause tells what really happened: 一直以为是正品直到拿去检测才发现是翻新机)
EXPECTED_UNTIL = frozenset({"直到", "才", "结果", "没想到", "谁知", "却", "其实", "发现", "但", "可是", "竟然", "居然"})
# In a customer's or employee's own story about one party, the part after the last of these at
# a clause's start is how the story ended (see SentimentModel._story_end) ...
STORY_TURNS = frozenset({"但", "但是", "可", "可是", "不过", "然而", "结果", "没想到", "谁知", "后来"})
# ... told by a customer: in the first person, or of buying and using (news tells of damage
# limited, 但所幸未造成人员伤亡, in the third) ...
CUSTOMER_RE = re.compile(r"(?<![说：:“\"「])我(?![国省市区县镇乡村校院局委厅部司行军方])|俺|咱|本人"
                         r"|买的|买了|入手|下单|收到货|(?<![使采运应利享适租挪])用了")
# (我市, 我国: news speaking for a place; 负责人说：我们…: news quoting someone)
# ... unless what follows the turn is harm limited, not the party's doing.
LUCKILY = frozenset({"所幸", "幸好", "好在", "幸亏", "万幸", "还好", "幸运", "庆幸"})
HARM_LIMITED = re.compile(r"平安无事|无人(?:受伤|伤亡)|未造成(?:人员)?伤亡|及时赶到")
# ... nor where the good ending is only a promise or the firm's word (后来客服说会尽快处理; 客服还说
# 这已经是特殊照顾了), nor where the bad one is an accident (但是上周我老婆不小心把它摔碎了)
PROMISED = re.compile(r"(?:说|表示|称|承诺|答应)[^，,。；;]{0,3}?(?:会|将|一定|尽快)")
ACCIDENT = re.compile(r"不小心|意外|被偷|(?:我|家人|老婆|老公|孩子)把")
# ... and where a good ending is the party's doing (its staff, its goods), not someone else's
# (后来我打了12315，工作人员特别负责; 后来换了一家中介，房东人很好); a bad one needs no such
# reference (拍照不错，但是用了一个月就发烫)
STORY_ELSEWHERE = re.compile(r"换了(?:一家|别家|家|个)|换成|改用|别家|另一家|另外一家|其他家|别的"
                             r"|消防|民警|警察|医生|护士|邻居|路人|好心人|媒体"
                             r"|12315|消协|市场监管|报警|警方|自己")
STORY_RESULTS = re.compile(r"营收|利润|净利|股价|市值|销量|融资|上市|业绩|市场份额")
STORY_PARTY = re.compile(r"问题|售后|客服|商家|店家|卖家|厂家|门店|店里|店员|官方|他|她|它|人家|这家|对方"
                         r"|公司|师傅|安装|质量|产品|东西")
# A lawsuit's outcome is good or bad news for a party by its side: the plaintiff named before
# 诉/起诉 (or after 原告), the defendant after 诉/起诉/指控 (or 被告) or before 被诉; the last
# outcome told is the one that stands (一审…二审改判). 驳回…上诉 is left out: whose appeal?
_COURT_GAP = rf"[^{_MARKS}]{{0,8}}?"
PLAINTIFF_AFTER = re.compile(r"(?:公司)?(?:诉(?![讼求苦说])|起诉|状告|将[^，,。；;]{1,12}?(?:诉至|告上|起诉至?))")
PLAINTIFF_BEFORE = re.compile(r"原告$")
# (not 投诉/申诉 X, nor 被告赔偿X: the party paid is the plaintiff)
DEFENDANT_BEFORE = re.compile(rf"(?:(?<![投申控哭告上])诉(?!讼)|起诉|状告|指控|被告|判令)"
                              rf"(?:(?!赔偿|支付|返还|向|给)[^{_MARKS}]){{0,8}}?$")
DEFENDANT_AFTER = re.compile(r"(?:公司)?(?:被诉|被起诉|被控|被指(?!出)|被告上法庭|被.{0,6}?诉至法院)")
# ... or brought to court by someone (一名前员工将X诉至法院)
DEFENDANT_BROUGHT = re.compile(r"诉至|诉到|告上|起诉至|起诉到")
DEFENDANT_WINS = re.compile(rf"驳回了?(?:原告|起诉方|对方|[^{_MARKS}]{{0,10}}?的)?(?:全部|所有)?(?:诉讼请求|诉请|起诉)"
                            rf"|(?:原告|起诉方){_COURT_GAP}(?:败诉|证据不足|缺乏证据)|不构成侵权")
PLAINTIFF_WINS = re.compile(rf"判赔|判令{_COURT_GAP}(?:赔偿|支付|停止侵权)|侵权成立|(?:被告|被诉方){_COURT_GAP}败诉"
                            rf"|支持(?:原告|其){_COURT_GAP}诉讼请求|原告{_COURT_GAP}胜诉")
# ... or the outcome told of the party itself (X诉侵权案二审胜诉, X一审败诉, 改判其不承担赔偿责任):
# said right after it in its clause, or of 其 with the party named earlier in the sentence;
# not of someone between (起诉X的原告胜诉)
OWN_OUTCOME = re.compile(rf"胜诉(?!率)|败诉(?!率)|(?:无需|不需|不必|不应|不)承担[^{_MARKS}]{{0,10}}?"
                         rf"(?:赔偿|法律|连带|付款|违约|侵权|民事|任何)责任")
# (a liability a court found, not one a critic denies: 不承担社会责任; nor 并未败诉, 胜诉希望渺茫)
OWN_OUTCOME_NOT = re.compile(r"[未没不非无]$")
OWN_OUTCOME_GAP = re.compile(rf"[^{_MARKS}的]{{0,12}}")
OWN_OUTCOME_OTHER = re.compile(r"原告|被告|对方|起诉方|上诉人|被上诉人")
COURT_TONE = 0.6   # the tone a won or lost lawsuit gives its party
# An honour told of the party after its name in its sentence (X因…举报，获主管部门通报表扬; 镇政府
# 决定对该客栈予以表彰; X被授予“守合同重信用企业”称号): good news for it, however bad the news
# around it (the fraud it reported, the blast it helped at), read as a won lawsuit is. Not one
# refused (未获表彰), nor one told of another party named between (X被通报，同期获表彰的是Y).
HONOUR_RE = re.compile(rf"(?<![未没不无])(?:获得?|受到|赢得|得到|荣获)[^{_MARKS}]{{0,12}}?"
                       r"(?:通报表扬|表扬|表彰|嘉奖|记功|点名表扬)"
                       rf"|予以(?:通报)?(?:表扬|表彰|嘉奖)|授予[^{_MARKS}]{{0,16}}?称号")
# an outcome only someone claims (原告主张缺乏证据, said by the party's spokesman) is no outcome,
# unless the court is named saying it
COURT_CLAIMED = re.compile(r"称|辩称|坚称|表示|回应|认为|主张|声明")
COURT_SAYS = re.compile(r"法院|法庭|判决|裁定|审理|一审|二审")
COURT_PAID = ("向", "给")   # 判令被告向X支付: X is paid
COURT_AGAINST = "对"        # 驳回原告对X的诉讼请求: X was sued
# a sentence that goes on with the court's judgement (see _court_goes_on)
COURT_OPENS = re.compile(r"\s*(?:[一二]审)?(?:法院|法庭|合议庭|判决|审理|经审理|经法院)")
# Praise in quotation marks after a degree word is irony (真是太“贴心”了, 好一个“负责”): the
# words inside read with the opposite sign. Quoted praise after anything else stays praise
# (荣获“诚信企业”称号), and so does a quoted slogan after a verb ending in a degree character
# (做好“迎峰度夏”, 能够“稳得住”): the degree word must stand alone, or end a 太/多么 run.
QUOTES = {"“": "”", '"': '"', "「": "」", "‘": "’", "『": "』", "'": "'"}
IRONIC_DEGREE = frozenset({"好", "真", "够", "真够", "太", "多么", "真是", "可真", "真是太", "可真是",
                           "如此", "这么", "那么", "这般", "非常", "十分", "特别", "超级", "相当", "极其"})
IRONIC_DEGREE_ENDS = ("太", "多么")
_QUOTE_MARKS = frozenset(QUOTES)
# the last character of a degree word above (or of 好一个) before a mark: a superset of what
# ``_ironic`` accepts, found by one regex search over the text
_IRONY_CUE = re.compile("[" + re.escape("".join(sorted({w[-1] for w in IRONIC_DEGREE} | {"个"}))) + "]"
                        "[" + re.escape("".join(sorted(QUOTES))) + "]")
# A plea for help that asks readers to pass it on (求扩散, 请帮忙转发, 寻人) thanks them in advance
# and asks for help: there 万分感谢, 跪谢 and 帮忙 are manners, not praise. Their weight does not
# count in the document's tone (a missing child's notice ending 万分感谢 read as good news).
PLEA_RE = re.compile(r"求(?:扩散|转发|助|帮|救)|跪求|急寻|寻人|寻找|(?:请|帮忙|麻烦)[^，,。!！]{0,6}?(?:转发|扩散)"
                     r"|转发扩散|扩散转发|转起来")
PLEA_MANNERS = frozenset({"感谢", "谢谢", "跪谢", "多谢", "感激不尽", "帮", "帮帮", "帮忙", "帮助", "拜托", "恳请",
                          "万分感激"})

# first piece -> ((all pieces), word) for lexicon words that rjieba cuts into pieces
PhraseIndex = dict[str, tuple[tuple[tuple[str, ...], str], ...]]


# --- the feature map (reference form, position by position) ----------------------------------

def features(tokens: Sequence[str], phrases: PhraseIndex) -> dict[str, float]:
    """The model's input: which tokens, emoticons and phrases occur, and which tokens occur
    negated, each valued 1/sqrt(len(tokens)). Presence rather than counts: a review saying 好
    five times is not five times as positive, and a long item must not drown its headline."""
    if not tokens:
        return {}
    present = set(tokens) | emoticons(tokens) | phrase_hits(tokens, phrases) | bigrams(tokens[:BIGRAM_TOKENS])
    present.update(NEGATED + t for t in negated_tokens(tokens))
    return dict.fromkeys(present, 1.0 / math.sqrt(len(tokens)))


def bigrams(tokens: Sequence[str]) -> set[str]:
    """Adjacent tokens as bigram feature names ("还 行"); map/add build them in C."""
    return set(map(add, map(add, tokens, repeat(BIGRAM_SEP)), islice(tokens, 1, None)))


def negated_tokens(tokens: Sequence[str]) -> set[str]:
    return {tokens[j] for j in negated_positions(tokens)}


def negated_positions(tokens: Sequence[str], start: int = 0, stop: int | None = None) -> set[int]:
    """Positions inside a negation scope: up to NEGATION_WINDOW tokens after a negator, cut at
    a boundary or the next negator (so "不是不好" reads as negative: a rare miss). Only
    negators at positions start..stop-1 are looked at."""
    flipped: set[int] = set()
    for p in range(max(start, 0), len(tokens) if stop is None else min(stop, len(tokens))):
        if tokens[p] in NEGATORS and not _taken_back(tokens, p):
            for j in range(p + 1, min(p + 1 + NEGATION_WINDOW, len(tokens))):
                if tokens[j] in SCOPE_STOPS:
                    break
                flipped.add(j)
    return flipped


def _taken_back(tokens: Sequence[str], p: int) -> bool:
    """Does 才怪 take back the negation at p (不被坑才怪: 会被坑)? rjieba cuts it 才|怪 or keeps it."""
    return "才怪" in "".join(tokens[p + 1:p + 3 + NEGATION_WINDOW])


def emoticons(tokens: Sequence[str]) -> set[str]:
    """"[" + up to EMOTICON_MAX_TOKENS tokens + "]", inner text at most EMOTICON_MAX_CHARS."""
    found: set[str] = set()
    for p, token in enumerate(tokens):
        if token == EMOTICON_OPEN:
            inner = _emoticon_inner(tokens[p + 1:p + 2 + EMOTICON_MAX_TOKENS])
            if inner is not None:
                found.add(EMOTICON_OPEN + inner + EMOTICON_CLOSE)
    return found


def _emoticon_inner(following: Sequence[str]) -> str | None:
    """Text between "[" and the first "]" among ``following``, if it looks like an emoticon."""
    for k in range(1, min(len(following), EMOTICON_MAX_TOKENS + 1)):
        if following[k] == EMOTICON_CLOSE:
            inner = "".join(following[:k])
            return inner if len(inner) <= EMOTICON_MAX_CHARS else None
    return None


def index_phrases(sequences: Iterable[Sequence[str]]) -> PhraseIndex:
    grouped: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for seq in sequences:
        if len(seq) > 1:
            grouped.setdefault(seq[0], []).append((tuple(seq), "".join(seq)))
    return {head: tuple(entries) for head, entries in grouped.items()}


def phrase_hits(tokens: Sequence[str], phrases: PhraseIndex) -> set[str]:
    found: set[str] = set()
    for p, token in enumerate(tokens):
        for pieces, word in phrases.get(token, ()):
            if tuple(tokens[p:p + len(pieces)]) == pieces:
                found.add(word)
    return found


# --- the model --------------------------------------------------------------------------------

# What marks a social post rather than news: a Weibo emoticon, a #topic#, a repost or reply
# chain, an @mention, the writer speaking for themself or to their readers. Not 【快讯】 (the
# normaliser makes it [快讯]), 我国/我市 (news speaking for a place), 我 inside a quotation
# (负责人表示：“我们已整改”), 自我, an e-mail address or 据@某报. Reviews that say 我 are read as
# posts. Reported speech without quotation marks (负责人表示，我们将…) still reads as a post.
_POST_RE = re.compile(r"#[^#\s]{1,30}#|//@|(?<![A-Za-z0-9._%+\-据])@[^\s@:：,，。]{2,20}"
                      r"|(?<![说：:自你敌])我(?![国省市区县镇乡村校院局委厅部司行军方台报公单州所厂会])"
                      r"|咱|俺|家人们|姐妹们|宝子")
_QUOTED_RE = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")
# A bracketed Weibo emoticon as written ([怒]); training reads its labels with the same pattern.
EMOTICON_RE = re.compile(r"\[([^\[\]\s]{1,8})\]")
# Emoticons beside the lexicon's own: common ones whose tone is their users' (scorn, teasing)
_EMOTICONS = frozenset({"微笑", "doge", "允悲", "二哈", "吃瓜", "抱拳", "思考", "摊手", "跪了", "裂开", "苦涩",
                        "捂脸", "打call", "喵喵", "并不简单", "污", "挖鼻"})
# Where the caller knows the source: these are posts whatever their words, news is news.
# ``source`` is what the caller calls the source: the CLI's "source" field, the monitor's
# source name (清溪日报, an admin's choice). Only these exact names decide; any other name leaves
# it to the words, so a newspaper's channel called 评论 is not taken for comments.
POST_SOURCES = frozenset({"weibo", "微博", "wechat", "微信", "forum", "论坛", "bbs", "tieba", "贴吧", "douyin",
                          "抖音", "kuaishou", "快手", "xiaohongshu", "小红书", "zhihu", "知乎", "bilibili"})
NEWS_SOURCES = frozenset({"news", "press"})
# Review sites: read with the review shifts (``SentimentModel.reviews``), whatever the words.
REVIEW_SOURCES = frozenset({"review", "reviews", "点评", "大众点评", "dianping", "美团", "meituan", "饿了么", "eleme",
                            "携程", "ctrip", "口碑"})
# A post shows what it is early; an article's lead has none of these marks. Looking no further
# keeps the test near 13 µs for an 800-character item (17 µs over all of it).
POST_MARK_CHARS = 400


def looks_like_post(text: str, source: str | None = None) -> bool:
    """Does the (normalised) text read like a social post? A sure mark (``_POST_RE``, an
    emoticon) says so; without one, the shipped post router reads its characters. ``source``,
    a kind of source such as "weibo" or "news", decides when it is one of the known ones."""
    kind = (source or "").strip().lower()
    if kind in POST_SOURCES or kind in NEWS_SOURCES:
        return kind in POST_SOURCES
    if has_post_mark(text):
        return True
    router = shipped_router()   # no sure mark: the characters decide (postrouter.py)
    return router is not None and router(text)


# How far past its threshold the review router's logit must be for the review reader to read a
# text alone (``document_tones``). The written posts it takes for reviews reach 2.0 past it; the
# held-out takeaway reviews are mostly beyond 2.5 (there the review reader alone is right 44 times
# more, the hotel reviews, nearer the posts, 11 fewer).
REVIEW_SURE_MARGIN = 2.5


def looks_like_review(text: str, source: str | None = None) -> bool:
    """Is the (normalised) text a consumer's review? Its source says so when it names a review
    site (``REVIEW_SOURCES``) and says not when it names a post or news source; a text without
    one is read by the shipped review router (postrouter.py), before the marks of a post, which
    reviews carry too (我们住的房间…)."""
    return review_margin(text, source) > 0


def review_margin(text: str, source: str | None = None) -> float:
    """How far past its threshold the review router reads the text (see ``looks_like_review``):
    infinite for a review site's document, negative (not a review) for a post or news
    source's or when the router is absent."""
    kind = (source or "").strip().lower()
    if kind in REVIEW_SOURCES or kind in POST_SOURCES or kind in NEWS_SOURCES:
        return math.inf if kind in REVIEW_SOURCES else -math.inf
    router = shipped_review_router()
    return -math.inf if router is None else router.logit(text) - router.threshold


def has_post_mark(text: str) -> bool:
    """A sure mark of a social post early in the (normalised) text: ``_POST_RE`` outside a
    quotation, or an emoticon the lexicon or ``_EMOTICONS`` knows."""
    head = text[:POST_MARK_CHARS]
    if _POST_RE.search(_QUOTED_RE.sub("", head)) is not None:
        return True
    return has_emoticon(head)


def has_emoticon(text: str) -> bool:
    """Does the text hold an emoticon the lexicon or ``_EMOTICONS`` knows?"""
    return any(inner in _EMOTICONS or f"[{inner}]" in _lexicon() for inner in EMOTICON_RE.findall(text))


def char_head(text: str) -> str:
    """What the character model reads of a normalised text: its head, emoticons left out (the
    words' model reads them, and a written post's [微笑] is not a real one's), whitespace runs
    made one space."""
    return " ".join(EMOTICON_RE.sub(" ", text).split())[:CHAR_GRAM_HEAD]


def char_grams(text: str) -> set[str]:
    """The distinct character pieces of ``char_head(text)``: the character model's features as
    training builds them (``piece_codes`` is the same set as numbers, for scoring)."""
    head = char_head(text)
    return {head[i:i + n] for n in CHAR_GRAM_SIZES for i in range(len(head) - n + 1)}


_CODE_BITS = np.uint64(21)   # a code point + 1 fits in 21 bits, so three fit in a uint64


def piece_codes(text: str) -> np.ndarray:
    """The pieces of ``char_grams(text)`` as sorted distinct numbers, each piece its code points
    plus one, packed 21 bits apiece: a piece of one character is below 2**21, of two below
    2**42, of three above. Built on the code-point array (as dedup's MinHash is): a set of
    300-odd sliced strings costs about as much as rjieba's cut of the whole text."""
    cps = np.frombuffer(char_head(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) + np.uint64(1)
    pairs = (cps[:-1] << _CODE_BITS) | cps[1:]
    triples = (pairs[:-1] << _CODE_BITS) | cps[2:]
    codes = np.sort(np.concatenate((cps, pairs, triples)))
    # distinct by hand: np.unique costs five times a sort of these few hundred numbers
    return codes[np.concatenate(((True,), codes[1:] != codes[:-1]))] if codes.size else codes


def piece_code(piece: str) -> int:
    """One piece's number as ``piece_codes`` packs it."""
    code = 0
    for char in piece:
        code = code << int(_CODE_BITS) | (ord(char) + 1)
    return code


def shift(weights: Mapping[str, float], shifts: Mapping[str, float]) -> dict[str, float]:
    """``weights`` with each shifted feature moved by its shift."""
    return {**weights, **{name: weights.get(name, 0.0) + value for name, value in shifts.items()}}


class SentimentModel:
    """Shipped linear sentiment model. ``load()`` once, then call ``score``/``score_about``."""

    def __init__(self, weights: dict[str, float], bias: float = 0.0,
                 phrases: Iterable[Sequence[str]] = (), post_shifts: Mapping[str, float] | None = None,
                 review_shifts: Mapping[str, float] | None = None,
                 chars: Mapping[str, float] | None = None, char_scale: float = 0.0) -> None:
        # the bigrams with a weight, keyed by their two tokens, apart from the single tokens:
        # scoring meets adjacent pairs as tuples (zip, in C) and never builds a string for one,
        # and the per-token dict every lookup goes through stays half the size
        self._bigrams = {(pair[0], pair[1]): weight for name, weight in weights.items()
                         if len(pair := name.split(BIGRAM_SEP, 1)) == 2}
        self.weights = {name: weight for name, weight in weights.items() if BIGRAM_SEP not in name}
        self.bias = bias
        phrases = [list(seq) for seq in phrases]   # read twice when there are post shifts
        self.phrases = index_phrases(phrases)
        self._special = NEGATORS | frozenset(self.phrases) | {EMOTICON_OPEN}
        for token in self._special:  # so that logit() finds them among the weighted tokens
            self.weights.setdefault(token, 0.0)
        self._keys = self.weights.keys()
        self._is_special = self._special.__contains__
        self._backoffs: dict[str, float] = {}
        # the character model (see ``char_logit``), shared by the post and review readers: its
        # pieces as sorted codes (``piece_codes``) with their weights in the same order
        self.chars: Mapping[str, float] = chars or {}
        self.char_scale = char_scale if self.chars else 0.0
        codes = np.fromiter(map(piece_code, self.chars), dtype=np.uint64, count=len(self.chars))
        order = np.argsort(codes)
        self._char_codes = codes[order]
        self._char_weights = np.fromiter(self.chars.values(), dtype=np.float64, count=len(self.chars))[order]
        # the last text read in pieces and its reading: a post's document tone and then its
        # party's (``_whole``, with and without the turns) read the same text
        self._char_memo = ("", 0.0)
        # The model that reads social posts (see ``for_text``): these weights, each moved by its
        # shift learned on posts alone. News never sees the shifts; a review that says 我 does.
        self.posts: SentimentModel = self
        self.reads_posts = False   # this is the post model (score_about reads a post whole)
        if post_shifts:
            self.posts = SentimentModel(shift(weights, post_shifts), bias, phrases)
            self.posts.reads_posts = True
        # The model for review sites: the reviews' own vocabulary (小时 in "等了一个小时") kept
        # out of what news and posts are read with (scripts/train_sentiment.py, REVIEW_COPY).
        self.reviews: SentimentModel = self
        self.reads_reviews = False
        if review_shifts:
            self.reviews = SentimentModel(shift(weights, review_shifts), bias, phrases)
            self.reviews.reads_reviews = True
        if self.posts is not self:   # the post reader reads pieces with the same model
            self.posts.chars, self.posts.char_scale = self.chars, self.char_scale
            self.posts._char_codes, self.posts._char_weights = self._char_codes, self._char_weights

    @classmethod
    def load(cls, path: str | Path | None = None) -> SentimentModel:
        """Read shipped weights (``models/sentiment.json``) or the file at ``path``."""
        data = json.loads(Path(path or DEFAULT_WEIGHTS).read_text(encoding="utf-8"))
        return cls(data["weights"], float(data.get("bias", 0.0)), data.get("phrases", []),
                   data.get("post_shifts"), data.get("review_shifts"), data.get("chars"),
                   float(data.get("char_scale", 0.0)))

    def for_text(self, text: str, source: str | None = None) -> SentimentModel:
        """The model to read the normalised ``text`` with: ``reviews`` for a review site's,
        ``posts`` for a social post. (A document's own tone: ``document_tones``.)"""
        if (source or "").strip().lower() in REVIEW_SOURCES:
            return self.reviews
        return self.posts if looks_like_post(text, source) else self

    def document_tones(self, tokens: list[str], token_starts: list[int], text: str,
                       source: str | None = None, model: SentimentModel | None = None) -> tuple[float, float]:
        """``tones`` of the normalised ``text`` by the model ``for_text`` picks, except for a
        text without a source that reads like a consumer's review (``looks_like_review``):
        there the review reader's tone and that model's are averaged. The review shifts alone
        read unsourced reviews best (hotel 0.833 -> 0.854, takeaway 0.812 -> 0.879) but lose
        the turns and the character model on the hotel and restaurant posts that read like
        reviews (上次投诉…当晚就给换了); the mean lets the surer reading decide: hotel 0.864,
        takeaway 0.853, no written post read the wrong way that was read right. Where the router
        is sure (``REVIEW_SURE_MARGIN`` past its threshold: 送餐太慢了，饭都凉了, but none of
        the written posts it takes for reviews), the review reader decides alone.

        A review site's document is read by the review reader alone where the router takes it
        for a review (the two corpora's kind of review, which the review shifts learned), else
        by the same mean: the shifts read takeaway reviews by other hands at 0.820 against the
        mean's 0.907 (set r), the corpora's held-out reviews alike within 0.2 points.
        ``model``: ``for_text``'s pick, where the caller has it already."""
        model = model or self.for_text(text, source)
        if model.reads_reviews:   # a review site's: the router's own reading, without the source
            sure, own = review_margin(text) > 0, self.for_text(text)
        else:
            margin = review_margin(text, source)
            if margin <= 0:
                return model.tones(tokens, token_starts, text)
            sure, own = margin > REVIEW_SURE_MARGIN, model
        if sure:
            return self.reviews.tones(tokens, token_starts, text)
        told, worded = own.tones(tokens, token_starts, text)
        review = self.reviews.tones(tokens, token_starts, text)[0]
        return (told + review) / 2, (worded + review) / 2

    def weight(self, name: str) -> float:
        """The weight of one feature of ``features`` (a token, ¬token, [emoticon], phrase or
        bigram "a b"), 0 when the model has none."""
        first, _, second = name.partition(BIGRAM_SEP)
        return self._bigrams.get((first, second), 0.0) if second else self.weights.get(name, 0.0)

    def score(self, tokens: list[str]) -> float:
        """Document tone in [-1, 1], negative below 0; tokens = rjieba.cut(normalized text)."""
        if not tokens:
            return 0.0
        return math.tanh(self.logit(tokens) / 2.0)  # = 2 * sigmoid(logit) - 1

    def tones(self, tokens: list[str], token_starts: list[int], text: str | None = None) -> tuple[float, float]:
        """Document tone as told, and as worded: the first reads the turns of the document's
        lead (see ``_turns``: a rumour refuted, a sanction lifted, a problem put right), which
        the bag of words reads as the bad news it names; the second is ``score``, what alarms
        read (a refuted rumour is still one for the duty officer). A review's is its words':
        there 终于退款了 ends a bad experience. Both read praise made ironic (see ``_ironic``)
        against. ``text``: the text the tokens were cut from, if the caller has it at hand."""
        if not tokens:
            return 0.0, 0.0
        text = "".join(tokens) if text is None else text
        logit = words = self.logit(tokens)
        # irony needs a quotation mark after a degree word: two C passes rule most items out
        if not _QUOTE_MARKS.isdisjoint(tokens) and _IRONY_CUE.search(text):
            logit -= self._irony(tokens) / math.sqrt(len(tokens))
        if not PLEA_MANNERS.isdisjoint(tokens) and PLEA_RE.search(text):
            logit -= self._manners(tokens) / math.sqrt(len(tokens))
        if "谁" in tokens:
            claims, asking = _denied(tokens, 0, len(tokens))
            said = {tokens[i] for i in claims}
            asked = {tokens[i] for i in asking} - said
            weight = self.weights.get
            logit -= (2.0 * math.fsum(map(weight, said, repeat(0.0)))
                      + math.fsum(map(weight, asked, repeat(0.0)))) / math.sqrt(len(tokens))
        if self.reads_reviews:
            plain = math.tanh(logit / 2.0)
            return plain, plain
        evidence = _told_evidence(self, tokens, token_starts)   # never negative: told >= worded
        if logit == words and not evidence:
            logit += self._pieces(tokens, text)
        plain = math.tanh(logit / 2.0)
        return (math.tanh((logit + evidence / math.sqrt(len(tokens))) / 2.0) if evidence else plain), plain

    def _pieces(self, tokens: list[str], text: str) -> float:
        """What the character model adds to the words' logit of a text no rule has read: nothing
        where the author shows a known emoticon (the mood is stated; the pieces around it are
        left to the words) or in a text of a few words (新系统运行不稳定: there the words and
        their negation say it, and a handful of pieces, blind to negation, would outvote them)."""
        if not self.char_scale or len(text) < CHAR_MIN_TEXT or (EMOTICON_OPEN in tokens and has_emoticon(text)):
            return 0.0
        return self.char_scale * self.char_logit(text)

    def char_logit(self, text: str) -> float:
        """The character model's reading of a normalised text: the log-count ratios of its
        distinct pieces (``char_grams``), summed and divided by the root of their number as
        ``logit`` divides by the tokens'."""
        if text == self._char_memo[0]:
            return self._char_memo[1]
        found = piece_codes(text)
        if not found.size or not self._char_codes.size:
            return 0.0
        at = np.minimum(np.searchsorted(self._char_codes, found), self._char_codes.size - 1)
        hit = at[self._char_codes[at] == found]
        read = float(self._char_weights[hit].sum()) / math.sqrt(found.size)
        self._char_memo = (text, read)
        return read

    def _irony(self, tokens: Sequence[str]) -> float:
        """Twice the praise of the ironic sentences (see ``_ironic``): what the bag of words
        counted for them, counted against (真是太“贴心”了 is a complaint)."""
        ironic = _ironic(tokens, 0, len(tokens))
        return 2.0 * math.fsum(max(self.weights.get(token, 0.0), 0.0) for token in {tokens[i] for i in ironic})

    def _manners(self, tokens: Sequence[str]) -> float:
        """The praise the bag of words counted for a plea's thanks and asking (see PLEA_RE)."""
        return math.fsum(max(self.weights.get(token, 0.0), 0.0) for token in PLEA_MANNERS.intersection(tokens))

    def logit(self, tokens: Sequence[str]) -> float:
        """Bias plus the dot product of ``features(tokens)`` with the weights."""
        if not tokens:
            return 0.0
        # keys() & list walks the tokens once in C and keeps the distinct ones with a weight,
        # which is exactly the set the features need; negators etc. are keys (see __init__).
        hits = self._keys & tokens
        total = math.fsum(map(self.weights.__getitem__, hits))   # exact: a set's order varies by run
        if not self._special.isdisjoint(hits):
            total += self._context_sum(tokens, hits)
        if self._bigrams:
            total += self._bigram_sum(tokens)
        return self.bias + total / math.sqrt(len(tokens))

    def _bigram_sum(self, tokens: Sequence[str]) -> float:
        """Weights of the distinct bigrams present in the first BIGRAM_TOKENS tokens (a set,
        so one said twice counts once, as in ``features``)."""
        pairs = zip(islice(tokens, BIGRAM_TOKENS), islice(tokens, 1, BIGRAM_TOKENS), strict=False)
        found = self._bigrams.keys() & pairs
        return math.fsum(map(self._bigrams.__getitem__, found))

    def _context_sum(self, tokens: Sequence[str], seen: set[str]) -> float:
        """Weights of the negated, emoticon and phrase features. One pass in C (compress over
        a set-membership map) finds where the rare special tokens are; only there do we look
        at the following tokens. A Python loop over ~400 tokens would cost more than the rest
        of scoring."""
        extra: set[str] = set()
        for p in compress(count(), map(self._is_special, tokens)):
            token = tokens[p]
            if token in NEGATORS and not _taken_back(tokens, p):
                for following in tokens[p + 1:p + 1 + NEGATION_WINDOW]:
                    if following in SCOPE_STOPS:
                        break
                    extra.add(NEGATED + following)
            elif token == EMOTICON_OPEN:
                inner = _emoticon_inner(tokens[p + 1:p + 2 + EMOTICON_MAX_TOKENS])
                if inner is not None:
                    extra.add(EMOTICON_OPEN + inner + EMOTICON_CLOSE)
            for pieces, word in self.phrases.get(token, ()):
                if tuple(tokens[p:p + len(pieces)]) == pieces:
                    extra.add(word)
        return math.fsum(map(self.weights.get, extra - seen, repeat(0.0)))

    def score_about(
        self, tokens: list[str], token_starts: list[int], spans: list[tuple[int, int]],
        others: Sequence[tuple[int, int]] = (), turns: bool = True,
    ) -> float:
        """Tone of the text near the character spans of one entity's mentions: is the text
        negative *about* it? The nearest text with clear tone decides: the clauses holding a
        mention, else their sentences (other clauses weighing less, since one sentence often
        names two parties: "A 获好评，B 却被投诉"), else a damped document tone (without the
        sentences naming another party, at ``others``: their tone is theirs).  Read there:
        a clause that holds the party up against another (比起A，B…) takes the opposite of the
        rest of the sentence, and a claim shown false or a problem put right is good news for
        the party though its words are the bad news's (see ``_turns``; ``turns=False`` reads
        the words as they are, which is what risk wants: a refuted rumour about a watched
        enterprise is still one for a duty officer to see)."""
        if not tokens or not spans:
            return self.score(tokens)
        clause, sentence = _windows(tokens, token_starts, spans)
        if not sentence:
            return self._fallback(tokens, token_starts, spans, others)
        # Only negators that can reach the window matter; scanning the whole item would cost
        # more than the rest of this method.
        flipped = negated_positions(tokens, min(sentence) - NEGATION_WINDOW, max(sentence) + 1)
        for p in range(max(min(sentence) - NEGATION_WINDOW, 0), max(sentence) + 1):   # 看不到明显好转
            if tokens[p] in ABOUT_NEGATORS and p + 1 < len(tokens) and tokens[p + 1] not in SCOPE_STOPS:
                flipped.add(p + 1)
        ours, theirs = _positions(token_starts, spans), _positions(token_starts, others)
        lo, hi = min(min(ours), min(sentence)), max(sentence) + 1   # the window with the mentions
        void, cues, past = _turns(tokens, token_starts, spans, ours, theirs, lo, hi) if turns else (set(), [], set())
        if turns:
            text = "".join(tokens)
            won = _court(text, spans, others) or _honoured(text, spans, others)
            if won:
                return COURT_TONE * won
        if turns and not others:
            told = self._story_end(tokens, min(ours))
            if told is not None:
                return told
        contrasted = not CONTRAST_MARKERS.isdisjoint(tokens[i] for i in clause) \
            and any(lo <= i < hi for i in theirs)
        contrast = -1.0 if contrasted else 1.0
        # an emoticon speaks for the whole post, not for its clause alone ("太贴心了…[微笑]"):
        # where one party is named, its weight is read in every window
        face = 0.0 if others else sum(map(self.weights.__getitem__, emoticons(tokens) & self._keys))
        read = []  # (summed weight, summed |weight|, window size) of the clause, then the sentence
        continued = {cue for cue in cues if _continues(tokens, ours, cue, sentence)}
        # expectations are not what happened (a turn: the plain reading keeps them), irony
        # only ever lowers the tone (both readings)
        unreal = _expected(tokens, lo, hi) | past if turns else set()
        ironic = _ironic(tokens, lo, hi) | _bad_rises(tokens, lo, hi) | _unlawful(tokens, lo, hi) \
            | _boasted(tokens, ours, lo, hi) | _debunked(tokens, ours, lo, hi)
        refuted = _refuted_quotes(tokens, lo, hi)
        denied, asking = _denied(tokens, lo, hi) if turns and "谁" in tokens else (set(), set())
        # A post that names one party is about it from start to end: where the window reads
        # nothing special, the whole post's tone is the verdict, not the clause that happens
        # to hold the name (恒新手机城买的手机出了问题，直接给换了新机，没扯皮。)
        if self.reads_posts and not others and not (void or cues or unreal or ironic or refuted or denied
                                                    or contrasted or face) \
                and _told_throughout(tokens, ours, sentence, flipped):
            return self._whole(tokens)
        for near in (clause, sentence):
            values = [w * self._local_weight(tokens, i, flipped, turns) * (1.0 if i in clause else contrast)
                      * (0.0 if i in unreal else 1.0) for i, w in near.items()]
            values = [-abs(v) if i in ironic else min(v, 0.0) if i in refuted else -v if i in denied
                      else 0.0 if i in asking else v for i, v in zip(near, values, strict=True)]
            values = [max(v, 0.0) if i in void else v for i, v in zip(near, values, strict=True)]
            # a turn counts where it is read, and in the party's clause too when it goes on
            # about the party later in the sentence (已履行判决义务，被移出失信名单 is not about
            # a 判决), not after a switch to another topic (…，唯独/而…)
            held = sum(cue in near or (near is clause and cue in continued) for cue in cues)
            turned = TURN_WEIGHT * held
            read.append((sum(values) + turned + face, sum(map(abs, values)) + turned + abs(face),
                         sum(near.values()) + held + (face != 0.0)))
        # clear tone in the clause, else in the sentence; else the sentence's weaker tone, which
        # is still nearer the party than another sentence's strong words; else the document.
        # The character model's reading of the sentence joins the words' where no rule read it.
        special = void or cues or unreal or ironic or refuted or denied or contrasted or face
        for (total, evidence, size), needed in zip((*read, read[1]), ABOUT_EVIDENCE, strict=True):
            if evidence >= needed:
                piece = 0.0 if special else self._window_pieces(tokens, sentence, theirs)
                return math.tanh((self.bias + total / math.sqrt(size) + piece) / 2.0)
        return self._fallback(tokens, token_starts, spans, others)

    def _window_pieces(self, tokens: list[str], sentence: Mapping[int, float], theirs: set[int]) -> float:
        """What the character model adds to the logit of the party's windows: its reading of
        the party's sentence, the mention left out. Nothing where a negator is in it (pieces
        are blind to its scope: 至今未被移出名录), another party is (they cannot tell whose the
        tone is), a turn's words are (同行业投诉量同比下降: the rules decide whose turn it is),
        and where ``_pieces`` reads nothing (a short sentence, a known emoticon)."""
        if not NEGATORS.isdisjoint(tokens[i] for i in sentence) or not theirs.isdisjoint(sentence):
            return 0.0
        words = [tokens[i] for i in sorted(sentence)]
        window = "".join(words)
        return 0.0 if any(rx.search(window) for rx in TOLD_TURNS) else self._pieces(words, window)

    def _story_end(self, tokens: list[str], first: int) -> float | None:
        """A first-person story, or any post's, about one party that turns after naming it (我的
        洗衣机…就漏水。结果售后上门换了新机; 拍照不错，但是我用了一个月就发烫): the part after the last turn is
        how the story ended, and its tone is the verdict if it has clear tone. Only where no
        other party is named (with two, a turn usually moves to the other one) and not where the
        turn is to harm limited (但所幸无人受伤)."""
        marks = [t for t in range(first + 1, len(tokens))
                 if tokens[t] in STORY_TURNS and tokens[t - 1] in CLAUSE_ENDS]
        if not marks or not LUCKILY.isdisjoint(tokens[marks[-1]:marks[-1] + 4]):
            return None
        customer = CUSTOMER_RE.search("".join(tokens)) is not None
        tail = range(marks[-1] + 1, min(len(tokens), marks[-1] + 1 + ABOUT_MAX_TOKENS))
        flipped = negated_positions(tokens, marks[-1], tail.stop)
        unreal, ironic = _expected(tokens, tail.start, tail.stop), _ironic(tokens, tail.start, tail.stop)
        values = [0.0 if i in unreal else self._local_weight(tokens, i, flipped) for i in tail]
        values = [-abs(v) if i in ironic else v for i, v in zip(tail, values, strict=True)]
        if sum(map(abs, values)) < ABOUT_MIN_EVIDENCE:
            return None
        told = "".join(tokens[tail.start:tail.stop])
        # a post tells a story whether or not the poster is in it (…当时真的很火大。结果换的是更
        # 高一档的酒店), but a firm's results are no ending of one (村民说…被污染了。后来，该公司
        # 营收增长三成)
        if not (customer or (self.reads_posts and not STORY_RESULTS.search(told))):
            return None
        if REFUTED_RE.search(told) or HARM_LIMITED.search(told):   # 后来…通报说是谣言: the refutation decides
            return None
        elsewhere = STORY_ELSEWHERE.search(told) or not (STORY_PARTY.search(told) or tokens[first] in told)
        if (sum(values) > 0 and (elsewhere or PROMISED.search(told) or FIRM_VOICED.search(told))) \
                or (sum(values) < 0 and ACCIDENT.search(told)):
            return None
        return math.tanh((self.bias + sum(values) / math.sqrt(len(tail))) / 2.0)

    def _fallback(self, tokens: list[str], token_starts: list[int], spans: list[tuple[int, int]],
                  others: Sequence[tuple[int, int]]) -> float:
        """No clear tone near the mention: a share of the document's, leaving out sentences
        that name another party and not this one ("A涉嫌内幕交易被立案。B当天召开股东大会":
        A's trouble is not B's)."""
        if others:
            theirs, ours = _positions(token_starts, others), _positions(token_starts, spans)
            kept: list[str] = []
            first = 0
            for i, token in enumerate(tokens):
                if token in SENTENCE_ENDS or i == len(tokens) - 1:
                    sentence = range(first, i + 1)
                    if theirs.isdisjoint(sentence) or not ours.isdisjoint(sentence):
                        kept += tokens[first:i + 1]
                    first = i + 1
            tokens = kept
        return ABOUT_FALLBACK_SHARE * self._whole(tokens)

    def _whole(self, tokens: list[str]) -> float:
        """The tone of the whole of ``tokens`` as the words and the character model read it."""
        if not tokens:
            return 0.0
        return math.tanh((self.logit(tokens) + self._pieces(tokens, "".join(tokens))) / 2.0)

    def _local_weight(self, tokens: Sequence[str], i: int, flipped: set[int], denied: bool = True) -> float:
        """A token's weight read in place: its own (or, for a compound the model does not know,
        its most tonal known part), its negated weight inside a negation scope, and the weight
        of a lexicon phrase that starts there (约|谈, 内幕|交易). ``denied``: a harm negated
        reads as mild praise (the stance; the plain reading keeps the model's own weights)."""
        get = self.weights.get
        token = tokens[i]
        own = get(token)
        if denied and own is not None and own < 0 and token in NEGATORS and token not in COPULAR_NEGATORS and any(
                _harm(tokens[j]) for j in range(i + 1, i + 1 + NEGATION_WINDOW) if j in flipped):
            # a negator's learned blame stands for the good things it usually negates (没效果);
            # before blame (没裁员) it is none
            return 0.0
        weight = self._backoff(token) if own is None else own
        # 不被坑才怪: the 才怪 takes the negation back, and the harm is told as it is
        if i in flipped and "才怪" not in "".join(tokens[i + 1:i + 3]):
            if own is None:   # a compound read as its part is negated as a whole (并未明显好转)
                weight = -weight
            else:
                weight += get(NEGATED + token, 0.0)
                blame = _lexicon().get(token, 0.0)
                scope = tokens[max(i - NEGATION_WINDOW, 0):i]
                twice = sum(map(NEGATORS.__contains__, tokens[max(i - NEGATION_WINDOW - 2, 0):i])) > 1
                if denied and own < 0 and _harm(token) and COPULAR_NEGATORS.isdisjoint(scope) and not twice:
                    # a blamed thing negated is mild praise (没裁员, 从没迟到), as the lexicon's
                    # prior has it, though the model may have learned the word's own weight past
                    # its negation's (裁员 from news); 没有一个不投诉 is blame all the same; after
                    # officialese (零事故, 化解危机) it is no blame, but a plan to 化解危机 no praise
                    official = not OFFICIAL_NEGATORS.isdisjoint(scope)
                    praise = NEGATED_BLAME if NEVER_NEGATORS.isdisjoint(scope) else NEVER_BLAME
                    weight = max(weight, 0.0 if official else -praise * blame)
        for pieces, word in self.phrases.get(token, ()):
            if tuple(tokens[i:i + len(pieces)]) == pieces:
                weight += get(word, 0.0)
        return weight

    def _backoff(self, token: str) -> float:
        """rjieba keeps long compounds whole (好评率, 明显好转); such a word the model never
        saw reads as its most tonal part of two or more characters that the polarity lexicon
        knows (not a part whose weight the reviews taught: 生态环境局 is not 环境 +2.9).  Off
        the hot path: only entity tone calls it."""
        cached = self._backoffs.get(token)
        if cached is not None:
            return cached
        lexicon, best = _lexicon(), 0.0
        for size in range(len(token) - 1, 1, -1):
            for start in range(len(token) - size + 1):
                part = token[start:start + size]
                w = self.weights.get(part, 0.0) if part in lexicon else 0.0
                if abs(w) >= ABOUT_BACKOFF_MIN and abs(w) > abs(best):
                    best = w
            if best:
                break
        if not best and len(token) == 2 and token[0] in _RESULT_VERBS and token[1] in _COMPLEMENTS:
            # a one-character verb of harm with its result (骗走, 坑惨) is that verb
            w = self.weights.get(token[0], 0.0)
            best = w if abs(w) >= ABOUT_BACKOFF_MIN else 0.0
        if len(self._backoffs) < 100_000:
            self._backoffs[token] = best
        return best


# A verb of harm with a result or direction complement says what the verb did (骗走 the money,
# 坑惨 a buyer), so such a compound the dictionary lacks reads as its verb. Verbs only: 好惨 is
# no 好, 慢走 no 慢.
_RESULT_VERBS = frozenset("骗坑偷抢骂罚砸拐")
_COMPLEMENTS = frozenset("走掉光完坏惨跑丢住倒垮破死伤")


def read_lexicon(path: Path = LEXICON) -> dict[str, float]:
    """The hand-written polarity lexicon (word -> prior weight), words normalised as texts are:
    the training script's prior and ``score_about``'s back-off read it the same way."""
    lexicon: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, weight = line.split("\t")
            lexicon[normalize(word.strip()).text] = float(weight)
    return lexicon


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    """The polarity lexicon, read once (a dict: membership and prior weight)."""
    return read_lexicon()


# Lexicon blame words that are remedies, not harms: not doing them is no praise (至今没有召回,
# 一直没有道歉, 不退款, 没有处罚涉事员工)
REMEDIES = frozenset({"整改", "退款", "退货", "退费", "退还", "道歉", "召回", "处罚", "处理", "赔偿", "赔付",
                      "补偿", "问责", "回应", "解决", "维权", "投诉处理"})


def _told_throughout(tokens: Sequence[str], ours: set[int], window: Iterable[int], flipped: set[int]) -> bool:
    """Is a post's tone its verdict on the one party it names? Not where the window denies a
    harm (没裁员: the window's stance reads it, the bag of words does not), luck or another
    hand limited the harm (幸好银行柜员及时拦下), the story turns after the name (后来我打了12315,
    工作人员特别负责: the window and ``_story_end`` tell whose the ending is), or the firm's word
    is quoted against the poster (官方说系统一切正常，我昨天又被绕了8公里)."""
    turned = any(tokens[t] in STORY_TURNS and tokens[t - 1] in CLAUSE_ENDS for t in range(min(ours) + 1, len(tokens)))
    return (not turned and not any(i in flipped and _harm(tokens[i]) for i in window)
            and LUCKILY.isdisjoint(tokens) and ANSWERED.search("".join(tokens)) is None)


def _harm(token: str) -> bool:
    """A lexicon blame word for a harm done or suffered (裁员, 迟到, 偷排), not a remedy."""
    return _lexicon().get(token, 0.0) < 0 and token not in REMEDIES


@lru_cache(maxsize=1)
def _split_lexicon_words() -> tuple[str, ...]:
    """Lexicon words rjieba's own dictionary cuts into pieces even standing alone."""
    plain = rjieba.Jieba()
    return tuple(sorted(word for word in _lexicon()
                        if len(word) > 1 and not word.startswith(EMOTICON_OPEN) and len(plain.cut(word)) > 1))


def keep_lexicon_whole(jieba: rjieba.Jieba) -> None:
    """Add the lexicon words rjieba lacks to a segmenter, at a frequency that keeps them whole
    beside a degree word (太靠谱了, not 太靠|谱|了) without outweighing the dictionary's common
    words. Training, evaluation and the pipeline all call this: the model is only right on
    the tokens it was trained on."""
    for word in _split_lexicon_words():
        jieba.add_word(word, WHOLE_WORD_FREQ, "a")


def starts_of(tokens: Sequence[str]) -> list[int]:
    """The character offset of each token in the text the tokens were cut from."""
    return list(accumulate(map(len, tokens), initial=0))[:-1]


def _positions(token_starts: list[int], spans: Sequence[tuple[int, int]]) -> set[int]:
    """Token positions where the spans start (clamped to the text)."""
    return {max(bisect_right(token_starts, start) - 1, 0) for start, _ in spans}


def _turns(tokens: Sequence[str], token_starts: list[int], spans: list[tuple[int, int]],
           ours: set[int], theirs: set[int], lo: int, hi: int) -> tuple[set[int], list[int], set[int]]:
    """Where the sentences holding the mention turn bad news around *for this party* (see
    REFUTED_RE, RESOLVED_RE): token positions whose negative weight no longer counts, and the
    position of each turn (it counts as evidence in the windows that hold it).  A turn in a
    sentence without the party, or with another party named between the party and it (A被投诉，
    而B的问题已经解决), is not its. Third: the positions of the past the party is introduced
    with (see _background), which count neither way."""
    void: set[int] = set()
    cues: list[int] = []
    past: set[int] = set()
    first = lo
    for i in range(lo, hi):
        if tokens[i] not in SENTENCE_ENDS and i < hi - 1:
            continue
        sentence = range(first, i + 1)
        first = i + 1
        if ours.isdisjoint(sentence):
            continue
        base = token_starts[sentence.start]
        text = "".join(tokens[sentence.start:sentence.stop])

        def at(char: int, base: int = base) -> int:
            return bisect_right(token_starts, base + char) - 1

        # the next sentence's first token (the window may end before the sentence's closing mark)
        after = sentence.stop + (sentence.stop < len(tokens) and tokens[sentence.stop] in SENTENCE_ENDS)
        for m in RESOLVED_RE.finditer(text):
            cue = at(m.start())
            inside = any(base + m.start() <= s < base + m.end() for s, _ in spans)
            # the industry's count, unless the party stands before it in the clause (X是全行业
            # 投诉量下降幅度最大的)
            clause_start = _clause_start(text, m.start())
            named_first = any(base + clause_start <= s < base + m.start() for s, _ in spans)
            peers = _PEERS_BEFORE.search(text, clause_start, m.start()) is not None and not named_first
            # fewer complaints where the next sentence tells they were silenced (…同比下降71%。记者
            # 调查发现，该平台近期关闭了在线投诉入口)
            # ... and a sanction lifted that the next sentence imposes again (撤销了对X的处罚决定。随后
            # 重新立案，作出罚款200万元的新决定)
            following = "".join(_until_sentence_end(tokens, after))
            silenced = (FALLS_RE.search(m.group()) is not None and SILENCED.search(following) is not None) \
                or (_lifted(text[:m.end()], m) and RELAPSE.search(following) is not None)
            if _resolved(text, m) and not peers and not silenced \
                    and (inside or _owned(cue, ours, theirs, sentence.start)):
                # 攻克…难题: the match too; a sanction lifted, the sanction told before it as well
                # (因虚假宣传被罚款的X，经行政复议，处罚决定被依法撤销)
                clause = 0 if _lifted(text[:m.end()], m) else _clause_start(text, m.start())
                void.update(range(at(clause), at(m.end() - 1) + 1))
                cues.append(cue)
        for start, stop in _background(text, spans, base):
            past.update(range(at(start), at(stop - 1) + 1))
        for m in _reinstated(text, spans, base, ours, theirs, sentence.start, at):
            if _sanction_ended(text[:m.end()]):
                void.update(range(sentence.start, at(_clause_end(text, m.end() - 1) - 1) + 1))
                cues.append(at(m.start()))
        # ... or in one of the next two sentences, which name no party (X因卫生问题被责令停业。经复查，
        # 准予恢复营业。; …被责令停产整治。经现场核查，…达标。经专家组验收，同意其恢复生产。)
        between = ""
        for _ in range(2):
            rest = _until_sentence_end(tokens, after)
            if not rest or not (ours | theirs).isdisjoint(range(after, after + len(rest))):
                break
            told = "".join(rest)
            ended = _sanction_ended(text + between) and not OTHERS_REINSTATED.search(told) \
                and (any(_resolved(told, m) for m in REINSTATED_RE.finditer(told))
                     or any(_resolved(told, m) and _lifted(text + between + told[:m.end()], m)
                            for m in RESOLVED_RE.finditer(told)))
            # ... or a problem the next sentence puts right, calling the party 该公司 (X去年因超时派件
            # 遭大量投诉。今年该公司扩充运力，投诉量同比下降60%)
            put_right = not ended and _opens_with_anaphor(told) \
                and any(_resolved(told, m) and not _lifted(told[:m.end()], m) for m in RESOLVED_RE.finditer(told))
            if ended or put_right:
                void.update(sentence)
                # counted at the sentence's last word, which the windows hold (not at its name)
                cues.append(max((i for i in sentence if tokens[i] not in SENTENCE_ENDS and i not in ours),
                                default=sentence.start))
                break
            between += told
            after += len(rest)
        mentions = [(s - base, e - base) for s, e in spans if base <= s < base + len(text)]
        found = _refutation(text, mentions)
        said_false = found is not None
        # the sentence's closing mark (说…是谣言？) and the next sentence (…系谣言。三天后，…属实)
        rest = _until_sentence_end(tokens, sentence.stop + 1)
        following = "".join(tokens[sentence.stop:sentence.stop + 1]) + "".join(rest)
        following_stop = sentence.stop + 1 + len(rest)
        if found is not None and (following[:1] in QUESTION_MARKS or CONTRADICTED_AFTER.search(following)):
            found = None
        # "it was a rumour" speaks of the claim, whoever is named; 辟谣 and a finding are said
        # by or about a party, and another one named before them is not this one
        said_of_claim = REFUTED_RE.match(text, found[0]) is not None and not text.startswith("辟谣", found[0]) \
            if found else False
        refuted = found is not None and (said_of_claim or _owned(at(found[0]), ours, theirs, sentence.start))
        # (an office's 辟谣 heading the claim, X辟谣：近日，网传“…”。经核实，该信息不实。, is not the
        # party's: the next sentence's finding still answers the claim)
        if not said_false or (found is not None and not refuted):
            # a claim about the party shown false by the next sentence, which names no party
            # (网传“X老板卷款潜逃”。经核实，该信息不实。; not X回应称消息不实, its own word): the
            # claim's clauses are void
            claim = CLAIM_RE.search(text)
            # a good rumour shown false (网传X新药获批上市。经核实，该消息不实。) is no good news
            harmful = claim is not None and any(_harm(t) for t in tokens[at(claim.start()):sentence.stop])
            named = (ours | theirs).intersection(range(sentence.stop, following_stop))
            beyond = "".join(_until_sentence_end(tokens, following_stop))   # …不实？记者却拍到了…
            # (the next sentence itself: where the window ends before this one's closing mark,
            # ``following`` opens with it, and a check told first must open the sentence)
            if claim is not None and harmful and not named and _shown_false(following.lstrip(_SENTENCE_MARKS)) \
                    and following.rstrip()[-1:] not in QUESTION_MARKS and not CONTRADICTED_AFTER.search(beyond):
                void.update(range(at(claim.start()), sentence.stop))
                cues.append(at(claim.start()))
        if found is not None and refuted:
            # what is shown false is the claim: from its marker (网传, 被指 …) or else from the
            # refutation's clause, to the end of the refutation's clause; facts stated before or
            # after it stand (爆炸致3人死亡，警方辟谣“死亡数十人”; …纯属谣言，今日却被罚款)
            claim = CLAIM_RE.search(text, 0, found[0])
            stop = at(_clause_end(text, found[1]) - 1) + 1
            void.update(range(at(claim.start() if claim else _clause_start(text, found[0])), stop))
            # 辟谣 heading the claim it answers (X辟谣：近日，网传“…”): the claim to the sentence's end
            told_after = CLAIM_RE.search(text, found[1]) if claim is None and text.startswith("辟谣", found[0]) \
                else None
            if told_after is not None:
                void.update(range(at(told_after.start()), sentence.stop))
            cues.append(at(found[0]))
    return void, cues, past


_LIFTS = re.compile(r"撤销|撤回|解除|移出|移除|剔除|取消|免除")
GROUNDLESS_RE = re.compile(_GROUNDLESS)


def _lifted(told: str, m: re.Match[str]) -> bool:
    """Is the RESOLVED_RE cue ``m`` a sanction lifted or found groundless, with no harm told in
    ``told`` (the text up to the cue's end) beside it?"""
    cue = m.group()
    lifts = SANCTIONS_RE.search(cue) is not None and _LIFTS.search(cue) is not None
    return (lifts or GROUNDLESS_RE.fullmatch(cue) is not None) and HARM_TOLD.search(told) is None


# The past a name is introduced with, before its news (去年因食品安全问题被约谈的X，今年获评A级;
# 在去年因“注水肉”被查处后，X投入…): background, whose trouble is not what the sentence tells. Not
# an exposé told now (被曝…的X), which is the news.
_BACKGROUND_CUE = (rf"曾经?|此前|之前|先前|早前|去年|前年|一度|昔日|过去|以往|当年|被传|传出"
                   rf"|因[^{_MARKS}]{{0,20}}?被")
BACKGROUND_RELATIVE = re.compile(rf"(?:{_BACKGROUND_CUE})[^{_MARKS}]{{0,40}}?的$")
BACKGROUND_CLAUSE = re.compile(rf"^(?:在|自从?)?[^{_MARKS}]{{0,30}}?(?:{_BACKGROUND_CUE})"
                               rf"[^{_MARKS}]{{0,30}}?(?:后|之后|以来)$")


def _background(text: str, spans: Sequence[tuple[int, int]], base: int) -> list[tuple[int, int]]:
    """Character ranges of ``text`` (a sentence starting at ``base``) that introduce a mention
    with its past: the words from its clause's start to the name ending in 的, or a whole
    clause of the past (…后，) right before the mention's clause."""
    found = []
    for s, _ in spans:
        if not base <= s < base + len(text):
            continue
        local = s - base
        clause = _clause_start(text, local)
        if BACKGROUND_RELATIVE.search(text, clause, local):
            found.append((clause, local))
        elif clause > 0:
            before = _clause_start(text, clause - 1)
            if BACKGROUND_CLAUSE.search(text, before, clause - 1):
                found.append((before, clause - 1))
    return found


# Words one of which every turn holds (the ends of RESOLVED_RE's and REINSTATED_RE's cues, the
# refutations and findings): a lead without any is read as worded, at the cost of one search.
TURN_WORDS = re.compile(
    "解决|修复|修好|结清|兑付|补发|退还|退款|追回|到位|到账|整改|恢复|好转|拿到|根治|减亏|减少|少了|变少|下降|降低|下滑"
    "|收窄|回落|缩小|降至|降到|降为|减至|减半|锐减|大降|暴跌|骤降|锐降|大跌|攻克|克服|走出|战胜|渡过|度过|闯过|突破|扭转"
    "|摆脱|化解|扭亏|转亏为盈|由亏转盈|解除|排除|缓解|撤销|撤回|移出|取消|免除|移除|剔除|解封|解冻|摘帽|摘掉|不清|不足"
    "|复查|复检|复核|验收|未发现|辟谣|谣言|谣传|误读|误传|虚假信息|假消息|捏造|编造|造谣|不实|不属实|并非事实|与事实不符|子虚乌有"
    "|查无实据|合格|达标|符合|不构成|杜撰|未检出|正常|照常|胜诉|败诉|驳回|无关")
TURN_LEAD_CHARS = 200   # a document's turns are read in its lead, where news tells its verdict
# ... and the ones that also turn the sentence before (a claim the next one shows false, a sanction
# the next one lifts): only for these is that sentence read too
TURNS_BACK = frozenset({"恢复", "解除", "撤销", "撤回", "移出", "移除", "剔除", "取消", "免除", "不清", "不足", "不实",
                        "不属实", "并非事实", "与事实不符", "子虚乌有", "查无实据", "谣言", "谣传", "误读", "误传",
                        "合格", "达标", "符合", "未发现", "未检出"})


def _told_evidence(model: SentimentModel, tokens: list[str], token_starts: list[int]) -> float:
    """The logit evidence the turns of the document's lead add (TURN_WEIGHT each), and the
    blame of the words they void taken back. Each sentence holding a turn word is read as
    ``_turns`` reads a party's (the sentence before it too where the word is one of
    TURNS_BACK), with the sentence for the party, so that the next sentence names none."""
    lead = bisect_left(token_starts, TURN_LEAD_CHARS)
    found = [(m.start(), m.group() in TURNS_BACK) for m in TURN_WORDS.finditer("".join(tokens[:lead]))]
    if not found:
        return 0.0
    sentences: list[range] = []
    first = 0
    for i in range(lead):
        if tokens[i] in SENTENCE_ENDS or i == lead - 1:
            sentences.append(range(first, i + 1))
            first = i + 1
    read: set[int] = set()
    for pos, back in found:
        k = next(k for k, r in enumerate(sentences) if token_starts[r.stop - 1] + len(tokens[r.stop - 1]) > pos)
        # (and a sentence going on about the party of the one before: 今年该公司…投诉量同比下降60%)
        said = "".join(tokens[sentences[k].start:sentences[k].stop])
        back = back or _opens_with_anaphor(said)
        read.update((k - 1, k) if back and k else (k,))
    void: set[int] = set()
    cues: set[int] = set()
    for k in sorted(read):
        r = sentences[k]
        got, at, _ = _turns(tokens, token_starts, [], set(r), set(), r.start, r.stop)
        void |= got
        cues.update(at)
    if not cues:
        return 0.0
    taken_back = math.fsum(min(model.weights.get(token, 0.0), 0.0) for token in {tokens[i] for i in void})
    return TURN_WEIGHT * len(cues) - taken_back


def _sanction_ended(told: str) -> bool:
    """Is what a reinstatement ends told in ``told`` a sanction (see SANCTION_TOLD), with no harm?"""
    return SANCTION_TOLD.search(told) is not None and HARM_TOLD.search(told) is None


def _reinstated(text: str, spans: Sequence[tuple[int, int]], base: int, ours: set[int], theirs: set[int],
                start: int, at: Callable[[int], int]) -> list[re.Match[str]]:
    """The REINSTATED_RE cues of the sentence ``text`` that stand and are the party's (not others'
    in its clause: 同批的其他企业均已被移出名录)."""
    return [m for m in REINSTATED_RE.finditer(text) if _resolved(text, m)
            and not OTHERS_REINSTATED.search(text, _clause_start(text, m.start()), m.start()) and (
        any(base + m.start() <= s < base + m.end() for s, _ in spans) or _owned(at(m.start()), ours, theirs, start))]


# the words that call a claim false (see _shown_false for what else the sentence must hold)
_FALSE_RE = re.compile(r"不实|不属实|并非事实|与事实不符|子虚乌有|查无实据|(?:系|是|属于?|为|均为|纯属)(?:网络)?谣言")


def _until_sentence_end(tokens: Sequence[str], start: int) -> Sequence[str]:
    """The tokens from ``start`` to the end of that sentence, its closing mark included."""
    for i in range(start, len(tokens)):
        if tokens[i] in SENTENCE_ENDS:
            return tokens[start:i + 1]
    return tokens[start:]


# what the next sentence calls false must be the claim (该信息不实, 经核实，…不实), not the party's
# own record (其年报营收不实, 该公司提供的工资表与事实不符), said by no firm (该公司回应称，网传消息
# 不实), and not corrected after (不实，实为其财务总监携款失联)
_CLAIM_REFERENCE = re.compile(r"(?:该|此|上述|相关|以上|前述|这[一些条则个]?|网传|所传)[^，,。；;：:“”]{0,4}?"
                              r"(?:信息|消息|传言|传闻|说法|内容|视频|帖子|爆料|言论|一说|一事)(?:均|纯属|系|完全|并)?$")
_CHECKED = re.compile(r"(?:经[^，,。；;：:]{0,10}?)?")
_FIRM_VOICE = re.compile(r"(?:公司|企业|集团|厂家|商家|店方|校方|院方|园方|物业|官方|客服|该[店厂矿园校院])"
                         r"[^。]{0,10}?(?:回应|声明|表示|称|说|发文|公告|否认)")
_CORRECTED = re.compile(r"实为|实际|确有|确实|而是|反而|更为|系[^，,。]{0,10}?(?:超标|所致|篡改|伪造)")


def _shown_false(sentence: str) -> bool:
    """Does this sentence, the one after a claim, say the claim is false (经核实，该信息不实;
    经查，网传内容不实), unqualified (不实…但, 部分不实), uncorrected and not in a firm's voice?"""
    for m in _FALSE_RE.finditer(sentence):
        start = _clause_start(sentence, m.start())
        clause = sentence[start:_clause_end(sentence, m.end())]
        before, rest = sentence[start:m.start()], sentence[m.end():]
        of_the_claim = _CLAIM_REFERENCE.search(before) or _CHECKED.fullmatch(before)
        if not of_the_claim or _FIRM_VOICE.search(sentence, 0, m.start()):
            continue
        if NOT_A_FINDING.search(clause.replace(m.group(), "")) or CONTRADICTED_AFTER.search(sentence, m.end()) \
                or BLAME.search(clause) or NEGATIVE_FINDING.search(rest) or NOT_A_FINDING_AFTER.search(rest) \
                or _CORRECTED.search(rest) or NOT_REFUTED_BEFORE.search(clause, 0, clause.find(m.group())):
            continue
        return True
    return _checked_fine(sentence)


# A check that found the party in order answers a claim of harm as 不实 does (网传X排污超标。但经
# 检测，其排放全部达标): the sentence opens with the check, and a clause after it finds no fault
_OPENERS = r"(?:但是?|不过|然而|而)"   # a sentence opening against the one before
_CHECK_FIRST = re.compile(rf"\s*{_OPENERS}?[^，,。；;]{{0,12}}?经过?[^，,。；;]{{0,8}}?"
                          r"(?:检测|检验|核查|核实|调查|抽检|监测|鉴定|复查|排查)")
_FOUND_FINE = re.compile(r"合格(?![率证供])|达标|符合(?:国家)?(?:相关)?标准|一切正常"
                         rf"|未(?:发现|检出)[^{_MARKS}]{{0,8}}?(?:问题|异常|超标|物质|成分)")
_OPENING_TURN = re.compile("^" + _OPENERS)


def _checked_fine(sentence: str) -> bool:
    check = _CHECK_FIRST.match(sentence)
    if check is None or _FIRM_VOICE.search(sentence, 0, check.end()):
        return False
    for m in _FOUND_FINE.finditer(sentence, check.end()):
        start = _clause_start(sentence, m.start())
        clause = _OPENING_TURN.sub("", sentence[start:_clause_end(sentence, m.end())]).replace(m.group(), "")
        rest = sentence[m.end():]
        if NOT_A_FINDING.search(clause) or NEGATIVE_FINDING.search(rest) or NOT_A_FINDING_AFTER.search(rest) \
                or CONTRADICTED_AFTER.search(sentence, m.end()) or _CORRECTED.search(rest):
            continue
        return True
    return False


TOPIC_SWITCHES = frozenset({"唯独", "只有", "除了", "而", "则", "却", "但", "但是", "然而", "不过", "可是", "同时",
                            "另外", "相比之下", "反观"})


def _sentence_of(text: str, pos: int) -> tuple[int, int]:
    start = max(text.rfind(mark, 0, pos) for mark in _SENTENCE_MARKS) + 1
    end = _next_mark(text, pos, _SENTENCE_MARKS)
    return start, len(text) if end < 0 else end + 1


def _court(text: str, spans: Sequence[tuple[int, int]], others: Sequence[tuple[int, int]] = ()) -> float:
    """+1 if the text tells of a lawsuit the party (at ``spans``) won, -1 if lost, else 0: its
    side read where it is first named, the last outcome told in a sentence that names it (not
    a side suit told elsewhere), a judgement that names the party as the one ordered or
    dismissed (判令X支付, 驳回了X的诉讼请求) a loss whatever the side."""
    lo, hi = _sentence_of(text, min(start for start, _ in spans))
    sides = set()
    for start, end in spans:
        if not lo <= start < hi:
            continue
        brought = text[start - 1:start] == "将" and DEFENDANT_BROUGHT.match(text, end) is not None
        if not brought and (PLAINTIFF_AFTER.match(text, end)
                            or PLAINTIFF_BEFORE.search(text, max(start - 2, 0), start)):
            sides.add("plaintiff")
        if brought or DEFENDANT_AFTER.match(text, end) or DEFENDANT_BEFORE.search(text, max(start - 12, 0), start):
            sides.add("defendant")
    outcomes = []
    for pattern, winner in ((DEFENDANT_WINS, "defendant"), (PLAINTIFF_WINS, "plaintiff")):
        for m in pattern.finditer(text):
            first, last = _sentence_of(text, m.start())
            named_here = any(first <= start < last for start, _ in spans)
            if not named_here and not _court_goes_on(text, first, last, spans, others):
                continue
            before = text[max(_clause_start(text, m.start()), first):m.start()]
            if COURT_CLAIMED.search(before) and not COURT_SAYS.search(before):
                continue
            named = [start for start, _ in spans if m.start() <= start < m.end()]
            if named:   # 驳回原告X的请求, 判令X支付: X lost; 判令被告向X支付, 支持原告X…, 原告X胜诉: X won
                paid = text[named[0] - 1] in COURT_PAID or m.group().startswith("支持") or "胜诉" in m.group()
                # 驳回原告对X的诉讼请求: the claims against X
                sued = text[named[0] - 1] == COURT_AGAINST
                winning = paid if pattern is PLAINTIFF_WINS else sued
                outcomes.append((m.start(), "won" if winning else "lost"))
            else:
                outcomes.append((m.start(), winner))
    outcomes += _own_outcomes(text, spans, others)
    if not outcomes:
        return 0.0
    outcome = max(outcomes)[1]
    if outcome in ("lost", "won"):
        return -1.0 if outcome == "lost" else 1.0
    if len(sides) != 1:
        return 0.0
    return 1.0 if outcome in sides else -1.0


def _honoured(text: str, spans: Sequence[tuple[int, int]], others: Sequence[tuple[int, int]]) -> int:
    """1 where HONOUR_RE is told after one of the party's mentions in its sentence, with no other
    party named between; else 0."""
    for start, end in spans:
        _, stop = _sentence_of(text, start)
        for m in HONOUR_RE.finditer(text, end, stop):
            if not any(end <= other < m.start() for other, _ in others):
                return 1
    return 0


def _court_goes_on(text: str, first: int, last: int, spans: Sequence[tuple[int, int]],
                   others: Sequence[tuple[int, int]]) -> bool:
    """Does the sentence at [first, last), naming no party, go on with the lawsuit of the one
    before it, which names the party (某公司起诉X侵权一案已审结。法院认为原告证据不足，判决驳回其
    全部诉讼请求。)? Only where it opens with the court's word."""
    if first == 0 or any(first <= start < last for start, _ in others):
        return False
    before, _ = _sentence_of(text, first - 1)
    return (any(before <= start < first for start, _ in spans)
            and COURT_OPENS.match(text, first) is not None)


def _own_outcomes(text: str, spans: Sequence[tuple[int, int]], others: Sequence[tuple[int, int]]
                  ) -> list[tuple[int, str]]:
    """(position, "won"/"lost") of each OWN_OUTCOME told of the party (see there): right after
    its name, or of 其 with the party the last one named before it in the sentence."""
    found = []
    for m in OWN_OUTCOME.finditer(text):
        first, last = _sentence_of(text, m.start())
        clause = _clause_start(text, m.start())
        if OWN_OUTCOME_NOT.search(text, max(m.start() - 1, 0), m.start()) \
                or UNRESOLVED_AFTER.search(text, m.end(), _clause_end(text, m.end())) \
                or ("责任" in m.group() and not COURT_SAYS.search(text, first, last)):
            continue
        gap = [text[end:m.start()] for start, end in spans if clause <= start and end <= m.start()]
        said_of_party = any(OWN_OUTCOME_GAP.fullmatch(g) and not OWN_OUTCOME_OTHER.search(g) for g in gap)
        named = sorted([(start, True) for start, _ in spans] + [(start, False) for start, _ in others])
        before = [ours for start, ours in named if first <= start < m.start()]
        said_of_its = "其" in text[max(m.start() - 4, clause):m.start()] and bool(before) and before[-1]
        if said_of_party or said_of_its:
            found.append((m.start(), "lost" if m.group() == "败诉" else "won"))
    return found


def _expected(tokens: Sequence[str], lo: int, hi: int) -> set[int]:
    """Positions in lo..hi-1 that only tell what was expected (see EXPECTED), to the clause's end."""
    unreal: set[int] = set()
    for p in range(lo, hi):
        if tokens[p] in EXPECTED:
            j = p + 1
            while j < len(tokens) and tokens[j] not in CLAUSE_ENDS and tokens[j] not in EXPECTED_UNTIL:
                unreal.add(j)
                j += 1
    return unreal


def _opens(tokens: Sequence[str], p: int) -> bool:
    """An ASCII quote at p opens a quotation: an even number of the same mark before it in its
    sentence."""
    seen = 0
    for i in range(p - 1, -1, -1):
        if tokens[i] in SENTENCE_ENDS:
            break
        seen += tokens[i] == tokens[p]
    return seen % 2 == 0


def _ironic(tokens: Sequence[str], lo: int, hi: int) -> set[int]:
    """Positions of the sentences in lo..hi-1 that hold praise in quotation marks after a degree
    word (see QUOTES): once the writer is ironic, the sentence's other praise is too (谢谢你啊X，
    让我等了九天，真是太“贴心”了)."""
    ironic: set[int] = set()
    start = max(lo, 1)
    # the quotation marks picked out in C (a long item has hundreds of tokens and a few marks),
    # and the cheap test first: news quotes much, and seldom after a degree word
    for p in compress(range(start, hi), map(QUOTES.__contains__, islice(tokens, start, hi))):
        degree = tokens[p - 1] in IRONIC_DEGREE or tokens[p - 1].endswith(IRONIC_DEGREE_ENDS) \
            or tokens[p - 2:p] == ["好", "一个"]
        close = QUOTES[tokens[p]]
        if not degree or p in ironic or close not in tokens[p + 2:p + 6]:
            continue
        inside = tokens[p + 1:tokens.index(close, p + 1)]
        opening = close != tokens[p] or _opens(tokens, p)   # "好" after an ASCII quote closes it
        if not (opening and any(_lexicon().get(t, 0.0) > 0 for t in inside)):
            continue
        first, last = p, p
        while first > lo and tokens[first - 1] not in SENTENCE_ENDS:
            first -= 1
        while last < hi - 1 and tokens[last + 1] not in SENTENCE_ENDS:
            last += 1
        ironic.update(range(first, last + 1))
    return ironic


# A claim put as a question that denies it (谁说国货不行？, 谁还说这家店便宜？): its words count the
# other way, the blame it quotes as praise and the praise as blame
DENIAL_ASKERS = frozenset({"还", "又", "再", "都", "敢"})
DENIAL_MAX_TOKENS = 12


def _denied(tokens: Sequence[str], lo: int, hi: int) -> tuple[set[int], set[int]]:
    """Positions in lo..hi-1 of the claims of 谁说…？ questions (see DENIAL_ASKERS), and of the
    words that ask them (谁 is blame in a complaint's 谁来管管, not in a denial)."""
    denied: set[int] = set()
    asking: set[int] = set()
    for p in compress(range(lo, hi), map("谁".__eq__, islice(tokens, lo, hi))):
        q = p + 1 + (p + 1 < hi and tokens[p + 1] in DENIAL_ASKERS)
        if q >= hi or tokens[q] != "说":
            continue
        for end in range(q + 1, min(len(tokens), q + 2 + DENIAL_MAX_TOKENS)):   # (its mark may close the window)
            if tokens[end] in QUESTION_MARKS:
                # (not a claim that itself calls something false or negates: 谁说X“售后贴心”是谣言？
                # is praise, read by the refutation rules)
                claim = tokens[q + 1:end]
                if NEGATORS.isdisjoint(claim) and not REFUTED_RE.search("".join(claim)):
                    denied.update(range(q + 1, end))
                    asking.update(range(p, q + 1))
                break
            if tokens[end] in CLAUSE_ENDS:
                break
    return denied, asking


# more of a bad thing is no good news (投诉量同比增长两倍, 事故数创新高, and 投诉量普遍下降，唯独X逆势
# 上涨): a growth word right after a bad count reads as blame, whatever results news taught it;
# not after 无/零 (安全生产无事故天数创新高), nor a good count's growth (营收反而增长 after 行业普遍亏损)
_RISES = ("上涨", "增长", "上升", "攀升", "增加", "激增", "飙升", "翻番", "新高", "大增", "猛增", "暴增", "走高",
          "暴涨", "增多", "增至", "翻倍", "翻了", "扩大", "高企")
_COUNT_THEN_RISE = re.compile(rf"(?<![无零没未])(?:{_BAD_COUNTS}|纠纷|欠薪|停电|延误|隐患|举报|不良贷款)"
                              rf"(?:{_MEASURES}|余额|规模)?{_COMPARED}?"
                              r"(?:大幅|明显|显著|持续|进一步|逐步|逐年|逐月|再|又|屡)?创?(?:历史)?$")
_COUNT_MOVED = re.compile(rf"{_BAD_COUNTS}{_MEASURES}?[^，,。；;]{{0,6}}?(?:下降|减少|回落|上升|增长|上涨|增加)")
_AGAINST_THE_TREND = ("唯独", "逆势", "反而", "不降反")


# Reopening against the rules is no reinstatement (擅自恢复生产, 未经复查恢复营业): the words of
# reopening after these in their clause read as blame. Only those words: 违规 and 违法 also
# describe what was done to the party (专利被他人违规使用), 未经 an unconfirmed report (未经证实).
UNLAWFUL = frozenset({"擅自", "私自", "偷偷", "违规", "未经"})
UNLAWFUL_NOT = frozenset({"证实", "核实", "确认", "查实"})
REOPENING = frozenset({"恢复", "复工", "开工", "复产", "营业", "生产", "经营", "开业", "上架"})


def _unlawful(tokens: Sequence[str], lo: int, hi: int) -> set[int]:
    """Positions in lo..hi-1 of REOPENING words after an UNLAWFUL one in their clause."""
    done: set[int] = set()
    for p in range(lo, hi):
        if tokens[p] in UNLAWFUL and not (p + 1 < len(tokens) and tokens[p + 1] in UNLAWFUL_NOT):
            q = p + 1
            while q < hi and tokens[q] not in CLAUSE_ENDS:
                if tokens[q] in REOPENING:
                    done.add(q)
                q += 1
    return done


BOASTS = frozenset({"号称", "自称", "标榜", "自诩", "宣称", "声称", "宣传", "吹嘘", "鼓吹", "宣扬"})


DEBUNKS = re.compile(r"辟谣|虚假|不实|谣言|夸大|误导|欺骗|子虚乌有|(?:没有|毫无|缺乏)(?:科学)?依据|伪科学")


def _debunked(tokens: Sequence[str], ours: set[int], lo: int, hi: int) -> set[int]:
    """Positions in lo..hi-1 of what the party claims (X宣称其产品可治愈糖尿病) where the rest of
    the sentence debunks it (专家辟谣：纯属虚假宣传): the praise is the party's own boast, read
    against it."""
    found: set[int] = set()
    for p in compress(range(lo, hi), map(BOASTS.__contains__, islice(tokens, lo, hi))):
        start, end = _extent(tokens, p, p, CLAUSE_ENDS)
        if ours.isdisjoint(range(start, p)):
            continue   # someone else's claim (网友声称X…) is the hearsay the turns read
        if DEBUNKS.search("".join(tokens[end:_extent(tokens, end, end, SENTENCE_ENDS)[1]])):
            found.update(range(p + 1, end))
    return found


def _boasted(tokens: Sequence[str], ours: set[int], lo: int, hi: int) -> set[int]:
    """Positions in lo..hi-1 of what the party is introduced as boasting of (号称“零投诉”的X，
    被查出虐待老人): the praise is the party's own, and read against it."""
    found: set[int] = set()
    for p in range(lo, hi):
        if tokens[p] in BOASTS:
            q = p + 1
            while q + 1 < len(tokens) and tokens[q] not in CLAUSE_ENDS and q + 1 not in ours:
                q += 1
            if q + 1 in ours and tokens[q] == "的":
                found.update(range(p + 1, q))
    return found


def _bad_rises(tokens: Sequence[str], lo: int, hi: int) -> set[int]:
    """Positions in lo..hi-1 of growth words right after a bad count in their clause, or going
    against a bad count that moved in an earlier clause of the sentence (唯独X逆势上涨)."""
    rises: set[int] = set()
    sentence = clause = lo
    for p in range(lo, hi):
        token = tokens[p]
        if token in SENTENCE_ENDS:
            sentence = clause = p + 1
        elif token in CLAUSE_ENDS:
            clause = p + 1
        else:
            rise = next((r for r in _RISES if r in token), None)
            if rise is None:
                continue
            upto = "".join(tokens[clause:p]) + token[:token.index(rise)]
            against = any(mark in upto + token for mark in _AGAINST_THE_TREND)
            if _COUNT_THEN_RISE.search(upto) or (against and _COUNT_MOVED.search("".join(tokens[sentence:clause]))):
                rises.add(p)
    return rises


def _refuted_quotes(tokens: Sequence[str], lo: int, hi: int) -> set[int]:
    """Positions inside quotation marks in the sentences of lo..hi-1 that call something a
    rumour: a claim refuted carries no praise, whoever made it (此前发布的“获得国家认证”消息已被辟谣)."""
    quoted: set[int] = set()
    start = lo
    for p in range(lo, hi + 1):
        if p < hi and tokens[p] not in SENTENCE_ENDS:
            continue
        said = "".join(tokens[start:p + 1])
        if any(_stands(said, m) for m in REFUTED_RE.finditer(said)) and said.rstrip()[-1:] not in QUESTION_MARKS:
            close = None
            for q in range(start, p):
                if close is None:
                    close = QUOTES.get(tokens[q])
                elif tokens[q] == close:
                    close = None
                else:
                    quoted.add(q)
        start = p + 1
    return quoted


def _continues(tokens: Sequence[str], ours: set[int], cue: int, sentence: dict[int, float]) -> bool:
    """The cue is in the party's sentence after a mention of it, with no switch of topic
    between."""
    if cue not in sentence:
        return False
    before = [i for i in ours if i < cue]
    if not before:
        return False
    between = tokens[max(before) + 1:cue]
    return TOPIC_SWITCHES.isdisjoint(between) and SENTENCE_ENDS.isdisjoint(between)


def _clause_start(text: str, pos: int) -> int:
    return max(text.rfind(mark, 0, pos) for mark in "，,;；:：") + 1


def _clause_end(text: str, pos: int) -> int:
    end = _next_mark(text, pos, "，,;；:：。")
    return len(text) if end < 0 else end


def _resolved(text: str, m: re.Match[str]) -> bool:
    """A problem put right, not one unfinished, wished for, asked about or only claimed fixed:
    read in the cue's clause before it and in the rest of its sentence after it; and not in a
    sentence that tells of complaints silenced (删帖后差评明显减少)."""
    before = text[_clause_start(text, m.start()):m.start()]
    if RECOVERED.search(m.group()) and (ILLICIT.search(text) or "被" in m.group()):   # money clawed back from the party
        return False
    cue = m.group()
    if "未发现" in cue and (FOUND_NOTHING_DOUBTED.search(text, 0, m.start()) or EXPOSED_AFTER.search(text, m.end())):
        return False
    if FALLS_RE.search(cue) and FALL_FAKED.search(text, m.end()):
        return False
    if cue.startswith("通过") and PASSED_LONG_AGO.search(before):
        return False
    if SANCTIONS_RE.search(cue) and SANCTION_HOLDER.search(before):
        return False
    return not UNRESOLVED_BEFORE.search(before) and not UNRESOLVED_AFTER.search(text, m.end()) \
        and not SILENCED.search(text)


# a count that fell for the industry, not for a party (同行业投诉量同比下降): no party's turn
_PEERS_BEFORE = re.compile(r"(?:同行业|全行业|行业|同行|同业|业内)(?:的|整体|平均)?$")


def _owned(cue: int, ours: set[int], theirs: set[int], start: int) -> bool:
    """The nearest party named before the cue in its sentence is this one (or none is)."""
    for i in range(cue - 1, start - 1, -1):
        if i in theirs:
            return False
        if i in ours:
            return True
    return True


def _refutation(text: str, mentions: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Where the sentence shows a claim about the party false (the refutation's or the
    finding's span), if it does and the party did not spread the claim itself."""
    refutations = [m.span() for m in REFUTED_RE.finditer(text) if _stands(text, m)]
    for start, _ in mentions:
        if PERPETRATOR.search(text, _clause_start(text, start), start):
            return None
    for _, end in mentions:
        for verb in SPREADER_RE.finditer(text, end, _clause_end(text, end)):
            in_refutation = any(lo <= verb.start() < hi for lo, hi in refutations)   # 纯属捏造
            # its own denial (X声称网传消息纯属谣言) spreads nothing: the refutation is in its clause
            if verb.group() in ("宣称", "声称") and any(_clause_start(text, lo) <= verb.start()
                                                    for lo, _ in refutations if lo > verb.start()):
                continue
            if not in_refutation and not VICTIM_RE.search(text, end, verb.start()):
                return None
    if refutations:
        return refutations[0]
    claim = CLAIM_RE.search(text)
    if claim is None:
        return None
    same = CLAIM_NOUN_FINDING.search(text, claim.start())
    if same is not None and not CONTRADICTED_AFTER.search(text, same.end()) \
            and not BLAME.search(text, _clause_start(text, same.start()), same.end()):
        return same.span()
    later = _next_mark(text, claim.end(), "，,;；")
    if later < 0:
        return None
    for m in FINDING_RE.finditer(text, later):
        start, end = _clause_start(text, m.start()), _clause_end(text, m.end())
        rest = text[start:end].replace(m.group(), "")
        # the rest of its clause negates or qualifies it, blames the party (其…不实), punishes
        # after it, or the sentence goes on to say otherwise: no finding for the party
        if (NOT_A_FINDING.search(rest) or BLAME.search(text, start, end)
                or NOT_A_FINDING_AFTER.search(text, m.end(), end) or CONTRADICTED_AFTER.search(text, m.end())
                or NEGATIVE_FINDING.search(text[later:m.start()] + "，" + text[m.end():])
                or (STILL_OPEN_RE.fullmatch(m.group()) and not CLOSURE_CLAIM.search(text, claim.start(), m.start()))
                or (HEARSAY_RE.fullmatch(claim.group()) and not HEARSAY_FINDING.fullmatch(m.group()))
                or any(SELF_VOICED.match(text, e) for _, e in mentions if e <= m.start())
                or FIRM_VOICED.search(text, 0, m.start()) or BUT_ALSO.search(text, m.end())):
            continue
        return m.span()
    return None


def _stands(text: str, m: re.Match[str]) -> bool:
    """A refutation word neither denied nor confirmed in its clause (绝非谣言, 谣言被证实), nor
    contradicted later in the sentence (回应“纯属谣言”，警方通报却证实…)."""
    start, end = _clause_start(text, m.start()), _clause_end(text, m.end())
    return (not NOT_REFUTED_BEFORE.search(text, start, m.start()) and not NOT_REFUTED_AFTER.search(text, m.end(), end)
            and not CONTRADICTED_AFTER.search(text, m.end()))


def _next_mark(text: str, pos: int, marks: str) -> int:
    """Index of the first of ``marks`` at or after ``pos``, -1 if none."""
    return min((i for i in (text.find(mark, pos) for mark in marks) if i >= 0), default=-1)


# a sentence opening with one of these goes on about the party of the sentence before it
NEXT_AGAINST = frozenset({"然而", "但", "但是", "可是", "不过", "事实上", "实际上", "殊不知", "不料"})


def _windows(
    tokens: list[str], token_starts: list[int], spans: list[tuple[int, int]]
) -> tuple[dict[int, float], dict[int, float]]:
    """Token index -> weight for the mentions' clauses, and for their sentences (1 in the
    clause, SAME_SENTENCE_WEIGHT elsewhere). The mention itself is left out: a name says
    nothing about tone."""
    clause: dict[int, float] = {}
    sentence: dict[int, float] = {}
    mention: set[int] = set()
    for start, end in spans:
        first = max(bisect_right(token_starts, start) - 1, 0)
        last = max(bisect_left(token_starts, end) - 1, first)
        lo, hi = _extent(tokens, first, last, SENTENCE_ENDS)
        c_lo, c_hi = _extent(tokens, first, last, CLAUSE_ENDS)
        clause.update(dict.fromkeys(range(c_lo, c_hi), 1.0))
        for i in range(lo, hi):
            sentence[i] = max(clause.get(i, SAME_SENTENCE_WEIGHT), sentence.get(i, 0.0))
        # a next sentence that opens against this one goes on about its party (X称已完成整改。然而
        # 工人反映，工资仍未结清)
        if hi + 1 < len(tokens) and tokens[hi] in SENTENCE_ENDS and tokens[hi + 1] in NEXT_AGAINST:
            _, stop = _extent(tokens, hi + 1, hi + 1, SENTENCE_ENDS)
            for i in range(hi + 1, stop):
                sentence[i] = 1.0   # read as the mention's clause is: it is what became of the party
        mention.update(range(first, last + 1))
    for i in mention:
        clause.pop(i, None)
        sentence.pop(i, None)
    return clause, sentence


# What a later sentence calls the party it goes on about, at its start (今年该公司…)
ANAPHOR_RE = re.compile(r"(?:该|这家|此家)(?:公司|企业|集团|店|门店|平台|医院|厂|工厂|品牌|银行|机构|酒店|餐厅"
                        r"|学校|物业|商家)|该店|该院|该厂|该行")
# (after a time or a connective: 今年, 此后, 随后, 目前, 经过半年整改，)
_OPENER_GAP = re.compile(r"(?:今年|去年以来|此后|随后|之后|目前|如今|近日|日前|眼下|现在|[^，,。]{0,12}?[，,])?")


def _opens_with_anaphor(sentence: str) -> bool:
    """Does the sentence open (after a time or a connective) by calling a party 该公司 and the like?"""
    gap = _OPENER_GAP.match(sentence)
    return ANAPHOR_RE.match(sentence, gap.end() if gap else 0) is not None


def _extent(tokens: Sequence[str], first: int, last: int, ends: frozenset[str]) -> tuple[int, int]:
    """[lo, hi) around tokens first..last, stopping at ``ends`` or ABOUT_MAX_TOKENS away."""
    lo = first
    while lo > 0 and first - lo < ABOUT_MAX_TOKENS and tokens[lo - 1] not in ends:
        lo -= 1
    hi = last + 1
    while hi < len(tokens) and hi - last < ABOUT_MAX_TOKENS and tokens[hi] not in ends:
        hi += 1
    return lo, hi
