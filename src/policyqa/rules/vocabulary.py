"""The rule table's vocabulary, read from `corpus/vocabulary.toml` and validated at load.

Owns the words rules and profiles are written in: subject types (with the broader types each
implies and their aliases), benefits, and every input name a rule may read (kind, Chinese
label, unit, cue words). `load_vocabulary` reads one corpus's file; `default_vocabulary` the
configured corpus's, cached until it changes. Never reads rules.toml and never computes: the
table (`rules.table`) validates its rules against this vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator

from policyqa.rules.kinds import Entry, InputKind
from policyqa.rules.loading import corpus_key, read_model

VOCABULARY_FILE = "vocabulary.toml"


class SubjectType(Entry):
    """Who a rule can be for; `implies` are the broader types it counts as."""

    name: str = Field(min_length=2)
    implies: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


class InputName(Entry):
    """An input a rule may read: its kind, the label a form shows, its unit and cue words."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: InputKind
    label: str = Field(min_length=2)
    unit: str = ""
    cues: tuple[str, ...] = ()


class Vocabulary(Entry):
    """Everything `vocabulary.toml` declares, with the lookups rules and profiles use."""

    benefits: tuple[str, ...] = Field(min_length=1)
    subject: tuple[SubjectType, ...] = Field(min_length=1)
    input: tuple[InputName, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Vocabulary:
        names = [s.name for s in self.subject]
        _refuse_repeats("subject", names)
        _refuse_repeats("input", [i.name for i in self.input])
        known = set(names)
        for subject in self.subject:
            unknown = [s for s in subject.implies if s not in known]
            if unknown:
                raise ValueError(f"subject {subject.name} implies unknown types {unknown}")
        aliases = [a for s in self.subject for a in s.aliases]
        _refuse_repeats("alias", aliases)
        clash = sorted(set(aliases) & known)
        if clash:
            raise ValueError(f"aliases {clash} are also subject names")
        return self

    def subject_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.subject)

    def canonical_subject(self, word: str) -> str | None:
        """The subject type a name or alias stands for (None when it is neither)."""
        for subject in self.subject:
            if word == subject.name or word in subject.aliases:
                return subject.name
        return None

    def expand(self, subjects: Iterable[str]) -> frozenset[str]:
        """The subject types plus every broader type they imply (transitively)."""
        implies = {s.name: s.implies for s in self.subject}
        out: set[str] = set()
        todo = list(subjects)
        while todo:
            subject = todo.pop()
            if subject not in out:
                out.add(subject)
                todo.extend(implies.get(subject, ()))
        return frozenset(out)

    def input_named(self, name: str) -> InputName | None:
        return next((i for i in self.input if i.name == name), None)


def _refuse_repeats(what: str, names: list[str]) -> None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{what} names {repeated} are declared more than once")


def load_vocabulary(corpus_dir: Path) -> Vocabulary:
    """Read and validate `corpus_dir/vocabulary.toml`; RulesError says what to fix."""
    return read_model(
        corpus_dir / VOCABULARY_FILE,
        Vocabulary,
        f"create {VOCABULARY_FILE} next to rules.toml (subject types, benefits, input names)",
    )


@lru_cache(maxsize=4)
def _cached(corpus_dir: Path, mtimes: tuple[int, ...]) -> Vocabulary:
    return load_vocabulary(corpus_dir)


def default_vocabulary(corpus_dir: Path | None = None) -> Vocabulary:
    """The vocabulary of `corpus_dir` (default: the configured corpus), cached until it changes."""
    return _cached(*corpus_key(corpus_dir, VOCABULARY_FILE))
