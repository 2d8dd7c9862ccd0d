"""What a question asks for, read before anything is searched: the input check and the cue
patterns of the kinds of answer.

Owns `validate_question` (empty, too long — before and after normalization —, unreadable
characters: a `QuestionError` in Chinese) and the patterns the composer routes by: who is
responsible (`ASKS_WHO`), an amount of money (`ASKS_AMOUNT`), a figure (`ASKS_FIGURE`), yes or
no (`ASKS_WHETHER`) and a list (`ASKS_LIST`). Pure; never searches and never composes an answer
(`answer.compose`).
"""

from __future__ import annotations

import re

from policyqa.answer.contract import MAX_QUESTION_CHARS
from policyqa.text import normalize

ASKS_WHO = re.compile(
    r"(由|归)?(谁|哪个部门|哪些部门|什么部门|哪个单位|哪些单位)(来)?(负责|牵头|主管|管)?"
    r"|责任单位|牵头单位|负责部门|主管部门"
)
# Money questions; "多少家/项/个…" asks for a count (a target), not an amount of money.
ASKS_AMOUNT = re.compile(
    r"多少(?![家项个人件名次条所处批])|几[万千百十]|能拿|能领|能得|能获得|能否获得|能不能拿"
    r"|补多少|给多少|最高|上限|金额|钱|额度|(支持|补助|补贴|奖励|补偿|贴息)吗"
    # "市里怎么补": how it is paid, which the rule's sum answers (not "怎么补助…申请").
    r"|(?:怎么|咋)补(?![助贴偿充])"
    # Whether the asker gets it ("还能申请吗", "能给补偿吗"): the rule's requirements answer.
    r"|(?:能|可以)(?:申请|享受|给|拿)[^，,。？?]{0,6}吗"
    # A sum heard of, to be checked ("听说能按30%拿45万，是这样吗"): the rule decides it.
    r"|万元?[^，,。？?]{0,4}[，,]?(?:是这样吗|对吗|是真的吗|对不对|没错吧|是吗)"
    # How a sum the asker gives is computed ("贴息咋算？…利息交了60万"): the rule computes it.
    r"|(?:怎么|咋|如何)(?:算|计算)(?=.*\d万)|\d万.*(?:怎么|咋|如何)(?:算|计算)"
)
# Which of two ("市里出钱还是省里出钱", "是要还的，还是无偿给的"); not "still" ("还是那100万",
# "还是12家", "还是一样", "还是培育4家": a verb, then a figure).
ASKS_CHOICE = re.compile(
    r"还是(?![那这\d一两三四五六七八九十]|按|原来|[\u4e00-\u9fff]{1,4}\d+(?:\.\d+)?[家个项所座万])"
)

ASKS_FIGURE = re.compile(r"多少|几|比例|比重|目标|上限|下限|最高|达到|占比|门槛|标准|额度")
# A yes-or-no question ("能按20%补吗", "能不能拿"): the stated facts may answer it with no.
ASKS_WHETHER = re.compile(
    r"吗[？?。]?$|能不能|可不可以|是否|可否|行不行|有没有资格|能否|给不给|补不补|发不发|奖不奖"
    # "能拿支持不？": a verb then 不 closing the question asks yes or no as 吗 does.
    r"|(?<!不)不[？?。]?$"
)
# A share a plan sets, asked of it ("企业牵头的比例要求分别是多少"): no sum of money.
ASKS_SHARE = re.compile(
    r"(?:比例|比重|占比|强度)(?:要求|目标)?(?:分别|各)?(?:是|为)?多少"
    # "企业牵头的比例，省里和泰安各要求多少": words between, none of them about money.
    r"|(?:比例|比重|占比|强度)[，,]?[^。？?，,补拿给奖领担出贴钱万元]{0,20}?(?:分别|各)"
    r"(?:要求|定的?|规定)?(?:是|为|要)?多少(?![钱万元])"
)
# A total asked of several figures or items ("加起来", "一共", "合计").
ASKS_TOTAL = re.compile(r"加起来|合计|一共|总共|加一起|共计")
ASKS_LIST = re.compile(r"哪些|哪几|哪两|哪三|有什么|有哪|包括|包含|列举|分别是")


class QuestionError(ValueError):
    """A question that cannot be answered as given (empty, too long, unreadable)."""


def validate_question(question: str) -> str:
    """The question stripped, or QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本。")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in question):
        raise QuestionError("问题包含无效的字符（孤立代理项），请检查输入。")
    # Control and format characters (NUL, bell, zero-width space …) carry no meaning here.
    cleaned = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t").strip()
    if not cleaned:
        raise QuestionError("问题为空，请输入要查询的政策问题。")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"问题过长（{len(cleaned)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内。"
        )
    # The limit holds for what is embedded: one U+FDFA is 18 characters after NFKC.
    searched = len(normalize(cleaned))
    if searched > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"问题规范化后过长（{searched} 字，如全角或合字符号展开），"
            f"请控制在 {MAX_QUESTION_CHARS} 字以内。"
        )
    return cleaned
