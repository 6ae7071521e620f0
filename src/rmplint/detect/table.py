"""Table detector: a table whose header row names the columns a rule needs (Risk, Owner, ...)."""

from __future__ import annotations

from dataclasses import replace

from rmplint.detect import DetectOptions, DetectorResult, Hit
from rmplint.detect.analysis import AnalysedDocument
from rmplint.nlp import mark_vocabulary
from rmplint.rules.spec import TableSpec

_NOT_EVIDENCE = frozenset({"glossary", "contents", "recital"})
_MAX_ROWS = 12


def detect(adoc: AnalysedDocument, spec: TableSpec, opts: DetectOptions) -> DetectorResult:
    hits = []
    for t in adoc.tables:
        if t.marks & _NOT_EVIDENCE or t.rows < spec.min_rows:
            continue
        if spec.section and not (t.context & set(spec.section)) and not any(
            hc & set(spec.section) for hc in t.header_concepts
        ):
            continue
        cols, empty = [], []
        for group in spec.columns:
            idx = next((i for i, hc in enumerate(t.header_concepts) if hc & set(group)), None)
            if idx is None:
                break
            cols.append(t.header[idx])
            if t.filled and not t.filled[idx]:
                empty.append(t.header[idx])
        else:
            joint_ctx = "joint" in t.context or any("joint" in hc for hc in t.header_concepts)
            header = " | ".join(h for h in t.header if h)
            # a column whose cells are all blank or placeholders shows the intent, not the evidence
            note = f"column {', '.join(empty)} has no entries" if empty else ", ".join(cols)
            # quote the table row by row (an auditor checks the entries, not the header)
            placeholder = mark_vocabulary().placeholder
            rows = tuple(
                (r, text) for r, text in t.rows_text if not any(p.search(text) for p in placeholder)
            )[:_MAX_ROWS] or ((0, ""),)
            for r, text in rows:
                loc = replace(t.location, row=r, col=1) if r else t.location
                quote = f"{header}: {text}" if text else f"Table {t.index}: {header}"
                hits.append(Hit(quote, loc, None, False, joint_ctx, weak=bool(empty), note=note))
    return DetectorResult(tuple(hits))
