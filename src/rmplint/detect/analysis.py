"""A Document read through the NLP pipeline: sentences with marks, concepts and section context.

This is what every detector looks at. Built once per document; the spaCy Docs are made and
dropped a batch at a time (_docs), once their sentences are summarised, so memory does not grow
with the token count.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from rmplint.detect.concepts import ConceptHit, ConceptMatcher
from rmplint.model import Block, Document, Location
from rmplint.nlp import (
    WORDS,
    MarkVocabulary,
    SentenceMarks,
    get_nlp,
    looks_like_contents_entry,
    mark_sentence,
    mark_vocabulary,
    normalise,
    section_marks,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

# Marks that stop a sentence from being evidence of anything.
BLOCKING = frozenset(
    {"deferred", "conditional", "placeholder", "non-binding", "definition", "recital", "glossary", "contents", "heading",
     "label"}
)
# A short table cell in the header row or first column names what the row or column holds: it is a
# label ("Liquidated damages"), not a statement, and only gives context to the cells beside it.
_LABEL_WORDS = 6
_START = operator.itemgetter(1)  # a concept hit's first token
_TOC_STYLE = re.compile(r"(?i)^toc\s*\d|^table of contents|^contents")


@dataclass(slots=True)
class Sentence:
    """A sentence as every detector sees it. A plain slotted record, never changed once made
    (analysis replaces a sentence with a changed copy): a frozen dataclass sets each field
    through object.__setattr__, a third of making the 12,000 sentences of a 500-page plan."""

    index: int
    block: int
    text: str
    kind: str
    location: Location
    marks: frozenset[str]
    concepts: frozenset[str]  # present and not negated or excluded
    negated: frozenset[str]  # present, but only under a negation
    excluded: frozenset[str]  # present, but disapplied ("shall not apply")
    context: frozenset[str]  # concepts of the heading path and of the table column/row headers
    placeholders: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return not (self.marks & BLOCKING)

    def has(self, name: str, allow_negated: bool = False) -> bool:
        return name in self.concepts or (allow_negated and name in self.negated)


@dataclass(frozen=True)
class TableView:
    index: int
    rows: int
    header: tuple[str, ...]
    header_concepts: tuple[frozenset[str], ...]
    context: frozenset[str]
    location: Location
    marks: frozenset[str]
    filled: tuple[bool, ...] = ()  # per column: some data cell holds real content (not TBC/[insert]/blank)
    rows_text: tuple[tuple[int, str], ...] = ()  # data rows (row number, cells joined by " | ")


@dataclass(frozen=True)
class Section:
    heading_block: int
    heading: str
    concepts: frozenset[str]
    sentences: tuple[int, ...]  # sentence indexes inside the section (deeper sections included)
    location: Location
    marks: frozenset[str]


@dataclass(frozen=True)
class AnalysedDocument:
    document: Document
    profile: str
    sentences: tuple[Sentence, ...]
    tables: tuple[TableView, ...]
    sections: tuple[Section, ...]


Cell = tuple[int, int, int, str]  # table, row, column (1-based), text


def _table_cells(doc: Document) -> list[Cell]:
    """Every located table cell, in document order: the one pass the table helpers share."""
    return [
        (b.location.table or 0, b.location.row or 0, b.location.col or 0, b.text)
        for b in doc.blocks
        if b.kind == "table_cell" and None not in (b.location.table, b.location.row, b.location.col)
    ]


def _cell_headers(cells: list[Cell]) -> dict[tuple[int, int, int], tuple[str, ...]]:
    """For each table cell (table,row,col): the column header and row header texts around it."""
    first_row = {(t, c): text for t, r, c, text in cells if r == 1}
    first_col = {(t, r): text for t, r, c, text in cells if c == 1}
    out = {}
    for t, r, c, _ in cells:
        hdr = [first_row.get((t, c), "") if r > 1 else "", first_col.get((t, r), "") if c > 1 else ""]
        out[(t, r, c)] = tuple(h for h in hdr if h)
    return out


_CONTEXT_CHARS = 2000  # of a heading or header, the part whose concepts are context
_BATCH = 256  # texts through the pipeline at a time


def _docs(nlp: "Language", texts: Iterable[str]) -> Iterator["Doc"]:
    """The pipeline's Doc of each text, a batch at a time: each batch goes all the way through the
    pipeline before the analysis looks at any of its Docs. Taken one by one from nlp.pipe, every
    Doc passes through the last component just before the analysis reads it, the two taking turns
    Doc by Doc: the same work in that order cost 0.04-0.09 s more on a 500-page plan (locality: the
    counts of calls are the same). A batch alive at once is a few hundred small Docs, whatever the
    document's length."""
    it = iter(texts)
    while batch := list(itertools.islice(it, _BATCH)):
        yield from list(nlp.pipe(batch, batch_size=_BATCH))


def analyse(doc: Document, matcher: ConceptMatcher, profile: str) -> AnalysedDocument:
    nlp = get_nlp()
    cells = _table_cells(doc)
    headers = _cell_headers(cells)
    context_cache: dict[str, frozenset[str]] = {}

    def concepts_of(text: str) -> frozenset[str]:
        got = context_cache.get(text)
        if got is None:
            got = matcher.names(matcher.find(nlp(text[:_CONTEXT_CHARS]))) if text.strip() else frozenset()
            context_cache[text] = got
        return got

    # Sentences of one section share their context and mostly their marks and concepts: one
    # copy of each distinct set (a 1,500-page plan: 35,000 sentences, a third of the memory).
    pool: dict[frozenset[str], frozenset[str]] = {}
    share = pool.setdefault  # share(names, names): the pool's copy of the set

    sentences: list[Sentence] = []
    ncols = {t.index: t.cols for t in doc.tables}
    title = _title(doc)
    mv = mark_vocabulary()
    # What a block's text says whatever block holds it is worked out once per distinct text (the
    # pipeline and the rules: _read); a register repeats its cells ("Customer", "Owner", "High"
    # in row after row), and a repeated text costs only what its place adds (context, marks).
    read: dict[str, _Read] = {}
    docs = _docs(nlp, dict.fromkeys(b.text for b in doc.blocks))  # each text's first block takes its Doc
    # a lead-in that defers ("The following will be developed:") or a heading that does
    # ("Still to be set up") defers the list items under it
    lead_in_deferred = False
    in_recitals = False
    path_context: dict[tuple[str, ...], frozenset[str]] = {}  # heading path -> its concepts
    holder_cells: set[tuple[int, int, int]] = set()  # table cells holding a placeholder
    for bi, block in enumerate(doc.blocks):
        loc = block.location
        ctx = path_context.get(loc.heading_path)
        if ctx is None:
            ctx = path_context[loc.heading_path] = frozenset().union(
                *(concepts_of(h) for h in loc.heading_path if h != title))
        if block.kind == "table_cell":
            # each header on its own: the column header's concepts are found once per table
            for header in headers.get((loc.table or 0, loc.row or 0, loc.col or 0), ()):
                ctx |= concepts_of(header)
        ctx = share(ctx, ctx)
        # a heading's or a header cell's concepts are the context of the blocks after it: found
        # with its sentences, they need no second pass through the pipeline
        heads = len(block.text) <= _CONTEXT_CHARS and (block.kind == "heading" or (
            block.kind == "table_cell" and (loc.row == 1 or loc.col == 1)))
        got = read.get(block.text)
        if got is None:
            got = read[block.text] = _read(next(docs), block.text, matcher, mv, profile, share, heads)
        sec_marks = set(section_marks(loc.heading_path))
        if block.kind == "heading":
            sec_marks.add("heading")
        if got.contents or (block.style and _TOC_STYLE.match(block.style)):
            sec_marks.add("contents")
        # In a plan, the first column of a wide table holds entries (a risk, a trigger); in a
        # contract's particulars or term-summary table it names the term its row settles.
        if block.kind == "table_cell" and got.short and (
            loc.row == 1 or (loc.col == 1 and (profile == "contract" or ncols.get(loc.table or 0, 0) == 2))
        ):
            sec_marks.add("label")
        if got.title_like and block.kind != "table_cell":  # (only ever set for a contract)
            sec_marks.add("heading")  # "Part C — Liquidated Damages." is a title, not a clause
        if profile != "contract":
            sec_marks.discard("recital")  # a plan's "Background" section states facts, it recites nothing
        else:
            in_recitals = _recital_state(block, in_recitals)
            if in_recitals:
                sec_marks.add("recital")
        if block.kind == "list_item" and lead_in_deferred:
            sec_marks.add("deferred")
        if got.placeholder and block.kind == "table_cell":
            holder_cells.add((loc.table or 0, loc.row or 0, loc.col or 0))
        if heads and got.names is not None:
            context_cache.setdefault(block.text, got.names)
        first = len(sentences)  # this block's sentences are sentences[first:]
        for text, said, clean, neg, exc, holders in got.sentences:
            marks = said | sec_marks
            # Sentence's fields in order (index, block, text, kind, location, marks, concepts,
            # negated, excluded, context, placeholders): 12,000 calls on a 500-page plan
            sentences.append(Sentence(len(sentences), bi, text, block.kind, loc, share(marks, marks),
                                      clean, neg, exc, ctx, holders))
        _apply_bare_exclusion(sentences, first)
        if block.kind != "list_item":
            last = sentences[-1] if sentences and sentences[-1].block == bi else None
            deferring = last is not None and "deferred" in last.marks
            lead_in_deferred = deferring and (block.kind == "heading" or block.text.rstrip().endswith(":"))
    sentences = _non_binding_sections(sentences)
    filled = _filled_columns(cells, holder_cells)
    rows = _row_texts(cells)
    tables = tuple(
        TableView(
            index=t.index,
            rows=t.rows,
            header=t.header,
            header_concepts=tuple(concepts_of(h) for h in t.header),
            context=frozenset().union(*(concepts_of(h) for h in t.location.heading_path)) if t.location.heading_path else frozenset(),
            location=t.location,
            marks=section_marks(t.location.heading_path),
            filled=tuple(filled.get((t.index, c), False) for c in range(1, len(t.header) + 1)),
            rows_text=rows.get(t.index, ()),
        )
        for t in doc.tables
    )
    return AnalysedDocument(doc, profile, tuple(sentences), tables, tuple(_sections(doc, sentences, concepts_of)))


@dataclass(frozen=True, slots=True)
class _Read:
    """What a block's text says, wherever it stands: its sentences as (text, marks, concepts,
    negated, excluded, placeholders), whether it holds a placeholder, and the names of all its
    concepts when they were asked for (a heading's or a header cell's context); and what its
    block's marks are worked out from: whether it reads as a contents entry, whether it is short
    enough to be a table's label, and (in a contract) whether it reads as a title."""

    sentences: tuple[tuple[str, frozenset[str], frozenset[str], frozenset[str], frozenset[str], tuple[str, ...]], ...]
    placeholder: bool
    names: frozenset[str] | None
    contents: bool
    short: bool
    title_like: bool


def _read(sdoc: "Doc", text: str, matcher: ConceptMatcher, mv: MarkVocabulary, profile: str,
          share: Callable[[frozenset[str], frozenset[str]], frozenset[str]], names: bool) -> _Read:
    """A block text's sentences with their marks and concepts (`sdoc`: the text's Doc), and with
    `names`, the names of all its concepts (only then: the matcher keeps every set it names, and
    a plan's paragraphs would add megabytes of them). `share` gives the pool's copy of a set."""
    concept_patterns, mark_patterns = matcher.open_block(text)  # those that may match here
    patterns = mv.patterns_opened(mark_patterns)
    holder_spans = [m.span() for p in patterns.placeholder for m in p.finditer(text)] if patterns.placeholder else ()
    sents = list(sdoc.sents)
    # each hit goes to the sentence it starts in (sentences partition the block's tokens)
    hits = matcher.find(sdoc, text, concept_patterns)
    named = matcher.names(hits) if names else None
    if len(sents) == 1:
        by_sent = [hits]
    else:
        hits.sort(key=_START)  # in order already but for pattern hits: a cheap sort
        cuts = [bisect.bisect_left(hits, sent.start, key=_START) for sent in sents[1:]]
        by_sent = [hits[a:b] for a, b in zip([0, *cuts], [*cuts, len(hits)])]
    block_words, block_norms = sdoc.user_data[WORDS]
    out = []
    for sent, sent_hits in zip(sents, by_sent):
        raw = text[sent.start_char : sent.end_char]  # what sent.text gives, without its tokens
        clean_text = normalise(raw)
        if not clean_text:
            continue
        words = block_words[sent.start : sent.end]
        norms = block_norms[sent.start : sent.end]
        sm = mark_sentence(words, norms, raw, profile, patterns)
        # a placeholder the sentencizer cut in two ("[insert triggers, e.g. ...]") marks both halves
        cut = [text[a:b] for a, b in holder_spans if a < sent.end_char and b > sent.start_char] if holder_spans else ()
        if cut and "placeholder" not in sm.marks:
            sm = replace(sm, marks=sm.marks | {"placeholder"}, placeholders=tuple(cut))
        clean, neg, exc = _split_by_marks(matcher, sent_hits, sent.start, sm)
        out.append((clean_text, sm.marks, share(clean, clean), share(neg, neg), share(exc, exc), sm.placeholders))
    return _Read(tuple(out), bool(holder_spans), named, looks_like_contents_entry(text),
                 len(text.split()) <= _LABEL_WORDS, profile == "contract" and _title_like(text))


_NONE: frozenset[str] = frozenset()


def _split_by_marks(
    matcher: ConceptMatcher, hits: list[ConceptHit], first: int, sm: SentenceMarks
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """A sentence's concepts as (present, only negated, only disapplied), by where each hit falls:
    under an exclusion, under a negation, or free. `first`: the sentence's first token in the block."""
    if not (sm.excluded_tokens or sm.negated_tokens):
        return matcher.names(hits) if hits else _NONE, _NONE, _NONE  # most sentences
    clean: set[str] = set()
    neg: set[str] = set()
    exc: set[str] = set()
    for group, start, end in hits:
        offs = range(start - first, end - first)
        if any(o in sm.excluded_tokens for o in offs):
            exc |= matcher.concepts_of(group)
        elif any(o in sm.negated_tokens for o in offs):
            neg |= matcher.concepts_of(group)
        else:
            clean |= matcher.concepts_of(group)
    return frozenset(clean), frozenset(neg - clean), frozenset(exc - clean)


_BARE_EXCLUSION = re.compile(
    r"(?i)^\W*(?:not used|not applicable|n/a|intentionally (?:left )?blank|deleted|omitted|reserved|none)\W*$"
)


def _apply_bare_exclusion(sentences: list[Sentence], first: int) -> None:
    """"Part C — Liquidated Damages. Not used.": a sentence that is only an exclusion disapplies
    what the same block said before it. The block's sentences are sentences[first:]."""
    if len(sentences) - first < 2:
        return  # most blocks: one sentence
    mine = list(range(first, len(sentences)))
    for pos, i in enumerate(mine[1:], 1):
        if _BARE_EXCLUSION.match(sentences[i].text):
            for j in mine[:pos]:
                s = sentences[j]
                sentences[j] = replace(s, marks=s.marks | {"excluded"}, concepts=frozenset(),
                                       excluded=s.excluded | s.concepts)


def _title(doc: Document) -> str | None:
    """The document's title: a first heading with no other heading at its level. It sits above
    every section, so it says nothing about any one of them and is left out of section context."""
    heads = [b for b in doc.blocks if b.kind == "heading"]
    if len(heads) < 2 or doc.blocks[0].kind != "heading":
        return None  # a lone heading heads the one section there is
    first = doc.blocks[0]
    if any(h.level <= first.level for h in heads[1:]):
        return None
    return " ".join(first.text.split())


_VERB_CUE = re.compile(
    r"(?i)\b(?:shall|will|must|may|is|are|be|been|has|have|had|does|do|can|cannot|pays?|paid|provides?|agrees?|"
    r"means|applies|apply|includes?|requires?|owns?|warrants?|indemnif\w*|terminat\w*|not|no)\b"
)


def _title_like(text: str) -> bool:
    """A short line with no verb: a title or caption, whatever its style."""
    words = text.split()
    return 0 < len(words) <= 8 and not _VERB_CUE.search(text)


_RECITAL_START = re.compile(r"(?i)^\W*(?:background|recitals?|whereas|preamble)\W*$|^\W*(?:\([a-z]\)\s*)?whereas\b")
_RECITAL_END = re.compile(
    r"(?i)^\W*(?:now,?\s+therefore|now\s+it\s+is|it\s+is\s+(?:hereby\s+)?agreed|the\s+parties\s+(?:hereby\s+)?agree|"
    r"agreed\s+terms|operative\s+provisions|in\s+consideration\s+of)"
)


def _recital_state(block: Block, inside: bool) -> bool:
    """Whether a contract block sits in the recitals: from a "Background"/"Recitals"/"WHEREAS" line
    (heading or not) until the operative part starts (a numbered clause, another heading, "NOW
    THEREFORE", "IT IS AGREED")."""
    text = block.text.strip()
    if _RECITAL_START.match(text):
        return True
    if not inside:
        return False
    if _RECITAL_END.match(text) or block.kind == "heading" or block.location.clause_ref:
        return False
    return True


_THIS_PART = re.compile(r"(?i)\bthis (?:charter|section|schedule|part|annex|appendix|clause|statement|memorandum|protocol|exhibit)\b")


def _non_binding_sections(sentences: list[Sentence]) -> list[Sentence]:
    """A section that declares itself non-binding ("This Charter is a statement of intention only")
    makes every sentence in it non-binding, not just the declaration."""
    paths = {s.location.heading_path for s in sentences if "non-binding" in s.marks and _THIS_PART.search(s.text)}
    paths.discard(())
    if not paths:
        return sentences
    return [
        replace(s, marks=s.marks | {"non-binding"})
        if any(s.location.heading_path[: len(p)] == p for p in paths)
        else s
        for s in sentences
    ]


_EMPTY_CELL = re.compile(r"^\W*(?:n/?a|none|nil|tbc|tba|tbd|to be confirmed|-+|—|–)?\W*$", re.I)


def _filled_columns(cells: list[Cell], holder_cells: set[tuple[int, int, int]]) -> dict[tuple[int, int], bool]:
    """Which table columns hold real content below the header row (`holder_cells`: the cells
    holding a placeholder, as the sentence marks found them)."""
    out: dict[tuple[int, int], bool] = {}
    for t, r, c, text in cells:
        if r > 1 and not out.get((t, c)):  # a column is filled from its first real cell on
            out[(t, c)] = not _EMPTY_CELL.match(text) and (t, r, c) not in holder_cells
    return out


def _row_texts(cells: list[Cell]) -> dict[int, tuple[tuple[int, str], ...]]:
    """Each table's data rows as text, for quoting table evidence row by row."""
    rows: dict[int, dict[int, list[str]]] = {}
    for t, r, _, text in cells:
        if r > 1 and text.strip():
            rows.setdefault(t, {}).setdefault(r, []).append(normalise(text))
    return {t: tuple((r, " | ".join(c)) for r, c in sorted(by_row.items())) for t, by_row in rows.items()}


def _sections(doc: Document, sentences: list[Sentence], concepts_of) -> Iterator[Section]:  # type: ignore[no-untyped-def]
    by_block: dict[int, list[int]] = {}
    for s in sentences:
        by_block.setdefault(s.block, []).append(s.index)
    blocks: tuple[Block, ...] = doc.blocks
    for i, b in enumerate(blocks):
        if b.kind != "heading":
            continue
        j = i + 1
        while j < len(blocks) and not (blocks[j].kind == "heading" and blocks[j].level <= b.level):
            j += 1
        inside = tuple(si for k in range(i + 1, j) for si in by_block.get(k, ()))
        marks = set(section_marks(b.location.heading_path + (b.text,)))
        if looks_like_contents_entry(b.text):
            marks.add("contents")
        yield Section(i, normalise(b.text), concepts_of(b.text), inside, b.location, frozenset(marks))
