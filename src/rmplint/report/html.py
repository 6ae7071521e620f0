"""HTML report: one self-contained page (inline CSS, JS and SVG; nothing fetched) with a dashboard,
a filterable clause table, findings and print styles. All document text is escaped by Jinja2."""

from __future__ import annotations

from typing import Any

from rmplint.findings import SEVERITIES, ClauseVerdict, DocumentResult, Finding
from rmplint.report import Run
from rmplint.report.common import CATEGORIES, STATUSES, maturity_levels, stage_label, stage_table, waiver_text

# Maturity levels as bar lengths: A (high) fills the bar, D (limited application) a quarter of it.
_LEVEL_SIZE = {"A": 4, "B": 3, "C": 2, "D": 1}
_BAR = {"x": 210, "width": 240, "row": 26}


def render(run: Run) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rmplint.report", "templates"),
        autoescape=True,  # every template, whatever its name: document text is never trusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2").render(
        version=run.version,
        summary=run.summary(),
        statuses=STATUSES,
        severities=SEVERITIES,
        categories=CATEGORIES,
        documents=[_document(i, d) for i, d in enumerate(run.documents, 1)],
    )


def _document(index: int, doc: DocumentResult) -> dict[str, Any]:
    stages = stage_table(doc)
    return {
        "id": f"doc{index}",
        "path": doc.path,
        "profile": doc.profile,
        "profile_reason": doc.profile_reason or "profile given",
        "error": doc.error,
        "warnings": list(doc.warnings),
        "counts": {k: sum(1 for c in doc.clauses if c.status == k) for k in STATUSES},
        "finding_counts": {k: sum(1 for f in doc.findings if f.category == k) for k in CATEGORIES},
        "stages": stages,
        "maturity": _maturity_chart(stages),
        "contract": _contract(doc),
        "clauses": [_clause(c) for c in doc.clauses],
        "clause_stages": [(r["id"], r["label"]) for r in stages],
        "findings": [_finding(f) for f in doc.findings],
    }


def _clause(c: ClauseVerdict) -> dict[str, Any]:
    return {
        "clause": c.clause, "title": c.title, "stage": c.stage, "stage_label": stage_label(c.stage),
        "status": c.status, "severity": c.severity, "reason": c.reason, "rule": c.rule,
        "evidence": [{"text": e.text, "where": e.location.describe()} for e in c.evidence],
        "evidence_more": c.evidence_count - len(c.evidence),
        "waived": c.waived, "waiver": waiver_text(c.waiver),
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "category": f.category, "label": f.term or f.rule, "severity": f.severity, "message": f.message,
        "text": f.text, "where": f.location.describe(), "alternative": f.alternative,
        "waived": f.waived, "waiver": waiver_text(f.waiver),
    }


def _maturity_chart(stages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Bar geometry for the inline SVG chart, or None when the results carry no maturity levels."""
    rows = [r for r in stages if r["level"]]
    if not rows:
        return None
    names = maturity_levels()
    bars = []
    for i, r in enumerate(rows):
        size = _LEVEL_SIZE.get(str(r["level"]), 0)
        bars.append({
            "label": r["label"], "level": r["level"], "name": names.get(str(r["level"]), ""),
            "reason": r["level_reason"] or "", "y": i * _BAR["row"] + 4,
            "width": _BAR["width"] * size // 4, "class": f"lv{r['level']}",
        })
    unrated = [{"label": r["label"], "reason": r["level_reason"] or ""} for r in stages if not r["level"]]
    return {"bars": bars, "unrated": unrated, "height": len(rows) * _BAR["row"] + 8, "x": _BAR["x"],
            "full": _BAR["width"], "text_x": _BAR["x"] + _BAR["width"] + 8}


def _contract(doc: DocumentResult) -> dict[str, Any] | None:
    if doc.profile != "contract":
        return None
    balance = doc.summary.get("balance") or {}
    adv, col = int(balance.get("adversarial", 0)), int(balance.get("collaborative", 0))
    total = adv + col
    width = 300
    return {
        "adversarial": adv, "collaborative": col,
        "adv_width": (width * adv // total) if total else 0, "width": width,
        "missing_counterparts": list(doc.summary.get("missing_counterparts") or ()),
        "adversarial_terms": list(doc.summary.get("adversarial_terms") or ()),
        "collaborative_terms": list(doc.summary.get("collaborative_terms") or ()),
    }
