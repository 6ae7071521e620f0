"""SARIF 2.1.0 report: one result per missing/partial clause and per term or hygiene finding.

Documents have no lines: a region's startLine is the paragraph number (reading order, table cells
counted), and page/table/row/col sit in the region's (or, without a paragraph, the location's) properties.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from rmplint.catalogue import load_catalogue
from rmplint.findings import ClauseVerdict, DocumentResult, Finding, Waiver
from rmplint.model import Location
from rmplint.report import Run
from rmplint.report.common import doc_uri, non_met, requirement, stable_json

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
_LINE_NOTE = ("startLine is the paragraph number in the document (reading order, paragraphs inside "
              "table cells counted), not a text line; page, table, row and col are in properties")


def render(run: Run) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for doc in run.documents:
        if doc.error:
            continue
        found = [_clause_result(run, doc, c, rules) for c in non_met(doc)]
        found += [_finding_result(run, doc, f, rules) for f in doc.findings]
        seen: Counter[str] = Counter()
        for r in found:  # the same quote found twice (two "TBC"s) still needs two identities
            fp = r["partialFingerprints"]
            seen[fp["rmplintResult/v1"]] += 1
            if seen[fp["rmplintResult/v1"]] > 1:
                fp["rmplintResult/v1"] += f":{seen[fp['rmplintResult/v1']]}"
        results += found
    ids = sorted(rules)
    for r in results:
        r["ruleIndex"] = ids.index(r["ruleId"])
    notifications = [
        {"level": "error", "message": {"text": f"{d.path}: {d.error}"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": doc_uri(d.path)}}}],
         "properties": {"errorKind": d.error_kind}}
        for d in run.documents if d.error
    ]
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rmplint",
                "version": run.version,
                "rules": [rules[i] for i in ids],
            }},
            "invocations": [{"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}],
            "artifacts": [{"location": {"uri": doc_uri(d.path)}, "properties": {"format": d.format, "profile": d.profile}}
                          for d in run.documents],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"lineUnit": "paragraph", "lineNote": _LINE_NOTE},
        }],
    }
    return stable_json(sarif)


def _clause_result(run: Run, doc: DocumentResult, c: ClauseVerdict, rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rule_id = c.rule or f"bs11000.{c.clause}"
    info = run.rule(c.rule)
    req = requirement(c, info)
    if rule_id not in rules:
        rules[rule_id] = _rule(rule_id, f"{c.clause} {c.title}", req, info.why if info else None, {
            "clause": c.clause, "stage": c.stage, "severity": info.severity if info else c.severity, "kind": "clause"})
    ev = c.evidence
    out: dict[str, Any] = {
        "ruleId": rule_id,
        "level": _LEVEL[c.severity],
        "message": {"text": f"{c.clause} {c.title}: {c.status}. {c.reason}"},
        "locations": [_location(doc, ev[0].location if ev else None)],
        "partialFingerprints": {"rmplintResult/v1": _fingerprint(doc.path, rule_id, c.clause)},
        "properties": {"clause": c.clause, "stage": c.stage, "status": c.status, "severity": c.severity,
                       "evidenceTotal": c.evidence_count},
    }
    if len(ev) > 1:
        out["relatedLocations"] = [
            {**_location(doc, e.location), "id": i, "message": {"text": e.text}} for i, e in enumerate(ev[1:], 1)
        ]
    if ev:
        out["locations"][0]["message"] = {"text": ev[0].text}
    _waive(out, c.waiver, c.waived)
    return out


def _finding_result(run: Run, doc: DocumentResult, f: Finding, rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    info = run.rule(f.rule)
    if f.rule not in rules:
        name = f.term or (info.term if info else None) or f.rule
        short = info.requirement if info else f.message
        clause = load_catalogue().clause(f.clause) if f.clause else None
        props = {"clause": f.clause, "stage": clause.stage if clause else None,
                 "severity": info.severity if info else f.severity, "kind": f.category}
        if f.alternative:
            props["alternative"] = f.alternative
        rules[f.rule] = _rule(f.rule, name, short, info.why if info else None, props)
    level = "note" if f.category == "collaborative" else _LEVEL[f.severity]
    loc = _location(doc, f.location)
    loc["message"] = {"text": f.text}
    out = {
        "ruleId": f.rule,
        "level": level,
        "message": {"text": f.message},
        "locations": [loc],
        "partialFingerprints": {"rmplintResult/v1": _fingerprint(doc.path, f.rule, " ".join(f.text.split()))},
        "properties": {"category": f.category, "clause": f.clause, "term": f.term, "severity": f.severity,
                       "alternative": f.alternative},
    }
    _waive(out, f.waiver, f.waived)
    return out


def _rule(rule_id: str, name: str, short: str, why: str | None, props: dict[str, Any]) -> dict[str, Any]:
    full = f"{short} {why}" if why else short
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": full},
        "defaultConfiguration": {"level": _LEVEL.get(str(props.get("severity")), "warning")},
        "properties": {k: v for k, v in props.items() if v is not None},
    }


def _location(doc: DocumentResult, loc: Location | None) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": {"uri": doc_uri(doc.path)}}
    out: dict[str, Any] = {"physicalLocation": phys}
    if loc is None:
        return out
    where: dict[str, int | str] = {
        k: v for k, v in (("page", loc.page), ("table", loc.table), ("row", loc.row), ("col", loc.col)) if v is not None
    }
    if loc.part != "body":
        where["part"] = loc.part
    if loc.paragraph is not None:
        phys["region"] = {"startLine": loc.paragraph, "properties": {"paragraph": loc.paragraph, **where}}
    elif where:
        phys["properties"] = where
    logical = []
    if loc.heading_path:
        logical.append({"name": loc.heading_path[-1], "fullyQualifiedName": " > ".join(loc.heading_path),
                        "kind": "section"})
    if loc.clause_ref:
        logical.append({"name": loc.clause_ref, "fullyQualifiedName": f"clause {loc.clause_ref}", "kind": "clause"})
    if logical:
        out["logicalLocations"] = logical
    return out


def _waive(result: dict[str, Any], waiver: Waiver | None, waived: bool) -> None:
    if waiver is None:
        return
    result["properties"]["waiver"] = waiver.to_dict()
    if waived:
        result["suppressions"] = [{
            "kind": "external", "status": "accepted", "justification": waiver.justification,
            "properties": {"approver": waiver.approver, "expires": waiver.expires, "source": waiver.source},
        }]


def _fingerprint(*parts: str) -> str:
    """Stable across runs and paragraph renumbering: the document, the rule and what was found."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
