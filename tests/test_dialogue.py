"""Dialogue state: each follow-up is resolved against the previous turn's resolved question,
for any number of turns (real index and model)."""

from __future__ import annotations

import pytest

from policyqa.answer.contract import Turn
from policyqa.answer.dialogue import is_followup, resolve_against, resolve_followup
from policyqa.engine import Engine

ALIASES = ["泰安市", "泰安", "日照市", "日照", "文登", "威海", "山东"]


def _history(*questions: str) -> list[Turn]:
    turns: list[Turn] = []
    for q in questions:
        turns += [Turn(role="user", content=q), Turn(role="assistant", content="……")]
    return turns


def test_third_turn_carries_the_second_turns_meaning() -> None:
    history = _history("泰安对新认定的国家级孵化器补多少？", "那省级的呢？")
    resolved = resolve_followup("那加速器呢？", history, ALIASES)
    # Turn 2 swapped the tier; turn 3 swaps the subject of that resolved question.
    assert "省级" in resolved and "加速器" in resolved and "国家级" not in resolved


def test_any_number_of_turns() -> None:
    history = _history(
        "泰安对新认定的国家级孵化器补多少？", "那省级的呢？", "那加速器呢？", "那孵化器呢？"
    )
    resolved = resolve_followup("那国家级的呢？", history, ALIASES)
    assert "国家级" in resolved and "孵化器" in resolved and "泰安" in resolved


def test_standalone_question_is_not_rewritten() -> None:
    history = _history("泰安对新认定的国家级孵化器补多少？")
    question = "日照市区共建孵化器运营经费支持比例是多少？"
    assert resolve_followup(question, history, ALIASES) == question


def test_three_turns_answered_on_the_real_index(engine: Engine) -> None:
    first = "泰安对新认定的国家级孵化器补多少？"
    second = engine.answerer.answer("那省级的呢？", _history(first))
    assert second.calculation is not None and second.calculation.amount_yuan == 500_000
    third = engine.answerer.answer("那加速器呢？", _history(first, "那省级的呢？"))
    assert third.calculation is not None and third.calculation.amount_yuan == 300_000
    assert third.frame is not None and "加速器" in third.frame["resolved"]


def test_a_follow_up_naming_an_uncovered_district_replaces_the_region(engine: Engine) -> None:
    history = _history("文登区对新认定的孵化器有什么支持？")
    answer = engine.answerer.answer("那环翠区呢？", history)
    assert answer.resolved_question is not None and "环翠区" in answer.resolved_question
    assert "文登区" not in answer.resolved_question
    assert answer.abstained and answer.calculation is None


def test_a_follow_up_wholly_about_an_uncovered_topic_is_not_folded_into_the_last(
    engine: Engine,
) -> None:
    history = _history("日照首次认定的规上高企，一次性补助最多多少？")
    answer = engine.answerer.answer("那高企的企业所得税能减按多少税率征收？", history)
    assert answer.abstained and answer.calculation is None
    assert answer.abstain_reason == "topic_not_covered:所得税"
    # A follow-up that only mentions such a topic alongside a covered ask still leans on it.
    kept = engine.answerer.answer("所得税的事先不管，那要是还不是规上企业呢？", history)
    assert not kept.abstained and "10萬元" in kept.answer


def test_a_follow_up_naming_another_thing_with_its_own_ask_is_asked_in_the_earlier_place(
    engine: Engine,
) -> None:
    first = "泰安的重大科技成果转化项目，市财政贷款贴息一个项目最多多少钱？"
    followup = "那重大科技攻关项目，单个项目市级财政最多支持多少？"
    resolved = resolve_against(followup, first, ALIASES)
    assert "泰安" in resolved and "攻关" in resolved and "贴息" not in resolved
    answer = engine.answerer.answer(followup, _history(first))
    assert answer.calculation is not None and answer.calculation.amount_yuan == 5_000_000
    # A figure or a supposition varies the earlier case instead: it is kept.
    kept = resolve_against("如果三年每年都付200万，三年一共能拿多少？", first, ALIASES)
    assert "贴息" in kept


def test_wholly_off_topic_needs_every_part_on_the_topic_and_an_ask() -> None:
    from policyqa.answer.frame import wholly_off_topic

    words = ("所得税", "社保")
    assert wholly_off_topic("那企业所得税能减按多少税率征收?", words)
    assert not wholly_off_topic("所得税的事先不管,那省级的呢?", words)
    assert not wholly_off_topic("那省级的呢?", words)
    assert not wholly_off_topic("那企业所得税能减按多少税率征收?", ())


def test_several_figures_in_a_follow_up_replace_every_figure() -> None:
    history = _history("日照中小微企业一年使用共享仪器设备费用100万元，市级补助多少？")
    resolved = resolve_followup("要是两年分别花了100万元和300万元呢？", history, ALIASES)
    assert "两年分别花了100万元和300万元" in resolved and "日照" in resolved


def test_third_turn_with_several_figures_is_computed_item_by_item(engine: Engine) -> None:
    history = _history("日照企业横向项目实际支付100万元，能支持多少？", "那实际支付800万元呢？")
    a = engine.answerer.answer("如果有两个项目，分别支付800万元和300万元呢？", history)
    assert a.calculation is not None and a.calculation.amount_yuan == 1_600_000
    assert a.resolved_question and "横向项目" in a.resolved_question


def test_region_follow_up_replaces_the_region_slot_of_the_resolved_frame(engine: Engine) -> None:
    history = _history("日照主持国家级自然科学基金项目给依托单位多少钱？", "省级的呢？")
    a = engine.answerer.answer("那文登区呢？", history)
    assert a.frame is not None
    assert [r["name"] for r in a.frame["regions"]] == ["威海市文登区"]
    assert "objects" not in a.frame["extra"]["carried"] or a.frame["objects"]
    # 文登's plan funds no 自然科学基金 project: no number carried over from 日照.
    assert a.abstained and a.calculation is None


def test_merge_frames_replaces_named_slots_and_carries_the_rest() -> None:
    from policyqa.answer.dialogue import merge_frames
    from policyqa.answer.frame import build_frame

    covered = ("日照市", "泰安市", "威海市文登区", "山东省")
    previous = build_frame("日照对发明专利奖励多少？", covered, True)
    partial = build_frame("那泰安呢？", covered, False)
    resolved = build_frame("泰安对发明专利奖励多少？", covered, True)
    merged = merge_frames(previous, partial, resolved)
    assert [r.name for r in merged.regions] == ["泰安市"]
    assert merged.objects == ("发明专利",)
    assert merged.extra["carried"] == ["objects"]


def test_a_count_in_a_follow_up_replaces_the_count_not_adds_to_it() -> None:
    history = _history("日照绩效评价优秀的省级孵化器今年新培育了3家高新技术企业，能拿多少补助？")
    resolved = resolve_followup("那培育了5家呢？", history, ALIASES)
    assert "5家高新技术企业" in resolved and "3家" not in resolved


def test_target_years_outside_the_plan_abstain_even_when_asked_how_much(engine: Engine) -> None:
    # 泰安's opinions set targets for 2026 only; a 2030 target is not in the corpus.
    a = engine.answerer.answer("泰安市到2030年研发经费投入强度要达到多少？")
    assert a.abstained and a.abstain_reason == "years_not_covered:2030"


def test_a_kind_of_enterprise_in_a_follow_up_replaces_the_one_asked_about() -> None:
    history = _history("文登区到2026年国家高新技术企业要达到多少家？")
    resolved = resolve_followup("科技型中小企业呢？", history, ALIASES)
    assert resolved == "文登区到2026年国家科技型中小企业要达到多少家?"
    third = resolve_followup("泰安呢？", [*history, *_history("科技型中小企业呢？")], ALIASES)
    assert third == "泰安到2026年国家科技型中小企业要达到多少家?"


def test_a_count_in_a_follow_up_goes_before_the_grade_it_counts(engine: Engine) -> None:
    history = _history("日照主持国家级自然科学基金项目，依托单位能拿多少？", "省级的呢？")
    resolved = resolve_followup("两项省级的呢？", history, ALIASES)
    assert "主持两项省级自然科学基金项目" in resolved
    answer = engine.answerer.answer("两项省级的呢？", history)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 100_000


def test_a_count_alone_goes_before_a_grade_written_without_ji() -> None:
    history = _history("在日照，主持省自然科学基金项目，依托单位能拿多少一次性支持？")
    resolved = resolve_followup("要是同时主持了3项呢？", history, ALIASES)
    assert "主持3项省级自然科学基金项目" in resolved
    third = resolve_followup(
        "那换成国家级的3项呢？", [*history, *_history("要是同时主持了3项呢？")], ALIASES
    )
    assert "主持3项国家级自然科学基金项目" in third and "省级" not in third


def test_several_counts_replace_the_part_that_held_the_count() -> None:
    history = _history("日照一家绩效评价优秀的省级孵化器，今年新培育了3家高新技术企业，能拿多少？")
    resolved = resolve_followup(
        "如果是新培育了8家高企，外加4家国家专精特新中小企业呢？", history, ALIASES
    )
    assert "新培育了8家高企,外加4家国家专精特新中小企业" in resolved
    assert "3家" not in resolved and resolved.startswith("日照一家绩效评价优秀的省级孵化器")


def test_adding_up_the_earlier_turns_lists_each_turns_figure(engine: Engine) -> None:
    history = _history(
        "我们公司在日照，跟一所大学签了个横向攻关项目，实际付了300万，市里能给多少经费支持？",
        "要是实际付了800万呢？",
    )
    assert "实际付了300万和800万" in resolve_followup("两个项目加起来呢？", history, ALIASES)
    answer = engine.answerer.answer("两个项目加起来呢？", history)
    # 60万 + 100万 (800万 × 20% capped at 100万 a project) ≤ 200万 an enterprise.
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_600_000


def test_the_same_thing_elsewhere_is_a_follow_up_replacing_the_region() -> None:
    history = _history("日照揭榜挂帅项目，传统产业领域，科技投入1000万，最多能支持多少？")
    question = "同样的项目放在泰安，单个项目市级最多能支持多少？"
    resolved = resolve_followup(question, history, ALIASES)
    assert resolved.startswith("泰安揭榜挂帅项目")


def test_adding_up_turns_that_varied_the_grade_lists_the_grades() -> None:
    history = _history("泰安新认定的国家级孵化器，运营机构能拿到多少市级补助？", "那省级的呢？")
    resolved = resolve_followup("两个加起来呢？", history, ALIASES)
    assert "国家级和省级孵化器" in resolved


def test_a_back_reference_makes_a_follow_up_of_a_longer_question() -> None:
    from policyqa.answer.dialogue import is_followup

    assert is_followup("这两个都是我们一家企业的，合计最多多少？")
    assert is_followup("这笔贴息是哪一级财政出的？")
    assert not is_followup("日照对新认定的省级加速器补多少？")


def test_a_described_thing_replaces_the_previous_description_of_it() -> None:
    # 山东省重点实验室 names a lab, not a new region; the whole description is replaced.
    history = _history("日照对新获批牵头建设的山东省重点实验室，最高给多少支持？")
    second = "那每年绩效评价优秀的市级重点实验室呢？"
    resolved = resolve_followup(second, history, ALIASES)
    assert resolved.startswith("日照对每年绩效评价优秀的市级重点实验室,最高给多少支持")
    third = resolve_followup("新筹建的全国重点实验室呢？", [*history, *_history(second)], ALIASES)
    assert third == "日照对新筹建的全国重点实验室,最高给多少支持?"


def test_another_industry_field_replaces_the_field() -> None:
    history = _history("日照的揭榜挂帅项目，我们是化工传统领域，科技投入总额800万，能支持多少？")
    resolved = resolve_followup("要是换成新一代信息技术领域、投入500万呢？", history, ALIASES)
    assert "新一代信息技术领域" in resolved and "化工" not in resolved and "500万" in resolved


def test_another_award_replaces_the_award_and_its_grade(engine: Engine) -> None:
    history = _history("日照对获评国家科学技术一等奖的项目奖励多少？", "二等奖呢？")
    resolved = resolve_followup("那拿了山东省科学技术奖的呢？", history, ALIASES)
    assert resolved == "日照对获评山东省科学技术奖的项目奖励多少?"
    turns = _history("我们的项目获得了国家科学技术二等奖，日照市给多少奖励？", "一等奖呢？")
    answer = engine.answerer.answer(
        "要是拿的是山东省科学技术奖，省里规定的奖励额度是30万呢？", turns
    )
    # The province named in its award is no region asked about; 30万 × 50%.
    assert answer.calculation is not None and answer.calculation.amount_yuan == 150_000


def test_a_follow_up_sum_in_chinese_numerals_replaces_the_earlier_sum() -> None:
    previous = "我们在日照首轮投了一家生物医药初创企业500万，全亏了，符合尽职免责，能补偿多少？"
    resolved = resolve_against("如果当时投的是一千二百万，也全亏了呢？", previous, [])
    assert "一千二百万" in resolved and "500万" not in resolved


@pytest.mark.parametrize(
    "question",
    ["首轮要是投了1500万，全亏了呢？", "另外一个项目实际付了800万，这个能拿多少？"],
)
def test_a_supposition_or_a_back_reference_a_word_in_is_a_follow_up(question: str) -> None:
    assert is_followup(question)


def test_a_new_question_with_its_own_subject_is_no_follow_up() -> None:
    assert not is_followup("泰安对新认定的省级加速器补多少？")


@pytest.mark.parametrize(
    "question",
    [
        "这个贴息是市里出钱还是省里出钱？",
        "咱们今年有三个这样的项目，一共能拿多少？",
        "该项目能拿多少？",
    ],
)
def test_a_demonstrative_makes_a_follow_up(question: str) -> None:
    assert is_followup(question)


@pytest.mark.parametrize("question", ["应该找哪个部门申请孵化器补助？", "此外孵化器有什么支持？"])
def test_words_that_only_contain_a_demonstrative_are_no_follow_up(question: str) -> None:
    assert not is_followup(question)


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        # Another kind of ask replaces the previous one, rather than being appended to it.
        (
            "日照选育的新品种通过了省级审定,主持培育单位最多能拿多少?",
            "这项新品种补贴由哪些部门负责？",
            "日照选育的新品种通过了省级审定，这项新品种补贴由哪些部门负责?",
        ),
        (
            "泰安的重大科技攻关项目,单个项目市级财政资金最多支持多少?",
            "这个钱是要还的，还是无偿给的？",
            "泰安的重大科技攻关项目，这个钱是要还的,还是无偿给的?",
        ),
        # A described thing with its grade replaces the previous description and its grade.
        (
            "泰安这边,我们运营的孵化器刚被新认定为国家级,市财政一次性给运营机构补多少?",
            "那如果是新认定的省级孵化器呢？",
            "泰安这边,新认定的省级孵化器,市财政一次性给运营机构补多少?",
        ),
        (
            "日照新认定的省级概念验证中心,最高能支持多少?",
            "换成绩效评价优秀的市级技术转移服务机构呢？",
            "日照绩效评价优秀的市级技术转移服务机构,最高能支持多少?",
        ),
        # Counts each of a grade replace the grade; the total asked replaces the ask.
        (
            "日照这边,依托单位主持省级自然科学基金项目,市里一次性支持多少?",
            "我们单位今年主持了2项国家级、3项省级，总共能拿多少？",
            "日照这边,依托单位主持2项国家级、3项省级自然科学基金项目，总共能拿多少?",
        ),
        # The grade said first ("国家级的2项"), after a bare level with its count ("一项省").
        (
            "我们研究院主持了一项省自然科学基金项目，日照给依托单位多少一次性支持？",
            "今年我们主持了国家级的2项、省级的3项，一共能拿多少？",
            "我们研究院主持了2项国家级、3项省级自然科学基金项目，一共能拿多少?",
        ),
        # Later years asked with a total add to the first year.
        (
            "日照市区共建的孵化器,第一年实际支付运营经费100万,能支持多少?",
            "第二年付了150万、第三年付了200万，三年加起来一共能拿多少？",
            "日照市区共建的孵化器,第一年实际支付运营经费100万，"
            "第二年付了150万、第三年付了200万,三年加起来一共能拿多少?",
        ),
        # "还是那100万" means "still": no ask of its own.
        (
            "日照小微企业用共享仪器花了100万,市级补多少?",
            "那换成大型企业呢，费用还是那100万。",
            "日照小微企业用共享仪器花了100万,市级补多少，换成大型企业呢,费用还是那100万。",
        ),
        # "还是培育4家" (a verb, then a figure) is "still" too: the earlier ask stays.
        (
            "我们是省级孵化器，绩效优秀，今年新培育了4家高新技术企业，日照能补多少？",
            "如果我们只是市级孵化器，还是培育4家呢？",
            "我们是市级孵化器,绩效优秀,今年新培育了4家高新技术企业,日照能补多少?",
        ),
        # 俺们 is the asker speaking: the turn leans on the earlier one.
        (
            "泰安对新认定的孵化器给多少钱？",
            "俺们刚被认定成省级的，能拿多少？",
            "泰安对新认定的孵化器给多少钱，俺们刚被认定成省级的,能拿多少?",
        ),
    ],
)
def test_follow_up_resolution(previous: str, follow_up: str, expected: str) -> None:
    # followup=True: the conversation frame reads a turn naming no topic as a follow-up.
    assert resolve_against(follow_up, previous, ALIASES, followup=True) == expected


@pytest.mark.parametrize(
    ("history", "question", "expected_yuan"),
    [
        # No topic of its own: read against the previous turn (was below the relevance floor).
        (
            (
                "日照企业跟高校签了横向项目，实际支付了300万，市里最多能给多少经费支持？",
                "那要是实际支付了800万呢？",
            ),
            "咱们今年有三个这样的项目，每个都实际支付了800万，企业一共最多能拿多少？",
            2_000_000,
        ),
        (
            ("日照揭榜挂帅项目，新兴产业领域的科技投入总额不低于多少才符合条件？",),
            "我们是属于传统产业的化工项目，总投入150万，能拿多少？",
            0,
        ),
        # A new figure after a side question asks again what the money question asked.
        (
            (
                "日照科技成果转化贷款备案企业，选的那笔贷款按时还本付息，一年付了利息60万元，"
                "贴息能拿多少？",
                "这笔贴息是哪一级财政出的？",
            ),
            "要是一年利息付了150万呢？",
            500_000,
        ),
    ],
)
def test_follow_ups_answered_on_the_real_index(
    engine: Engine, history: tuple[str, ...], question: str, expected_yuan: int
) -> None:
    a = engine.answerer.answer(question, _history(*history))
    assert a.calculation is not None and a.calculation.amount_yuan == expected_yuan


def test_a_side_question_of_another_kind_is_answered_as_asked(engine: Engine) -> None:
    history = _history(
        "日照選育的新品種通過了國家級審定，沒拿過財政資助，主持培育單位最多能拿多少？"
    )
    a = engine.answerer.answer("这项新品种补贴由哪些部门负责？", history)
    assert not a.abstained and "市农业农村局" in a.answer


def test_a_later_year_said_alone_is_added_and_asked_of_that_year() -> None:
    from policyqa.answer.dialogue import resolve_against

    first = "日照共建的孵化器达到约定条件，第一年实际付了运营经费120万，能支持多少？"
    second = resolve_against("第二年付了200万呢？", first, ())
    assert "120万" in second and "200万" in second and second.endswith("第二年能支持多少?")
    third = resolve_against("第三年付了400万，这年能拿多少？", second, (), followup=True)
    assert "120万" in third and "200万" in third and third.endswith("这年能拿多少?")


def test_a_denial_in_a_follow_up_holds_whatever_slot_it_replaced() -> None:
    from policyqa.answer.dialogue import resolve_against

    first = "我们是日照的科技型中小企业，享受了省研发补助18万，市级配套多少？"
    resolved = resolve_against("假如我们不是科技型中小企业，只是普通的规上企业呢？", first, ())
    assert "不是科技型中小企业" in resolved and "18万" in resolved


def test_a_bound_said_of_a_figure_is_not_the_sum_replaced() -> None:
    from policyqa.answer.dialogue import resolve_against

    first = "我们是日照的科技型中小企业，享受了省研发补助18万，市级配套多少？"
    resolved = resolve_against("那我们研发投入都超过500万呢？", first, ())
    assert "18万" in resolved and "超过500万" in resolved


def test_a_described_thing_with_its_own_ask_replaces_the_thing_and_the_ask() -> None:
    from policyqa.answer.dialogue import resolve_against

    first = "日照新认定的省级概念验证中心，最多能拿多少支持？"
    resolved = resolve_against("换成绩效评价优秀的市级技术转移服务机构，能拿10万吗？", first, ())
    assert "概念验证中心" not in resolved and resolved.endswith("能拿10万吗?")


@pytest.mark.parametrize(
    ("follow_up", "added"),
    [
        ("还有3项省自然科学基金的，全部加起来呢？", "另外3项省级自然科学基金"),
        ("那要是再加上2家国家专精特新中小企业呢？", "另外2家国家专精特新中小企业"),
    ],
)
def test_a_follow_up_adding_counted_items_keeps_the_earlier_ones(
    follow_up: str, added: str
) -> None:
    from policyqa.answer.dialogue import resolve_against

    first = "我们单位主持了2项国家自然科学基金项目，日照给依托单位多少？"
    resolved = resolve_against(follow_up, first, ())
    assert "2项国家" in resolved and added in resolved and resolved.endswith("一共能拿多少?")


@pytest.mark.parametrize(
    ("previous", "followup", "resolved"),
    [
        # The thing of the same kind (…项目) that shares most words with the new one is replaced.
        (
            "泰安用揭榜挂帅组织的重大科技攻关项目，市财政单个项目最多支持多少？",
            "那重大科技成果转化项目呢？",
            "泰安用重大科技成果转化项目,市财政单个项目最多支持多少?",
        ),
        (
            "日照的行动计划里，投资500万以上的技改项目要实施多少个？",
            "数字化转型重点项目呢？",
            "日照的行动计划里,数字化转型重点项目要实施多少个?",
        ),
    ],
)
def test_a_follow_up_naming_another_thing_of_the_kind_replaces_it(
    previous: str, followup: str, resolved: str
) -> None:
    assert resolve_followup(followup, _history(previous), ["日照", "泰安"]) == resolved


@pytest.mark.parametrize(
    ("previous", "followup"),
    [
        ("山东省行动计划里，高新技术企业2024年的目标是多少？", "2025年呢？"),  # a year, no thing
        ("企业不在省财政直管县，省里能补多少？", "如果企业在省财政直管县呢？"),  # a fact
        ("日照对省级孵化器补多少？", "省级以上绿色工厂呢？"),  # no thing of its kind before
    ],
)
def test_a_follow_up_that_is_no_thing_of_a_kind_said_before_replaces_nothing(
    previous: str, followup: str
) -> None:
    from policyqa.answer.dialogue import _thing_replaced
    from policyqa.text import normalize

    assert _thing_replaced(normalize(followup), normalize(previous)) is None


def test_a_follow_up_naming_another_project_kind_is_computed_from_its_own_clause(
    engine: Engine,
) -> None:
    history = _history("泰安用揭榜挂帅组织的重大科技攻关项目，市财政单个项目最多支持多少？")
    answer = engine.answerer.answer("那重大科技成果转化项目呢？", history)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 3_000_000
    assert answer.citations[0].clause_id == "taian-opinions-draft:3.7.20"


def test_a_follow_up_restating_a_fact_with_another_value_replaces_it(engine: Engine) -> None:
    history = _history(
        "我们是省级孵化器，绩效评价优秀，今年新培育了3家高企，日照这边能补多少？",
        "要是培育了12家呢？",
    )
    resolved = resolve_followup("如果绩效评价只是合格呢？", history, ALIASES)
    assert "绩效评价只是合格" in resolved and "优秀" not in resolved and "12家" in resolved
    answer = engine.answerer.answer("如果绩效评价只是合格呢？", history)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    # A year is no fact named in words: "2025年呢？" still swaps the year.
    years = _history("山东省科技研发创新行动计划里，2024年高新技术企业要突破多少家？")
    assert "2025年" in resolve_followup("2025年呢？", years, ALIASES)
    assert "高新技术企业" in resolve_followup("2025年呢？", years, ALIASES)


def test_a_payers_part_then_a_denied_fact_are_carried_through_three_turns(engine: Engine) -> None:
    first = "日照的小微企业用创新券，去年用共享仪器花了50万，市级财政补多少？"
    second = "那省财政那块呢？我们在省财政直管县。"
    # 省财政那块 asks the province's part: 50万 × 60% (直管县).
    answer = engine.answerer.answer(second, _history(first))
    assert answer.calculation is not None and answer.calculation.amount_yuan == 300_000
    # "如果不是直管县呢？" replaces the fact stated, not adds to it: 50万 × 40%.
    third = engine.answerer.answer("如果不是直管县呢？", _history(first, second))
    assert third.calculation is not None and third.calculation.amount_yuan == 200_000


INDUSTRIES = ("集成电路", "新材料", "化工", "钢铁")


def test_an_industry_said_in_a_follow_up_replaces_the_earlier_one() -> None:
    history = _history("日照揭榜挂帅项目，我们做集成电路的，科技投入180万，最多能拿多少？")
    resolved = resolve_followup("换成传统化工项目，同样投180万呢？", history, ALIASES, INDUSTRIES)
    assert "化工" in resolved and "集成电路" not in resolved
    # Without the industries the rules tell apart, the follow-up is only appended.
    appended = resolve_followup("换成传统化工项目，同样投180万呢？", history, ALIASES)
    assert "集成电路" in appended


def test_a_traditional_industry_in_the_third_turn_rules_the_investee_out(engine: Engine) -> None:
    history = _history(
        "日照对投资机构投早投小投硬科技，要是投失败了，有没有损失补偿？",
        "我们基金首轮投了日照一家做新材料的初创企业700万，亏了400万，尽职免责条件都符合，能补多少？",
    )
    answer = engine.answerer.answer("要是投的是一家做钢铁的传统企业，其他条件都一样呢？", history)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "传统产业" in answer.answer


def test_a_bare_thing_then_ye_asks_the_previous_ask_of_it() -> None:
    history = _history("泰安新认定的孵化器，市里一次性补多少钱？")
    assert is_followup("加速器呢？也有吗？")
    resolved = resolve_followup("加速器呢？也有吗？", history, ALIASES)
    assert resolved == "泰安新认定的加速器,市里一次性补多少钱?"


def test_a_follow_up_naming_two_things_swaps_neither() -> None:
    question = "今年孵化器新认定成省级，加速器也新认定成省级，加起来一共能拿多少？"
    resolved = resolve_against(question, "泰安新认定的加速器,市里一次性补多少钱?", ALIASES, True)
    # The place is carried; neither thing replaces the earlier one.
    assert resolved.startswith("泰安") and "孵化器新认定成省级" in resolved
    assert "加速器也新认定成省级" in resolved


def test_an_industry_replaces_the_earlier_one_beside_a_field_word() -> None:
    history = _history("我们是传统化工企业，揭榜挂帅项目科技投入总额150万，日照最多能支持多少？")
    question = "如果换成低空经济这种未来产业项目，投入还是150万呢？"
    resolved = resolve_followup(question, history, ALIASES, ("低空经济", "化工"))
    assert "低空经济" in resolved and "化工" not in resolved


def test_one_more_project_with_its_figure_is_added_to_the_list() -> None:
    first = "日照一家企业跟高校签了个横向项目，实际支付了300万，产学研合作支持能给多少？"
    second = "我们还有第二个横向项目，实际付了700万，两个加一起能拿多少？"
    resolved = resolve_followup(second, _history(first), ALIASES)
    assert "300万和700万" in resolved and resolved.count("700万") == 1
    question = "再加一个实际付了600万的，三个项目总共能拿多少？"
    third = resolve_followup(question, _history(first, second), ALIASES)
    assert "300万和700万和600万" in third and third.count("600万") == 1


def test_one_more_project_signed_is_added_to_the_list() -> None:
    first = "日照一家企业跟高校签了个横向项目，实际支付了320万，能给多少？"
    second = "那要是再签一个实付七百万的，两个加起来最多拿多少？"
    resolved = resolve_followup(second, _history(first), ALIASES)
    assert "320万和七百万" in resolved and resolved.count("七百万") == 1


def test_a_new_loss_replaces_the_earlier_loss_not_the_investment() -> None:
    first = "日照股权投资风险准备金，我们首轮投了一家初创企业六百万，失败亏了四百万，能补多少？"
    resolved = resolve_followup("要是最后只亏了八十万呢？", _history(first), ALIASES)
    assert "投了一家初创企业六百万" in resolved and "亏了八十万" in resolved
    assert "四百万" not in resolved


def test_more_items_of_another_kind_are_added_to_the_earlier_ones() -> None:
    first = "我们是省级科技企业孵化器，上年度绩效评价优秀，今年新孵出3家高企，市里怎么补？"
    question = "另外还有2家被认定为国家专精特新中小企业，那一共能拿多少？"
    assert is_followup(question)
    resolved = resolve_followup(question, _history(first), ALIASES)
    assert "3家高企" in resolved and "另外2家被认定为国家专精特新中小企业" in resolved


@pytest.mark.parametrize(
    "opener",
    ["说错了，", "我数错了，", "更正一下，", "哎不对，", "等下，我搞错了，", "再确认个事："],
)
def test_a_correction_opener_makes_a_follow_up(opener: str) -> None:
    assert is_followup(f"{opener}我们是大型企业，还能补吗？")


def test_corrected_counts_replace_the_earlier_counts_and_keep_the_rest() -> None:
    first = (
        "我们是日照的省级孵化器，绩效评价优秀，今年新培育了2家高企、1家国家专精特新中小企业，"
        "能补多少？"
    )
    said = "我数错了，今年实际是7家高企、2家小巨人企业，能拿多少？"
    resolved = resolve_followup(said, _history(first), ALIASES)
    assert "7家高企、2家小巨人企业" in resolved and "2家高企" not in resolved
    assert "绩效评价优秀" in resolved and "日照的省级孵化器" in resolved
    assert resolved.endswith("能补多少？") or resolved.endswith("能补多少?")


def test_a_corrected_kind_of_enterprise_replaces_it_and_keeps_the_place() -> None:
    first = "我们是日照的一家小微企业，今年用共享仪器花了80万，创新券能补多少？"
    said = "说错了，我们其实是大型企业，那还能补吗？"
    resolved = resolve_followup(said, _history(first), ALIASES)
    assert "大型企业" in resolved and "小微企业" not in resolved and "日照" in resolved
    # The earlier ask names what is asked about; "那还能补吗" does not replace it.
    assert "创新券能补多少" in resolved and "80万" in resolved


def test_a_corrected_value_is_swapped_inside_its_clause_with_what_else_is_said() -> None:
    first = "我们是一家创投机构，首轮投了日照一家做芯片的初创企业500万，亏了300万，能补多少？"
    resolved = resolve_followup(
        "更正一下，我们这500万是跟投的第三轮，能补吗？", _history(first), ALIASES
    )
    assert "跟投的第三轮" in resolved and resolved.count("500万") == 1
    # The last sum said wins: "一共付了九十万" after "又补付了三十万".
    first = "日照企业和高校签的横向项目，实际付了六十万，能拿多少支持？"
    resolved = resolve_followup(
        "更正一下，后来又补付了三十万，现在一共付了九十万，能拿多少？", _history(first), ALIASES
    )
    assert "九十万" in resolved and "六十万" not in resolved and "三十万" not in resolved


def test_a_corrected_grade_keeps_what_the_clause_said_of_the_thing() -> None:
    first = "泰安这边，我们的加速器今年刚被新认定为省级加速器，市财政一次性能补多少？"
    said = "不对，批下来的是市级加速器，不是省级，那还有吗？"
    resolved = resolve_followup(said, _history(first), ALIASES)
    assert "新认定为市级加速器" in resolved and "泰安" in resolved and "省级加速器" not in resolved


def test_a_restated_attribute_replaces_its_clause_and_the_denial_goes_beside_it() -> None:
    first = "我们是日照的省级孵化器，上年度绩效评价优秀，今年新培育了4家高企，能补多少？"
    resolved = resolve_followup(
        "再确认个事：我们上年度绩效评价其实是“合格”，不是“优秀”，还能拿吗？",
        _history(first),
        ALIASES,
    )
    assert "绩效评价其实是合格，不是优秀" in resolved and "绩效评价优秀" not in resolved
    assert "4家高企" in resolved


def test_a_correction_asking_of_a_thing_of_its_own_asks_that() -> None:
    first = "日照到2027年要新培育多少家国家高新技术企业？"
    resolved = resolve_followup(
        "更正一下，我想问的是泰安，泰安高企要突破多少家？", _history(first), ALIASES
    )
    assert resolved.endswith("泰安高企要突破多少家?") and "日照" not in resolved


def test_a_supposition_asserting_a_fact_withdraws_the_clauses_denying_it() -> None:
    previous = (
        "首轮投了日照一家初创企业600万，我们这是跟投的第二轮，亏了450万，首轮不是我们投的，"
        "能补多少？"
    )
    resolved = resolve_against("那假设就是首轮，投了1200万呢？", previous, ALIASES)
    assert "第二轮" not in resolved and "首轮不是" not in resolved and "1200万" in resolved


def test_corrections_over_three_turns_are_answered_from_the_corrected_facts(engine: Engine) -> None:
    first = (
        "我们是日照的省级科技企业孵化器，绩效评价优秀，这一年新培育了2家高新技术企业，"
        "能拿多少补助？"
    )
    second = "我数错了，这一年实际是8家高企、3家小巨人企业，那能拿多少？"
    # 11家 × 5万 = 55万, over the 50万 a carrier may get a year.
    answer = engine.answerer.answer(second, _history(first))
    assert answer.calculation is not None and answer.calculation.amount_yuan == 500_000
    third = "再确认个事：我们绩效评价其实是良好，不是优秀，那还能拿吗？"
    answer = engine.answerer.answer(third, _history(first, second))
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0
    assert "优秀" in answer.answer


def test_a_new_loss_said_with_only_replaces_the_loss() -> None:
    first = "我们首轮投了日照一家初创企业一千五百万，项目失败亏了六百万，能补多少？"
    resolved = resolve_followup("要是实际亏损只有一百二十万呢？", _history(first), ALIASES)
    assert "一千五百万" in resolved and "一百二十万" in resolved and "六百万" not in resolved


def test_one_more_thing_with_its_own_ask_is_a_question_of_its_own_in_that_place(
    engine: Engine,
) -> None:
    first = "我们公司在日照，今年首次认定为高新技术企业，也是规上企业，一次性补助有多少？"
    said = "另外我们有个项目列入了市重点研发计划，这个最多支持多少？"
    resolved = resolve_followup(said, _history(first), ALIASES)
    assert resolved.startswith("日照") and "高新技术企业" not in resolved
    answer = engine.answerer.answer(said, _history(first))
    assert answer.calculation is not None and answer.calculation.amount_yuan == 500_000
    # A total asked adds the thing to the earlier one instead.
    total = resolve_followup("另外还有个项目，两个加起来多少？", _history(first), ALIASES)
    assert not total.startswith("日照，另外")


def test_a_payers_part_said_with_zhe_kuai_asks_that_payer() -> None:
    first = "日照小微企业用创新券，今年用共享仪器花了100万，省财政能补多少？我们在省财政直管县"
    resolved = resolve_followup("要是花了三百万，市级这块最多给多少？", _history(first), ALIASES)
    assert resolved.endswith("市级这块最多给多少?") and "省财政能补多少" not in resolved


def test_a_swapped_kind_of_enterprise_keeps_the_new_figures_said_with_it() -> None:
    previous = "日照的规上企业，今年拿到省里研发投入补助30万，市里配套多少，不是科技型中小企业？"
    said = "明白了。那我们是科技型中小企业，连续两年研发投入都超过600万，这种情况最高补多少？"
    resolved = resolve_against(said, previous, ALIASES)
    assert "600万" in resolved and "不是科技型中小企业" not in resolved


def test_a_corrected_investment_and_loss_each_go_to_their_own_clause() -> None:
    first = "日照的创投机构首轮投了一家硬科技初创企业四百万，后来失败亏了一百万，能补偿多少？"
    said = "说错了，首轮投的是一千二百万，亏了九百万"
    resolved = resolve_followup(said, _history(first), ALIASES)
    assert "初创企业一千二百万" in resolved and "亏了九百万" in resolved
    assert "四百万" not in resolved and "一百万" not in resolved


def test_a_bare_thing_of_another_kind_asks_the_earlier_money_ask_of_it() -> None:
    first = "日照重大科技创新专项，每项最多支持多少钱？"
    resolved = resolve_followup("那市重点研发计划项目呢？", _history(first), ALIASES)
    assert resolved == "日照市重点研发计划项目，每项最多支持多少钱?"
    # Not a span of time, and not after a count asked.
    assert "共建孵化器" in resolve_followup(
        "连续三年呢？", _history("日照共建孵化器一年付运营经费300万元，能支持多少？"), ALIASES
    )
    counted = resolve_followup(
        "规上工业企业研发投入呢？", _history("文登到2026年科技型中小企业要达到多少家？"), ALIASES
    )
    assert "2026年" in counted


def test_a_years_total_replaces_the_earlier_ask_for_one_year(engine: Engine) -> None:
    first = (
        "日照市区共建的孵化器，引进专业运营团队，每年实际支付运营经费二百万，"
        "达到约定条件，一年能支持多少？"
    )
    answer = engine.answerer.answer("连续三年都是这样，三年一共能拿多少？", _history(first))
    assert answer.resolved_question is not None and "一年能支持多少" not in answer.resolved_question
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1800000


def test_another_payers_part_asked_after_the_first(engine: Engine) -> None:
    first = "日照一笔备案的科技成果转化贷款成了不良，市、区县两级合计承担补偿70万，市级出多少？"
    answer = engine.answerer.answer("区县那边出多少？", _history(first))
    assert answer.calculation is not None and answer.calculation.amount_yuan == 200000
