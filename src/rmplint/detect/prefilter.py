"""A cheap pre-test for regular expressions: literal text (or a digit) every match must contain.

Most concept patterns hold a word or a list of words (`\\b(?:client|customer|...)`). A block
whose case-folded text holds none of them cannot match, so the pattern is not run on it: with 85
patterns over every block, running them all was most of a long document's matching time.
"""

from __future__ import annotations

import operator
import re
from typing import Any, Sequence

from rmplint.rules.regex_safety import _c, _sre_compile, _sre_parse

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_MAX_NEEDLES = 64
# Stands in a group for "a digit" (\\d): not a literal, tested with _ANY_DIGIT. \\d matches any
# Unicode digit (and only [0-9] under re.ASCII), which _ANY_DIGIT finds either way. The empty
# string, because no literal of a pattern is ever empty.
DIGIT = ""
_ANY_DIGIT = re.compile(r"\d")


def literal_groups(pattern: str, flags: int = re.I, digits: bool = False) -> tuple[tuple[str, ...], ...]:
    """Sets of case-folded strings a text must hold one of each for `pattern` to match in it,
    strongest first; () when none can be told. `(?:£|\\$) ... per (?:day|week)` needs one of
    the currency signs and one of the periods: two groups. With `digits`, a group may also hold
    DIGIT, which stands for any digit; without, groups are literals only."""
    try:
        tree = _sre_parse.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return ()
    groups = []
    for g in _groups(list(tree)):
        if len(g) <= _MAX_NEEDLES and g not in groups and (digits or DIGIT not in g):
            groups.append(g)
    if not groups:
        return ()
    best = _best(groups)
    # a weak group (a letter, "the") lets nearly every text through: only strong ones are kept
    strong = [g for g in groups if g is not best and not any(_weak(s) for s in g)]
    strong.sort(key=_strength, reverse=True)
    out = [best, *strong[: _MAX_GROUPS - 1]]
    return tuple(tuple(sorted({s.casefold() for s in g})) for g in out)


_MAX_GROUPS = 3
_COMMON = frozenset("a an and all any as at be by each for in is it its of on or the this to two with".split())


def _weak(literal: str) -> bool:
    """A literal found in nearly every paragraph: a letter, a short common word, spaces."""
    if literal == DIGIT:
        return False
    word = literal.strip().casefold()
    return (len(word) < 2 and word.isalpha()) or word in _COMMON or not word


def _strength(needles: set[str]) -> tuple[bool, bool, int, int]:
    """A group without a weak literal beats one with ("m" or "k" after a number is in nearly every
    text, a digit in a third of them), literals beat a digit, long literals beat short ones, few
    beat many."""
    return not any(_weak(n) for n in needles), DIGIT not in needles, min(len(n) for n in needles), -len(needles)


def _best(groups: list[set[str]]) -> set[str]:
    """The strongest group; the first of equals."""
    best = groups[0]
    for g in groups[1:]:
        if _strength(g) > _strength(best):
            best = g
    return best


def _groups(items: Sequence[Any]) -> list[set[str]]:
    """Sets of literals a match of this sequence must contain one of each, in pattern order."""
    out: list[set[str]] = []
    i = 0
    while i < len(items):
        op, av = items[i]
        if op == _c.LITERAL:
            text = ""
            while i < len(items) and items[i][0] == _c.LITERAL:
                text += chr(items[i][1])
                i += 1
            out.append({text})
            i -= 1
        elif op in _REPEATS and av[0] >= 2 and len(av[2]) == 1 and av[2][0][0] == _c.LITERAL:
            out.append({chr(av[2][0][1]) * min(av[0], 8)})  # X{3,} needs "xxx", not just "x"
        elif op in _REPEATS and av[0] >= 1:
            out.extend(_groups(list(av[2])))
        elif op == _c.SUBPATTERN:
            out.extend(_groups(list(av[-1])))
        elif op == _c.ASSERT:  # a look-ahead or look-behind that must hold: its text is there too
            out.extend(_groups(list(av[1])))
        elif op == _c.BRANCH:
            union: set[str] = set()
            for alternative in av[1]:
                alt = _groups(list(alternative))
                if not alt:
                    break
                union |= _best(alt)
            else:
                out.append(union)
        elif op == _c.IN and all(o == _c.LITERAL for o, _ in av):
            out.append({chr(v) for _, v in av})
        elif op == _c.IN and av == [(_c.CATEGORY, _c.CATEGORY_DIGIT)]:
            out.append({DIGIT})
        i += 1
    return out


def may_match_newline(pattern: str, flags: int = 0) -> bool:
    """Whether a match of the pattern may hold a line break (True when unsure)."""

    def node(op: Any, av: Any) -> bool:
        if op is _c.LITERAL:
            return bool(av == 10)
        if op is _c.NOT_LITERAL:
            return bool(av != 10)
        if op is _c.ANY:
            return bool(flags & re.S)
        if op is _c.AT:
            return False
        if op is _c.IN:
            return any(item(o, a) for o, a in av)
        if op in (_c.SUBPATTERN, _c.ASSERT, _c.ASSERT_NOT):
            return seq(av[-1])
        if op is _c.BRANCH:
            return any(seq(alt) for alt in av[1])
        if op in _REPEATS:
            return seq(av[2])
        return True

    def item(op: Any, av: Any) -> bool:
        if op is _c.LITERAL:
            return bool(av == 10)
        if op is _c.RANGE:
            return bool(av[0] <= 10 <= av[1])
        if op is _c.CATEGORY:
            return av not in (_c.CATEGORY_WORD, _c.CATEGORY_DIGIT, _c.CATEGORY_NOT_SPACE)
        return True  # a negated set, and anything else

    def seq(items: Any) -> bool:
        return any(node(op, av) for op, av in items)

    try:
        return seq(_sre_parse.parse(pattern, flags))
    except (re.error, RecursionError, OverflowError):
        return True


def lowercase_twin(pattern: str, flags: int = re.I) -> re.Pattern[str] | None:
    """A case-insensitive `pattern` as a case-sensitive one that finds the same matches, at the
    same offsets, in a text's twin_text() (its lower case: for ASCII, and for most other text,
    one character for one); None where that is not sure (scoped flags, a cased character beyond ASCII, an
    unknown construct), or for a pattern that is not case-insensitive.

    Python's regex engine skips ahead to a pattern's literal prefix only when it matches
    case-sensitively, and never past a leading \\b: a vocabulary pattern such as
    `\\bby (?:\\w+ ){0,3}(?:spend|value)` is otherwise tried at every position of a text
    (25-60 MB/s). The twin has the pattern's literals and classes lower-cased and, where the
    pattern opens with \\b and literals, the \\b checked in a look-behind after them
    (`\\bby ` -> `by (?<=\\bby )`): the same test at the same position."""
    if not flags & re.I:
        return None
    try:
        tree = _sre_parse.parse(pattern, flags)
        if not tree.state.flags & re.I:
            return None
        data = _lowered(list(tree))
        if len(data) > 1 and data[0] == (_c.AT, _c.AT_BOUNDARY):
            k = 1
            while k < len(data) and data[k][0] is _c.LITERAL:
                k += 1
            if k > 1:  # \b + literals: the literals first, then the \b behind them
                behind = _sre_parse.SubPattern(tree.state, [data[0], *data[1:k]])
                data = [*data[1:k], (_c.ASSERT, (-1, behind)), *data[k:]]
        tree.state.flags &= ~re.I
        return _sre_compile.compile(_sre_parse.SubPattern(tree.state, data), 0)  # type: ignore[no-any-return]
    except (_Unsure, re.error, RecursionError, OverflowError, TypeError, ValueError, AttributeError):
        return None


# Characters re.I matches with an ASCII letter although str.lower() does not make them that
# letter (dotless ı, long ſ, the Kelvin and Angstrom signs), and dotted İ, whose lower case is
# two characters: a text holding one is searched with the pattern itself.
_CASE_ODD = frozenset("\u0131\u017f\u212a\u212b\u0130")


def twin_text(text: str) -> str | None:
    """The text lowercase_twin patterns search in place of `text`: its lower case, where that
    keeps every offset and every case-insensitive match; None where it does not."""
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text) or not _CASE_ODD.isdisjoint(text):
        return None
    return low


class _Unsure(Exception):
    """A construct lowercase_twin does not rewrite."""


def _lowered(items: list[Any]) -> list[Any]:
    """A parse tree's items with every literal and class member lower-cased (see lowercase_twin)."""
    out: list[Any] = []
    for op, av in items:
        if op is _c.LITERAL or op is _c.NOT_LITERAL:
            out.append((op, _lower(av)))
        elif op is _c.IN:
            out.append((op, _lowered_set(av)))
        elif op in (_c.ANY, _c.AT, _c.GROUPREF):
            out.append((op, av))
        elif op is _c.BRANCH:
            out.append((op, (av[0], [_sub(p) for p in av[1]])))
        elif op is _c.SUBPATTERN:
            group, add, remove, p = av
            if add or remove:  # (?i:...), (?-i:...): case rules of their own
                raise _Unsure
            out.append((op, (group, add, remove, _sub(p))))
        elif op in _REPEATS:
            out.append((op, (av[0], av[1], _sub(av[2]))))
        elif op is _c.ASSERT or op is _c.ASSERT_NOT:
            out.append((op, (av[0], _sub(av[1]))))
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            out.append((op, _sub(av)))
        elif op is _c.GROUPREF_EXISTS:
            out.append((op, (av[0], _sub(av[1]), _sub(av[2]) if av[2] is not None else None)))
        else:
            raise _Unsure
    return out


def _sub(p: Any) -> Any:
    return _sre_parse.SubPattern(p.state, _lowered(list(p)))


def _lower(code: int) -> int:
    """A literal's lower case; a character beyond ASCII is kept only if it has no case at all
    (a dash, a quote mark), which case-insensitive matching leaves as it is. (The only other
    characters re.I matches with an ASCII letter are _CASE_ODD's, which twin_text refuses.)"""
    ch = chr(code)
    if code < 128:
        return ord(ch.lower())
    if ch.lower() != ch or ch.upper() != ch or ch.casefold() != ch:
        raise _Unsure
    return code


def _lowered_set(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for op, av in items:
        if op is _c.LITERAL:
            out.append((op, _lower(av)))
        elif op is _c.RANGE:
            lo, hi = av
            if hi - lo > 4096:  # a range that wide is not worth checking character by character
                raise _Unsure
            low = sorted({_lower(c) for c in range(lo, hi + 1)})
            start = prev = low[0]
            for c in [*low[1:], None]:  # consecutive codes back into ranges
                if c is not None and c == prev + 1:
                    prev = c
                    continue
                out.append((_c.RANGE, (start, prev)) if prev > start else (_c.LITERAL, start))
                if c is not None:
                    start = prev = c
        elif op is _c.CATEGORY or op is _c.NEGATE:
            out.append((op, av))
        else:
            raise _Unsure
    return out


class Gate:
    """Which of many patterns can match a text: one pass of an Aho-Corasick automaton over the
    case-folded text finds every literal the patterns need, and a pattern runs only when each of
    its groups has one there (or a digit, for DIGIT). Patterns with nothing to test always run.

    Sets of patterns are bit masks (bit i: pattern i): a literal found opens, at once, every
    pattern whose first group holds it; the few patterns with more groups are then tested."""

    def __init__(self, patterns: Sequence[tuple[str, int]]) -> None:
        import ahocorasick

        self.size = len(patterns)
        self._always = 0
        self._rest_mask = 0  # the patterns with more than one group
        first: dict[int, int] = {}  # literal -> the patterns whose first group holds it
        self._rest: dict[int, tuple[frozenset[int], ...]] = {}  # such a pattern's other groups
        ids: dict[str, int] = {}
        for i, groups_of in enumerate(_cached_groups(patterns)):
            found = sorted(groups_of, key=lambda g: any(_weak(s) for s in g))  # strong first
            groups = [frozenset(ids.setdefault(s, len(ids)) for s in g) for g in found]
            if not groups:
                self._always |= 1 << i
            for literal_id in groups[0] if groups else ():
                first[literal_id] = first.get(literal_id, 0) | 1 << i
            if len(groups) > 1:
                self._rest[i] = tuple(groups[1:])
                self._rest_mask |= 1 << i
        self._first = [first.get(n, 0) for n in range(len(ids))]
        self._digit = ids.pop(DIGIT, None)  # tested apart: it is not a literal
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for literal, n in ids.items():
            self._automaton.add_word(literal, n)
        self._searchable = bool(ids) or self._digit is not None
        if ids:
            self._automaton.make_automaton()

    def open(self, folded: str) -> list[int]:
        """The indexes, ascending, of the patterns that may match a text (given case-folded)."""
        if not self._searchable:
            return _bits(self._always)
        if not folded.isascii() and ("ı" in folded or "\u0307" in folded):
            # re.I lets "i" match dotless ı and dotted İ (which case-folds to i + U+0307): the
            # folded text does not show such a match, so every pattern runs
            return list(range(self.size))
        present = set(map(_SECOND, self._automaton.iter(folded))) if len(self._automaton) else set()
        if self._digit is not None and _ANY_DIGIT.search(folded):
            present.add(self._digit)
        first = self._first
        run = self._always
        for literal in present:
            run |= first[literal]
        for i in _bits(run & self._rest_mask):
            for group in self._rest[i]:
                if group.isdisjoint(present):
                    run ^= 1 << i
                    break
        return _bits(run)


def _bits(mask: int) -> list[int]:
    """The positions of the set bits of `mask`, ascending."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


_SECOND = operator.itemgetter(1)


_CACHE_FORMAT = "rmplint literal groups 3"


def _cached_groups(patterns: Sequence[tuple[str, int]]) -> list[tuple[tuple[str, ...], ...]]:
    """literal_groups() of each pattern, kept in the start-up cache: parsing the pack's patterns
    again was a third of building the concept matcher in every process."""
    import sys
    from pathlib import Path

    from rmplint import cache

    stored = cache.memo(
        "literals",
        lambda: (_CACHE_FORMAT, sys.version, Path(__file__).read_bytes(), *(f"{f}:{p}" for p, f in patterns)),
        lambda: [[list(x) for x in literal_groups(p, f, digits=True)] for p, f in patterns],
        lambda got: isinstance(got, list) and len(got) == len(patterns) and cache.nested(got, 3, str),
    )
    return [tuple(tuple(x) for x in g) for g in stored]
