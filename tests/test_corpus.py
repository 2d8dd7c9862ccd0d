"""Reading and cleaning: encodings, manifest errors, chrome, page markers, corrections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyqa.corpus.clean import chrome_reason, clean_text, decode_bytes, load_corrections
from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.corpus.manifest import CorpusError, load_manifest

CHROME = [
    "电子邮箱",
    "联系电话",
    "加入会员",
    "图文解读",
    "课桌文档",
    "会员分享",
    "忘记密码",
    "次浏览",
]


def test_manifest_has_every_field(corpus: IngestResult) -> None:
    docs = {d.id: d for d in corpus.manifest.documents}
    assert list(docs) == [
        "rizhao-action-2025",
        "taian-opinions-draft",
        "rizhao-rules-2025",
        "wendeng-plan-2024",
        "shandong-rd-2024",
    ]
    assert docs["taian-opinions-draft"].status == "draft"
    assert docs["wendeng-plan-2024"].doc_no == "威文政发〔2024〕6号"
    assert docs["wendeng-plan-2024"].level == "district"
    assert docs["shandong-rd-2024"].level == "province"
    assert str(docs["rizhao-rules-2025"].date) == "2025-08-15"


def test_no_chrome_survives_cleaning(corpus: IngestResult) -> None:
    for doc in corpus.documents:
        for marker in CHROME:
            assert marker not in doc.text, (doc.doc_id, marker)


def test_metadata_bullets_become_data(corpus: IngestResult) -> None:
    wendeng = corpus.documents[3]
    assert wendeng.metadata["文件发文字号"] == "威文政发〔2024〕6号"
    assert wendeng.metadata["发文机关"] == "威海市文登区人民政府"
    assert "•" not in wendeng.text


def test_taian_page_markers_removed_and_sentences_rejoined(corpus: IngestResult) -> None:
    taian = corpus.documents[1]
    assert taian.page_markers == 25
    for whole in [
        "单个项目市级财政资金支持不超过500万元",
        "锚定科技创新引领现代产业体系建设这个核心",
        "单个项目市级财政贴息不超过300万元",
        "完善研发支出辅助账或财务核算专账",
        "新引进培养高层次科技人才200名以上",
    ]:
        assert whole in taian.text, whole


def test_corrections_table_fixes_known_slips(corpus: IngestResult) -> None:
    taian, rules = corpus.documents[1], corpus.documents[2]
    assert "I1." not in taian.text and "11.培育高新技术企业" in taian.text
    assert "组织11个产业链" in taian.text
    assert "??" not in rules.text and "高校、科研院所、大學科技園" in rules.text
    assert [c[0] for c in taian.corrections] == ["I", "H"]
    assert rules.warnings == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("电子邮箱", "login widget"),
        ("密码      忘记密码?", "login widget"),
        ("更多内容关注公众号", "follow prompt"),
        ("联系电话:13800000000 | 发布时间: 2025-06-01 | 15 次浏览", "contact line"),
        ("×加入会员,享受更多优惠", "advert"),
        ("图文解读", "link label"),
        ("《某某办法.docx》由会员分享,可在线阅读,更多相关请在某某文档上搜索。", "site banner"),
    ],
)
def test_chrome_rules_recognise_page_furniture(line: str, reason: str) -> None:
    assert chrome_reason(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "鼓励科技人才创办企业,符合条件的认定为市级创业领军人才。",
        "推动企业在当地注册,实现“孵化在异地、注册在日照、转化在本地”模式,"
        "建立成果遴选、资金(基金)加持全程服务模式,引育项目20项以上,广告业不在此列"
        "。" * 60,
        "二、主要任务",
    ],
)
def test_chrome_rules_keep_policy_text(line: str) -> None:
    assert chrome_reason(line) is None


def test_real_enumeration_is_not_a_page_dump() -> None:
    raw = "第一条 总则\n1、对新认定的企业给予奖励。\n2、对孵化器给予补助。\n3、对平台给予支持。\n"
    doc = clean_text(raw, "x", [])
    assert doc.page_markers == 0
    assert "1、对新认定的企业给予奖励。" in doc.text


def test_page_dump_detection_needs_cut_sentences() -> None:
    cut = "1、第一页的内容在这里被截\n2、断了然后继续到第二页也被截\n3、断了最后一页结束。"
    assert (
        clean_text(cut, "x", []).text
        == "第一页的内容在这里被截断了然后继续到第二页也被截断了最后一页结束。"
    )
    whole = "1、第一项内容完整。\n2、第二项内容完整。\n3、第三项内容完整。"
    assert clean_text(whole, "x", []).page_markers == 0


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig"])
def test_non_utf8_documents_decode(encoding: str) -> None:
    text = "对新认定的省级加速器，市级财政一次性给予30万元资金补助。"
    assert decode_bytes(text.encode(encoding), "f.txt") == text


def test_undecodable_file_is_named() -> None:
    with pytest.raises(CorpusError, match="broken.txt"):
        decode_bytes(bytes(range(256)) * 4, "broken.txt")


def test_gb18030_corpus_file_gives_same_clauses(corpus_copy: Path, corpus: IngestResult) -> None:
    path = corpus_copy / "docs" / "000_ef3f99521724ee56.txt"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    result = ingest(corpus_copy)
    assert [c.text for c in result.clauses] == [c.text for c in corpus.clauses]


def test_utf16_corpus_file_gives_same_clauses(corpus_copy: Path, corpus: IngestResult) -> None:
    path = corpus_copy / "docs" / "003_f2d155a949449319.txt"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    result = ingest(corpus_copy)
    assert [c.clause_id for c in result.clauses] == [c.clause_id for c in corpus.clauses]


def test_missing_file_is_a_clear_error(corpus_copy: Path) -> None:
    (corpus_copy / "docs" / "002_3d1dc0279fe165ed.txt").unlink()
    with pytest.raises(CorpusError, match="rizhao-rules-2025.*002_3d1dc0279fe165ed.txt"):
        load_manifest(corpus_copy)


def test_missing_manifest_says_where_to_point(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="POLICYQA_CORPUS_DIR"):
        load_manifest(tmp_path)


def test_invalid_manifest_entry_is_refused(corpus_copy: Path) -> None:
    path = corpus_copy / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["documents"][0]["level"] = "county"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match="not a valid manifest"):
        load_manifest(corpus_copy)


def test_bad_correction_pattern_is_refused(tmp_path: Path) -> None:
    (tmp_path / "corrections.toml").write_text(
        '[[correction]]\npattern = "("\nreplacement = "x"\nreason = "r"\n', encoding="utf-8"
    )
    with pytest.raises(CorpusError, match="bad pattern"):
        load_corrections(tmp_path)
