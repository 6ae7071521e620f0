"""Ruled tables from a page's straight line segments: the cells a lattice of rulings encloses.

pdfplumber's table finder re-parses the whole page with pdfminer (about 0.14 s a page); this
works on the segments pypdfium2 has already handed over, so a table page costs little more
than a prose page. The cell logic is the usual lattice one (snap, join, intersect, smallest
enclosed rectangles, tables as groups of cells sharing corners), in PDF space: y grows upwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

SNAP = 3.0  # rulings this close are one line (a double border, a stroke drawn as a thin box)
JOIN = 3.0  # collinear pieces with a gap this small are one line
MEET = 3.0  # a vertical and a horizontal line this close meet
MIN_EDGE = 3.0
MAX_EDGES = 500  # per direction and page: a vector drawing cannot make a page slow

HSeg = tuple[float, float, float]  # y, x0, x1
VSeg = tuple[float, float, float]  # x, y0, y1
Point = tuple[float, float]  # x, y


@dataclass(frozen=True)
class CellBox:
    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True)
class GridBox:
    """One table: its bounding box and its rows, a slot per column (None where a merged cell
    from the left or from above covers it)."""

    left: float
    bottom: float
    right: float
    top: float
    rows: tuple[tuple[CellBox | None, ...], ...]


def _snap(segs: Iterable[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Rulings at nearly the same position are moved to their group's mean position."""
    ordered = sorted(segs)
    out: list[tuple[float, float, float]] = []
    group: list[tuple[float, float, float]] = []
    for seg in ordered:
        if group and seg[0] > group[-1][0] + SNAP:
            out.extend(_at_mean(group))
            group = []
        group.append(seg)
    out.extend(_at_mean(group))
    return out


def _at_mean(group: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    if not group:
        return []
    pos = sum(s[0] for s in group) / len(group)
    return [(pos, a, b) for _, a, b in group]


def _join(segs: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear pieces that touch or nearly touch become one line; short ones are dropped."""
    out: list[tuple[float, float, float]] = []
    for pos, a, b in sorted(segs):
        if out and out[-1][0] == pos and a <= out[-1][2] + JOIN:
            last = out[-1]
            out[-1] = (pos, last[1], max(last[2], b))
        else:
            out.append((pos, a, b))
    return [s for s in out if s[2] - s[1] >= MIN_EDGE]


def find_tables(horizontal: Sequence[HSeg], vertical: Sequence[VSeg]) -> list[GridBox]:
    """The tables (at least two cells each) the rulings of one page enclose, top to bottom."""
    hs = _join(_snap(horizontal[: MAX_EDGES * 4]))[:MAX_EDGES]
    vs = _join(_snap(vertical[: MAX_EDGES * 4]))[:MAX_EDGES]
    # every crossing, with the lines that pass through it
    h_at: dict[Point, set[int]] = {}
    v_at: dict[Point, set[int]] = {}
    for vi, (x, y0, y1) in enumerate(vs):
        for hi, (y, x0, x1) in enumerate(hs):
            if y0 - MEET <= y <= y1 + MEET and x0 - MEET <= x <= x1 + MEET:
                p = (x, y)
                h_at.setdefault(p, set()).add(hi)
                v_at.setdefault(p, set()).add(vi)
    cells = _cells(h_at, v_at)
    return [_table(group) for group in _groups(cells)]


def _cells(h_at: dict[Point, set[int]], v_at: dict[Point, set[int]]) -> list[CellBox]:
    """For every crossing, the smallest rectangle below and to the right of it whose four sides
    are drawn (each pair of corners lies on one common line)."""
    column: dict[float, list[Point]] = {}
    row: dict[float, list[Point]] = {}
    for p in h_at:
        column.setdefault(p[0], []).append(p)
        row.setdefault(p[1], []).append(p)
    for pts in column.values():
        pts.sort(key=lambda p: -p[1])  # top down
    for pts in row.values():
        pts.sort()  # left to right
    # where each crossing sits in its column and its row: what lies below and right is a slice
    in_column = {p: i for pts in column.values() for i, p in enumerate(pts)}
    in_row = {p: i for pts in row.values() for i, p in enumerate(pts)}

    def same_h(a: Point, b: Point) -> bool:
        return not h_at[a].isdisjoint(h_at[b])

    def same_v(a: Point, b: Point) -> bool:
        return not v_at[a].isdisjoint(v_at[b])

    out = []
    for p in sorted(h_at, key=lambda q: (q[0], -q[1])):
        below = column[p[0]][in_column[p] + 1 :]
        right = row[p[1]][in_row[p] + 1 :]
        found = None
        for b in below:
            if not same_v(p, b):
                continue
            for r in right:
                if not same_h(p, r):
                    continue
                corner = (r[0], b[1])
                if corner in h_at and same_v(corner, r) and same_h(corner, b):
                    found = CellBox(left=p[0], bottom=b[1], right=r[0], top=p[1])
                    break
            if found:
                break
        if found:
            out.append(found)
    return out


def _groups(cells: list[CellBox]) -> list[list[CellBox]]:
    """Cells that share a corner, directly or through others, form one table; lone cells are
    boxes, not tables."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Point, int] = {}
    for i, c in enumerate(cells):
        for corner in ((c.left, c.top), (c.left, c.bottom), (c.right, c.top), (c.right, c.bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[CellBox]] = {}
    for i, c in enumerate(cells):
        groups.setdefault(root(i), []).append(c)
    tables = [g for g in groups.values() if len(g) > 1]
    tables.sort(key=lambda g: min((-c.top, c.left) for c in g))
    return tables


def _table(cells: list[CellBox]) -> GridBox:
    """Rows by the cells' top edges, columns by their left edges."""
    lefts = sorted({c.left for c in cells})
    by_top: dict[float, dict[float, CellBox]] = {}
    for c in sorted(cells, key=lambda c: (-c.top, c.left)):
        by_top.setdefault(c.top, {})[c.left] = c
    rows = tuple(tuple(r.get(x) for x in lefts) for _, r in sorted(by_top.items(), key=lambda kv: -kv[0]))
    return GridBox(
        left=min(c.left for c in cells),
        bottom=min(c.bottom for c in cells),
        right=max(c.right for c in cells),
        top=max(c.top for c in cells),
        rows=rows,
    )
