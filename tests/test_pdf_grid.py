"""The pypdfium2 grid reader finds the same tables, cells and text as pdfplumber's table finder.

pdfplumber is the oracle: every PDF here is read twice, once with RMPLINT_PDF_TABLES=pdfplumber
(pdfplumber on every ruled page, as rmplint did before the grid reader) and once normally.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rmplint.ingest.common import Limits
from rmplint.ingest.pdf import read
from rmplint.ingest.pdf_grid import find_tables

ROOT = Path(__file__).resolve().parent.parent
LONG = ("The joint risk register is reviewed monthly by both parties and escalated to the executive "
        "board when a risk is rated high.")


def _platypus_pdf(path: Path, styles: list[list[tuple]], rows: int = 4) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    body = getSampleStyleSheet()["BodyText"]
    story = [Paragraph("The partners keep the registers below.", body)]
    for style in styles:
        data = [["Risk", "Owner", "Rating", "Mitigation"]]
        data += [[f"Risk {i}", "Alpha Ltd" if i % 2 else "Beta plc", "High", Paragraph(LONG, body)]
                 for i in range(1, rows)]
        table = Table(data, colWidths=[80, 80, 60, 230], repeatRows=1)
        table.setStyle(TableStyle([(cmd, *args[:-1], colors.black) if cmd in ("GRID", "INNERGRID", "BOX", "LINEBELOW")
                                   else (cmd, *args) for cmd, *args in style]))
        story += [table, Paragraph("Text after the table.", body)]
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)
    return path


GRID = [("GRID", (0, 0), (-1, -1), 0.5, None)]
CASES = {
    "grid": [GRID],
    "inner-grid-only": [[("INNERGRID", (0, 0), (-1, -1), 0.5, None)]],
    "merged-cells": [[*GRID, ("SPAN", (0, 1), (1, 1)), ("SPAN", (2, 2), (2, 3))]],
    "thick-box-and-header-rule": [[("BOX", (0, 0), (-1, -1), 2, None), ("INNERGRID", (0, 0), (-1, -1), 0.25, None),
                                   ("LINEBELOW", (0, 0), (-1, 0), 2, None)], GRID],
    "rows-only-rules": [[("LINEBELOW", (0, 0), (-1, -1), 0.5, None)]],
}


def _view(doc):
    blocks = [(b.kind, b.text, b.location.page, b.location.table, b.location.row, b.location.col) for b in doc.blocks]
    return blocks, [(t.index, t.rows, t.cols, t.header) for t in doc.tables]


def _both(path: Path, monkeypatch) -> tuple:
    monkeypatch.setenv("RMPLINT_PDF_TABLES", "pdfplumber")
    oracle = read(path, Limits())
    monkeypatch.delenv("RMPLINT_PDF_TABLES")
    return oracle, read(path, Limits())


@pytest.mark.parametrize("case", sorted(CASES))
def test_grid_reader_agrees_with_pdfplumber(case, tmp_path, monkeypatch):
    pdf = _platypus_pdf(tmp_path / f"{case}.pdf", CASES[case])
    oracle, got = _both(pdf, monkeypatch)
    assert len(oracle.tables) == {"rows-only-rules": 0, "thick-box-and-header-rule": 2}.get(case, 1)
    assert _view(got) == _view(oracle)


def test_grid_reader_keeps_merged_cells_in_their_first_slot(tmp_path):
    doc = read(_platypus_pdf(tmp_path / "m.pdf", CASES["merged-cells"]), Limits())
    (table,) = doc.tables
    assert (table.rows, table.cols, table.header) == (4, 4, ("Risk", "Owner", "Rating", "Mitigation"))
    cells = {(b.location.row, b.location.col): b.text for b in doc.blocks if b.kind == "table_cell"}
    assert cells[(2, 1)] == "Risk 1" and (2, 2) not in cells  # spans two columns
    assert cells[(3, 3)] == "High" and (4, 3) not in cells  # spans two rows
    assert cells[(2, 4)] == LONG  # wrapped over several lines, read as one text
    prose = [b.text for b in doc.blocks if b.kind != "table_cell"]
    assert "Text after the table." in prose and not any("Alpha Ltd" in t for t in prose)


def test_table_running_over_pages_is_read_on_each_page(tmp_path, monkeypatch):
    pdf = _platypus_pdf(tmp_path / "long.pdf", [GRID], rows=40)
    oracle, got = _both(pdf, monkeypatch)
    assert _view(got) == _view(oracle)
    assert len(got.tables) >= 2 and {t.header for t in got.tables} == {("Risk", "Owner", "Rating", "Mitigation")}


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "corpora").rglob("*.pdf")))
def test_corpus_pdfs_read_the_same_with_either_reader(path, monkeypatch):
    oracle, got = _both(ROOT / path, monkeypatch)
    assert oracle.tables, "every corpus PDF has ruled tables"
    assert _view(got) == _view(oracle)


def test_lattice_geometry():
    # a 2 x 2 grid drawn as three horizontal and three vertical rules, one rule in two pieces
    h = [(100.0, 0.0, 200.0), (50.0, 0.0, 120.0), (50.5, 121.0, 200.0), (0.0, 0.0, 200.0)]
    v = [(0.0, 0.0, 100.0), (100.0, 0.0, 100.0), (200.0, 0.0, 100.0)]
    (grid,) = find_tables(h, v)
    assert (grid.left, grid.bottom, grid.right, grid.top) == (0.0, 0.0, 200.0, 100.0)
    assert [[(c.left, c.top) for c in row] for row in grid.rows] == [[(0.0, 100.0), (100.0, 100.0)],
                                                                     [(0.0, 50.25), (100.0, 50.25)]]
    assert find_tables(h[:1], v) == []  # one rule across three: no closed cell
    assert find_tables([(100.0, 0.0, 100.0), (0.0, 0.0, 100.0)], v[:2]) == []  # a lone box is no table


def test_a_dense_grid_reads_as_one_table_like_pdfplumber(tmp_path, monkeypatch):
    """Graph paper: 31 x 31 rulings 12 pt apart, a word in some cells."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "grid.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    c.drawString(72, 800, "The partners record the schedule below.")
    n, step, left, bottom = 30, 12, 100, 300
    for i in range(n + 1):
        c.line(left, bottom + i * step, left + n * step, bottom + i * step)
        c.line(left + i * step, bottom, left + i * step, bottom + n * step)
    c.setFont("Helvetica", 5)
    for i in range(0, n, 7):
        c.drawString(left + i * step + 2, bottom + (n - 1 - i) * step + 4, f"w{i}")
    c.showPage()
    c.save()
    oracle, got = _both(path, monkeypatch)
    assert _view(got) == _view(oracle)
    (table,) = got.tables
    assert (table.rows, table.cols) == (n, n)
    cells = {(b.location.row, b.location.col): b.text for b in got.blocks if b.kind == "table_cell"}
    assert cells == {(i + 1, i + 1): f"w{i}" for i in range(0, n, 7)}
