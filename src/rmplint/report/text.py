"""Terminal report: clauses grouped by stage, one line each; findings after; colour on a terminal."""

from __future__ import annotations

import io

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


def render(run: Run, color: bool = False, width: int = 120) -> str:
    from rich.console import Console
    from rich.markup import escape

    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False, soft_wrap=True)
    for doc in run.documents:
        lines: list[str] = []
        _document(lines.append, doc, escape)
        con.print("\n".join(lines))  # one print per document: rich costs about 0.1 ms a call
    s = run.summary()
    con.print(
        f"[bold]{s['documents']} document(s)[/], {s['errors']} unreadable; clauses: {s['met']} met, "
        f"{s['partial']} partial, {s['missing']} missing, {s['not-checked']} not checked; findings: "
        f"{s['adversarial_findings']} potentially adversarial, {s['collaborative_findings']} collaborative, "
        f"{s['hygiene_findings']} hygiene"
    )
    return buf.getvalue()


def _document(emit, doc: DocumentResult, escape) -> None:  # type: ignore[no-untyped-def]
    """Append the document's lines (rich markup) with `emit`."""
    if doc.error:
        emit(f"[bold red]{escape(doc.path)}: {escape(doc.error)}[/]")
        emit("")
        return
    emit(f"[bold]{escape(doc.path)}[/] — {doc.profile} ({escape(doc.profile_reason or 'profile given')})")
    for w in doc.warnings:
        emit(f"  [yellow]warning:[/] {escape(w)}")
    if doc.clauses:
        cat = load_catalogue()
        for stage in cat.stages:
            rows = [c for c in doc.clauses if c.stage == stage.id]
            counts = {k: sum(1 for c in rows if c.status == k) for k in ("met", "partial", "missing")}
            emit(
                f"  [bold]{stage.number - 2}. {stage.name}[/] (clause {stage.number}): "
                f"{counts['met']} met, {counts['partial']} partial, {counts['missing']} missing"
            )
            for c in rows:
                sym, style = _STYLE[c.status]
                where = c.evidence[0].location.describe() if c.evidence else ""
                sev = escape(f" [{c.severity}]") if c.status in ("partial", "missing") else ""
                line = f"    [{style}]{sym} {c.clause:<8} {escape(c.title)} — {c.status}{sev}[/]"
                if where:
                    line += f" [dim]({escape(where)})[/]"
                emit(line)
    if doc.findings:
        emit("  [bold]Findings[/]")
        for f in doc.findings:
            style = _CAT_STYLE.get(f.category, "white")
            label = f.term or f.rule
            emit(
                f"    [{style}]{f.category:<13}[/] {escape(label)} {escape(f'[{f.severity}]')} "
                f"[dim]({escape(f.location.describe())})[/]"
            )
            emit(f"      {escape(f.message)}")
            if f.text:  # a finding of absence ("no sign-off was found") has nothing to quote
                emit(f"      [italic]“{escape(_short(f.text))}”[/]")
    balance = doc.summary.get("balance")
    if balance is not None:
        line = (f"  [bold]Balance[/]: {balance['adversarial']} potentially adversarial, "
                f"{balance['collaborative']} collaborative terms")
        missing = doc.summary.get("missing_counterparts") or []
        if missing:
            line += "; collaborative counterparts missing: " + escape(", ".join(missing))
        emit(line)
    maturity = doc.summary.get("maturity")
    if maturity:
        levels = ", ".join(f"{sid} {m['level'] or '–'}" for sid, m in maturity.items())
        emit(f"  [bold]Maturity (Annex A, indicative)[/]: {escape(levels)}")
    emit("")


def _short(text: str, n: int = 220) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
