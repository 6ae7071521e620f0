"""Compile every concept of a rule pack into one PhraseMatcher pass (lemmas and exact words).

One matcher for all rules keeps the cost per document flat however many rules there are:
spaCy's PhraseMatcher with hundreds of phrases costs about the same as with one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable

from rmplint.detect.prefilter import leading_literals
from rmplint.rules.spec import RulePack

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc


# A concept found at token offsets [start, end) of the block's Doc: (concept, start, end). A plain
# tuple: a 500-page plan makes 370,000 of them, and a NamedTuple costs five times as much to build.
ConceptHit = tuple[str, int, int]


class ConceptMatcher:
    """Finds concepts in spaCy Docs. Built once per rule pack and process."""

    def __init__(self, pack: RulePack, extra_lemmas: Iterable[str] = ()) -> None:
        from rmplint.nlp import get_nlp, phrase_norms

        nlp = get_nlp()  # first: it imports spaCy
        from spacy.matcher import PhraseMatcher

        adhoc = sorted(set(extra_lemmas) | {n for r in pack.rules for n in _rule_names(r) if n.startswith("lemma:")})
        # Phrases go in as their NORM keys, not as Docs (as when spaCy unpickles a PhraseMatcher):
        # the same keys, without tokenizing thousands of phrases in every process.
        texts = [*(p for c in pack.concepts.values() for p in c.phrases), *(n[len("lemma:") :] for n in adhoc)]
        keys: dict[str, Any] = phrase_norms(texts)  # Any: spaCy's stubs type add() for Docs only
        self._strings = nlp.vocab.strings
        self._name_of: dict[int, str] = {}  # match id -> concept name
        self._by_norm = PhraseMatcher(nlp.vocab, attr="NORM")
        self._by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        regex_names: dict[str, list[str]] = {}  # a pattern may serve several concepts: run it once
        # which concepts count as which: a hit for X also counts for every concept including X
        parents: dict[str, set[str]] = {n: {n} for n in pack.concepts}
        changed = True
        while changed:
            changed = False
            for c in pack.concepts.values():
                for inc in c.includes:
                    for n, ps in parents.items():
                        if inc in ps and c.name not in ps:
                            ps.add(c.name)
                            changed = True
        self._expand = {n: frozenset(ps) for n, ps in parents.items()}
        for c in pack.concepts.values():
            if c.phrases:
                self._by_norm.add(c.name, [keys[p] for p in c.phrases])
            if c.exact:
                self._by_lower.add(c.name, [nlp.make_doc(p) for p in c.exact])
            for p in c.patterns:
                regex_names.setdefault(p, []).append(c.name)
        self._regex = [(tuple(names), re.compile(p, re.I)) for p, names in regex_names.items()]
        # the literal pre-test: which patterns each literal lets run; patterns without one always run
        self._always: list[int] = []
        self._by_literal: dict[str, list[int]] = {}
        for i, p in enumerate(regex_names):
            literals = leading_literals(p)
            if literals is None:
                self._always.append(i)
            for literal in literals or ():
                self._by_literal.setdefault(literal, []).append(i)
        for name in adhoc:
            self._by_norm.add(name, [keys[name[len("lemma:") :]]])
            self._expand[name] = frozenset({name})

    def expand(self, name: str) -> frozenset[str]:
        return self._expand.get(name, frozenset({name}))

    def find(self, doc: "Doc") -> list[ConceptHit]:
        """The concepts whose words occur in `doc`, at token offsets. A hit names the concept that
        matched, unexpanded: `expand(hit.concept)` is every concept it counts for."""
        name_of = self._name_of
        hits = []
        for matcher in (self._by_norm, self._by_lower):
            for mid, s, e in matcher(doc):
                name = name_of.get(mid)
                if name is None:
                    name = name_of[mid] = self._strings[mid]
                hits.append((name, s, e))
        if self._regex:
            text = doc.text
            folded = text.casefold()
            # a pattern none of whose literals is in the text cannot match it: it is not run
            run = set(self._always)
            for literal, patterns in self._by_literal.items():
                if literal in folded:
                    run.update(patterns)
            for i in sorted(run):
                names, rx = self._regex[i]
                for m in rx.finditer(text):
                    span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                    if span is not None:
                        hits.extend((n, span.start, span.end) for n in names)
        return hits

    def names(self, hits: Iterable[ConceptHit]) -> set[str]:
        """Every concept these hits count for."""
        out: set[str] = set()
        for name in {h[0] for h in hits}:
            out |= self.expand(name)
        return out


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
