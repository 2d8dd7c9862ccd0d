"""The rule table (`corpus/rules.toml`): loaded, validated against the corpus and cached.

Each rule names its clause, who qualifies, the conditions, the formula kind and its numbers
(the entries are `policyqa.rules.model`); loading fills in the region and status from the corpus
manifest, and marks the rules a combination provision ("就高、不重复") governs with the
exclusive group that matching applies. `RuleBook` is the whole table with its lookups. Never
computes an amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from policyqa.corpus.manifest import CorpusError, Manifest, load_manifest
from policyqa.rules.loading import RulesError, corpus_key, read_model
from policyqa.rules.model import Combination, Entry, Exclusion, IndustryCategory, Provision, Rule
from policyqa.rules.vocabulary import VOCABULARY_FILE, Vocabulary, load_vocabulary

__all__ = ["RULES_FILE", "RuleBook", "RulesError", "default_rules", "load_rules"]

RULES_FILE = "rules.toml"


class _RulesFile(Entry):
    industry: tuple[IndustryCategory, ...] = ()
    combination: tuple[Combination, ...] = ()
    rule: tuple[Rule, ...] = ()
    exclusion: tuple[Exclusion, ...] = ()
    provision: tuple[Provision, ...] = ()


@dataclass(frozen=True)
class RuleBook:
    """Everything in the rule table, with lookups by rule and by clause."""

    rules: tuple[Rule, ...]  # reviewed rules only: the ones amounts are computed from
    combinations: tuple[Combination, ...]
    exclusions: tuple[Exclusion, ...]
    provisions: tuple[Provision, ...]
    industries: tuple[IndustryCategory, ...]
    vocabulary: Vocabulary
    candidates: tuple[Rule, ...] = ()  # proposed, not yet reviewed (`reviewed = false`)

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(
            f"unknown rule id {rule_id!r}; list them with policyqa.rules.table.load_rules"
        )

    def for_clause(self, clause_id: str) -> list[Rule]:
        """The rules stated by one clause, in table order (empty when it grants no amount)."""
        return [r for r in self.rules if r.clause_id == clause_id]

    def provisions_for(self, clause_id: str) -> list[Provision]:
        """The support without an amount that one clause states (一事一议 …)."""
        return [p for p in self.provisions if p.clause_id == clause_id]

    def clause_ids(self) -> list[str]:
        return sorted({r.clause_id for r in self.rules})


def _parse_file(path: Path, vocabulary: Vocabulary) -> _RulesFile:
    return read_model(
        path,
        _RulesFile,
        f"create {RULES_FILE} in the corpus directory",
        context={"vocabulary": vocabulary},
    )


def _resolve(
    parsed: _RulesFile, manifest: Manifest, path: Path, vocabulary: Vocabulary
) -> RuleBook:
    ids = [r.id for r in parsed.rule]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RulesError(f"{path}: duplicate rule ids {dupes}")
    known = set(ids)
    groups: dict[str, Combination] = {}
    for combo in parsed.combination:
        manifest_ids = {d.id for d in manifest.documents}
        if combo.doc_id not in manifest_ids:
            raise RulesError(
                f"{path}: combination {combo.id} names unknown document {combo.doc_id}"
            )
        for rule_id in combo.except_rules:
            if rule_id not in known:
                raise RulesError(f"{path}: combination {combo.id} excepts unknown rule {rule_id}")
        groups[combo.doc_id] = combo
    rules: list[Rule] = []
    for rule in parsed.rule:
        try:
            doc = manifest.get(rule.doc_id)
        except CorpusError as e:
            raise RulesError(f"{path}: rule {rule.id}: {e}") from e
        if rule.special_case_of and rule.special_case_of not in known:
            raise RulesError(f"{path}: rule {rule.id} is a special case of unknown rule")
        region_terms = {c.category: c.terms for c in parsed.industry if c.region == doc.region}
        terms = {c: t for c, t in region_terms.items() if c in rule.industries}
        missing = set(rule.industries) - set(terms)
        if missing:
            raise RulesError(
                f"{path}: rule {rule.id} names industries {sorted(missing)} with no [[industry]] "
                f"list for {doc.region}"
            )
        combo = groups.get(rule.doc_id)
        in_group = combo is not None and rule.id not in combo.except_rules
        rules.append(
            rule.model_copy(
                update={
                    "region": doc.region,
                    "doc_status": doc.status,
                    "exclusive_group": combo.id if in_group and combo else None,
                    "exclusive_clause_id": combo.clause_id if in_group and combo else None,
                    "industry_terms": terms,
                    "region_industry_terms": region_terms,
                }
            )
        )
    provisions = []
    for provision in parsed.provision:
        try:
            doc = manifest.get(provision.doc_id)
        except CorpusError as e:
            raise RulesError(f"{path}: provision {provision.title}: {e}") from e
        provisions.append(provision.model_copy(update={"region": doc.region}))
    return RuleBook(
        rules=tuple(r for r in rules if r.reviewed),
        combinations=parsed.combination,
        exclusions=parsed.exclusion,
        provisions=tuple(provisions),
        industries=parsed.industry,
        vocabulary=vocabulary,
        candidates=tuple(r for r in rules if not r.reviewed),
    )


def load_rules(corpus_dir: Path) -> RuleBook:
    """Read and validate `corpus_dir/rules.toml` against the corpus manifest."""
    path = corpus_dir / RULES_FILE
    try:
        manifest = load_manifest(corpus_dir)
    except CorpusError as e:
        raise RulesError(str(e)) from e
    vocabulary = load_vocabulary(corpus_dir)
    return _resolve(_parse_file(path, vocabulary), manifest, path, vocabulary)


@lru_cache(maxsize=4)
def _cached(corpus_dir: Path, mtimes: tuple[int, ...]) -> RuleBook:
    return load_rules(corpus_dir)


def default_rules(corpus_dir: Path | None = None) -> RuleBook:
    """The rule table of `corpus_dir` (default: the configured corpus), cached until it changes."""
    return _cached(*corpus_key(corpus_dir, RULES_FILE, VOCABULARY_FILE))


def rules_for_clause(clause_id: str, corpus_dir: Path | None = None) -> list[Rule]:
    """The rules a clause states (empty when it grants no computable amount)."""
    return default_rules(corpus_dir).for_clause(clause_id)
