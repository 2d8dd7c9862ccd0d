"""Proposed rules in rules.toml: appended for review, and accepted once a person checked them.

Owns the two edits of the rule table that are not made by hand: `write_candidates` appends
proposals (`reviewed = false`) and `accept_rule` marks one reviewed. Both edit the file with
tomlkit, so comments and layout stay as written, write it atomically, and put the old text
back when the table no longer loads. Never proposes a rule (`rules.propose`) and never
computes one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomlkit

from policyqa.rules.loading import RulesError
from policyqa.rules.model import Rule
from policyqa.rules.table import RULES_FILE, load_rules


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _replace_checked(corpus_dir: Path, text: str) -> None:
    """Write `text` as the rule table; restore the old one if the new one does not load."""
    path = corpus_dir / RULES_FILE
    old = path.read_text(encoding="utf-8")
    _write_atomically(path, text)
    try:
        load_rules(corpus_dir)
    except RulesError:
        _write_atomically(path, old)
        raise


def write_candidates(corpus_dir: Path, proposals: Iterable[dict[str, Any]]) -> list[str]:
    """Append the proposals whose id the table does not have yet; their ids, in order."""
    path = corpus_dir / RULES_FILE
    text = path.read_text(encoding="utf-8")
    table = tomlkit.parse(text)
    known = {str(r["id"]) for r in table.get("rule", [])}
    added = [p for p in proposals if p["id"] not in known]
    if not added:
        return []
    block = tomlkit.dumps({"rule": added})
    header = (
        "\n# --- proposed by `policyqa rules propose`: review, then `policyqa rules accept` ---\n"
    )
    _replace_checked(corpus_dir, text.rstrip("\n") + "\n" + header + block)
    return [p["id"] for p in added]


def accept_rule(corpus_dir: Path, rule_id: str) -> Rule:
    """Mark a proposed rule reviewed; RulesError when it is unknown or already reviewed."""
    path = corpus_dir / RULES_FILE
    table = tomlkit.parse(path.read_text(encoding="utf-8"))
    entry = next((r for r in table.get("rule", []) if str(r["id"]) == rule_id), None)
    if entry is None:
        raise RulesError(
            f"{RULES_FILE} 中没有规则 {rule_id}；用 policyqa rules propose DOC_ID 生成"
        )
    if entry.get("reviewed", True):
        raise RulesError(f"规则 {rule_id} 已是审核过的规则")
    del entry["reviewed"]  # reviewed is the default
    _replace_checked(corpus_dir, tomlkit.dumps(table))
    return load_rules(corpus_dir).get(rule_id)
