"""Result objects that cross from the engine to the reporters: evidence, verdicts, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from rmplint.model import Location
from rmplint.options import SEVERITIES as SEVERITIES  # defined with the options: the configuration reads it early

STATUSES = ("met", "partial", "missing", "not-applicable", "not-checked")


def severity_rank(sev: str) -> int:
    return SEVERITIES.index(sev)


_PARTS = {"body": 0, "header": 1, "footer": 2, "footnote": 3}


def location_key(loc: Location) -> tuple[int, int, int, int, int, str]:
    """Where a result sorts: document order by part, paragraph, table cell, then page."""
    return (
        _PARTS.get(loc.part, 9),
        loc.paragraph or 0,
        loc.table or 0,
        loc.row or 0,
        loc.col or 0,
        loc.page and str(loc.page).zfill(6) or "",
    )


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

    def to_dict(self, location: Callable[[Location], dict[str, Any]] = Location.to_dict) -> dict[str, Any]:
        return {"text": self.text, "location": location(self.location)}


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
    evidence: tuple[Evidence, ...] = ()  # the first --max-evidence quotes, in document order
    waiver: Waiver | None = None
    evidence_total: int = 0  # quotes found, kept or not (at least len(evidence))

    @property
    def evidence_count(self) -> int:
        return max(self.evidence_total, len(self.evidence))

    def to_dict(self, location: Callable[[Location], dict[str, Any]] = Location.to_dict) -> dict[str, Any]:
        return {
            "waiver": self.waiver.to_dict() if self.waiver else None,
            "clause": self.clause,
            "title": self.title,
            "stage": self.stage,
            "status": self.status,
            "severity": self.severity,
            "rule": self.rule,
            "reason": self.reason,
            "evidence": [e.to_dict(location) for e in self.evidence],
            "evidence_total": self.evidence_count,
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

    def to_dict(self, location: Callable[[Location], dict[str, Any]] = Location.to_dict) -> dict[str, Any]:
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
            "location": location(self.location),
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
    # This result's part of the JSON report, encoded where it was made (rmplint.report.json.prerender):
    # b"" where it cannot be. Not an argument, so a result made from this one by replace() (a
    # waiver, a printable path) starts without it.
    rendered_json: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        # One dict per Location object: the quotes of one sentence, cited by several clauses,
        # share it (a result's dict is read, never changed)
        locations: dict[int, dict[str, Any]] = {}

        def location(loc: Location) -> dict[str, Any]:
            got = locations.get(id(loc))
            if got is None:
                got = locations[id(loc)] = loc.to_dict()
            return got

        return {
            "path": self.path,
            "format": self.format,
            "profile": self.profile,
            "profile_reason": self.profile_reason,
            "error": self.error,
            "error_kind": self.error_kind,
            "warnings": list(self.warnings),
            "clauses": [c.to_dict(location) for c in self.clauses],
            "findings": [f.to_dict(location) for f in self.findings],
            "summary": self.summary,
        }


def _location(d: dict[str, Any]) -> Location:
    return Location(page=d.get("page"), paragraph=d.get("paragraph"), table=d.get("table"), row=d.get("row"),
                    col=d.get("col"), heading_path=tuple(d.get("heading_path") or ()),
                    clause_ref=d.get("clause_ref"), part=d.get("part") or "body")


def _waiver(d: dict[str, Any] | None) -> Waiver | None:
    return Waiver(**d) if d else None


def result_from_dict(d: dict[str, Any]) -> DocumentResult:
    """Rebuild a result from its to_dict() form (the cache's entries, saved JSON reports); keys
    that older reports lack get their defaults."""
    return DocumentResult(
        path=d["path"], profile=d.get("profile"), profile_reason=d.get("profile_reason"), error=d.get("error"),
        error_kind=d.get("error_kind"), format=d.get("format"), warnings=tuple(d.get("warnings") or ()),
        summary=d.get("summary") or {},
        clauses=tuple(
            ClauseVerdict(clause=c["clause"], title=c["title"], stage=c["stage"], status=c["status"],
                          severity=c["severity"], reason=c["reason"], rule=c.get("rule"),
                          evidence=tuple(Evidence(e["text"], _location(e["location"])) for e in c.get("evidence", ())),
                          waiver=_waiver(c.get("waiver")), evidence_total=c.get("evidence_total", 0))
            for c in d.get("clauses", ())
        ),
        findings=tuple(
            Finding(rule=f["rule"], category=f["category"], severity=f["severity"], message=f["message"],
                    text=f["text"], location=_location(f["location"]), clause=f.get("clause"), term=f.get("term"),
                    alternative=f.get("alternative"), waiver=_waiver(f.get("waiver")))
            for f in d.get("findings", ())
        ),
    )
