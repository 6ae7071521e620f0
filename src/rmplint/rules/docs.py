"""Rule documentation generated from the rule YAML: `rules list` (text, Markdown, JSON) and `rules explain`."""

from __future__ import annotations

import json

from rmplint.catalogue import clause_key, load_catalogue
from rmplint.rules.spec import HeadingSpec, PatternSpec, PaymentSpec, Rule, RulePack, SentenceSpec, TableSpec


def _order(rule: Rule) -> tuple:  # type: ignore[type-arg]
    if rule.kind == "clause" and rule.clause:
        return (0, clause_key(rule.clause), rule.id)
    return (1, (0,), rule.category or "", rule.term or "", rule.id)


def listing(pack: RulePack, fmt: str) -> str:
    rules = sorted(pack.rules, key=_order)
    cat = load_catalogue()
    if fmt == "json":
        rows = [
            {"id": r.id, "kind": r.kind, "clause": r.clause, "term": r.term, "category": r.category,
             "severity": r.severity, "requirement": r.requirement}
            for r in rules
        ]
        return json.dumps(rows, indent=2, sort_keys=True) + "\n"
    if fmt == "markdown":
        out = [
            "# rmplint rules",
            "",
            "Generated from the rule YAML by `rmplint rules list --format markdown`; do not edit by hand.",
            "",
        ]
        clauses = [r for r in rules if r.kind == "clause"]
        checkable = {c.clause for c in cat.checkable}
        out += [
            f"## BS 11000 clauses ({len({r.clause for r in clauses})} of {len(checkable)} checkable clauses have rules)",
            "",
            "| Clause | Title | Stage | Severity | Requirement (rmplint's summary) | Rule |",
            "|---|---|---|---|---|---|",
        ]
        for r in clauses:
            c = cat.clause(r.clause or "")
            out.append(f"| {r.clause} | {c.title if c else ''} | {c.stage if c else ''} | {r.severity} | {_md(r.requirement)} | `{r.id}` |")
        missing = sorted(checkable - {r.clause for r in clauses}, key=clause_key)
        if missing:
            out += ["", "Clauses without a rule yet (reported as `not-checked`): " + ", ".join(missing) + "."]
        terms = [r for r in rules if r.kind == "term"]
        out += [
            "",
            f"## Table 10 contracting terms ({len(terms)} of {len(cat.adversarial_terms) + len(cat.collaborative_terms)})",
            "",
            "| Term | Category | Severity | Present when | Collaborative alternative | Rule |",
            "|---|---|---|---|---|---|",
        ]
        for r in terms:
            out.append(f"| {r.term} | {r.category} | {r.severity} | {_md(r.requirement)} | {r.alternative or ''} | `{r.id}` |")
        return "\n".join(out) + "\n"
    lines = []
    for r in rules:
        key = r.clause if r.kind == "clause" else f"{r.term} ({r.category})"
        lines.append(f"{r.id:<55} {key:<40} {r.severity:<8} {r.requirement}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _detector(d: object) -> str:
    if isinstance(d, SentenceSpec):
        parts = []
        if d.all:
            parts.append("all of " + ", ".join(d.all))
        if d.any:
            parts.append("any of " + ", ".join(d.any))
        if d.either:
            parts.append("in the sentence or its section: " + ", ".join(d.either))
        if d.section:
            parts.append("under a heading/column about " + ", ".join(d.section))
        if d.none:
            parts.append("none of " + ", ".join(d.none))
        if d.kinds:
            parts.append("in " + ", ".join(d.kinds))
        return "a sentence with " + "; ".join(parts) + (" (weak)" if d.weak else "")
    if isinstance(d, TableSpec):
        cols = " + ".join("[" + " / ".join(g) + "]" for g in d.columns)
        return f"a table with columns {cols}" + (f" under {', '.join(d.section)}" if d.section else "")
    if isinstance(d, HeadingSpec):
        return f"a section headed by {', '.join(d.any)} with at least {d.min_sentences} usable sentence(s)"
    if isinstance(d, PatternSpec):
        return f"a sentence matching /{d.regex}/"
    if isinstance(d, PaymentSpec):
        return f"a payment period {'over ' + d.over if d.over else 'within ' + (d.within or '')}"
    return repr(d)


def explain(rule: Rule, pack: RulePack) -> str:
    cat = load_catalogue()
    out = [f"{rule.id}  ({rule.file})"]
    if rule.kind == "clause" and rule.clause:
        c = cat.clause(rule.clause)
        out.append(f"Clause {rule.clause} {c.title if c else ''} — stage {c.stage if c else ''}")
    else:
        out.append(f"Table 10 term: {rule.term} ({rule.category})")
    out.append(f"Severity: {rule.severity}")
    out.append(f"Requirement: {rule.requirement}")
    if rule.why:
        out.append(f"Why it matters: {rule.why}")
    if rule.alternative:
        out.append(f"Collaborative alternative: {rule.alternative}")
    if rule.joint:
        out.append("Needs a joint arrangement: one-sided evidence gives partial at most.")
    out.append("Evidence looked for:")
    for item in rule.evidence:
        flag = " (needed for met)" if item.key in rule.met else ""
        out.append(f"  - {item.key}: {item.describe}{flag}")
        for d in item.detectors:
            out.append(f"      · {_detector(d)}")
    used = sorted({n for item in rule.evidence for d in item.detectors for n in _names(d) if n in pack.concepts})
    if used:
        out.append("Vocabulary:")
        for n in used:
            concept = pack.concepts[n]
            words = list(concept.phrases[:8]) + list(concept.exact[:4])
            more = " …" if len(concept.phrases) + len(concept.exact) > 12 else ""
            out.append(f"  {n}: {concept.describe} — e.g. {', '.join(words)}{more}")
    out.append("Passes:")
    out.extend(f"  + {e.strip()}" for e in rule.examples_pass)
    out.append("Fails:")
    out.extend(f"  - {e.strip()}" for e in rule.examples_fail)
    return "\n".join(out) + "\n"


def _names(d: object) -> list[str]:
    if isinstance(d, SentenceSpec):
        return [*d.all, *d.any, *d.either, *d.section, *d.none]
    if isinstance(d, TableSpec):
        return [n for g in d.columns for n in g] + list(d.section)
    if isinstance(d, HeadingSpec):
        return list(d.any)
    return []
