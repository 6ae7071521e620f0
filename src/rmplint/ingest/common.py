"""Shared pieces for ingesters: heading paths, clause references and input limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "7.2 Governance", "18.2.1 The Supplier shall", "Clause 14 Audit", "4. Payment"
_NUMBER = re.compile(r"^\s*(?:clause\s+)?(\d{1,3}(?:\.\d{1,3}){0,4})\.?(?=\s|$)", re.I)
# "(a) ...", "a) ...", "(iv) ..."
_SUB = re.compile(r"^\s*\(?([a-z]|[ivx]{1,5})\)\s", re.I)
# "Schedule 3", "SCHEDULE 3 - PAYMENT", "Annex B", "Appendix 2"
_SCHEDULE = re.compile(r"^\s*(schedule|annex|appendix|exhibit|attachment)\s+([0-9]+|[A-Z])\b", re.I)


def leading_number(text: str) -> str | None:
    """The clause number a block starts with ("18.2" in "18.2 The Supplier..."), if any."""
    m = _NUMBER.match(text)
    return m.group(1) if m else None


def schedule_name(text: str) -> str | None:
    m = _SCHEDULE.match(text)
    if not m:
        return None
    return f"{m.group(1).capitalize()} {m.group(2)}"


def strip_number(label: str) -> str:
    return label.strip().rstrip(".").strip("()")


@dataclass(frozen=True)
class Limits:
    """Bounds on what one document may cost (bytes, inflation, pages, characters)."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_unzipped_bytes: int = 500 * 1024 * 1024
    max_zip_ratio: float = 200.0
    max_pages: int = 5000
    max_chars: int = 80 * 1024 * 1024
    # One paragraph (or table cell) of text: the language pipeline and the rule patterns work a
    # block at a time, so a single huge block is what would cost unbounded time.
    max_block_chars: int = 1_000_000
    # One XML part of a .docx: its parsed tree costs several times its size in memory.
    max_xml_part_bytes: int = 128 * 1024 * 1024


class ContextTracker:
    """Follows headings and numbering through a document in reading order.

    Ingesters call `heading()` for each heading and `locate()` for every other block; locate
    returns the heading path above the block and the document's own clause reference for it.
    Numbering restarts inside a schedule, whose paragraphs are cited as
    "Schedule 3, paragraph 4".
    """

    def __init__(self) -> None:
        self._path: list[tuple[int, str]] = []
        self._schedule: str | None = None
        self._number: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self._path)

    def heading(self, text: str, level: int, label: str | None = None) -> tuple[tuple[str, ...], str | None]:
        """Record a heading; returns (heading path above it, clause reference of the heading)."""
        text = " ".join(text.split())
        sched = schedule_name(text)
        if sched:
            self._schedule = sched
            self._number = None
        number = strip_number(label) if label else leading_number(text)
        if number:
            self._number = number
        while self._path and self._path[-1][0] >= level:
            self._path.pop()
        above = self.path
        shown = f"{label.strip()} {text}" if label and not text.startswith(label.strip()) else text
        self._path.append((level, shown))
        return above, self._ref(None)

    def locate(self, text: str, label: str | None = None) -> tuple[tuple[str, ...], str | None]:
        """Heading path and clause reference for a non-heading block."""
        number = strip_number(label) if label else leading_number(text)
        sub = None
        if number and re.fullmatch(r"\d+(?:\.\d+)*", number):
            self._number = number
        elif number:
            sub = number
        else:
            m = _SUB.match(text)
            if m:
                sub = m.group(1)
        return self.path, self._ref(sub)

    def _ref(self, sub: str | None) -> str | None:
        base = self._number
        if sub and base:
            base = f"{base}({sub})"
        if self._schedule:
            return f"{self._schedule}, paragraph {base}" if base else self._schedule
        return base


_HEADING_MAX_CHARS = 100
_HEADING_MAX_WORDS = 12
_TITLE_MAX_WORDS = 8
_TRAILING_WORDS = frozenset("a an and as at by for from in into of on or the to with".split())
_DUTY_WORDS = frozenset("shall must will may means".split())


def guess_heading(line: str) -> int | None:
    """Heading level of a line from a format without styles (PDF, plain text), or None.

    Numbered short lines ("7.2 Governance" -> 2, "7 Working together" -> 1), short ALL-CAPS
    lines and schedule titles count; anything ending like a sentence does not.
    """
    text = line.strip()
    # Checked first so that a 60 MB single-line file costs nothing here.
    if not text or len(text) > _HEADING_MAX_CHARS or len(text.split()) > _HEADING_MAX_WORDS:
        return None
    if text[-1] in ".;,:!?" and not text.endswith("..."):
        return None
    number = leading_number(text)
    if number:
        rest = _NUMBER.sub("", text, count=1).strip()
        words = rest.lower().split()
        # "3 days after notice" is prose; a heading's title starts with a capital letter, is
        # short, and neither ends mid-phrase ("... during the Term to") nor states a duty.
        if (
            rest
            and rest[0].isupper()
            and sum(c.isalpha() for c in rest) >= 3
            and len(words) <= _TITLE_MAX_WORDS
            and words[-1] not in _TRAILING_WORDS
            and not _DUTY_WORDS.intersection(words)
        ):
            return number.count(".") + 1
        return None
    if schedule_name(text):
        return 1
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return 1
    return None
