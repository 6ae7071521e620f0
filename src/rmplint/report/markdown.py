"""Markdown report for review comments: a summary table per stage, clauses not met with reasons, findings."""

from __future__ import annotations

import re

from rmplint.findings import DocumentResult
from rmplint.report import Run
from rmplint.report.common import maturity_levels, non_met, short, stage_label, stage_table, waiver_text

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def md(text: str | None) -> str:
    """Document text made inert: one line, Markdown and HTML characters escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def render(run: Run) -> str:
    s = run.summary()
    lines = [
        "# rmplint report",
        "",
        f"rmplint {md(run.version)}: {s['documents']} document(s), {s['errors']} unreadable; clauses: "
        f"{s['met']} met, {s['partial']} partial, {s['missing']} missing, {s['not-checked']} not checked; findings: "
        f"{s['adversarial_findings']} potentially adversarial, {s['collaborative_findings']} collaborative, "
        f"{s['hygiene_findings']} hygiene.",
    ]
    for doc in run.documents:
        lines += ["", *_document(doc)]
    return "\n".join(lines) + "\n"


def _document(doc: DocumentResult) -> list[str]:
    head = f"## {md(doc.path)}"
    if doc.error:
        return [head, "", f"**Unreadable:** {md(doc.error)}"]
    out = [head, "", f"Profile: **{md(doc.profile)}** ({md(doc.profile_reason or 'profile given')})."]
    out += [f"> warning: {md(w)}" for w in doc.warnings]
    stages = stage_table(doc)
    if stages:
        levels = maturity_levels()
        show_maturity = any(r["level"] for r in stages)
        out += ["", "| Stage | Met | Partial | Missing | Not applicable | Not checked |" + (" Maturity |" if show_maturity else ""),
                "|---|---:|---:|---:|---:|---:|" + ("---|" if show_maturity else "")]
        for r in stages:
            n = r["counts"]
            row = (f"| {md(r['label'])} (clause {r['clause']}) | {n['met']} | {n['partial']} | {n['missing']} | "
                   f"{n['not-applicable']} | {n['not-checked']} |")
            if show_maturity:
                level = r["level"]
                if level:
                    row += f" {md(level)}: {md(levels.get(level, ''))}; {md(r['level_reason'])} |"
                else:
                    row += f" – {md(r['level_reason'])} |" if r["level_reason"] else " – |"
            out.append(row)
    problems = non_met(doc)
    if problems:
        out += ["", "### Clauses not met", ""]
        for c in problems:
            line = f"- **{md(c.clause)} {md(c.title)}** ({md(stage_label(c.stage))}): {c.status}, {c.severity}. {md(c.reason)}"
            if c.evidence:
                e = c.evidence[0]
                line += f" Evidence: “{md(short(e.text))}” ({md(e.location.describe())})."
            if c.waiver:
                line += f" _{md(waiver_text(c.waiver))}_"
            out.append(line)
    summary = doc.summary
    if doc.profile == "contract" and "balance" in summary:
        bal = summary["balance"]
        out += ["", f"Balance of Table 10 terms: {bal.get('adversarial', 0)} potentially adversarial, "
                    f"{bal.get('collaborative', 0)} collaborative."]
        if summary.get("missing_counterparts"):
            out.append("Missing collaborative counterparts: " + "; ".join(md(m) for m in summary["missing_counterparts"]) + ".")
    if doc.findings:
        out += ["", "### Findings", "", "| Category | Term | Severity | Where | Text | Note |", "|---|---|---|---|---|---|"]
        for f in doc.findings:
            note = f"Alternative: {md(f.alternative)}" if f.alternative else ""
            if f.waiver:
                note = "; ".join(x for x in (note, md(waiver_text(f.waiver))) if x)
            out.append(f"| {f.category} | {md(f.term or f.rule)} | {f.severity} | {md(f.location.describe())} | "
                       f"{f'“{md(short(f.text))}”' if f.text else md(f.message)} | {note} |")
    return out
