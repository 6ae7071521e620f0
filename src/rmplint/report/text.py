"""Terminal report: clauses grouped by stage, one line each; findings after; colour on a terminal."""

from __future__ import annotations

import io
from typing import Iterator

from rmplint.catalogue import load_catalogue
from rmplint.findings import DocumentResult
from rmplint.report import Run

_STYLE = {
    "met": ("✔", "green"),
    "partial": ("◐", "yellow"),
    "missing": ("✘", "red"),
    "not-applicable": ("–", "cyan"),
    "not-checked": ("·", "dim"),
}
_CAT_STYLE = {"adversarial": "red", "collaborative": "green", "hygiene": "yellow"}

# A line is a list of (text, style) pieces; style "" is unstyled. Text is never read as markup,
# so a quote holding "[bold]" or ":warning:" is printed as it is.
Line = list[tuple[str, str]]


def render(run: Run, color: bool = False, width: int = 120) -> str:
    """The report as text; with `color`, with the ANSI styles of a terminal (rich). Without,
    the pieces are joined directly: rich took 15 ms a document to print what is plain text."""
    from rich.control import strip_control_codes

    lines = [line for doc in run.documents for line in _document(doc)]
    lines.append(_summary(run))
    if not color:
        return "".join("".join(strip_control_codes(t) for t, _ in line) + "\n" for line in lines)
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    con = Console(file=buf, force_terminal=True, width=width, highlight=False, soft_wrap=True)
    out = Text()
    for line in lines:
        for text, style in line:
            out.append(strip_control_codes(text), style or None)
        out.append("\n")
    con.print(out, end="")
    return buf.getvalue()


def _summary(run: Run) -> Line:
    s = run.summary()
    return [
        (f"{s['documents']} document(s)", "bold"),
        (f", {s['errors']} unreadable; clauses: {s['met']} met, {s['partial']} partial, {s['missing']} missing, "
         f"{s['not-checked']} not checked; findings: {s['adversarial_findings']} potentially adversarial, "
         f"{s['collaborative_findings']} collaborative, {s['hygiene_findings']} hygiene", ""),
    ]


def _document(doc: DocumentResult) -> Iterator[Line]:
    if doc.error:
        yield [(f"{doc.path}: {doc.error}", "bold red")]
        yield []
        return
    yield [(doc.path, "bold"), (f" — {doc.profile} ({doc.profile_reason or 'profile given'})", "")]
    for w in doc.warnings:
        yield [("  ", ""), ("warning:", "yellow"), (f" {w}", "")]
    if doc.clauses:
        yield from _clauses(doc)
    if doc.findings:
        yield [("  ", ""), ("Findings", "bold")]
        for f in doc.findings:
            yield [("    ", ""), (f"{f.category:<13}", _CAT_STYLE.get(f.category, "white")),
                   (f" {f.term or f.rule} [{f.severity}] ", ""), (f"({f.location.describe()})", "dim")]
            yield [(f"      {f.message}", "")]
            if f.text:  # a finding of absence ("no sign-off was found") has nothing to quote
                yield [("      ", ""), (f"“{_short(f.text)}”", "italic")]
    balance = doc.summary.get("balance")
    if balance is not None:
        rest = f": {balance['adversarial']} potentially adversarial, {balance['collaborative']} collaborative terms"
        missing = doc.summary.get("missing_counterparts") or []
        if missing:
            rest += "; collaborative counterparts missing: " + ", ".join(missing)
        yield [("  ", ""), ("Balance", "bold"), (rest, "")]
    maturity = doc.summary.get("maturity")
    if maturity:
        levels = ", ".join(f"{sid} {m['level'] or '–'}" for sid, m in maturity.items())
        yield [("  ", ""), ("Maturity (Annex A, indicative)", "bold"), (f": {levels}", "")]
    yield []


def _clauses(doc: DocumentResult) -> Iterator[Line]:
    cat = load_catalogue()
    for stage in cat.stages:
        rows = [c for c in doc.clauses if c.stage == stage.id]
        counts = {k: sum(1 for c in rows if c.status == k) for k in ("met", "partial", "missing")}
        yield [("  ", ""), (f"{stage.number - 2}. {stage.name}", "bold"),
               (f" (clause {stage.number}): {counts['met']} met, {counts['partial']} partial, "
                f"{counts['missing']} missing", "")]
        for c in rows:
            sym, style = _STYLE[c.status]
            sev = f" [{c.severity}]" if c.status in ("partial", "missing") else ""
            line: Line = [("    ", ""), (f"{sym} {c.clause:<8} {c.title} — {c.status}{sev}", style)]
            if c.evidence:
                line.append((" ", ""))
                line.append((f"({c.evidence[0].location.describe()})", "dim"))
            yield line


def _short(text: str, n: int = 220) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"

