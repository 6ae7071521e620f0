"""`rmplint rules test`: every rule's own pass/fail examples, run through the real pipeline.

A pass example must make the rule met (clause) or present (term) on its own; a fail example must
not. A rule needs at least two of each, and its fail examples must include a negated and a
deferred (or conditional) version, so that every rule is shown to resist both.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rmplint.rules.spec import Rule, RulePack


@dataclass
class SelfTestReport:
    passed: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)
    ok_lines: list[str] = field(default_factory=list)

    def lines(self, verbose: bool = False) -> list[str]:
        return (self.ok_lines if verbose else []) + self.problems


def _document(text: str, tmp: Path, n: int):  # type: ignore[no-untyped-def]
    from rmplint.ingest.common import Limits
    from rmplint.ingest.text import read

    path = tmp / f"example-{n}.md"
    path.write_text(text, encoding="utf-8")
    return read(path, Limits(), markdown=True)


def run_examples(pack: RulePack, rules: tuple[Rule, ...] | None = None) -> SelfTestReport:
    from rmplint.detect.analysis import analyse
    from rmplint.engine import Checker

    checker = Checker(pack)
    report = SelfTestReport()
    n = 0
    with tempfile.TemporaryDirectory(prefix="rmplint-examples-") as d:
        tmp = Path(d)
        for rule in rules or pack.rules:
            profile = "contract" if rule.kind == "term" else "rmp"
            problems = []
            if len(rule.examples_pass) < 2 or len(rule.examples_fail) < 2:
                problems.append("needs at least two pass and two fail examples")
            fail_marks: set[str] = set()
            for expect, examples in (("pass", rule.examples_pass), ("fail", rule.examples_fail)):
                for ex in examples:
                    n += 1
                    adoc = analyse(_document(ex, tmp, n), checker.matcher, profile)
                    status = checker.evaluate(rule, adoc).status
                    if expect == "fail":
                        for s in adoc.sentences:
                            fail_marks |= s.marks
                    ok = (status == "met") == (expect == "pass")
                    line = f"{rule.id}: {expect} example gave {status}: {ex.strip()[:120]!r}"
                    if ok:
                        report.ok_lines.append("ok   " + line)
                    else:
                        problems.append(line)
            if not fail_marks & {"negated", "excluded"}:
                problems.append("fail examples need a negated version")
            if not fail_marks & {"deferred", "conditional"}:
                problems.append("fail examples need a deferred (or conditional) version")
            if problems:
                report.failed += 1
                report.problems.extend(f"FAIL {p if p.startswith(rule.id) else rule.id + ': ' + p}" for p in problems)
            else:
                report.passed += 1
    return report
