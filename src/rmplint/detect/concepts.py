"""Compile every concept of a rule pack into one PhraseMatcher pass (lemmas and exact words).

One matcher for all rules keeps the cost per document flat however many rules there are:
spaCy's PhraseMatcher with hundreds of phrases costs about the same as with one.
"""

from __future__ import annotations

import bisect
import operator
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable

from rmplint.detect.prefilter import Gate, lowercase_twin, twin_text
from rmplint.rules.spec import RulePack

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc


# Words found at token offsets [start, end) of the block's Doc: (group, start, end). `group` is the
# match id shared by the phrases (and patterns) that count for the same concepts; `concepts_of(group)`
# is every concept it counts for, parents included. A plain tuple, as spaCy returns it: a 500-page
# plan makes 100,000 of them.
ConceptHit = tuple[int, int, int]
_GROUP = operator.itemgetter(0)
_NAMES_KEPT = 100_000


class ConceptMatcher:
    """Finds concepts in spaCy Docs. Built once per rule pack and process.

    A word often serves many concepts ("reviewed" is in a dozen lists). Each distinct phrase goes
    into the matcher once, under a key that stands for every concept that lists the phrase and
    every concept that includes those: a token then gives one hit instead of a dozen, and the
    names are worked out once per key instead of once per hit."""

    def __init__(self, pack: RulePack, extra_lemmas: Iterable[str] = ()) -> None:
        from rmplint.nlp import get_nlp, mark_vocabulary

        nlp = get_nlp()  # first: it imports spaCy
        from spacy.matcher import PhraseMatcher

        adhoc = sorted(set(extra_lemmas) | {n for r in pack.rules for n in _rule_names(r) if n.startswith("lemma:")})
        plan = _cached_plan(pack, adhoc)
        strings = nlp.vocab.strings
        # match id -> every concept it counts for
        self._concepts: dict[int, frozenset[str]] = {strings.add(k): frozenset(names) for k, names in plan["keys"]}
        self._names: dict[frozenset[int], frozenset[str]] = {}  # names() of a set of groups
        # spaCy makes a vocabulary entry for every match key, working out the twenty-odd lexical
        # attributes of a word for each (a third of the matcher's build). A key holds a space, so
        # it can never be a document's token: its entry is made without them.
        vocab: Any = nlp.vocab  # spaCy's stubs leave out its public lex_attr_getters
        getters, vocab.lex_attr_getters = vocab.lex_attr_getters, {}
        try:
            for k, _ in plan["keys"]:
                vocab[k]
        finally:
            vocab.lex_attr_getters = getters
        # Phrases go in as their NORM (or LOWER) keys, not as Docs (as when spaCy unpickles a
        # PhraseMatcher): the same keys, without tokenizing thousands of phrases in every process.
        def as_keys(phrases: list[list[int]]) -> Any:  # Any: spaCy's stubs type add() for Docs only
            return list(map(tuple, phrases))

        self._by_norm = PhraseMatcher(nlp.vocab, attr="NORM")
        for k, phrases in plan["norm"]:
            self._by_norm.add(k, as_keys(phrases))
        self._by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        for k, phrases in plan["lower"]:
            self._by_lower.add(k, as_keys(phrases))
        # (match id, pattern), compiled when a text first holds its literals: most documents open
        # a third to two thirds of them, and compiling all took a third of the matcher's build
        self._regex = [(strings[k], p) for p, k in plan["regex"]]
        self._compiled: list[re.Pattern[str] | None] = [None] * len(self._regex)
        # and their case-sensitive twins for lower-cased text, made on first need the same way
        # (prefilter.lowercase_twin: several times faster); _twinless: those that have none
        self._twins: list[re.Pattern[str] | None] = [None] * len(self._regex)
        self._twinless: set[int] = set()
        # the pre-test: a pattern whose required literals are not all in a text is not run on it.
        # The sentence-mark patterns are tested in the same pass (open_block), after these.
        self._gate = Gate([*((p, re.I) for p, _ in plan["regex"]), *mark_vocabulary().pattern_sources()])
        self._marks_from = len(self._regex)

    def concepts_of(self, group: int) -> frozenset[str]:
        """Every concept a hit's group counts for."""
        return self._concepts[group]

    def open_block(self, text: str) -> tuple[list[int], list[int]]:
        """The concept patterns (for find) and the sentence-mark patterns (for
        MarkVocabulary.patterns_opened) that may match in a text: one pass of the pre-test for both."""
        opened = self._gate.open(text.casefold())
        cut = bisect.bisect_left(opened, self._marks_from)
        return opened[:cut], [i - self._marks_from for i in opened[cut:]]

    def find(self, doc: "Doc", text: str | None = None, opened: list[int] | None = None) -> list[ConceptHit]:
        """Where the concepts' words occur in `doc`, at token offsets. `text`: doc.text, when the
        caller has it (spaCy builds it from the tokens on every call); `opened`: the concept
        patterns open_block() gave for it."""
        hits = self._by_norm(doc)
        hits.extend(self._by_lower(doc))
        if self._regex:
            text = doc.text if text is None else text
            opened = self.open_block(text)[0] if opened is None else opened
            low = twin_text(text) if opened else None  # what the patterns' twins search, where they can
            for i in opened:
                twin = self._twin(i) if low is not None else None
                found = twin.finditer(low) if twin is not None and low is not None else self._pattern(i).finditer(text)
                for m in found:  # the same offsets either way
                    span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                    if span is not None:
                        hits.append((self._regex[i][0], span.start, span.end))
        return hits

    def _pattern(self, i: int) -> re.Pattern[str]:
        rx = self._compiled[i]
        if rx is None:
            rx = self._compiled[i] = re.compile(self._regex[i][1], re.I)
        return rx

    def _twin(self, i: int) -> re.Pattern[str] | None:
        rx = self._twins[i]
        if rx is None and i not in self._twinless:
            rx = self._twins[i] = lowercase_twin(self._regex[i][1])
            if rx is None:
                self._twinless.add(i)
        return rx

    def names(self, hits: Iterable[ConceptHit]) -> frozenset[str]:
        """Every concept these hits count for. Sentences share few distinct sets of groups, so
        each set's union (of a dozen sets of names) is worked out once."""
        groups = frozenset(map(_GROUP, hits))
        got = self._names.get(groups)
        if got is None:
            if len(self._names) >= _NAMES_KEPT:
                self._names.clear()  # a bound for a long batch, far above one document's need
            concepts = self._concepts
            got = self._names[groups] = frozenset().union(*(concepts[g] for g in groups))
        return got


_PLAN_FORMAT = "rmplint concept matcher plan 1"


def _cached_plan(pack: RulePack, adhoc: list[str]) -> dict[str, Any]:
    """_plan() of the pack, kept in the start-up cache: the phrases' keys and their grouping were
    half of building the matcher in every process. Keyed by everything the plan is made from:
    the concepts, the rules' ad hoc lemmas, this module and the pipeline's (whose lemmas make
    the keys), spaCy, its lookup tables and Python."""
    import sys
    from pathlib import Path

    import orjson
    import spacy
    import spacy_lookups_data

    from rmplint import cache, nlp

    def parts() -> tuple[str | bytes, ...]:
        vocabulary = orjson.dumps([[c.name, c.phrases, c.exact, c.patterns, c.includes] for c in pack.concepts.values()])
        return (_PLAN_FORMAT, sys.version, spacy.__version__, spacy_lookups_data.__version__,
                Path(__file__).read_bytes(), Path(nlp.__file__).read_bytes(), orjson.dumps(adhoc), vocabulary)

    return cache.memo("matcher", parts, lambda: _plan(pack, adhoc), _plan_ok)  # type: ignore[no-any-return]


def _plan(pack: RulePack, adhoc: list[str]) -> dict[str, Any]:
    """How the pack's concepts go into the matchers, as JSON data. "keys": each match key (in the
    order made) with every concept it counts for; "norm" and "lower": each key with the phrases
    (as their tokens' NORM or LOWER hashes) the NORM and LOWER matchers find under it; "regex":
    each distinct pattern with its key (see the class's docstring)."""
    from rmplint.nlp import phrase_keys

    texts = [*(p for c in pack.concepts.values() for p in c.phrases), *(n[len("lemma:") :] for n in adhoc)]
    keys = phrase_keys(texts)
    lowers = phrase_keys((p for c in pack.concepts.values() for p in c.exact), "LOWER")
    # which concepts count as which: a hit for X also counts for every concept including X
    included_by: dict[str, list[str]] = {}
    for c in pack.concepts.values():
        for inc in c.includes:
            included_by.setdefault(inc, []).append(c.name)
    expand = {n: _ancestors(n, included_by) for n in pack.concepts}
    expand.update((name, frozenset({name})) for name in adhoc)
    # distinct phrase -> the concepts that list it, in a stable order
    by_norm: dict[tuple[int, ...], set[str]] = {}
    by_lower: dict[tuple[int, ...], set[str]] = {}
    regex_names: dict[str, set[str]] = {}  # a pattern may serve several concepts: run it once
    for c in pack.concepts.values():
        for p in c.phrases:
            by_norm.setdefault(keys[p], set()).add(c.name)
        for p in c.exact:
            by_lower.setdefault(lowers[p], set()).add(c.name)
        for p in c.patterns:
            regex_names.setdefault(p, set()).add(c.name)
    for name in adhoc:
        by_norm.setdefault(keys[name[len("lemma:") :]], set()).add(name)
    key_of: dict[frozenset[str], str] = {}  # concepts counted -> match key
    key_for: dict[frozenset[str], str] = {}  # concepts listing a phrase -> match key

    def key(names: set[str]) -> str:
        """The match key of the phrases that count for these concepts (and their parents):
        one key per distinct set, since spaCy makes a vocabulary entry for every key."""
        listed = frozenset(names)
        if listed not in key_for:
            counts = frozenset().union(*(expand[c] for c in listed))
            if counts not in key_of:
                key_of[counts] = f"rmplint concepts {len(key_of)}"
            key_for[listed] = key_of[counts]
        return key_for[listed]

    by_key_norm: dict[str, list[list[int]]] = {}
    for phrase, names in sorted(by_norm.items()):
        by_key_norm.setdefault(key(names), []).append(list(phrase))
    by_key_lower: dict[str, list[list[int]]] = {}
    for phrase, names in sorted(by_lower.items()):
        by_key_lower.setdefault(key(names), []).append(list(phrase))
    regex = [[p, key(names)] for p, names in regex_names.items()]
    return {
        "keys": [[k, sorted(counts)] for counts, k in key_of.items()],
        "norm": [[k, phrases] for k, phrases in by_key_norm.items()],
        "lower": [[k, phrases] for k, phrases in by_key_lower.items()],
        "regex": regex,
    }


def _plan_ok(got: Any) -> bool:
    """Whether stored data has the shape _plan() gives (a damaged entry is a miss)."""
    from rmplint import cache

    if not (isinstance(got, dict) and set(got) == {"keys", "norm", "lower", "regex"}
            and all(isinstance(got[k], list) for k in got)):
        return False

    def pairs(rows: Any, second: Callable[[Any], bool] = lambda _: True) -> bool:
        return all(isinstance(r, list) and len(r) == 2 and isinstance(r[0], str) and second(r[1]) for r in rows)

    def phrases(rows: Any) -> bool:  # each row's phrases: lists of ints
        return cache.nested([r[1] for r in rows], 3, int)

    keys = {k for k, _ in got["keys"]} if pairs(got["keys"], lambda v: cache.nested(v, 1, str)) else None
    return (keys is not None and pairs(got["norm"]) and pairs(got["lower"])
            and phrases(got["norm"]) and phrases(got["lower"])
            and pairs(got["regex"], lambda k: isinstance(k, str) and k in keys)
            and all(k in keys for k, _ in (*got["norm"], *got["lower"])))


def _ancestors(name: str, included_by: dict[str, list[str]]) -> frozenset[str]:
    """The concept and every concept that includes it, directly or through others."""
    seen = {name}
    todo = [name]
    while todo:
        for parent in included_by.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return frozenset(seen)


def _rule_names(rule) -> Iterable[str]:  # type: ignore[no-untyped-def]
    from rmplint.rules.spec import HeadingSpec, PatternSpec, SentenceSpec, TableSpec

    for item in rule.evidence:
        for d in item.detectors:
            if isinstance(d, SentenceSpec):
                yield from (*d.all, *d.any, *d.none, *d.section, *d.either)
            elif isinstance(d, TableSpec):
                for g in d.columns:
                    yield from g
                yield from d.section
            elif isinstance(d, (HeadingSpec,)):
                yield from d.any
            elif isinstance(d, PatternSpec):
                yield from d.section
