"""The document model every ingester produces: an ordered list of located blocks.

A Document is format-neutral: .docx, .pdf and text files all become blocks (headings,
paragraphs, list items, table cells), each with its text and a Location an auditor can find.
Page headers, footers and footnotes are kept apart from the body in `furniture`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table_cell"]
Part = Literal["body", "header", "footer", "footnote"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a block sits. All indexes are 1-based, as a reader counts them; None when unknown.

    paragraph: ordinal of the paragraph in the part (body paragraphs counted in reading order,
    including those inside table cells). table: ordinal of the table in the document (nested
    tables get their own ordinal); row/col: 1-based cell position. heading_path: the headings
    above the block, outermost first. clause_ref: the document's own clause number
    ("18.2", "Schedule 3, paragraph 4") where it has one.
    """

    page: int | None = None
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    heading_path: tuple[str, ...] = ()
    clause_ref: str | None = None
    part: Part = "body"

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled as its fields in order (documents read ahead, results from workers): the state
        # methods dataclasses give slotted classes look the fields up again for every object
        return Location, (self.page, self.paragraph, self.table, self.row, self.col, self.heading_path,
                          self.clause_ref, self.part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "paragraph": self.paragraph,
            "table": self.table,
            "row": self.row,
            "col": self.col,
            "heading_path": list(self.heading_path),
            "clause_ref": self.clause_ref,
            "part": self.part,
        }

    def describe(self) -> str:
        """Short human form: 'p. 3, table 2 row 4 col 1, § 7 Working together > 7.2 Governance'."""
        bits: list[str] = []
        if self.part != "body":
            bits.append(self.part)
        if self.page is not None:
            bits.append(f"p. {self.page}")
        if self.table is not None:
            bits.append(f"table {self.table}" + (f" row {self.row} col {self.col}" if self.row is not None else ""))
        elif self.paragraph is not None:
            bits.append(f"para {self.paragraph}")
        if self.clause_ref:
            bits.append(f"clause {self.clause_ref}")
        if self.heading_path:
            bits.append("§ " + " > ".join(self.heading_path))
        return ", ".join(bits) or "document"


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of text: a heading, a paragraph, a list item or a table cell.

    level: heading level (1 = top) for headings, nesting level (0 = top) for list items, else 0.
    """

    kind: BlockKind
    text: str
    location: Location
    level: int = 0
    style: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return Block, (self.kind, self.text, self.location, self.level, self.style)  # see Location


@dataclass(frozen=True)
class Table:
    """A table's shape and header row, so that rules can look for columns ("Owner", "Risk")."""

    index: int
    rows: int
    cols: int
    header: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class Document:
    """A read document. `warnings` are non-fatal notes (pages with no text, replaced bytes)."""

    path: str
    format: str  # "docx" | "pdf" | "text" | "markdown"
    blocks: tuple[Block, ...]
    furniture: tuple[Block, ...] = ()
    tables: tuple[Table, ...] = ()
    page_count: int | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)
