"""Typed, validated rules and vocabulary, as the loader hands them to the detectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Concept:
    """A named idea and the words that express it."""

    name: str
    phrases: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    describe: str = ""


@dataclass(frozen=True)
class SentenceSpec:
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    either: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    weak: bool = False


@dataclass(frozen=True)
class TableSpec:
    columns: tuple[tuple[str, ...], ...]
    section: tuple[str, ...] = ()
    min_rows: int = 2


@dataclass(frozen=True)
class HeadingSpec:
    any: tuple[str, ...]
    min_sentences: int = 2
    weak: bool = False


@dataclass(frozen=True)
class PatternSpec:
    regex: str
    section: tuple[str, ...] = ()
    weak: bool = False


@dataclass(frozen=True)
class PaymentSpec:
    over: str | None = None
    within: str | None = None


Detector = Union[SentenceSpec, TableSpec, HeadingSpec, PatternSpec, PaymentSpec]


@dataclass(frozen=True)
class EvidenceItem:
    key: str
    describe: str
    detectors: tuple[Detector, ...]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str  # "clause" | "term"
    severity: str
    requirement: str
    evidence: tuple[EvidenceItem, ...]
    met: tuple[str, ...]
    partial: tuple[str, ...]
    file: str
    clause: str | None = None
    also_clauses: tuple[str, ...] = ()
    term: str | None = None
    category: str | None = None
    why: str | None = None
    alternative: str | None = None
    joint: bool = False
    negation: str = "block"
    examples_pass: tuple[str, ...] = ()
    examples_fail: tuple[str, ...] = ()


@dataclass(frozen=True)
class RulePack:
    rules: tuple[Rule, ...]
    concepts: dict[str, Concept] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def by_clause(self) -> dict[str, Rule]:
        return {r.clause: r for r in self.rules if r.kind == "clause" and r.clause}

    def terms(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == "term")

    def get(self, key: str) -> Rule | None:
        """A rule by id, clause number or term name."""
        for r in self.rules:
            if key in (r.id, r.clause, r.term) or (r.term and key.lower() == r.term.lower()):
                return r
        return None
