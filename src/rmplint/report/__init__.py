"""Reporters: one module per output format. Each only reads result objects and writes text."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - the command line imports this package for FORMATS alone
    from rmplint.findings import DocumentResult


@dataclass(frozen=True)
class RuleInfo:
    """What a report may say about a rule beyond the results (SARIF rule metadata, HTML help)."""

    id: str
    kind: str  # "clause" | "term"
    severity: str
    requirement: str
    clause: str | None = None
    term: str | None = None
    category: str | None = None
    why: str | None = None
    alternative: str | None = None

    @classmethod
    def from_rule(cls, rule: Any) -> RuleInfo:
        return cls(id=rule.id, kind=rule.kind, severity=rule.severity, requirement=rule.requirement,
                   clause=rule.clause, term=rule.term, category=rule.category, why=rule.why,
                   alternative=rule.alternative)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "severity": self.severity, "requirement": self.requirement,
                "clause": self.clause, "term": self.term, "category": self.category, "why": self.why,
                "alternative": self.alternative}


def rules_of(pack: Any) -> tuple[RuleInfo, ...]:
    """The rule metadata reporters may show, taken from a loaded rule pack."""
    return tuple(RuleInfo.from_rule(r) for r in pack.rules)


@dataclass(frozen=True)
class Run:
    """Everything a reporter needs: the results of one run, in a stable order."""

    version: str
    documents: tuple[DocumentResult, ...]
    fail_on: str | None = None
    rules: tuple[RuleInfo, ...] = ()  # optional: reports fall back to the catalogue without it

    def rule(self, rule_id: str | None) -> RuleInfo | None:
        return next((r for r in self.rules if r.id == rule_id), None) if rule_id else None

    def summary(self) -> dict[str, object]:
        out: dict[str, object] = {"documents": len(self.documents), "errors": sum(1 for d in self.documents if d.error)}
        for key in ("met", "partial", "missing", "not-applicable", "not-checked"):
            out[key] = sum(int(d.summary.get(key, 0)) for d in self.documents)
        for key in ("adversarial", "collaborative", "hygiene"):
            out[f"{key}_findings"] = sum(1 for d in self.documents for f in d.findings if f.category == key)
        return out


# "csv-bom" is the CSV checklist with a UTF-8 byte order mark, for spreadsheets that need one.
FORMATS = ("text", "json", "sarif", "html", "csv", "csv-bom", "markdown", "junit")
SUFFIXES = {"text": ".txt", "json": ".json", "sarif": ".sarif", "html": ".html", "csv": ".csv",
            "csv-bom": ".csv", "markdown": ".md", "junit": ".xml"}


def render(fmt: str, run: Run, color: bool = False) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    module = importlib.import_module(f"rmplint.report.{'csv' if fmt == 'csv-bom' else fmt}")
    if fmt == "text":
        return str(module.render(run, color=color))
    if fmt == "csv-bom":
        return str(module.render(run, bom=True))
    return str(module.render(run))


def render_bytes(fmt: str, run: Run, color: bool = False) -> bytes:
    """The report as the bytes written out: UTF-8 (the JSON report straight from its encoder)."""
    return b"".join(render_chunks(fmt, run, color))


def render_chunks(fmt: str, run: Run, color: bool = False) -> list[bytes]:
    """render_bytes in pieces to be written one after the other (the JSON report's documents as
    they were encoded, without copying megabytes into one buffer first; one piece otherwise)."""
    if fmt == "json":
        return list(importlib.import_module("rmplint.report.json").render_chunks(run))
    return [render(fmt, run, color=color).encode("utf-8")]


def parse_output(value: str, default_fmt: str) -> tuple[str, str]:
    """`-o` value → (format, path): "html=report.html" names its format; a plain path takes --format.

    A word before "=" that is not a format is a mistake ("htm=x.html"), not a file name, so it is refused.
    """
    head, sep, tail = value.partition("=")
    if sep and head.replace("-", "").isalpha():
        if head not in FORMATS:
            raise ValueError(f"unknown report format {head!r} in {value!r} (one of: {', '.join(FORMATS)})")
        if not tail:
            raise ValueError(f"no file after {head}= in {value!r}")
        return head, tail
    return default_fmt, value


def write_report(fmt: str, run: Run, path: str) -> None:
    """Write one report; newline="" so CSV's CRLF rows and every other format are written as rendered."""
    data = render_chunks(fmt, run)  # before opening, so that a failing reporter leaves no empty file
    with open(path, "wb") as fh:
        fh.writelines(data)
