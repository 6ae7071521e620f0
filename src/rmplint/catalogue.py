"""The clause catalogue shipped with the package: clause ids, titles and stages of BS 11000,
Table 10 term names, Table 13 exit items, Table 4 exit triggers and the Annex A levels."""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    clause: str
    title: str
    stage: str
    summary: str | None
    group: bool = False

    @property
    def sort_key(self) -> tuple[int, ...]:
        return clause_key(self.clause)


@dataclass(frozen=True)
class Stage:
    number: int
    id: str
    name: str


@dataclass(frozen=True)
class Catalogue:
    stages: tuple[Stage, ...]
    clauses: tuple[Clause, ...]
    collaborative_terms: tuple[str, ...]
    adversarial_terms: tuple[str, ...]
    alternatives: dict[str, str]
    exit_items: tuple[str, ...]
    exit_triggers: tuple[str, ...]
    maturity_levels: dict[str, str]
    by_id: dict[str, Clause]

    @property
    def checkable(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.group)

    def clause(self, cid: str) -> Clause | None:
        return self.by_id.get(cid)

    def stage(self, sid: str) -> Stage:
        return next(s for s in self.stages if s.id == sid)

    def term_category(self, term: str) -> str | None:
        if term in self.collaborative_terms:
            return "collaborative"
        if term in self.adversarial_terms:
            return "adversarial"
        return None


def clause_key(cid: str) -> tuple[int, ...]:
    """Sort clause ids numerically: 4.6.3.1 after 4.6.3, 4.10 after 4.9."""
    return tuple(int(p) if p.isdigit() else 0 for p in cid.split("."))


@functools.lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    from rmplint.yamlio import load_shipped

    raw = load_shipped("catalogue.yaml")
    adv = raw["terms"]["adversarial"]
    clauses = tuple(
        Clause(str(c["clause"]), c["title"], c["stage"], c.get("summary"), bool(c.get("group"))) for c in raw["clauses"]
    )
    return Catalogue(
        stages=tuple(Stage(s["number"], s["id"], s["name"]) for s in raw["stages"]),
        clauses=clauses,
        collaborative_terms=tuple(raw["terms"]["collaborative"]),
        adversarial_terms=tuple(a["term"] for a in adv),
        alternatives={a["term"]: a["alternative"] for a in adv},
        exit_items=tuple(raw["exit_items"]),
        exit_triggers=tuple(raw["exit_triggers"]),
        maturity_levels=dict(raw["maturity_levels"]),
        by_id={c.clause: c for c in clauses},
    )
