"""Table detector: a table whose header row names the columns a rule needs (Risk, Owner, ...)."""

from __future__ import annotations

from dataclasses import replace

from rmplint.detect import DetectOptions, DetectorResult, Hit
from rmplint.detect.analysis import TableView
from rmplint.detect.index import DocumentIndex
from rmplint.model import Location
from rmplint.nlp import mark_vocabulary
from rmplint.rules.spec import TableSpec

_NOT_EVIDENCE = frozenset({"glossary", "contents", "recital"})
_MAX_ROWS = 12


def detect(ix: DocumentIndex, spec: TableSpec, opts: DetectOptions) -> DetectorResult:
    section = frozenset(spec.section)
    groups = [frozenset(g) for g in spec.columns]
    quoted = ix.shared(_Quoted)
    hits: list[Hit] = []
    # only a table with a header cell for each column group can give evidence
    tables = set(range(len(ix.adoc.tables)))
    for group in groups:
        tables &= quoted.headed(group)
    for t in (ix.adoc.tables[i] for i in sorted(tables)):
        if t.marks & _NOT_EVIDENCE or t.rows < spec.min_rows:
            continue
        if section and not (t.context & section) and not any(hc & section for hc in t.header_concepts):
            continue
        cols, empty = [], []
        for group in groups:
            idx = next((i for i, hc in enumerate(t.header_concepts) if hc & group), None)
            if idx is None:
                break
            cols.append(t.header[idx])
            if t.filled and not t.filled[idx]:
                empty.append(t.header[idx])
        else:
            # a column whose cells are all blank or placeholders shows the intent, not the evidence
            note = f"column {', '.join(empty)} has no entries" if empty else ", ".join(cols)
            hits.extend(quoted.hits(t, note, bool(empty)))
    return DetectorResult(tuple(hits))


class _Quoted:
    """What a table gives as evidence: its row quotes, and its hits by note, each made once for
    every rule that finds the table."""

    def __init__(self, ix: DocumentIndex) -> None:
        self._headed: dict[str, set[int]] = {}  # concept -> positions of the tables with a header cell naming it
        for pos, t in enumerate(ix.adoc.tables):
            for name in frozenset().union(*t.header_concepts):
                self._headed.setdefault(name, set()).add(pos)
        self._rows: dict[int, tuple[tuple[str, Location], ...]] = {}
        self._hits: dict[tuple[int, str, bool], tuple[Hit, ...]] = {}

    def hits(self, t: TableView, note: str, weak: bool) -> tuple[Hit, ...]:
        got = self._hits.get((t.index, note, weak))
        if got is None:
            joint_ctx = "joint" in t.context or any("joint" in hc for hc in t.header_concepts)
            got = self._hits[(t.index, note, weak)] = tuple(
                Hit(quote, loc, None, False, joint_ctx, weak=weak, note=note) for quote, loc in self.rows(t)
            )
        return got

    def headed(self, concepts: frozenset[str]) -> set[int]:
        """Positions of the tables with a header cell naming one of these concepts."""
        return set().union(*(self._headed.get(c, ()) for c in concepts))

    def rows(self, t: TableView) -> tuple[tuple[str, Location], ...]:
        """The table quoted row by row (an auditor checks the entries, not the header)."""
        got = self._rows.get(t.index)
        if got is None:
            header = " | ".join(h for h in t.header if h)
            mv = mark_vocabulary()
            rows = tuple((r, text) for r, text in t.rows_text if not mv.holds_placeholder(text))[:_MAX_ROWS] or ((0, ""),)
            got = self._rows[t.index] = tuple(
                (f"{header}: {text}" if text else f"Table {t.index}: {header}",
                 replace(t.location, row=r, col=1) if r else t.location)
                for r, text in rows
            )
        return got
