"""CSV report: the auditor's checklist, one row per clause and per finding, safe to open in a spreadsheet.

Cells that a spreadsheet would read as a formula (starting with = + - @, tab or carriage return) are
prefixed with an apostrophe. The "csv-bom" format adds a UTF-8 byte order mark for Excel.
"""

from __future__ import annotations

import csv
import io

from rmplint.catalogue import load_catalogue
from rmplint.findings import Waiver
from rmplint.report import Run

HEADER = ("document", "kind", "clause", "title", "stage", "status", "severity", "reason", "evidence", "location",
          "waived", "justification", "approver")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Keep a spreadsheet from evaluating document text ('=HYPERLINK(…)' stays text)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def render(run: Run, bom: bool = False) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(HEADER)
    cat = load_catalogue()
    for doc in run.documents:
        if doc.error:
            out.writerow(_row(doc.path, "error", "", "", "", doc.error_kind or "error", "", doc.error, "", "", waiver=None))
            continue
        for c in doc.clauses:
            ev = c.evidence[0] if c.evidence else None
            out.writerow(_row(doc.path, "clause", c.clause, c.title, c.stage, c.status, c.severity, c.reason,
                              ev.text if ev else "", ev.location.describe() if ev else "", waiver=c.waiver))
        for f in doc.findings:
            clause = cat.clause(f.clause) if f.clause else None
            out.writerow(_row(doc.path, f"{f.category} finding", f.clause or "", f.term or f.rule,
                              clause.stage if clause else "", f.category, f.severity, f.message, f.text,
                              f.location.describe(), waiver=f.waiver))
    return ("\ufeff" if bom else "") + buf.getvalue()


def _row(*cells: str | None, waiver: Waiver | None) -> list[str]:
    row = [neutralise(t or "") for t in cells]
    if waiver is None:
        return row + ["no", "", ""]
    return row + ["expired" if waiver.expired else "yes", neutralise(waiver.justification), neutralise(waiver.approver)]
