"""Result objects that cross from the engine to the reporters: evidence, verdicts, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rmplint.model import Location

STATUSES = ("met", "partial", "missing", "not-applicable", "not-checked")
SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_rank(sev: str) -> int:
    return SEVERITIES.index(sev)


@dataclass(frozen=True)
class Waiver:
    """An accepted deviation applied to a result (from the waivers file)."""

    justification: str
    approver: str
    expires: str  # ISO date
    source: str  # file the waiver came from
    expired: bool = False  # an expired waiver no longer waives; it is shown as expired

    def to_dict(self) -> dict[str, Any]:
        return {"justification": self.justification, "approver": self.approver, "expires": self.expires,
                "source": self.source, "expired": self.expired}


@dataclass(frozen=True)
class Evidence:
    text: str
    location: Location
    item: str | None = None  # the rule's evidence key this quote supports

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "location": self.location.to_dict()}


class _Waivable:
    """A result a waiver can apply to: waived while its waiver has not expired."""

    waiver: Waiver | None

    @property
    def waived(self) -> bool:
        return self.waiver is not None and not self.waiver.expired


@dataclass(frozen=True)
class ClauseVerdict(_Waivable):
    clause: str
    title: str
    stage: str
    status: str
    severity: str
    reason: str
    rule: str | None = None
    evidence: tuple[Evidence, ...] = ()
    waiver: Waiver | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "waiver": self.waiver.to_dict() if self.waiver else None,
            "clause": self.clause,
            "title": self.title,
            "stage": self.stage,
            "status": self.status,
            "severity": self.severity,
            "rule": self.rule,
            "reason": self.reason,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Finding(_Waivable):
    rule: str
    category: str  # adversarial | collaborative | hygiene
    severity: str
    message: str
    text: str
    location: Location
    clause: str | None = None
    term: str | None = None
    alternative: str | None = None
    waiver: Waiver | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "waiver": self.waiver.to_dict() if self.waiver else None,
            "rule": self.rule,
            "clause": self.clause,
            "term": self.term,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "alternative": self.alternative,
            "text": self.text,
            "location": self.location.to_dict(),
        }


@dataclass(frozen=True)
class DocumentResult:
    path: str
    profile: str | None
    profile_reason: str | None = None
    error: str | None = None
    error_kind: str | None = None
    format: str | None = None
    clauses: tuple[ClauseVerdict, ...] = ()
    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "profile": self.profile,
            "profile_reason": self.profile_reason,
            "error": self.error,
            "error_kind": self.error_kind,
            "warnings": list(self.warnings),
            "clauses": [c.to_dict() for c in self.clauses],
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary,
        }
