"""Helpers the report formats share: which results count as problems, stage tables, paths, waivers."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from rmplint.catalogue import load_catalogue
from rmplint.findings import ClauseVerdict, DocumentResult, Finding, Waiver, severity_rank

STATUSES = ("met", "partial", "missing", "not-applicable", "not-checked")
NON_MET = ("missing", "partial")
CATEGORIES = ("adversarial", "collaborative", "hygiene")


def stable_json(data: Any) -> str:
    """Indented JSON with sorted keys and a final newline: the same bytes for the same data.

    orjson writes it 20-40x faster than the standard library (a 500-page plan's report has tens
    of thousands of evidence quotes) and gives the same text for what reports hold (strings,
    ints, 3-decimal scores); the standard library writes what orjson refuses, e.g. a file name
    with undecodable bytes (lone surrogates)."""
    got = stable_json_bytes(data)
    if got is not None:
        return got.decode()
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stable_json_bytes(data: Any) -> bytes | None:
    """stable_json's text as UTF-8, as orjson writes it (a batch's report runs to megabytes: no
    decoding it to be encoded again on its way out); None where orjson cannot write the data."""
    got = orjson_indented(data)
    return None if got is None else got + b"\n"


def orjson_indented(data: Any) -> bytes | None:
    """stable_json's text without its final newline, as orjson writes it; None where it cannot."""
    try:
        import orjson

        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    except (ImportError, TypeError):  # no orjson wheel for this platform; a lone surrogate
        return None


def at_or_above(severity: str, fail_on: str | None) -> bool:
    """True when a result of this severity fails the --fail-on gate (no gate: nothing fails)."""
    if not fail_on or fail_on == "none":
        return False
    return severity_rank(severity) >= severity_rank(fail_on)


def non_met(doc: DocumentResult) -> list[ClauseVerdict]:
    return [c for c in doc.clauses if c.status in NON_MET]


def problem_findings(doc: DocumentResult) -> list[Finding]:
    """Findings that are problems (collaborative terms are good news, reported separately)."""
    return [f for f in doc.findings if f.category != "collaborative"]


def stage_label(stage_id: str) -> str:
    """'1. Awareness' — the stage as the standard's process numbers it (clause 3 is stage 1)."""
    try:
        s = load_catalogue().stage(stage_id)
    except StopIteration:
        return stage_id
    return f"{s.number - 2}. {s.name}"


def stage_table(doc: DocumentResult) -> list[dict[str, Any]]:
    """One row per stage (catalogue order) with status counts and, when present, the maturity level."""
    maturity = doc.summary.get("maturity") or {}
    rows = []
    for s in load_catalogue().stages:
        clauses = [c for c in doc.clauses if c.stage == s.id]
        if not clauses:
            continue
        m = maturity.get(s.id) or {}
        rows.append({
            "id": s.id, "label": stage_label(s.id), "clause": s.number,
            "counts": {k: sum(1 for c in clauses if c.status == k) for k in STATUSES},
            "waived": sum(1 for c in clauses if c.waived),
            "level": m.get("level"), "level_reason": m.get("reason"),
        })
    return rows


def maturity_levels() -> dict[str, str]:
    return dict(load_catalogue().maturity_levels)


def requirement(c: ClauseVerdict, rule: Any = None) -> str:
    """What the clause asks: the rule's requirement, else the catalogue's summary, else the title."""
    if rule is not None and rule.requirement:
        return str(rule.requirement)
    cat = load_catalogue().clause(c.clause)
    return (cat.summary if cat and cat.summary else c.title) or c.clause


def doc_uri(path: str) -> str:
    """The document path as a relative URI with forward slashes (absolute only when outside the cwd)."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path(os.getcwd()))
        except ValueError:
            return p.as_uri()
    from urllib.parse import quote

    return quote(str(PurePosixPath(*p.parts)), safe="/")


def waiver_text(w: Waiver | None) -> str:
    if w is None:
        return ""
    state = "expired waiver" if w.expired else "waived"
    return f"{state}: {w.justification} (approved by {w.approver}, until {w.expires})"


def short(text: str, n: int = 200) -> str:
    """A quote cut to n characters on one line, for tables; full quotes go where there is room."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
