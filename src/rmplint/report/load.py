"""Read a JSON report back into a Run, so that saved results can be rendered in any other format."""

from __future__ import annotations

import json
from typing import Any

from rmplint.findings import ClauseVerdict, DocumentResult, Evidence, Finding, Waiver
from rmplint.model import Location
from rmplint.report import RuleInfo, Run


def run_from_json(text: str, fail_on: str | None = None) -> Run:
    data = json.loads(text)
    return Run(
        version=data["tool"]["version"],
        documents=tuple(_document(d) for d in data["documents"]),
        fail_on=fail_on,
        rules=tuple(RuleInfo(**r) for r in data.get("rules", ())),
    )


def _location(d: dict[str, Any]) -> Location:
    return Location(page=d.get("page"), paragraph=d.get("paragraph"), table=d.get("table"), row=d.get("row"),
                    col=d.get("col"), heading_path=tuple(d.get("heading_path") or ()),
                    clause_ref=d.get("clause_ref"), part=d.get("part") or "body")


def _waiver(d: dict[str, Any] | None) -> Waiver | None:
    return Waiver(**d) if d else None


def _document(d: dict[str, Any]) -> DocumentResult:
    return DocumentResult(
        path=d["path"], profile=d.get("profile"), profile_reason=d.get("profile_reason"), error=d.get("error"),
        error_kind=d.get("error_kind"), format=d.get("format"), warnings=tuple(d.get("warnings") or ()),
        summary=d.get("summary") or {},
        clauses=tuple(
            ClauseVerdict(clause=c["clause"], title=c["title"], stage=c["stage"], status=c["status"],
                          severity=c["severity"], reason=c["reason"], rule=c.get("rule"),
                          evidence=tuple(Evidence(e["text"], _location(e["location"])) for e in c.get("evidence", ())),
                          waiver=_waiver(c.get("waiver")))
            for c in d.get("clauses", ())
        ),
        findings=tuple(
            Finding(rule=f["rule"], category=f["category"], severity=f["severity"], message=f["message"],
                    text=f["text"], location=_location(f["location"]), clause=f.get("clause"), term=f.get("term"),
                    alternative=f.get("alternative"), waiver=_waiver(f.get("waiver")))
            for f in d.get("findings", ())
        ),
    )
