"""Running a batch: documents in, results out, in a stable order.

A CheckSpec says how to build the checker (rule folders, options); it is small and picklable, so
that worker processes can each build their own checker once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rmplint.engine import CheckOptions, Checker
from rmplint.findings import DocumentResult


@dataclass(frozen=True)
class CheckSpec:
    rule_dirs: tuple[str, ...] = ()
    options: CheckOptions = CheckOptions()

    def build(self) -> Checker:
        from pathlib import Path

        from rmplint.rules.loader import load_pack

        return Checker(load_pack([Path(d) for d in self.rule_dirs]), self.options)


def run_batch(paths: Sequence[str], spec: CheckSpec, checker: Checker | None = None) -> list[DocumentResult]:
    """Check every path; one result per path (errors included), sorted by path."""
    checker = checker or spec.build()
    return sorted((checker.check_path(p) for p in paths), key=lambda r: r.path)
