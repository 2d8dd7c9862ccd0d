"""Answer composition on the real index: lookups, 分别 pairing, follow-ups, abstentions."""

from __future__ import annotations

import dataclasses

import pytest

from policyqa.answer.abstain import coverage_summary
from policyqa.answer.asking import QuestionError, validate_question
from policyqa.answer.compose import Answerer
from policyqa.answer.contract import MAX_QUESTION_CHARS, Turn
from policyqa.answer.dialogue import resolve_followup
from policyqa.answer.figurehit import asked_unit
from policyqa.answer.quote import best_sentences, pair_respectively
from policyqa.engine import Engine
from policyqa.search.retrieve import Retriever
from policyqa.text import normalize, normalize_query, split_sentences

ALIASES = ["泰安市", "泰安", "日照市", "日照", "文登", "威海", "山东"]


def test_lookup_answers_with_the_clause_sentence_and_cites_it(engine: Engine) -> None:
    answer = engine.answerer.answer("到2027年日照万人有效发明专利拥有量目标是多少？")
    assert not answer.abstained and answer.route == "lookup"
    assert "万人有效发明专利拥有量达到13件" in answer.answer
    assert answer.citations[0].clause_id == "rizhao-action-2025:1"
    assert answer.citations[0].text.startswith("工作目标")
    assert "[1]" in answer.answer and "依据" in answer.answer


def test_respectively_clause_answers_the_tier_asked(engine: Engine) -> None:
    national = engine.answerer.answer("泰安对新认定的国家级孵化器补多少？")
    assert national.calculation is not None and national.calculation.amount_yuan == 1_000_000
    assert "100万元" in national.answer
    provincial = engine.answerer.answer("泰安对新认定的省级孵化器补多少？")
    assert provincial.calculation is not None and provincial.calculation.amount_yuan == 500_000
    assert provincial.calculation.clause_id == "taian-opinions-draft:3.6.17"
    assert "征求意见稿" in provincial.answer  # the Tai'an document is a draft


def test_lookup_pairs_respectively_without_a_calculator(retriever: Retriever) -> None:
    answer = Answerer(retriever).answer("泰安对新认定的省级孵化器补多少？")
    assert answer.route == "lookup" and "省级为50万元" in answer.answer


def test_amount_question_is_computed_and_cites_the_rule_clause(engine: Engine) -> None:
    answer = engine.answerer.answer("横向项目实际支付80万元能支持多少？")
    assert answer.route == "calculation" and answer.calculation is not None
    assert answer.calculation.amount_yuan == 160_000
    assert answer.calculation.rule_id == "rz-horizontal-project"
    assert answer.citations[0].clause_id == answer.calculation.clause_id == "rizhao-rules-2025:5.14"
    assert "80万元 × 20% = 16万元" in answer.calculation.steps


def test_missing_input_is_asked_for_not_guessed(engine: Engine) -> None:
    answer = engine.answerer.answer("孵化器运营经费能支持多少？")
    assert answer.route == "needs_input" and answer.calculation is None
    assert "请提供" in answer.answer and not answer.abstained


def test_follow_up_carries_the_conversation(engine: Engine) -> None:
    first = "泰安对国家级孵化器补多少？"
    history = [Turn(role="user", content=first), Turn(role="assistant", content="100万元")]
    answer = engine.answerer.answer("那省级的呢？", history)
    assert answer.resolved_question == "泰安对省级孵化器补多少?"
    assert "50万元" in answer.answer
    assert {c.region for c in answer.citations} == {"泰安市"}


def test_traditional_question_finds_the_traditional_clause(engine: Engine) -> None:
    answer = engine.answerer.answer("國家科學技術二等獎獎勵多少？")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_000_000
    assert "獲評國家科學技術一等獎和二等獎" in answer.citations[0].text


def test_who_is_responsible(engine: Engine) -> None:
    answer = engine.answerer.answer("日照使用创新券的补助由哪个部门负责？")
    assert answer.citations[0].clause_id == "rizhao-rules-2025:3.5"
    assert "由市科技局、市财政局负责" in answer.answer
    taian = engine.answerer.answer("泰安的重大科技攻关项目由谁负责？")
    assert "由市科技局、市财政局负责" in taian.answer


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("北京对孵化器补多少？", "region_not_covered:北京"),
        ("个人所得税怎么交", "topic_not_covered:个人所得税"),
        ("你们觉得人生的意义是什么", "below_relevance_floor"),
        ("的了吗", "empty_query"),
    ],
)
def test_abstentions_say_what_the_corpus_covers(engine: Engine, question: str, reason: str) -> None:
    answer = engine.answerer.answer(question)
    assert answer.abstained and answer.abstain_reason == reason
    assert answer.citations == [] and answer.calculation is None
    assert "本知识库收录" in answer.answer and "泰安市" in answer.answer
    assert not any(ch.isdigit() for ch in answer.answer.split("本知识库收录")[0])


def test_resolve_followup_replaces_slots() -> None:
    history = [Turn(role="user", content="泰安对国家级孵化器补多少？")]
    assert resolve_followup("那省级的呢？", history, ALIASES) == "泰安对省级孵化器补多少?"
    assert resolve_followup("日照呢？", history, ALIASES) == "日照对国家级孵化器补多少?"
    amount = [Turn(role="user", content="横向项目实际支付80万元能支持多少？")]
    assert (
        resolve_followup("那120万元呢？", amount, ALIASES) == "横向项目实际支付120万元能支持多少?"
    )


def test_resolve_followup_appends_or_leaves_standalone_questions() -> None:
    history = [Turn(role="user", content="日照对孵化器有什么支持？")]
    assert resolve_followup("那加速器呢？", history, ALIASES) == "日照对加速器有什么支持?"
    assert resolve_followup("那要交什么材料呢？", history, ALIASES) == (
        "日照对孵化器有什么支持，要交什么材料呢?"
    )
    standalone = "揭榜挂帅项目最高支持多少？"
    assert resolve_followup(standalone, history, ALIASES) == standalone
    assert resolve_followup("那省级的呢？", [], ALIASES) == "那省级的呢？"


def test_pair_respectively_ignores_words_outside_the_list() -> None:
    sentence = (
        "对新认定的国家级、省级孵化器,市级财政分别一次性给予孵化器运营机构100万元、50万元资金补助"
    )
    assert pair_respectively(sentence, "省级孵化器") == ("省级", "50万元")
    assert pair_respectively(sentence, "国家级的") == ("国家级", "100万元")
    assert pair_respectively(sentence, "孵化器补多少") is None
    prize = "對獲評國家科學技術一等獎和二等獎的項目(個人),分別給予200萬元、100萬元獎勵。"
    assert pair_respectively(prize, "一等奖") == ("一等奖", "200万元")


def test_best_sentences_prefers_the_sentence_that_answers() -> None:
    filler = "完善服务体系" * 40
    text = (
        f"构建孵化体系。{filler}。对新认定的省级孵化器给予50万元。对新认定的省级加速器给予30万元。"
    )
    words = {"省级": 1.0, "加速器": 2.0}
    assert best_sentences(text, words, lambda s: [w for w in words if w in s]) == [
        "对新认定的省级加速器给予30万元。"
    ]
    assert split_sentences("甲。乙；丙") == ["甲。", "乙；", "丙"]


def test_a_figure_after_a_semicolon_is_quoted_with_its_sentence() -> None:
    filler = "完善服务体系" * 40
    text = f"实施计划。{filler}。研究院年度培训3000人次,创收500万元以上;科研收入200万元以上。"
    words = {"研究院": 2.0}
    tokenize = lambda s: [w for w in words if w in s]  # noqa: E731
    assert best_sentences(text, words, tokenize, wants_number=True) == [
        "研究院年度培训3000人次,创收500万元以上;",
        "科研收入200万元以上。",
    ]
    assert best_sentences(text, words, tokenize) == ["研究院年度培训3000人次,创收500万元以上;"]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "问题为空"),
        ("  \u200b ", "问题为空"),
        ("x" * (MAX_QUESTION_CHARS + 1), "问题过长"),
        ("孵化器\ud800", "孤立代理项"),
    ],
)
def test_invalid_questions(question: str, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        validate_question(question)


def test_control_characters_are_dropped() -> None:
    assert validate_question("孵化器\x00补助\x07") == "孵化器补助"


def test_coverage_summary_names_every_document(engine: Engine) -> None:
    summary = coverage_summary(engine.corpus.manifest)
    for region in ["山东省", "日照市", "泰安市", "威海市文登区"]:
        assert region in summary
    assert "征求意见稿" in summary and "2024—2026年" in summary


# --- the question frame in the answer path (issue 12) ----------------------------------------


def test_answer_carries_the_resolved_frame(engine: Engine) -> None:
    answer = engine.answerer.answer("泰安对新认定的省级孵化器补多少？")
    assert answer.frame is not None
    assert answer.frame["intent"] == "amount"
    assert answer.frame["regions"][0]["name"] == "泰安市"
    assert answer.frame["tiers"][0]["tier"] == "省级"


def test_denied_subject_type_gives_zero_with_the_requirement(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们公司还不是科技型中小企业，享受了省研发补助30万元，日照市级能配套多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "不是科技型中小企业" in answer.answer and "条件" in answer.answer
    assert answer.citations[0].clause_id == "rizhao-rules-2025:3.6"


def test_a_denial_covers_the_alternatives_of_another_kind_of_asker(engine: Engine) -> None:
    # 中小微企业 or 创业团队: an enterprise that is not 中小微 is neither.
    denied = engine.answerer.answer(
        "日照一家大型国有企业（不是中小微企业）使用共享仪器花了100万，创新券补助多少？"
    )
    assert denied.calculation is not None and denied.calculation.amount_yuan == 0
    assert "不是中小微企业" in denied.answer
    # Without the denial the enterprise's figure is computed.
    kept = engine.answerer.answer("日照一家中小微企业使用共享仪器花了100万，创新券补助多少？")
    assert kept.calculation is not None and kept.calculation.amount_yuan == 200_000


def test_grade_the_rule_does_not_fund_gives_zero(engine: Engine) -> None:
    answer = engine.answerer.answer("我们是市级孵化器，泰安新认定的能补多少？")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "国家级、省级" in answer.answer


def test_a_project_not_taken_into_the_special_project_gets_none_of_it(engine: Engine) -> None:
    answer = engine.answerer.answer("我们日照的项目没进专项，重大科技创新专项每项最多给多少？")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "没进专项" in answer.answer
    kept = engine.answerer.answer("日照的重大科技创新专项每项最多给多少？")
    assert kept.calculation is not None and kept.calculation.amount_yuan == 3_000_000


def test_industry_outside_the_rule_gives_zero(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照一家化工企业，投资机构首轮投资500万元亏损300万元，符合尽职免责，能补偿多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "传统产业" in answer.answer


def test_several_items_are_computed_one_line_each(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "泰安新认定了两个省级孵化器、一个省级加速器，运营机构合计能拿到多少市级资金补助？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_300_000
    steps = answer.calculation.steps
    assert any("× 2" in s and "50万元" in s for s in steps)
    assert any("加速器" in s and "30万元" in s for s in steps)


def test_per_year_list_is_computed_year_by_year_then_capped(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照市区共建的孵化器，三年分别支付运营经费200万、300万、400万元，能获得多少支持？"
    )
    assert answer.calculation is not None
    # 60 + 90 + 120 = 270万, 累计最高200万.
    assert answer.calculation.amount_yuan == 2_000_000
    assert any("第3年" in s for s in answer.calculation.steps)


def test_total_loss_is_derived_as_the_investment(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "投资机构首轮投资日照一家生物医药企业800万元，最后全部亏损，符合尽职免责，能补偿多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_600_000
    assert any("全部亏损" in s for s in answer.calculation.steps)


def test_uncovered_district_of_a_covered_city_abstains(engine: Engine) -> None:
    answer = engine.answerer.answer("威海环翠区新认定的孵化器补多少？")
    assert answer.abstained and answer.calculation is None
    assert answer.abstain_reason == "district_not_covered:威海市环翠区"
    assert "文登区" in answer.answer


def test_years_outside_every_period_abstain_saying_the_period(engine: Engine) -> None:
    answer = engine.answerer.answer("文登区2030年要达到什么目标？")
    assert answer.abstained and answer.abstain_reason == "years_not_covered:2030"
    assert "2024—2026年" in answer.answer


def test_object_no_clause_funds_abstains_without_a_number(engine: Engine) -> None:
    answer = engine.answerer.answer("日照对发明专利授权奖励多少？")
    assert answer.abstained and answer.calculation is None
    assert answer.abstain_reason == "object_not_funded:发明专利"


def test_a_topic_set_aside_does_not_abstain(engine: Engine) -> None:
    answer = engine.answerer.answer("增值税的事先不管，泰安新认定的国家级孵化器补多少？")
    assert not answer.abstained
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_000_000


def test_comparison_answers_each_region_with_its_own_citation(engine: Engine) -> None:
    answer = engine.answerer.answer("日照和泰安对省级加速器和孵化器的支持上限各是多少？")
    lines = answer.answer.splitlines()
    assert lines[0].startswith("日照") and lines[1].startswith("泰安")
    assert {c.region for c in answer.citations} == {"日照市", "泰安市"}
    assert "[1]" in lines[0] and "[2]" in lines[1]
    # A region whose documents grant nothing for what is asked says so on its own line:
    # 日照 funds no newly recognised incubator (its 孵化器 clause pays per enterprise bred).
    recognised = engine.answerer.answer("日照和泰安对新认定的省级孵化器分别补多少？")
    first, second = recognised.answer.splitlines()[:2]
    assert first == "日照：已收录的文件中没有找到相应条款。"
    assert second.startswith("泰安") and "50万元" in second and "[1]" in second


def test_which_documents_lists_every_document_naming_the_topic(engine: Engine) -> None:
    answer = engine.answerer.answer("哪些文件提到了揭榜挂帅？")
    docs = {c.doc_id for c in answer.citations}
    expected = {
        c.doc_id
        for c in engine.retriever.clauses
        if "揭榜挂帅" in c.search_text or "揭榜挂帅" in c.text
    }
    assert len(docs) >= 2 and docs == expected
    # Each line quotes the sentence that names the topic, not the clause's first sentence.
    lines = [line for line in answer.answer.splitlines() if line[:2] in {"1.", "2.", "3."}]
    assert lines and all("揭榜挂帅" in normalize(line) for line in lines)


def test_which_documents_needs_no_ranking_and_says_when_none_does(engine: Engine) -> None:
    listed = engine.answerer.answer("有哪几份文件说到了科技特派员？")
    expected = {c.doc_id for c in engine.retriever.clauses if "科技特派员" in normalize(c.text)}
    assert {c.doc_id for c in listed.citations} == expected and len(expected) >= 3
    none = engine.answerer.answer("有几个政策文件提到了量子计算？")
    assert none.abstained and none.abstain_reason == "topic_not_mentioned:量子计算"
    assert "没有提到“量子计算”" in none.answer and none.citations == []


def test_metadata_comes_from_the_manifest_with_the_cover_cited(engine: Engine) -> None:
    answer = engine.answerer.answer("文登区的行动方案文号是多少？")
    assert "威文政发〔2024〕6号" in answer.answer
    assert answer.citations[0].doc_id == "wendeng-plan-2024"
    draft = engine.answerer.answer("泰安的实施意见是哪个部门发布的？是正式文件吗？")
    assert "泰安市人民政府" in draft.answer and "征求意见稿" in draft.answer


def test_rule_only_another_city_has_abstains_naming_that_city(engine: Engine) -> None:
    # 横向项目经费支持 is in 日照's 实施细则 (5.14) only; 泰安's top clause must not lend its rule.
    a = engine.answerer.answer("泰安企业与高校开展横向项目，实际支付100万元，能支持多少？")
    assert a.abstained and a.calculation is None
    assert a.abstain_reason == "topic_not_in_region:横向项目"
    assert "日照市" in a.answer


def test_the_same_rule_in_its_own_city_is_still_computed(engine: Engine) -> None:
    a = engine.answerer.answer("日照企业横向项目实际支付100万元，能支持多少？")
    assert not a.abstained and a.calculation is not None
    assert a.calculation.rule_id == "rz-horizontal-project"


def test_a_quoted_term_decides_which_sentences_must_state_the_money(engine: Engine) -> None:
    # 二、(三)8. speaks of "免申即享" with no rate; its other sentence's "比例达到90%" is a
    # target for lead enterprises, not the rate asked for.
    a = engine.answerer.answer(
        "山东省推行的研发投入后补助“免申即享”，企业能按研发费用的百分之多少拿补助？"
    )
    assert a.abstained and a.abstain_reason == "amount_not_stated"


def test_lookup_of_an_object_the_clause_does_not_fund_abstains(engine: Engine) -> None:
    a = engine.answerer.answer("日照对科技企业购买科技保险的保费补贴多少？")
    assert a.abstained and a.abstain_reason == "object_not_funded:科技保险"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("泰安孵化器要满足什么条件才能被认定为国家级孵化器？", "qualification"),
        ("日照申请新品种培育补贴需要准备哪些材料？", "procedure"),
        ("日照的重大科技创新专项今年什么时候开始申报？截止日期是哪天？", "timing"),
        ("日照的莒县属不属于省财政直管县？", "membership"),
    ],
)
def test_criteria_the_clause_does_not_state_are_not_answered_with_an_amount(
    engine: Engine, question: str, kind: str
) -> None:
    a = engine.answerer.answer(question)
    assert a.abstained and a.abstain_reason == f"criteria_not_stated:{kind}"
    assert a.calculation is None and "万元资金补助" not in a.answer.split("\n")[0][:20]


def test_criteria_the_clause_states_are_quoted() -> None:
    from policyqa.answer.verify import criteria_unstated

    clause = "对首次认定的规模以上高新技术企业,给予每家企业最高10万元一次性补助。"
    assert criteria_unstated("高企补助的申请条件是什么？", clause) is None
    assert criteria_unstated("需要什么条件？", "对新认定的国家级孵化器给予100万元。") == (
        "qualification"
    )
    assert criteria_unstated("需要什么条件，能拿多少？", "给予100万元。") is None


def test_topic_elsewhere_names_the_regions_that_speak_of_it() -> None:
    from policyqa.answer.verify import topic_elsewhere

    texts = {
        "日照市": ("横向项目 实际支付", "科技成果转化贷款"),
        "泰安市": ("孵化器 加速器", "成果转化项目，给予贷款贴息", "科技成果"),
    }
    words = {"横向项目": ["横向", "项目"], "科技成果转化贷款": ["科技成果", "转化", "贷款"]}

    def split(term: str) -> list[str]:
        return words.get(term, [term])

    assert topic_elsewhere(["横向项目"], {"泰安市"}, texts, split) == ("横向项目", ("日照市",))
    assert topic_elsewhere(["横向项目"], {"日照市"}, texts, split) is None
    assert topic_elsewhere(["横向项目"], set(), texts, split) is None  # no region asked: no claim
    assert topic_elsewhere(["首台套"], {"泰安市"}, texts, split) is None  # nowhere: other checks
    # Word by word counts only within one clause: 泰安's 科技成果 and 转化…贷款 are two clauses.
    assert topic_elsewhere(["科技成果转化贷款"], {"泰安市"}, texts, split) == (
        "科技成果转化贷款",
        ("日照市",),
    )
    texts["泰安市"] += ("科技成果转化项目给予贷款贴息",)
    assert topic_elsewhere(["科技成果转化贷款"], {"泰安市"}, texts, split) is None


def test_a_rule_sharing_no_word_with_the_question_is_not_used(engine: Engine) -> None:
    from policyqa.answer.choice import shares_words

    assert engine.rules is not None
    rule = next(r for r in engine.rules.rules if r.id == "ta-major-tech-project")
    assert not shares_words("泰安企业购买科技保险补贴多少？", rule)
    assert shares_words("泰安重大科技攻关项目最多支持多少？", rule)


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # 60万 + 90万 + 120万 = 270万 → 累计最高200万 (never 200万 × 30% × 3 = 180万)
        (
            "日照共建孵化器三年实际支付运营经费分别为200万元、300万元、400万元，累计能获得多少支持？",
            2_000_000,
        ),
        # 20万 + min(60万, 每年最高50万) = 70万
        (
            "日照中小微企业前年和去年使用共享仪器分别花了100万元和300万元，两年市级补助合计多少？",
            700_000,
        ),
    ],
)
def test_per_year_figures_are_computed_year_by_year(
    engine: Engine, question: str, amount: int
) -> None:
    a = engine.answerer.answer(question)
    assert a.calculation is not None and a.calculation.amount_yuan == amount
    assert any(s.startswith("第2年") for s in a.calculation.steps)


def test_grades_of_one_subject_each_once_are_added(engine: Engine) -> None:
    a = engine.answerer.answer(
        "日照一家单位主持国家级和省级自然科学基金项目各一项，依托单位一共获得多少支持？"
    )
    assert a.calculation is not None and a.calculation.amount_yuan == 150_000
    assert len(a.calculation.steps) == 3  # one line per grade, then the total


def test_unknown_requirement_gives_the_amount_with_the_condition_stated(engine: Engine) -> None:
    # The question does not say the asker is a 科技型中小企业: the amount holds if it is.
    a = engine.answerer.answer("日照企业享受了省企业研究开发财政补助30万元，市级配套多少？")
    assert a.calculation is not None and a.calculation.amount_yuan == 300_000
    assert a.answer.startswith("若贵企业属于科技型中小企业")
    assert not any("未核实" in s for s in a.calculation.steps)


def test_stated_requirement_is_no_condition(engine: Engine) -> None:
    a = engine.answerer.answer(
        "日照一家科技型中小企业享受了省企业研究开发财政补助30万元，市级配套多少？"
    )
    assert a.calculation is not None and a.calculation.amount_yuan == 300_000
    assert not a.answer.startswith("若")


def test_counts_of_kinds_a_rule_counts_together_are_added(engine: Engine) -> None:
    a = engine.answerer.answer(
        "日照绩效评价优秀的国家级孵化器今年新培育了8家高新技术企业和4家“小巨人”企业，补助多少？"
    )
    # 8 + 4 = 12家 × 5万元 = 60万元 → 每个孵化载体每年最高50万元
    assert a.calculation is not None and a.calculation.amount_yuan == 500_000
    assert any("8家 + 4家 = 12家" in s for s in a.calculation.steps)


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("日照企业购置研发设备能补贴多少？", "object_not_funded:研发设备"),
        ("日照企业通过知识产权贯标认证奖励多少？", "object_not_funded:贯标"),
    ],
)
def test_an_object_no_clause_names_gets_no_other_objects_number(
    engine: Engine, question: str, reason: str
) -> None:
    a = engine.answerer.answer(question)
    assert a.abstained and a.calculation is None and a.abstain_reason == reason


def test_a_money_question_whose_clause_names_no_sum_abstains(engine: Engine) -> None:
    answer = engine.answerer.answer("泰安对科技特派员补贴多少钱？")
    assert answer.abstained and answer.abstain_reason == "amount_not_stated"
    assert "没有规定具体金额" in answer.answer and answer.calculation is None
    # The same clause still answers what it does say.
    said = engine.answerer.answer("泰安科技特派员工作要打造什么品牌？")
    assert not said.abstained and "科技特派员" in said.answer


def test_money_unstated_reads_sums_shares_and_case_by_case_support() -> None:
    from policyqa.answer.frame import build_frame
    from policyqa.answer.verify import money_unstated

    frame = build_frame("泰安对科技特派员补贴多少钱", ("泰安市",), True)
    assert money_unstated(frame, "系统谋划推进科技特派员工作。")
    for clause in ("给予100萬元补助。", "按实际支付的20%给予支持。", "采取一事一议方式支持。"):
        assert not money_unstated(frame, clause)
    target = build_frame("泰安高新技术企业到2026年要突破多少家", ("泰安市",), True)
    assert not money_unstated(target, "到2026年高新技术企业突破1000家。")
    # The sentence naming what is asked decides, and a bare percentage is a target, not money.
    first = build_frame("泰安对首台套装备奖励多少", ("泰安市",), True)
    clause = "企业牵头重大项目比例达到80%以上。优先推荐认定为首台(套)装备。给予50万元支持。"
    assert money_unstated(first, clause)
    assert money_unstated(first, "依托企业建设比重达到80%左右。")
    # "What support" and "is there a subsidy" do not ask for a sum.
    whether = build_frame("文登区企业入驻飞地孵化器有补贴吗", ("威海市文登区",), True)
    assert not money_unstated(whether, "对入驻企业给予一定补贴。")


def test_items_of_two_rules_of_one_clause_are_each_paid_by_their_own(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "泰安今年新认定了一个国家级孵化器和两个省级加速器，运营机构一共能拿多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_600_000
    assert "省级加速器：30万元 × 2 = 60万元" in answer.answer


def test_the_thing_money_is_asked_for_must_be_named_by_the_clause(engine: Engine) -> None:
    from policyqa.answer.verify import grant_object_missing

    words = engine.retriever.tokenizer.tokens
    voucher = "对中小微企业使用共享科学仪器设备发生的费用,市级财政补助20%"
    assert grant_object_missing("日照对技术经纪人每人补助多少", voucher, words) == "技术经纪人"
    assert grant_object_missing("日照对中小微企业补助多少", voucher, words) is None
    assert grant_object_missing("日照对这类项目补助多少", voucher, words) is None  # generic
    assert grant_object_missing("横向项目能支持多少", voucher, words) is None  # no "对…"
    # The thing ends where "每…" says per what; 对比 is no "对…".
    nurture = "对绩效评价优秀的省级及以上孵化器,每年度新培育1家高新技术企业补助5万元"
    per_unit = "日照对优秀孵化器每培育出一家高企又奖多少"
    assert grant_object_missing(per_unit, nurture, words) is None
    assert grant_object_missing("对比一下,新认定的孵化器补多少", nurture, words) is None
    # Levels listed before what they share name each level's thing (国家自然科学基金).
    nsf = "对主持国家级、省级自然科学基金的项目,分别给予依托单位10万元、5万元一次性支持"
    assert grant_object_missing("主持了一项国家自然科学基金项目，能给多少支持", nsf, words) is None
    two = "主持了2项国家自然科学基金、3项省自然科学基金，能给多少支持"
    assert grant_object_missing(two, nsf, words) is None
    social = "主持了一项国家社会科学基金项目，能给多少支持"
    assert grant_object_missing(social, nsf, words) == "国家社会科学基金项目"
    answer = engine.answerer.answer("日照对技术经纪人每人补助多少？")
    assert answer.abstained and answer.abstain_reason == "object_not_funded:技术经纪人"
    assert answer.calculation is None


def test_a_denied_industry_or_scale_rules_the_asker_out(engine: Engine) -> None:
    industry = engine.answerer.answer(
        "日照投资机构首轮投资一家非新兴产业、非未来产业的企业500万元，全部亏损，补偿多少？"
    )
    assert industry.calculation is not None and industry.calculation.amount_yuan == 0
    assert "不属于新兴产业、未来产业" in industry.answer
    scale = engine.answerer.answer("日照一家规模以下的高新技术企业首次认定，能拿多少补助？")
    assert scale.calculation is not None and scale.calculation.amount_yuan == 0
    kept = engine.answerer.answer(
        "日照投资机构首轮投资一家新兴产业企业500万元，全部亏损，补偿多少？"
    )
    assert kept.calculation is not None and kept.calculation.amount_yuan == 1_000_000


def test_a_loss_is_the_investment_less_what_came_back(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们基金首轮投了日照一家生物医药初创公司800万（新兴产业，非并购资金），项目黄了，"
        "清算后收回来650万，符合尽职免责。损失补偿能拿多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_500_000
    assert "投资损失为800万元 − 650万元 = 150万元" in answer.answer  # and 非并购 is no denial


def test_a_contract_sum_is_not_a_sum_paid(engine: Engine) -> None:
    paid = engine.answerer.answer(
        "日照企业和某高校签了个横向项目，合同额一百二十万，但到目前实际只付了45万，能拿多少？"
    )
    assert paid.calculation is not None and paid.calculation.amount_yuan == 0  # 45万 < 50万
    only = engine.answerer.answer("日照横向项目合同金额100万，能支持多少？")
    assert only.calculation is None and "实际支付金额" in only.answer


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("日照对技术经纪人每人补助多少", "技术经纪人"),
        ("在日照评上“市首席技师”的话，一次性奖励多少钱", "市首席技师"),
        (
            "老师主持了一项国家社会科学基金项目，学校是依托单位，日照市里能给多少一次性支持",
            "国家社会科学基金项目",
        ),
        (
            "日照一家单位主持国家级和省级自然科学基金项目各一项，依托单位一共获得多少支持",
            "国家级和省级自然科学基金项目各一项",
        ),
        ("日照对这类项目补助多少", None),  # a generic thing
        ("横向项目实际支付80万元能支持多少", None),
    ],
)
def test_the_thing_money_is_asked_for(question: str, phrase: str | None, engine: Engine) -> None:
    from policyqa.answer.verify import asked_object

    found = asked_object(question, engine.retriever.tokenizer.tokens)
    assert (found[0] if found else None) == phrase
    if found:  # counts are never what is asked for
        assert not any(w.startswith(("各", "一", "两")) for w in found[1])


def test_a_piece_many_rules_share_names_none_of_them(engine: Engine) -> None:
    from policyqa.answer.choice import common_trigrams, shares_words

    book = engine.rules
    assert book is not None
    common = common_trigrams(book.rules)
    nsf = next(r for r in book.rules if "自然科学基金" in r.title)
    assert "一次性" in common
    assert not shares_words("评上市首席技师的话，一次性奖励多少钱", nsf, common)
    assert shares_words("主持国家级自然科学基金项目给多少", nsf, common)


def test_a_rule_clause_naming_the_thing_only_where_it_pays_nothing_abstains(
    engine: Engine,
) -> None:
    # 泰安 三、(六)17. names 众创空间 in its 梯次孵化 sentence and pays 孵化器 and 加速器 only.
    answer = engine.answerer.answer("泰安新认定的省级众创空间，市级财政给运营方补多少？")
    assert answer.abstained and answer.abstain_reason == "amount_not_stated"
    paid = engine.answerer.answer("泰安新认定的省级加速器，市级财政给运营机构补多少？")
    assert paid.calculation is not None and paid.calculation.amount_yuan == 300_000


def test_facts_ruling_out_a_narrower_case_leave_the_general_rule(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照一家化工企业用揭榜挂帅方式做传统化工工艺改造，不算新兴和未来产业，"
        "项目科技投入总额0.12亿元。按比例最多能支持多少？"
    )
    # Not the 新兴产业 case (30%), the general one: 1200万元 × 20% = 240万元 → 最高200万元.
    assert answer.calculation is not None and answer.calculation.amount_yuan == 2_000_000


def test_the_years_of_a_money_question_are_the_askers_own(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们2019年就认定为高企了，今年重新认定又过了，现在也是规上企业。"
        "日照对首次认定的规上高企那笔补助，我们还能申请吗？"
    )
    assert not answer.abstained and answer.citations[0].clause_id == "rizhao-rules-2025:3.4"


def test_new_materials_are_no_application_materials(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "投资机构咨询：我们用并购资金收购了日照一家新材料企业，后来项目失败亏了600万，"
        "尽职免责条件也满足，股权投资风险准备金能给补偿吗？"
    )
    assert answer.abstain_reason != "criteria_not_stated:procedure"
    assert not answer.abstained


def test_counts_of_kinds_before_or_after_the_kind_and_each_of_n_items(engine: Engine) -> None:
    bred = engine.answerer.answer(
        "咱们是日照的省级科技企业孵化器，今年绩效评价拿了优秀。今年孵化出来4家新认定的高新技术企业、"
        "2家国家专精特新中小企业，还有1家“小巨人”，按培育数量市里能补多少？"
    )
    assert bred.calculation is not None and bred.calculation.amount_yuan == 350_000
    after = engine.answerer.answer(
        "我們是日照一家國家級科技企業孵化器，年度績效評價優秀，今年新培育高新技術企業九家、"
        "國家專精特新中小企業三家，市裡能給多少？"
    )
    assert after.calculation is not None and after.calculation.amount_yuan == 500_000  # cap
    each = engine.answerer.answer(
        "我们日照公司一共做了四个横向项目，每个都实打实付了四百万，一共能拿多少？"
    )
    assert each.calculation is not None and each.calculation.amount_yuan == 2_000_000
    assert "4个项目，每个400万元" in each.answer


def test_whether_the_asker_gets_it_is_answered_by_the_requirements(engine: Engine) -> None:
    seed = engine.answerer.answer(
        "我们公司在日照选育了一个小麦新品种，有自主知识产权，去年通过了省级审定，国家级审定还没过，"
        "也从没拿过财政资助。新品种培育补贴能给吗？"
    )
    assert seed.calculation is not None and seed.calculation.amount_yuan == 0
    assert "国家级审定" in seed.answer


def test_another_grade_of_a_thing_a_rule_pays_one_grade_of_gets_no_amount(
    engine: Engine,
) -> None:
    history = [
        Turn(role="user", content="泰安新认定的省级加速器，市财政一次性给运营机构多少钱？"),
        Turn(role="assistant", content="一次性30万元。"),
    ]
    answer = engine.answerer.answer("那国家级加速器呢？", history)
    # No clause pays a 国家级加速器: not covered, with the nearest clause's own grant quoted.
    assert answer.abstained and answer.calculation is None
    assert answer.abstain_reason == "object_not_funded:国家级加速器"
    assert answer.answer.startswith("已收录的政策文件中没有找到对“国家级加速器”给予资金支持")


def test_occasions_within_a_period_add_up_to_its_total(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们是日照的小微企业，今年用了两次共享科学仪器设备：一次检测花了60万，另一次测试花了90万。"
        "市级财政能补多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 300_000
    assert "60万元 + 90万元 = 150万元" in answer.answer
    assert "若符合" not in answer.answer  # 小微企业 says 中小微企业 in other words
    # Two loans of which the rule pays one ("任选一笔") are no total: nothing is added.
    loans = engine.answerer.answer(
        "日照企业有两笔科技成果转化贷款，一笔付了利息20万，另一笔付了55万，贴息多少？"
    )
    assert "20万元 + 55万元" not in loans.answer
    # The clause pays "任选一笔": the asker's best choice, the 55万元 one (× 40% = 22万元).
    assert loans.calculation is not None and loans.calculation.amount_yuan == 220_000


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("日照对科技型中小企业数量的目标是多少", True),
        ("山东省提出了什么目标", True),
        ("文登区的数量目标各定了多少", True),
        ("以关键技术突破为目标的项目能支持多少", False),
        ("日照对科技型中小企业有什么支持", False),
    ],
)
def test_a_target_is_asked_for_only_with_a_question_word_near_it(question: str, asks: bool) -> None:
    from policyqa.answer.targets import asks_target

    assert asks_target(question) is asks


def test_a_target_is_answered_from_the_plans_target_section(engine: Engine) -> None:
    answer = engine.answerer.answer("日照对科技型中小企业数量提出了什么目标？")
    assert answer.citations[0].clause_id == "rizhao-action-2025:1"
    assert "2000家" in answer.answer


def test_a_comparison_in_traditional_characters_answers_each_region(engine: Engine) -> None:
    # The region mentions are simplified: a traditional question once never lost its second
    # region and compared itself again and again.
    answer = engine.answerer.answer("山東省和日照市對科技型中小企業數量分別提出了什麼目標？")
    assert [c.clause_id for c in answer.citations[:2]] == [
        "shandong-rd-2024:1",
        "rizhao-action-2025:1",
    ]
    assert "5.5万家" in answer.answer and "2000家" in answer.answer


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("泰安新认定的国家级科技企业加速器，市财政一次性补多少？", "国家级加速器"),
        ("日照有个项目拿了国家科学技术进步奖特等奖，市里奖励多少钱？", "特等奖"),
    ],
)
def test_a_grade_no_rule_lists_is_not_covered(question: str, asked: str, engine: Engine) -> None:
    answer = engine.answerer.answer(question)
    assert answer.abstained and answer.abstain_reason == f"object_not_funded:{asked}"
    assert answer.calculation is None
    # The nearest clause is quoted where it names a sum: what it does pay for.
    assert "30万元" in answer.answer or "200萬元" in answer.answer


def test_a_grade_below_those_paid_or_below_a_floor_rules_the_asker_out(
    engine: Engine,
) -> None:
    from policyqa.answer.requirements import contradiction, unfunded_grade

    book = engine.rules
    assert book is not None
    floor = next(r for r in book.rules if "及以上" in "".join(r.requirements))
    assert unfunded_grade("市级孵化器和区级孵化器", floor) is None
    listed = next(r for r in book.rules if r.title == "新认定国家级、省级孵化器一次性资金补助")
    # Below every grade paid: ruled out (0), not an uncovered topic.
    assert unfunded_grade("新认定的市级孵化器", listed) is None
    reason = "本条只支持国家级、省级，问题所述为市级孵化器"
    assert contradiction("新认定的市级孵化器", listed) == reason
    # A district's or county's grade however said (区级, 县级) is the 区县级 below them.
    assert contradiction("新认定的区级孵化器", listed) == reason.replace("市级", "区县级")
    assert contradiction("县级孵化器", listed) is not None
    assert unfunded_grade("新认定的省级孵化器", listed) is None
    # A level before a list gives it to every item: 市级…、新型研发机构 is a 市级 one too.
    platforms = next(r for r in book.rules if r.title == "创新平台绩效评价优秀支持")
    assert contradiction("绩效评价优秀的市级新型研发机构", platforms) is None
    assert contradiction("绩效评价优秀的区县级新型研发机构", platforms) is not None
    award = next(r for r in book.rules if r.title == "国家科学技术奖配套奖励")
    assert unfunded_grade("国家科学技术奖三等奖", award) is None
    assert contradiction("国家科学技术奖三等奖", award) is not None
    assert unfunded_grade("国家科学技术奖特等奖", award) == ("一等奖、二等奖", "特等奖")


@pytest.mark.parametrize(
    ("rule_id", "text", "ruled_out"),
    [
        # Every thing listed after a floor is under it.
        ("rz-platform-new", "新认定的市级概念验证中心", True),
        ("rz-platform-new", "我们的概念验证中心是市级认定的", True),
        ("rz-platform-new", "新认定的市级科技成果转化中试示范基地", True),
        ("rz-platform-new", "新认定的省级概念验证中心", False),
        # A floor in one alternative rules out only an asker of that alternative.
        ("rz-voucher-user", "没注册公司的创客团队，入驻的是市级众创空间", True),
        ("rz-voucher-user", "我们是中小企业，入驻的是市级众创空间", False),
        ("rz-voucher-user", "创客团队，入驻的是省级众创空间", False),
        # The grade of an approval said in other words.
        ("rz-new-variety", "新品种只通过了山东省级审定，国家级还没过", True),
        ("rz-new-variety", "新品种通过了国家级审定", False),
    ],
)
def test_a_thing_below_a_requirements_floor_rules_the_asker_out(
    engine: Engine, rule_id: str, text: str, ruled_out: bool
) -> None:
    from policyqa.answer.requirements import contradiction

    book = engine.rules
    assert book is not None
    rule = next(r for r in book.rules if r.id == rule_id)
    assert (contradiction(normalize(text), rule) is not None) is ruled_out


def test_money_for_a_recognition_needs_a_clause_that_speaks_of_recognition(engine: Engine) -> None:
    from policyqa.answer.verify import recognition_unpaid

    cultivating = "對績效評價優秀的省級及以上孵化器、加速器,每年度新培育1家高新技術企業補助5萬元"
    asked = "日照新认定的省级加速器，市里补助多少钱"
    assert recognition_unpaid(asked, cultivating) == "新认定的省级加速器"
    assert recognition_unpaid(asked, "对新认定的省级加速器,给予30万元") is None
    # Recognition of the asker, not of a graded carrier, asks nothing of the clause.
    assert recognition_unpaid("首次认定的高新技术企业，横向项目能支持多少", cultivating) is None
    answer = engine.answerer.answer("日照这边新认定的省级加速器，市里一次性给运营机构补助多少钱？")
    assert answer.abstained and answer.calculation is None
    kept = engine.answerer.answer("泰安新认定的省级加速器，市级财政给运营机构补多少？")
    assert kept.calculation is not None and kept.calculation.amount_yuan == 300_000


def test_money_a_district_adds_itself_is_not_in_its_citys_documents(engine: Engine) -> None:
    answer = engine.answerer.answer("日照岚山区对首次认定的规上高企，区里还会另外再配套奖励多少？")
    assert answer.abstained and answer.abstain_reason == "district_not_covered:日照市岚山区"
    city = engine.answerer.answer("日照岚山区一家企业首次认定为规上高企，能拿多少补助？")
    assert city.calculation is not None and city.calculation.amount_yuan == 100_000


def test_a_target_sum_is_no_grant() -> None:
    from policyqa.answer.verify import states_sum

    assert not states_sum("规上工业企业研发投入达到15亿元以上")
    assert states_sum("给予每家企业最高10万元一次性补助")
    assert states_sum("市级财政补助20%")
    assert states_sum("实行“一事一议”")
    assert not states_sum("企业牵头的比例达到90%以上")


def test_the_askers_own_count_is_not_one_more_counted_enterprise(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照一家绩效评价优秀的省级孵化器，今年新培育了3家高新技术企业，能拿多少补助？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 150_000


@pytest.mark.parametrize(
    ("question", "amount", "line"),
    [
        (
            "日照一家绩效评价优秀的省级孵化器，去年新培育了6家高企，今年新培育了13家，"
            "这两年一共能拿多少补助？",
            800_000,
            "今年：13家 → 50万元（每年最高限额）",
        ),
        (
            "我们大学科技园是省级的，2025年绩效评价优秀、新培育高企3家；2026年绩效评价只有良好、"
            "新培育5家；2027年又评上优秀、新培育11家。按日照孵化载体培育补助，三年累计能拿多少？",
            650_000,
            "2026年：本条要求“绩效评价优秀”",
        ),
    ],
)
def test_a_count_for_each_year_is_computed_year_by_year(
    question: str, amount: int, line: str, engine: Engine
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount
    assert any(s.startswith(line) for s in answer.calculation.steps)


def test_money_denied_is_a_condition_not_the_money_asked_for(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照对自己选育、通过国家级审定且没拿过财政资助的优良品种，最多给培育单位多少支持？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 200_000


def test_an_object_named_in_another_word_order_is_spoken_of(engine: Engine) -> None:
    # 仪器共享 is the clause's "共享科学仪器设备"; a monthly figure is scaled to the year asked.
    answer = engine.answerer.answer(
        "我们是日照的科学仪器共享供给方，服务量大、评价也高，每个月服务总额大概20万，"
        "一年下来市里按服务总额能补多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 480_000


@pytest.mark.parametrize(
    ("payer", "amount"),
    [("市级承担", 500_000), ("区县承担", 200_000), ("区县那头分担", 200_000)],
)
def test_a_payers_part_of_a_stated_total_is_the_rules_ratio_of_it(
    payer: str, amount: int, engine: Engine
) -> None:
    answer = engine.answerer.answer(
        f"日照科技成果转化不良贷款的风险补偿，市里和区县两级合计要出70万，{payer}多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount
    assert "合计70万元，按5∶2分担" in answer.calculation.steps


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        (
            "我们企业在省财政直管县，用共享仪器的费用按创新券政策，省里和市里合计补了48万，"
            "其中市级财政补了多少？",
            120_000,  # the cost is 48万 ÷ (60% + 20%), not 48万
        ),
        (
            "我们不在省财政直管县，用共享科学仪器的费用省里已经按比例补了16万元，日照市级还能补多少？",
            80_000,  # the cost is 16万 ÷ 40%, not 16万
        ),
    ],
)
def test_a_grant_received_is_not_the_cost_it_was_granted_on(
    question: str, amount: int, engine: Engine
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount


def test_a_grant_received_is_the_base_of_a_rule_paying_on_a_grant(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们在日照，是科技型中小企业，省里补了30万研发补助，市里1:1配套多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 300_000


def test_a_sum_heard_of_is_checked_against_the_rule(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们是做传统化工的日照企业，揭榜挂帅项目科技投入150万，听说能按30%拿45万，是这样吗？"
    )
    # 传统化工 is no 新兴产业 (30%, from 100万); the general rule needs 200万 or more.
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # The investment stands 19 characters after 投了; "传统企业" names the 传统产业 category.
        (
            "我们是家创投机构，首轮投了日照一家做钢材深加工的传统企业300万，项目失败全亏了，"
            "也符合尽职免责，能拿多少投资损失补偿？",
            0,
        ),
        (
            "我们基金首轮投了日照一家做低空无人机的初创企业600万，结果全部亏损，符合尽职免责条件，"
            "能补偿多少？",
            1_200_000,
        ),
    ],
)
def test_an_investment_far_from_its_verb_is_still_read(
    question: str, amount: int, engine: Engine
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount


def test_not_yet_rated_denies_the_kind_of_enterprise(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们在日照，是规上企业，但一直没评上科技型中小企业，今年享受了省研发补助30万，"
        "市级能1:1配套多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0


def test_one_sentence_asking_two_places_answers_each_with_the_shared_topic(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer(
        "科技成果转化的贷款贴息，泰安单个项目上限是多少？日照每家企业最高又是多少？"
    )
    assert answer.frame is not None and answer.frame["intent"] == "comparison"
    lines = answer.answer.split("\n")
    assert lines[0].startswith("泰安：") and "300万元" in lines[0]
    assert lines[1].startswith("日照：") and "50万元" in lines[1]
    assert [c.clause_id for c in answer.citations] == [
        "taian-opinions-draft:3.7.20",
        "rizhao-rules-2025:4.11",
    ]


def test_the_most_of_each_of_two_rules_is_answered_rule_by_rule(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照的重大科技创新专项和市重点研发计划项目，每个项目最高分别支持多少钱？"
    )
    assert answer.calculation is None and not answer.abstained
    assert "300万元" in answer.answer and "50万元" in answer.answer
    cited = [c.clause_id for c in answer.citations]
    assert cited[:2] == ["rizhao-rules-2025:6.1.17", "rizhao-rules-2025:6.1.18"]
    # The place named once is carried into the part that does not name it.
    split = engine.answerer.answer(
        "泰安揭榜挂帅项目和重大成果转化贴息项目，市级财政单个项目分别最多支持多少?"
    )
    assert "500万元" in split.answer and "300万元" in split.answer
    assert "2. 泰安" in split.answer


def test_one_question_per_place_is_a_comparison_answered_place_by_place(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照的重大科技创新专项每项最高支持多少？泰安的重大科技攻关项目单个项目最高支持多少？"
    )
    assert answer.frame is not None and answer.frame["intent"] == "comparison"
    lines = answer.answer.split("\n")
    assert lines[0].startswith("日照：") and "300万元" in lines[0]
    assert lines[1].startswith("泰安：") and "500万元" in lines[1]


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # 钢铁 is 传统: 1200万 × 20% = 240万 → 200万; 集成电路 is 新兴: 400万 × 30% = 120万.
        (
            "日照有家企业同时做两个揭榜挂帅项目：一个是钢铁领域的，科技投入总额1200万；"
            "另一个是集成电路领域的，投入400万。两个项目最多一共能拿多少支持？",
            3_200_000,
        ),
        # Facts said of both after the last one (两个都失败了…) hold for each.
        (
            "我们是一家创投机构，在日照投了两个新兴产业领域的早期项目，都是首轮投资（不是并购资金）："
            "A项目投了500万，B项目投了1500万，结果两个都失败了，钱全赔光，也都符合尽职免责条件。"
            "股权投资风险准备金总共能补偿多少？",
            3_000_000,
        ),
        # Two rules of one clause, one project each: 100万 + 20万 × 50%.
        (
            "日照一个项目获了国家科学技术奖二等奖，另一个项目获了山东省科学技术奖、"
            "按省奖励办法规定额度是20万元，市里对这两个项目一共奖励多少？",
            1_100_000,
        ),
    ],
)
def test_projects_described_one_after_another_are_each_computed(
    question: str, amount: int, engine: Engine
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount
    assert any(s.startswith("项目2：") for s in answer.calculation.steps)


def test_one_project_is_not_split() -> None:
    from policyqa.answer.projects import project_questions

    assert project_questions("我们有一个项目，投入300万，能支持多少？") is None
    assert project_questions("一个是A，投入300万；另一个是B，投入400万。一共多少？") == [
        "一个是A，投入300万，能给多少？",
        "另一个是B，投入400万，能给多少？",
    ]


def test_what_the_applicant_must_put_in_is_not_answered_with_the_grants_cap(
    engine: Engine,
) -> None:
    a = engine.answerer.answer(
        "泰安揭榜挂帅项目最高能支持500万，那企业自己得按多少比例配套自筹资金才有资格申请？"
    )
    assert a.abstained and a.abstain_reason == "criteria_not_stated:self_funding"
    kept = engine.answerer.answer("日照对科技型中小企业研发补助的市级配套比例是多少？")
    assert not kept.abstained


def test_a_kind_the_clause_lists_members_of_is_answered(engine: Engine) -> None:
    a = engine.answerer.answer("生物医药属不属于日照的新兴产业？")
    assert not a.abstained and "生物医药" in a.answer


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("我们是大型企业，用共享仪器花了60万，市级能按20%补吗？", "大型企业"),
        ("我们是市级孵化器，今年培育出2家高企，能不能拿培育补助？", "市级孵化器"),
        ("泰安的省级孵化器，2019年就认定了，还能申请一次性补助吗？", "2019年就认定"),
        ("泰安这家加速器三年前就被认定为省级，还能申请30万吗？", "三年前就被认定"),
        ("我们孵化器早在2015年就是国家级了，泰安的那100万还能拿吗？", "2015年就是国家级"),
    ],
)
def test_a_yes_no_question_from_an_asker_ruled_out_is_answered_no(
    question: str, why: str, engine: Engine
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "不符合条件" in answer.answer and why in answer.answer


def test_a_yes_no_question_the_facts_do_not_rule_out_is_still_a_lookup(engine: Engine) -> None:
    answer = engine.answerer.answer("今年新认定的省级孵化器，在泰安能申请一次性补助吗？")
    assert "不符合条件" not in answer.answer


def test_a_fixed_sum_per_project_is_multiplied_by_the_projects_asked_together(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer("泰安有3个重大科技攻关项目立项，市级资金最多一共支持多少？")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 15_000_000
    assert "单个项目市级财政资金支持不超过500万元 × 3个 = 1500万元" in answer.calculation.steps
    one = engine.answerer.answer("泰安一个重大科技攻关项目，市级资金最多支持多少？")
    assert one.calculation is not None and one.calculation.amount_yuan == 5_000_000


def test_a_kind_of_grant_no_clause_names_is_not_covered(engine: Engine) -> None:
    answer = engine.answerer.answer("日照对引进的高层次人才有没有安家补贴，每人多少？")
    assert answer.abstained and answer.abstain_reason == "object_not_funded:安家"
    assert answer.calculation is None


def test_a_document_that_does_not_state_the_fact_asked_abstains(engine: Engine) -> None:
    unstated = engine.answerer.answer("山东省科技研发创新行动计划的发文字号是什么？")
    assert unstated.abstained and unstated.abstain_reason == "metadata_not_stated"
    assert "未载明文号" in unstated.answer
    stated = engine.answerer.answer("文登的三年行动方案文号是多少？")
    assert not stated.abstained and "威文政发〔2024〕6号" in stated.answer


def test_a_place_named_as_the_model_compared_with_is_not_the_place_asked(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer("威海环翠区有没有像文登那样的飞地孵化器？")
    assert answer.abstained
    assert answer.abstain_reason == "district_not_covered:威海市环翠区"


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("我们省级孵化器今年绩效评价结果为合格，培育了3家高企，日照补多少？", "绩效评价结果为合格"),
        (
            "我们育成的水稻新品种通过了国家级审定，但之前拿过市财政的资助，日照补贴多少？",
            "拿过市财政的资助",
        ),
    ],
)
def test_a_stated_fact_in_other_words_still_rules_the_asker_out(
    question: str, why: str, engine: Engine
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert why in answer.answer


def test_the_interest_paid_is_derived_from_the_loan_and_its_annual_rate(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照备案的科技成果转化贷款，本金500万，年利率5%，一年按时还本付息，省财政贴息多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 100_000
    assert "实际支付的贷款利息：贷款500万元 × 年利率5% = 25万元" in answer.calculation.steps


def test_a_planned_figure_raised_by_a_share_is_the_figure_meant(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照新一代信息技术的揭榜挂帅项目，科技投入原计划200万，后来追加了50%，最多支持多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 900_000


def test_occasions_listed_after_one_cue_are_parts_of_the_yearly_fee(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们是日照的中小企业，今年用共享仪器做了两次测试，分别花了30万、50万，市级财政补多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 160_000


def test_an_object_the_clause_names_in_other_words_is_spoken_of(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们首轮投了日照一家新材料初创企业300万，失败了全亏，符合尽职免责，风险补偿能拿多少？"
    )
    assert not answer.abstained and answer.calculation is not None
    assert answer.calculation.amount_yuan == 600_000


def test_sums_listed_for_several_things_are_each_computed_with_their_own_caps(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer(
        "我们有两个揭榜挂帅项目，都是新一代信息技术领域，科技投入分别是200万和900万，最多一共支持多少？"
    )
    # 200万 × 30% = 60万; 900万 × 30% = 270万, capped at 200万 per project.
    assert answer.calculation is not None and answer.calculation.amount_yuan == 2_600_000


def test_a_list_of_sums_for_a_rule_paying_one_of_them_is_not_split(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "公司有两笔科技成果转化备案贷款，都按时还本付息，利息分别付了50万和30万，省财政贴息最多多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 200_000


def test_every_payers_part_of_a_stated_total_is_given_when_each_is_asked(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照一笔备案的科技成果转化贷款成了不良，算出的风险补偿是70万元，市和区县各自承担多少？"
    )
    assert "市级承担50万元" in answer.answer and "区县(功能区)承担20万元" in answer.answer


def test_a_named_programme_no_clause_speaks_of_is_not_covered(engine: Engine) -> None:
    answer = engine.answerer.answer("我们承担了国家重点研发计划项目，日照市按多少配套？")
    assert answer.abstained and answer.abstain_reason == "object_not_funded:国家重点研发计划"


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # The parts of a total listed after its cue are added (800万 × 20%).
        (
            "日照钢铁领域的揭榜挂帅项目，科技投入里人员费用200万、设备600万，最多支持多少？",
            1_600_000,
        ),
        # The two halves of one year are that year's fee (40万 × 20%).
        (
            "我们是日照的小微企业，上半年用共享仪器花了10万，下半年又花了30万，市级补多少？",
            80_000,
        ),
    ],
)
def test_parts_of_one_input_are_added(engine: Engine, question: str, amount: int) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount


def test_a_sum_spent_is_not_read_as_the_grant_a_match_is_paid_on(engine: Engine) -> None:
    # 1:1 配套 is paid on the provincial grant; the only figure is R&D spending.
    answer = engine.answerer.answer(
        "我们是享受了省研发补助的科技型中小企业，今年研发投入900万，日照市级配套多少？"
    )
    assert answer.calculation is None or answer.calculation.amount_yuan != 9_000_000
    assert "省企业研究开发财政补助" in answer.answer


def test_an_award_count_said_after_its_grade_counts(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们拿了国家科学技术奖一等奖2项、二等奖1项，日照一共奖励多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 5_000_000


@pytest.mark.parametrize(
    ("question", "unpaid"),
    [
        ("日照市科学技术奖一等奖奖金是多少", "日照市科学技术奖"),
        ("拿了市级科技进步奖，奖励多少", "市级科技进步奖"),
        ("获得国家最高科学技术奖的，奖励多少", "国家最高科学技术奖"),
        ("获得国家科学技术二等奖的项目奖励多少", None),
        ("山东省科学技术奖一等奖，市里配套多少", None),
    ],
)
def test_an_award_of_a_conferrer_the_clause_does_not_reward_is_unpaid(
    question: str, unpaid: str | None
) -> None:
    from policyqa.answer.verify import award_unpaid

    clause = (
        "對獲評國家科學技術一等獎和二等獎的項目(個人),分別給予200萬元、100萬元獎勵。"
        "對獲評山東省科學技術獎的項目和個人,按規定額度的50%給予獎勵"
    )
    assert award_unpaid(question, clause) == unpaid
    assert award_unpaid(question, "对新认定的省级加速器,给予30万元") is None


def test_the_grade_of_an_award_is_not_the_money_asked_for(engine: Engine) -> None:
    from policyqa.answer.verify import asked_object

    tokens = engine.retriever.tokenizer.tokens
    asked = asked_object("日照对获得国家科学技术一等奖的项目奖励多少", tokens)
    assert asked is not None and "获得" not in asked[1]
    assert asked[0] == "获得国家科学技术一等奖的项目"


def test_item_questions_split_counted_items_of_different_kinds() -> None:
    from policyqa.answer.mixed import item_questions

    parts = item_questions(
        normalize_query(
            "泰安一家企业拿到一个重大科技攻关项目和2个重大科技成果转化项目，一共最多多少？"
        )
    )
    assert parts == [
        "泰安一家企业拿到一个重大科技攻关项目，一共最多多少?",
        "泰安一家企业拿到2个重大科技成果转化项目，一共最多多少?",
    ]
    # The asker counted ("一家企业") is no item; one item, or no total asked, is no split.
    assert item_questions(normalize_query("一家企业拿到2个重大科技攻关项目，一共多少？")) is None
    # Projects told one by one are the project splitter's; a count of the others is no item.
    told = "两个项目获奖，一个是国家科学技术进步奖一等奖，另一个是二等奖，一共多少？"
    assert item_questions(normalize_query(told)) is None
    counted = "3个项目立项，2个进了重大科技创新专项、1个列入市重点研发计划，一共多少？"
    assert item_questions(normalize_query(counted)) == [
        "2个进了重大科技创新专项，一共多少?",
        "1个列入市重点研发计划，一共多少?",
    ]
    assert item_questions(normalize_query("一个攻关项目和一个转化项目，分别是哪个部门管？")) is None


def test_projects_told_one_by_one_of_different_kinds_each_use_their_own_clause(
    engine: Engine,
) -> None:
    # One ranking for the whole question puts the 专项 clause first for both projects: each is
    # searched for on its own (300万 + 50万), not both paid as 专项 (600万).
    answer = engine.answerer.answer(
        "我们有两家子公司，一个项目进了日照重大科技创新专项，另一个项目列入市重点研发计划，"
        "一共支持多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 3_500_000


def test_items_of_different_kinds_are_each_computed_from_their_own_clause(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "日照有3个项目进了重大科技创新专项，另外1个项目列入市重点研发计划，市里最多一共支持多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 9_500_000
    assert {c.clause_id for c in answer.citations} == {
        "rizhao-rules-2025:6.1.17",
        "rizhao-rules-2025:6.1.18",
    }


def test_each_item_is_verified_for_the_objects_it_names_itself(engine: Engine) -> None:
    # 揭榜挂帅 is said of the 攻关 item; the 贴息 item's clause need not name it.
    answer = engine.answerer.answer(
        "泰安，我们有一个揭榜挂帅的重大科技攻关项目，还有一个重大科技成果转化贷款贴息项目，"
        "市级支持上限一共多少？"
    )
    assert not answer.abstained
    assert answer.calculation is not None and answer.calculation.amount_yuan == 8_000_000
    assert {c.clause_id for c in answer.citations} >= {
        "taian-opinions-draft:3.3.7",
        "taian-opinions-draft:3.7.20",
    }


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # One year's part under the cumulative cap (累计最高200万): 120万, capped at 200 − 45 − 60.
        (
            "日照共建孵化器运营团队达标，第一年付了150万、第二年200万、第三年400万，第三年能拿多少？",
            950_000,
        ),
        # A year after the figures given: what the cap has left (200 − 60 − 75).
        (
            "日照共建孵化器运营团队达标，头两年分别实际支付了200万和250万，第三年最多还能拿多少？",
            650_000,
        ),
        # N figures after a span of N years are one per year, Chinese numerals too.
        (
            "日照共建孵化器运营团队达标，连续三年实际支付运营经费两百万、一百万、一百万，一共多少？",
            1_200_000,
        ),
    ],
)
def test_a_years_part_under_a_cumulative_cap(engine: Engine, question: str, amount: int) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount


def test_a_special_case_whose_thresholds_the_figures_meet_is_the_rule(engine: Engine) -> None:
    # 连续两年超过500万且增长超过100%: 1:1 配套 of 90万, capped at 最高补助50万.
    answer = engine.answerer.answer(
        "我们是日照的科技型中小企业，享受了省研发补助90万；研发投入前年700万、去年1500万，"
        "市级配套多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 500_000
    assert answer.calculation.rule_id == "rz-rd-high-growth"


@pytest.mark.parametrize(
    "question",
    [
        "我们是泰安的中小企业，用日照的共享仪器花了30万，日照创新券市级能补多少？",
        "我们是日照的孵化器，新认定为国家级孵化器，泰安给国家级孵化器的补助我们能拿多少？",
    ],
)
def test_an_asker_in_another_city_gets_none_of_a_citys_grant(engine: Engine, question: str) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "贵单位在" in answer.answer


def test_a_city_grant_asked_from_that_city_is_computed(engine: Engine) -> None:
    answer = engine.answerer.answer("我们是日照的中小企业，用共享仪器花了30万，市级创新券补多少？")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 60_000


def test_an_interest_subsidy_for_an_asker_without_a_loan_is_zero(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "泰安的重大科技成果转化项目，我们没有向银行贷款，市级财政贴息最多能拿多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0


def test_a_grade_said_twice_without_a_count_is_one_item(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "泰安新认定了一家国家级孵化器，泰安给国家级孵化器的一次性补助是多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_000_000


@pytest.mark.parametrize(
    "question",
    [
        "日照市对新认定的省级孵化器补助多少？",
        "研发投入500万元，日照能补助多少？",
        "北京有什么政策？",
    ],
)
def test_a_cached_answer_is_handed_out_as_a_full_copy(engine: Engine, question: str) -> None:
    # The answer cache hands out copies built part by part (not by a deep model copy): each
    # must equal a deep copy, with the same fields set, and share nothing one can change.
    answerer = Answerer(engine.answerer.retriever, engine.answerer.calculator)
    first = answerer.answer(question, answer_id="a")
    cached = next(iter(answerer._cache.values()))
    assert first == cached.model_copy(update={"id": "a"}, deep=True)
    assert first.model_fields_set == cached.model_copy(update={"id": "a"}).model_fields_set
    assert first.frame is not None and first.frame is not cached.frame
    assert all(c is not k for c, k in zip(first.citations, cached.citations, strict=True))
    if first.calculation is not None:
        assert cached.calculation is not None
        assert first.calculation is not cached.calculation
        assert first.calculation.inputs is not cached.calculation.inputs
    first.frame["intent"] = "changed"
    first.citations.clear()
    again = answerer.answer(question, answer_id="b")
    assert again.model_copy(update={"id": "a"}) == cached.model_copy(update={"id": "a"})
    assert again.frame is not None and again.frame["intent"] != "changed"


def test_the_frame_json_is_what_asdict_makes(engine: Engine) -> None:
    questions = ("不是科技型中小企业，研发投入500万能补多少？", "日照和泰安分别对孵化器补多少？")
    for question in questions:
        frame = engine.answerer.frame(question)
        assert repr(frame.to_json()) == repr(dataclasses.asdict(frame))


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # A count for each ordinal year, the per-year cap (50万) applying to each: 20万 + 50万.
        (
            "日照一家绩效优秀的省级孵化器，第一年新培育了4家高企，第二年新培育了11家，"
            "两年一共能补多少？",
            700_000,
        ),
        # The provincial grant received (拿到了) gives the cost it was paid on: 30万 ÷ 60% × 20%.
        (
            "我们是中小企业，在省财政直管县，省级创新券补助拿到了30万，市级再补多少？",
            100_000,
        ),
        # Projects named by a letter, each with its own cap (单个项目最高200万): 60万 + 200万.
        (
            "我们基金首轮投了日照两家新材料初创企业：A投300万全部亏光，B投1500万全亏了，"
            "都符合尽职免责，损失补偿一共多少？",
            2_600_000,
        ),
    ],
)
def test_counts_grants_and_projects_said_each_their_own_way(
    engine: Engine, question: str, amount: int
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount


def test_colloquial_counts_are_read_as_numerals() -> None:
    assert normalize_query("孵化器仨、加速器俩") == "孵化器三个、加速器两个"


@pytest.mark.parametrize(
    ("question", "ruled_out"),
    [
        ("我们只是参与合作的单位，不是研发主持培育单位，日照新品种培育补贴能拿多少？", True),
        ("我们的新品种通过了国家级审定，但拿过省财政的育种项目资助，日照新品种补贴多少？", True),
        ("日照的科技成果转化贷款没有备案，利息付了50万，省里贴息能拿多少？", True),
        (
            "我们投资机构首轮投了日照一家新材料企业500万（不含并购资金），全亏了，符合尽职免责，"
            "风险准备金补偿多少？",
            False,
        ),
    ],
)
def test_requirements_said_otherwise_rule_the_asker_out(
    engine: Engine, question: str, ruled_out: bool
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None
    assert (answer.calculation.amount_yuan == 0) is ruled_out


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # The same figure for each of two years, then the third under the cumulative cap.
        ("日照共建孵化器，运营费头两年各付了250万，第三年付了200万，第三年还能拿多少？", 500_000),
        # N figures for N years without 连续 or 分别, each year capped (每年最高50万).
        ("仪器共享供给方单位，两年服务总额300万、100万，日照补助两年一共多少？", 700_000),
        # A rule with no yearly reading is computed year by year when the total is asked.
        (
            "科技成果转化贷款备案了，按时还本付息，两年实际付利息20万、40万，省里贴息一共多少？",
            240_000,
        ),
        # The same count each year, the per-year cap applying to each.
        ("孵化载体连续两年绩效优秀，每年都新培育12家高企，日照两年一共补多少？", 1_000_000),
        # 年化 is an annual rate: 1000万 × 5% × 40%.
        ("备案贷款1000万元，年化5%，一年利息按时付清，日照省财政能贴息多少？", 200_000),
    ],
)
def test_yearly_figures_said_each_way(engine: Engine, question: str, amount: int) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount


@pytest.mark.parametrize(
    "question",
    [
        "首次认定高企了，但咱还没进规上，日照那个一次性补助能拿多少？",
        "我们新认定了一个市级中试基地，日照那个最高100万的支持能拿多少？",
        "国家自然科学基金我们是合作参与单位，不是主持的，日照能给多少？",
    ],
)
def test_facts_said_colloquially_rule_the_asker_out(engine: Engine, question: str) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0


def test_a_graded_thing_the_clause_pays_nothing_for_is_not_funded() -> None:
    from policyqa.answer.verify import graded_thing_unnamed

    clause = (
        "构建“众创空间一孵化器一加速器有效衔接的三级梯次孵化体系。"
        "对新认定的国家级、省级孵化器,市级财政分别一次性给予孵化器运营机构100万元、50万元资金补助。"
    )
    # Named where the clause describes, not where it states a sum: not funded.
    assert graded_thing_unnamed("泰安新认定的国家级众创空间补助多少", clause) == "国家级众创空间"
    assert graded_thing_unnamed("泰安新认定的国家级孵化器补助多少", clause) is None
    assert (
        graded_thing_unnamed("新认定的市级中试基地", "对省级及以上中试示范基地给予100万元") is None
    )


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("哪些文件使用了“创新联合体”这一提法？", "创新联合体"),
        ("哪些文件提到了元宇宙这个领域？", "元宇宙"),
        ("哪些文件提到了碳达峰相关行动？", "碳达峰"),
        ("哪些文件提到了揭榜挂帅这种项目组织方式？", "揭榜挂帅"),
    ],
)
def test_the_topic_of_a_document_list_question(question: str, topic: str) -> None:
    from policyqa.answer.overview import topic_of

    assert topic_of(question) == topic


def test_a_place_inside_the_topic_does_not_narrow_the_list(engine: Engine) -> None:
    answer = engine.answerer.answer("哪些文件提到了争创山东省科技创新强县？")
    assert not answer.abstained and len({c.doc_id for c in answer.citations}) >= 2


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        ("日照揭榜挂帅项目，单个项目最多支持多少？", 2_000_000),
        ("日照科技成果转化贷款贴息，每家企业最高多少？", 500_000),
        ("日照企业的横向项目，实际支付金额要达到多少以上才能申请经费支持？", 500_000),
    ],
)
def test_a_rules_own_cap_or_threshold_asked_for(engine: Engine, question: str, amount: int) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount
    assert "条文规定" in answer.calculation.steps[0]


def test_a_question_with_its_own_sums_is_not_answered_with_the_cap(engine: Engine) -> None:
    answer = engine.answerer.answer("日照揭榜挂帅项目，科技投入300万，单个项目最多支持多少？")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 600_000


def test_the_cost_behind_a_total_grant_is_asked(engine: Engine) -> None:
    # 省 40% + 市 20% of the cost were granted together: 24万 ÷ 60%.
    answer = engine.answerer.answer(
        "日照非省财政直管县的小微企业，用共享仪器省里加市里一共补了24万，仪器费用花了多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 400_000
    assert "对应的费用" in answer.answer


def test_a_requirement_the_text_affirms_is_not_denied_elsewhere(engine: Engine) -> None:
    from policyqa.answer.requirements import conflicts

    grade = next(c for c in conflicts() if c.requires == "国家级审定")
    assert grade.said("新品种通过了省级审定") == "通过了省级审定"
    assert grade.said("新品种通过了国家级审定，也通过了省级审定") is None


def test_a_quoted_name_no_clause_writes_is_not_covered(engine: Engine) -> None:
    from policyqa.answer.verify import quoted_name_unknown

    texts = "\n".join(["组织“专家泰安行”活动不少于20场", "选派“科技副总”50人"])
    assert quoted_name_unknown("日照每年组织“专家日照行”活动多少场？", texts) == "专家日照行"
    assert quoted_name_unknown("泰安“专家泰安行”活动每年多少场？", texts) is None
    assert quoted_name_unknown("结果是「合格」，能拿多少", texts) is None  # too short a name
    answer = engine.answerer.answer("日照每年组织“专家日照行”活动不少于多少场？")
    assert answer.abstained and answer.abstain_reason == "topic_not_covered:专家日照行"
    assert answer.citations == []


def test_an_off_topic_subject_one_region_mentions_is_not_answered_for_another(
    engine: Engine,
) -> None:
    # 落户 is written in 文登's plan only: asked of 泰安 it is not covered there.
    answer = engine.answerer.answer("来泰安工作的博士，落户有什么政策？")
    assert answer.abstained and answer.abstain_reason == "topic_not_in_region:落户"


def test_a_count_asked_of_a_clause_that_sets_no_number_is_not_answered(engine: Engine) -> None:
    # 泰安's clause speaks of 技术经理人 without a number; 日照's 200人 is another city's.
    answer = engine.answerer.answer("泰安本土技术经理人要培育到多少人？")
    assert answer.abstained and answer.abstain_reason == "count_not_stated"
    assert "没有规定具体数量" in answer.answer and "200" not in answer.answer
    # A count in another unit than asked is still a number the clause sets.
    counted = engine.answerer.answer("山东科技大市场面向多少个市开展分级市场建设？")
    assert not counted.abstained and "16市" in counted.answer


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "我們是日照的企業，研發投入連續兩年超過500萬，今年比去年增長了120%，"
            "但沒有享受省研發補助，市裡能給那50萬嗎？",
            "没有享受省研发补助",
        ),
        (
            "日照一家科技型中小企业，今年省里的企业研究开发财政补助我们没申请，市里的1:1配套能拿多少？",
            "省里的企业研究开发财政补助我们没申请",
        ),
        ("日照一家种业公司选育的新品种通过的是省级审定，没拿过财政资助，能申请吗？", "省级审定"),
    ],
)
def test_a_requirement_the_asker_says_it_does_not_meet_rules_it_out(
    engine: Engine, question: str, said: str
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert said in answer.answer


def test_a_province_grant_received_and_another_not_applied_for_is_no_denial(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer(
        "我们是日照的科技型中小企业，享受了省研发补助40万，别的补助没有申请，市里配套多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 400_000


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("我们孵化器在济南，刚认定为国家级孵化器，能申请泰安市那100万吗？", "济南市"),
        ("我们公司注册在青岛，能申请日照的科小研发投入市级配套吗？", "青岛市"),
    ],
)
def test_an_asker_in_a_place_the_corpus_does_not_cover_is_outside_a_citys_policy(
    engine: Engine, question: str, place: str
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert f"贵单位在{place}" in answer.answer


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # 头一年 is 第一年: 120万 × 20% = 24万; 300万 × 20% = 60万 → 每年最高50万.
        (
            "日照的中小企业用创新券，头一年仪器共享花了120万，第二年花了300万，市级补助两年一共多少？",
            740_000,
        ),
        # How a sum given is computed: 60万 × 40% = 24万.
        ("日照科技成果转化贷款贴息咋算？我们备案那笔按时还本付息了，利息交了60万", 240_000),
        # The R&D figures are the thresholds' facts, met; the province's grant is not given, so
        # the most is the cap.
        (
            "我们是日照的科小，享受了省里的研发补助，前年研发投入600万，去年1500万，"
            "增长了150%，市级最多能拿多少？",
            500_000,
        ),
    ],
)
def test_colloquial_years_how_computed_and_a_cap_over_threshold_facts(
    engine: Engine, question: str, amount: int
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount


def test_a_count_asked_of_a_thing_its_sentence_does_not_count_is_not_answered(
    engine: Engine,
) -> None:
    # 3.1.2 writes 遴选培育引领型孵化器 with no count; its 20项 counts another thing.
    answer = engine.answerer.answer("日照要遴选培育多少家引领型孵化器？")
    assert answer.abstained and answer.abstain_reason == "count_not_stated"
    assert "20项" not in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        # Traditional characters: 嗎 is asked as 吗 is.
        "我們只是國家自然科學基金項目的參與單位，不是主持單位，那10萬的一次性支持有我們的份嗎？",
        # The words of the denial (还没到规模以上) do not affirm the requirement.
        "我们今年第一次认定了高企，不过营收还没到规上标准，那个一次性10万能拿吗？",
        # 给不给 asks whether: a 市级孵化器 is no 国家级 or 省级 one.
        "我们在泰安的孵化器今年被认定成了市级孵化器，市财政给不给一次性补助？",
    ],
)
def test_a_whether_question_from_an_asker_the_facts_rule_out_gets_no(
    engine: Engine, question: str
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0


def test_who_is_responsible_is_read_in_traditional_characters(engine: Engine) -> None:
    answer = engine.answerer.answer("日照的創新券政策由哪些部門負責？")
    assert "市科技局" in answer.answer and "负责" in answer.answer.split("\n")[0]


def test_the_province_said_as_sheng_li_beside_a_city_is_compared_with_it(engine: Engine) -> None:
    answer = engine.answerer.answer("省里和泰安对企业牵头科技攻关项目的比例要求各是多少？")
    assert answer.frame is not None and answer.frame["intent"] == "comparison"
    assert answer.calculation is None  # a share a plan sets is no sum of money
    assert "90%" in answer.answer and "80%" in answer.answer
    # 省里 as a payer beside 市里 is no place compared.
    from policyqa.answer.gazetteer import region_mentions

    covered = ("日照市", "泰安市", "威海市文登区", "山东省")
    payer = region_mentions("日照的小微企业用仪器花了100万,省里和市里分别能补多少", covered)
    assert [m.name for m in payer] == ["日照市"]


def test_a_project_said_not_to_be_emerging_gets_the_general_rate(engine: Engine) -> None:
    # Not 新兴/未来产业: 500万 × 20% = 100万 (the 30% case would say 150万).
    answer = engine.answerer.answer(
        "日照揭榜挂帅的项目，科技投入总额500万，不属于新兴和未来产业，最多能支持多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_000_000
    assert answer.calculation.rule_id == "rz-jiebang-general"


def test_an_incubated_enterprise_is_not_the_operator_a_carriers_grant_is_paid_to(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer(
        "我们是入驻泰安某孵化器的初创企业，这个孵化器刚新认定为国家级，那100万我们在孵企业能申请吗？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "运营机构" in answer.answer


def test_one_figure_each_year_is_computed_year_by_year_with_the_yearly_cap(
    engine: Engine,
) -> None:
    # 300万 × 20% = 60万 → 每年最高50万, for each of the two years.
    answer = engine.answerer.answer(
        "日照一家小微企业，连续两年每年用共享仪器的费用都在300万左右，市级创新券两年总共最多补多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_000_000


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        # A fact said of the variety (有自主知识产权) is no thing the money is asked for.
        (
            "我们公司主持选育的玉米品种有自主知识产权，已经通过国家级审定，没拿过任何财政资助，"
            "最高能拿多少？",
            200_000,
        ),
        # 拿了奖 is 获奖: the award rule of the clause, not its hosting rule.
        ("我们在中国创新创业大赛里拿了奖，日照最高给多少？", 200_000),
    ],
)
def test_a_fact_said_of_a_thing_and_a_colloquial_award_find_their_rule(
    engine: Engine, question: str, amount: int
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == amount


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "共建孵化器的运营团队在运营期内没达到约定条件，还能按运营经费30%拿支持吗？",
            "没达到约定条件",
        ),
        ("我们那个市区共建孵化器已经连续拿了三年运营经费支持，第四年还能按30%再拿吗？", "第4年"),
    ],
)
def test_a_cobuilt_incubator_outside_its_conditions_or_years_gets_none(
    engine: Engine, question: str, said: str
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert said in answer.answer


def test_a_list_of_years_past_the_supported_ones_is_computed_up_to_them(engine: Engine) -> None:
    # 第四年 in a list is cut off, not a reason for nothing: 3 × 100万 × 30% = 90万.
    answer = engine.answerer.answer(
        "日照市区共建孵化器，第一年、第二年、第三年、第四年实际支付运营经费都是100万元、100万元、"
        "100万元、100万元，也达到了约定条件，一共能支持多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 900_000


def test_land_is_a_policy_area_the_corpus_does_not_cover(engine: Engine) -> None:
    answer = engine.answerer.answer("日照科技型企业新建研发楼，土地出让价格能优惠多少？")
    # The longest off-topic term named is the one reported.
    assert answer.abstained and answer.abstain_reason == "topic_not_covered:出让价格"
    assert answer.calculation is None and answer.citations == []
    land = engine.answerer.answer("日照科技型企业新建研发楼，土地能优惠多少？")
    assert land.abstained and land.abstain_reason == "topic_not_covered:土地"


def test_buying_a_car_is_not_covered_though_the_industry_is_named(engine: Engine) -> None:
    answer = engine.answerer.answer("文登区买新能源汽车有补贴吗？")
    assert answer.abstained and answer.abstain_reason == "topic_not_covered:买新能源汽车"
    assert answer.calculation is None


def test_a_grade_said_after_its_thing_is_checked_against_the_rules_floor(
    engine: Engine,
) -> None:
    # 院士工作站 names the platform rule (over the 市级 word of the other rule of 5.16); the
    # grade said after it (认定的是市级) is below its 省级及以上 floor.
    answer = engine.answerer.answer(
        "我们刚建了一个院士工作站，认定的是市级，日照那个最高100万的支持我们能拿吗？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "市级院士工作站" in answer.answer


def test_a_question_closing_with_bu_asks_whether_and_a_threshold_rules_out(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer(
        "我们跟高校签了个横向项目，实际只付了40万，能按20%拿日照的产学研经费支持不？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "50万元以上" in answer.answer


def test_haoji_is_no_count_asked() -> None:
    assert asked_unit("一家企业同时够得上好几项支持政策，能不能每项都拿？") is None


def test_a_plan_clause_ranked_first_does_not_hide_the_rule_below_it(engine: Engine) -> None:
    # The plan's measure naming 集成电路 ranks first; it states no money, the rule below does.
    answer = engine.answerer.answer(
        "日照揭榜挂帅项目，我们做集成电路的，项目科技投入总共180万，最多能拿多少？"
    )
    assert answer.calculation is not None
    assert answer.calculation.amount_yuan == 540_000
    assert answer.calculation.clause_id == "rizhao-rules-2025:6.1.19"


def test_one_yearly_sum_and_a_later_year_asked_leaves_that_year_its_part(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们区县共建的孵化器引进了专业运营团队，达到了约定条件，每年实际付运营经费300万。"
        "连续三年支持的话，第三年还能拿多少？"
    )
    assert answer.calculation is not None
    assert answer.calculation.amount_yuan == 200_000  # 200万 cap less 90万 × 2


def test_scoring_rules_the_clause_does_not_state_are_not_answered_with_its_cap(
    engine: Engine,
) -> None:
    question = "日照重大科技创新专项的评审打分细则是怎样的？各项指标权重多少？"
    answer = engine.answerer.answer(question)
    assert answer.abstained and answer.abstain_reason == "criteria_not_stated:evaluation"


def test_projects_told_clause_by_clause_keep_the_ask_of_the_whole() -> None:
    from policyqa.answer.projects import project_questions

    said = (
        "日照两家中小企业用了共享仪器：一家发生费用100万，一家发生费用350万，"
        "市级创新券补助两家合计多少？"
    )
    assert project_questions(said) == [
        "日照两家中小企业用了共享仪器：一家发生费用100万，市级创新券补助多少？",
        "日照两家中小企业用了共享仪器：一家发生费用350万，市级创新券补助多少？",
    ]
    # "一家投资机构" is the asker, not the first of the projects.
    investor = "一家投资机构投的两个项目都失败了：A项目投了600万，B项目投了1500万，一共补多少？"
    parts = project_questions(investor)
    assert parts is not None and len(parts) == 2 and parts[0].startswith("一家投资机构")


def test_one_yearly_sum_over_years_counted_where_the_total_is_asked(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们是日照的中小企业，去年和今年都用了共享仪器，每年费用都是400万，"
        "两年市级创新券一共最多拿多少？"
    )
    assert answer.calculation is not None
    assert answer.calculation.amount_yuan == 1_000_000  # 50万 yearly cap, each of two years


def test_enterprises_counted_in_ge_each_get_the_per_enterprise_sum(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们集团在日照有仨子公司，今年都是头一回认定高企，而且都是规上企业，一共最多能拿多少一次性补助？"
    )
    assert answer.calculation is not None
    assert answer.calculation.amount_yuan == 300_000  # 每家企业最高10万元 × 3


def test_a_first_years_sum_grown_by_one_rate_is_computed_year_by_year(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们是日照市区共建孵化器的运营团队，达到约定条件了。第一年付运营费150万，"
        "后面每年比上一年涨20%，连续三年能补多少？"
    )
    # 150万, 180万, 216万 × 30% = 45 + 54 + 64.8万, under the 200万 cumulative cap.
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_638_000


def test_an_award_under_its_other_name_is_the_one_the_clause_pays(engine: Engine) -> None:
    # The clause says 国家科学技术一等奖; 科技进步 is how people say it.
    answer = engine.answerer.answer("日照对获国家科技进步一等奖的项目奖多少钱？")
    assert not answer.abstained
    assert answer.calculation is not None and answer.calculation.amount_yuan == 2_000_000


def test_a_level_asked_beside_a_thing_is_no_topic_of_its_own(engine: Engine) -> None:
    # 山东's clause writes 国家“一带一路”联合实验室, never 国家级.
    answer = engine.answerer.answer(
        "山东这两年打算布局多少家省级“一带一路”联合实验室？国家级的争创几家？"
    )
    assert not answer.abstained
    assert answer.citations[0].clause_id == "shandong-rd-2024:2.4.12"
    assert "10家" in answer.answer and "2家" in answer.answer


def test_a_yearly_target_is_read_where_it_is_stated_not_in_the_goals_section(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer("文登区每年新增国家科技型中小企业的目标是多少家？")
    assert answer.citations[0].clause_id == "wendeng-plan-2024:3.2"
    assert "15家" in answer.answer


def test_counts_of_both_kinds_a_rule_counts_are_added_however_they_were_earned(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer(
        "咱们是省级孵化器，去年绩效评价拿了优秀。今年孵出来6家高企，"
        "另外还有3家评上了国家专精特新中小企业，日照能给补多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 450_000


def test_a_loss_said_roughly_as_a_part_is_computed_with_and_shown(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们投的一家新材料初创公司，首轮投了0.12亿，项目黄了，损失差不多一半，"
        "尽职免责也没问题，日照这边最多补偿多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 2_000_000
    assert "亏损50%：投资损失为1200万元 × 50% = 600万元" in answer.calculation.steps


def test_how_the_city_pays_is_answered_with_the_sum(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们是省级科技企业孵化器，上年度绩效评价优秀，今年新孵出3家高企，市里怎么补？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 150_000


def test_one_project_each_with_several_partners_is_that_many_projects(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我們跟三所大學各簽了一個橫向合作項目，每個實際支付都是八百萬。"
        "照日照的政策，一家企業最多能拿到多少支持？"
    )
    # 3 × min(800万 × 20%, 100万) = 300万, over the 200万 per enterprise.
    assert answer.calculation is not None and answer.calculation.amount_yuan == 2_000_000


def test_a_sum_paid_under_a_contract_is_read_as_paid(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们和科研院所的横向合同实际付款六十五万元，日照按比例能给多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 130_000


def test_when_a_named_document_takes_effect_is_answered_from_its_own_text(
    engine: Engine,
) -> None:
    # Its other ask ("跟以前的文件不一样听谁的") left no clause above the relevance floor.
    answer = engine.answerer.answer("日照细则从啥时候开始执行？跟以前的文件规定不一样听谁的？")
    assert not answer.abstained and "8月15日" in answer.answer
    assert answer.citations[0].clause_id == "rizhao-rules-2025:p2"


def test_whether_grants_stack_asked_in_traditional_is_no_sum(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "同一家企業同時夠得上日照實施細則好幾條補助標準，錢能不能疊加拿？"
    )
    assert not answer.abstained and answer.calculation is None
    assert answer.citations[0].clause_id == "rizhao-rules-2025:p2"


def test_two_carriers_named_by_letter_each_count_under_their_own_cap(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "咱们集团有俩省级孵化器，去年绩效评价都是优秀。A孵化器今年新培育了6家高企和1家小巨人，"
        "B孵化器新培育了12家国家专精特新中小企业，两个一共能补多少？"
    )
    # A: 7 × 5万 = 35万; B: 12 × 5万 = 60万, capped at 50万 per carrier a year.
    assert answer.calculation is not None and answer.calculation.amount_yuan == 850_000


def test_an_incubator_the_asker_built_itself_is_no_co_built_one(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "我们公司自己出钱建了个孵化器，不是区县先期建设的那种市区共建孵化器，请运营团队一年花了"
        "100万，能按30%拿市里的运营经费支持吗？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0


def test_a_provincial_award_is_not_paid_the_national_awards_sum(engine: Engine) -> None:
    from policyqa.answer.requirements import conflicts

    national = next(c for c in conflicts() if c.requires == "国家科学技术")
    assert national.said("拿了山东省科学技术进步一等奖") == "山东省科学技术进步一等奖"
    assert national.said("一个获国家科学技术奖二等奖，另一个获山东省科学技术奖") is None
    answer = engine.answerer.answer("在日照,项目拿了山东省科学技术进步一等奖,市里能拿到多少钱奖励?")
    assert answer.calculation is None or answer.calculation.amount_yuan != 2000000
