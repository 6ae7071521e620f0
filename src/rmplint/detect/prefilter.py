"""A cheap pre-test for a concept's regular expression: literal text every match must contain.

Most concept patterns hold a word or a list of words (`\\b(?:client|customer|...)`). A block
whose case-folded text holds none of them cannot match, so the pattern is not run on it: with 85
patterns over every block, running them all was most of a long document's matching time.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from rmplint.rules.regex_safety import _c, _sre_parse

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_MAX_NEEDLES = 64


def leading_literals(pattern: str, flags: int = re.I) -> tuple[str, ...] | None:
    """Case-folded strings, one of which every text `pattern` matches in contains; None when no
    such literal can be told (a pattern made of classes such as \\d or [A-Z]). Of the literals a
    match needs, the longest are chosen: 'responsible' rather than 'r' for R\\s*=\\s*responsible."""
    try:
        tree = _sre_parse.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return None
    found = _required(list(tree))
    if not found or len(found) > _MAX_NEEDLES:
        return None
    return tuple(sorted({s.casefold() for s in found}))


def _strength(needles: set[str]) -> tuple[int, int]:
    return min(len(n) for n in needles), -len(needles)


def _required(items: Sequence[Any]) -> set[str] | None:
    """The best set of literals one of which a match of this sequence must contain."""
    best: set[str] | None = None
    i = 0
    while i < len(items):
        op, av = items[i]
        got: set[str] | None = None
        if op == _c.LITERAL:
            text = ""
            while i < len(items) and items[i][0] == _c.LITERAL:
                text += chr(items[i][1])
                i += 1
            got = {text}
            i -= 1
        elif op in _REPEATS and av[0] >= 1:
            got = _required(list(av[2]))
        elif op == _c.SUBPATTERN:
            got = _required(list(av[-1]))
        elif op == _c.ASSERT:  # a look-ahead or look-behind that must hold: its text is there too
            got = _required(list(av[1]))
        elif op == _c.BRANCH:
            got = set()
            for alternative in av[1]:
                alt = _required(list(alternative))
                if alt is None:
                    got = None
                    break
                got |= alt
        elif op == _c.IN and all(o == _c.LITERAL for o, _ in av):
            got = {chr(v) for _, v in av}
        if got and (best is None or _strength(got) > _strength(best)):
            best = got
        i += 1
    return best


def may_match(needles: tuple[str, ...] | None, folded_text: str) -> bool:
    """Whether a pattern with these literals can match a text (given case-folded)."""
    return needles is None or any(n in folded_text for n in needles)
