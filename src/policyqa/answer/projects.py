"""Several projects described one after another in one question, each computed on its own.

"一个是钢铁领域的，科技投入1200万；另一个是集成电路领域的，投入400万", "A项目投了500万，B项目投了
1500万", "一个项目获了国家二等奖，另一个项目获了省奖": each project is its own question (the
shared context, that project's facts, then the question), answered by the same calculator, and
the amounts are added up. Owns only the splitting of the text; never reads figures itself.
"""

from __future__ import annotations

import re

from policyqa.rules.money import Quantity, find_quantities

# Where a project's description starts. "一个" alone opens the first only when a later one
# ("另一个", "第二个", "B项目") says there are several.
_OPENS = re.compile(
    r"另外一个|另一个|另外一家|另一家|第[一二三四五][个家]"
    # "A项目…", "A企业…", "A投了400万…", "A孵化器…": a project or a carrier named by a letter.
    r"|(?<![A-Za-z])[A-Da-d甲乙丙丁](?:项目|类项目|企业|公司|孵化器|加速器|众创空间|大学科技园"
    r"|科技园|载体|(?=投|花|付|亏))|一个|一家"
)
_LATER = re.compile(r"^(?:另外一个|另一个|另外一家|另一家|第[二三四五][个家]|[B-Db-d乙丙丁])")
# "一个是…", "一家投了600万…": "一个"/"一家" opening a project's own facts.
_ONE_OPENING = re.compile(r"一[个家](?:是|投|花|付|亏)")
# The question asked of all of them ("两个项目最多一共能拿多少支持？"): not a project's fact.
_ASKED = re.compile(r"多少|几|吗|怎么算")
# Facts said of all of them ("两个都失败了", "也都符合尽职免责条件").
_OF_ALL = re.compile(r"都|均|两个|两项|各自|全部")


# Sums listed for several things at once ("分别投了两家企业300万和1500万").
_LIST_JOIN = re.compile(r"^(?:和|、|与|及|,|，)$")
_SEVERAL_THINGS = re.compile(r"两家|两个|两项|两笔|[二三四五2-5]家|[三四五2-5]个项目|分别")
# Years make a list of sums a list per year, which the per-year computation answers.
_YEARS = re.compile(r"[一二两三四五六七八九十\d]年|每年|年度|第[一二三四五]年")


def listed_questions(text: str) -> list[str] | None:
    """One question per sum of a list of sums said of several things ("两家企业分别投了300万和
    1500万"), each in the list's place; None unless the question lists two or more sums of
    several things (not of several years)."""
    sums = [q for q in find_quantities(text) if q.kind == "money"]
    run: list[Quantity] = []
    for q in sums:
        if run and _LIST_JOIN.match(text[run[-1].end : q.start]):
            run.append(q)
        elif len(run) < 2:
            run = [q]
    if len(run) < 2 or _YEARS.search(text) or not _SEVERAL_THINGS.search(text):
        return None
    start, end = run[0].start, run[-1].end
    return [f"{text[:start]}{text[q.start : q.end]}{text[end:]}" for q in run]


def project_questions(text: str) -> list[str] | None:
    """One standalone question per project a normalized question describes, in order; None
    unless it describes two or more."""
    return listed_questions(text) or told_questions(text)


def told_questions(text: str) -> list[str] | None:
    """One question per project a normalized question tells one by one ("一个是…；另一个是…",
    "A投了400万…，B投了…"); None unless it tells two or more."""
    opens = [m for m in _OPENS.finditer(text) if _opens_a_project(text, m)]
    # Several unless "一个" merely counts: a later one (另一个, B项目), "一个是…；一个是…", or
    # "一家…，一家…" each opening a clause of its own.
    listed = sum(bool(_ONE_OPENING.match(text, m.start())) for m in opens) >= 2
    listed = listed or sum(_opens_a_clause(text, m) for m in opens) >= 2
    if len(opens) < 2 or not (listed or any(_LATER.match(m.group(0)) for m in opens[1:])):
        return None
    shared = text[: opens[0].start()]
    parts: list[str] = []
    after = ""  # facts said of them all after the last one ("结果两个都失败了")
    for i, m in enumerate(opens):
        end = opens[i + 1].start() if i + 1 < len(opens) else len(text)
        part = text[m.start() : end]
        if i + 1 == len(opens):
            part, after, asked = _split_last(part)
        part = part.strip("，,；;。 ")
        if not part:
            return None
        parts.append(part)
    tail = f"，{after.strip('，,；;。 ')}" if after.strip("，,；;。 ") else ""
    # Each project is asked what the whole was ("省财政分别补多少" → "省财政补多少"), without
    # the words that gather them.
    own = _GATHERING.sub("", asked).strip("，,；;。 ")
    if _BARE_ASK.fullmatch(own):
        own = "能给多少？"  # nothing of its own beside the gathering words: the plain ask
    return [f"{shared}{part}{tail}，{own}" for part in parts]


_CLAUSE_START = ("", "：", ":", "；", ";", "，", ",", "。")
# "一家投资机构", "一家投资公司": the asker, not a project that invested.
_INVESTOR = re.compile(r"投资(?:机构|公司|人|基金|企业)")


def _opens_a_clause(text: str, m: re.Match[str]) -> bool:
    return m.group(0) in ("一个", "一家") and text[m.start() - 1 : m.start()] in _CLAUSE_START


def _opens_a_project(text: str, m: re.Match[str]) -> bool:
    """"一个" counts only where it opens a clause or names a project ("一个项目", "一个是")."""
    if m.group(0) not in ("一个", "一家"):
        return True
    if _INVESTOR.match(text, m.end()):
        return False
    after = text[m.end() : m.end() + 2]
    return _opens_a_clause(text, m) or after.startswith(("是", "项目", "投", "花", "付"))


_BARE_ASK = re.compile(r"[最多高能可以拿给补共]*多少[钱？?]*|")
# Words that gather the projects into one ask ("分别", "一共", "两个加起来").
_GATHERING = re.compile(r"分别|各自|各|一共|合计|总共|共计|加起来|加一块|加一起|两个|两家|两项|都")


def _split_last(part: str) -> tuple[str, str, str]:
    """(the last project's own facts, the facts said of them all, the question asked of them
    all) of the last part."""
    pieces = re.split(r"(?<=[，,。；;])", part)
    asked: list[str] = []
    while len(pieces) > 1 and _ASKED.search(pieces[-1]):
        asked.insert(0, pieces.pop())
    common = next((i for i, p in enumerate(pieces) if i and _OF_ALL.search(p)), len(pieces))
    return "".join(pieces[:common]), "".join(pieces[common:]), "".join(asked)
