"""Lookups over one analysed document that all rules share, built lazily once per check: which
sentences hold a concept (as bit sets), one Hit per sentence, and one identity per quote."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from array import array
from typing import Any, Callable, Iterable, Sequence, TypeVar

from rmplint.detect import Hit
from rmplint.detect.analysis import BLOCKING, AnalysedDocument
from rmplint.findings import Evidence, location_key
from rmplint.model import Location

Bits = int  # a set of sentence indexes: bit i is set when sentence i belongs to it
T = TypeVar("T")
# Characters `re.I` matches to an ASCII letter that str.lower() does not give (ı, ſ) or gives as
# two characters (İ): a text holding one is searched without the literal pre-test.
_IRREGULAR_CASE = ("\u0130", "\u0131", "\u017f")


class DocumentIndex:
    """An analysed document with the lookups rules repeat on it. Rules run as set algebra over
    concept bit sets instead of testing every sentence (the cost grew as rules x sentences), and
    the same sentence found by many rules is one Hit and one quote, not one per rule."""

    def __init__(self, adoc: AnalysedDocument) -> None:
        self.adoc = adoc
        self.everything: Bits = (1 << len(adoc.sentences)) - 1
        self._shared: dict[object, Any] = {}
        self._bits: dict[tuple[str, str], Bits] = {}
        self._usable: Bits | None = None
        self._hits: dict[bool, list[Hit | None]] = {False: [None] * len(adoc.sentences), True: [None] * len(adoc.sentences)}
        # quote identity: (text, one Location object per equal location) -> quote number
        self._locations: dict[Location, Location] = {}
        self._canonical: dict[int, Location] = {}  # id of a hit's location -> the equal one in _locations
        self._location_keys: dict[int, tuple[int, int, int, int, int, str]] = {}  # by id of a location in _locations
        self._quote_ids: dict[tuple[str, int], int] = {}
        self._quote_of: dict[int, int] = {}  # id(hit) -> its quote number
        self._kept: list[Hit] = []
        self._quoted: list[tuple[str, Location]] = []  # by quote number: its text and location
        self._evidence: dict[int, Evidence] = {}  # made for the quotes a verdict keeps (quote())
        # by quote number, where the quote sorts: in document order, then by text
        self.quote_order: list[tuple[tuple[int, int, int, int, int, str], str]] = []

    # ------------------------------------------------------------------ sentence sets

    def bits(self, field: str, name: str) -> Bits:
        """The sentences whose `field` holds `name`: a field of _FIELDS, or "held" (present or
        negated) or "mentioned" (present, negated or excluded) for a concept."""
        got = self._bits.get((field, name))
        if got is None:
            if field in _DERIVED:
                got = 0
                for part in _DERIVED[field]:
                    got |= self.bits(part, name)
            else:
                got = self.bits_of(self._grouped[0][field].get(name, []))
            self._bits[(field, name)] = got
        return got

    def any_bits(self, field: str, names: Iterable[str]) -> Bits:
        out = 0
        for name in names:
            out |= self.bits(field, name)
        return out

    @property
    def usable(self) -> Bits:
        """The sentences that can be evidence (no blocking mark)."""
        if self._usable is None:
            self._usable = self.bits_of(self._grouped[1])
        return self._usable

    def containing(self, literals: Iterable[str]) -> Bits:
        """The sentences whose text holds one of these lower-case literals, ignoring case as `re.I`
        does: a regular expression that needs one of them can only match in these."""
        literals = set(literals)
        folded = self._folded
        if folded is None or not all(lit and lit.isascii() and lit == lit.lower() and "\n" not in lit for lit in literals):
            return self.everything
        text, starts = folded
        found: list[int] = []
        # a literal that holds another ("payment" holds "pay") finds nothing more
        for lit in [lit for lit in literals if not any(other != lit and other in lit for other in literals)]:
            at = text.find(lit)
            while at != -1:
                i = bisect.bisect_right(starts, at) - 1
                found.append(i)
                at = text.find(lit, starts[i + 1])  # the next sentence on
        return self.bits_of(found)

    def may_match(self, pattern: re.Pattern[str]) -> Bits:
        """The sentences a pattern can match in: those holding a literal of each group it needs."""
        out = self.everything
        for group in _literal_groups(pattern.pattern, pattern.flags):
            if not out:  # each group costs a search of the whole text
                break
            out &= self.containing(group)
        return out

    @functools.cached_property
    def _grouped(self) -> tuple[dict[str, dict[str, array[int]]], list[int]]:
        return _invert(self.adoc.sentences)

    @functools.cached_property
    def _folded(self) -> tuple[str, list[int]] | None:
        """All sentence texts lower-cased in one string (one per line), and where each starts."""
        texts = [s.text for s in self.adoc.sentences]
        joined = "\n".join(texts)
        if any(c in joined for c in _IRREGULAR_CASE):
            return None
        return joined.lower(), list(itertools.accumulate((len(t) + 1 for t in texts), initial=0))

    def bits_of(self, indexes: Iterable[int]) -> Bits:
        return _to_bits(indexes if isinstance(indexes, (list, array)) else list(indexes), len(self.adoc.sentences))

    def members(self, bits: Bits) -> list[int]:
        """The sentence indexes in a set, ascending."""
        if not bits:
            return []
        import numpy as np

        n = len(self.adoc.sentences)
        packed = np.frombuffer(bits.to_bytes((n + 7) // 8, "little"), np.uint8)
        return np.flatnonzero(np.unpackbits(packed, bitorder="little")).tolist()

    # ------------------------------------------------------------------ shared results

    def shared(self, build: Callable[[DocumentIndex], T]) -> T:
        """What `build` gives for this document, built once for every rule that asks."""
        if build not in self._shared:
            self._shared[build] = build(self)
        return self._shared[build]  # type: ignore[no-any-return]

    def sentence_hits(self, indexes: list[int], weak: bool) -> list[Hit]:
        """The Hits these sentences give as evidence, the same objects for every rule."""
        cache = self._hits[weak]
        got = list(map(cache.__getitem__, indexes))
        if None in got:  # sentences no rule has quoted yet (C-level tests, then a loop over those only)
            sentences = self.adoc.sentences
            for j, hit in enumerate(got):
                if hit is None:
                    i = indexes[j]
                    s = sentences[i]
                    hit = cache[i]  # the same sentence twice in `indexes`: made once
                    if hit is None:
                        hit = cache[i] = Hit(s.text, s.location, i, "joint" in s.concepts, "joint" in s.context, weak=weak)
                    got[j] = hit
        return got  # type: ignore[return-value]

    def quote_numbers(self, hits: Sequence[Hit]) -> list[int]:
        """A number per hit for its (text, location) quote: equal quotes get the same number."""
        quote_of = self._quote_of
        numbers = list(map(quote_of.get, map(id, hits)))
        if None in numbers:
            new_quote = self._new_quote  # (a hit met twice gets its quote's number again)
            for j, n in enumerate(numbers):
                if n is None:
                    numbers[j] = new_quote(hits[j])
        return numbers  # type: ignore[return-value]

    def quote(self, number: int) -> Evidence:
        """The Evidence of a quote number, one object per quote: a plan's hits give thousands of
        quotes, of which the verdicts keep a few (--max-evidence)."""
        got = self._evidence.get(number)
        if got is None:
            got = self._evidence[number] = Evidence(*self._quoted[number])
        return got

    def _new_quote(self, hit: Hit) -> int:
        loc = self._canonical.get(id(hit.location))
        if loc is None:
            loc = self._canonical[id(hit.location)] = self._locations.setdefault(hit.location, hit.location)
            if loc is hit.location:
                self._location_keys[id(loc)] = location_key(loc)
        key = (hit.text, id(loc))
        number = self._quote_ids.get(key)
        if number is None:
            number = self._quote_ids[key] = len(self._quoted)
            self._quoted.append((hit.text, loc))
            self.quote_order.append((self._location_keys[id(loc)], hit.text))
        # the hit is kept, and with it its location: no id in these tables is reused while the index lives
        self._kept.append(hit)
        self._quote_of[id(hit)] = number
        return number


_FIELDS = ("concepts", "negated", "excluded", "context", "kind")
_DERIVED = {"held": ("concepts", "negated"), "mentioned": ("concepts", "negated", "excluded")}


def _invert(sentences: Sequence) -> tuple[dict[str, dict[str, array[int]]], list[int]]:  # type: ignore[type-arg]
    """For each field of _FIELDS: name -> indexes of the sentences whose field holds it; and the
    indexes of the usable sentences. Sentences share their sets (the analysis pools them), so each
    distinct combination is walked once. The indexes are kept as 4-byte arrays: a 1,500-page
    plan has 1.4 million of them, 11 MB as lists."""
    groups: dict[tuple, list[int]] = {}  # type: ignore[type-arg]
    for s in sentences:
        groups.setdefault((s.concepts, s.negated, s.excluded, s.context, s.kind, s.marks), []).append(s.index)
    out: dict[str, dict[str, array[int]]] = {f: {} for f in _FIELDS}
    usable: list[int] = []
    for values, members in groups.items():
        indexes = array("i", members)  # converted once: an array extends another by copying its memory
        for field, names in zip(_FIELDS, values):
            inverted = out[field]
            for name in (names,) if field == "kind" else names:
                got = inverted.get(name)
                if got is None:
                    got = inverted[name] = array("i")
                got.extend(indexes)
        if not (values[-1] & BLOCKING):
            usable.extend(members)
    return out, usable


@functools.lru_cache(maxsize=256)
def _literal_groups(pattern: str, flags: int) -> tuple[tuple[str, ...], ...]:
    from rmplint.detect.prefilter import literal_groups

    return literal_groups(pattern, flags)


def _to_bits(indexes: list[int] | array[int], n: int) -> Bits:
    if len(indexes) < 32:  # a few bits are set faster one by one than through numpy
        out = 0
        for i in indexes:
            out |= 1 << i
        return out
    import numpy as np  # numpy comes with spaCy, which analysed the document

    mask = np.zeros(n, np.bool_)
    if isinstance(indexes, array):
        at = np.frombuffer(indexes, np.intc)  # the array's own memory, not a copy
    else:
        at = np.fromiter(indexes, np.intp, len(indexes))  # twice as fast as indexing by the list
    mask[at] = True
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")
