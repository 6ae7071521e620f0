"""Refuse regular expressions that can backtrack exponentially, from their parse tree.

Three shapes cause it: a repeat inside a repeat ((a+)+, (\\w+\\s?)+), a repeat of alternatives
that can start with the same character ((a|a)*, (a|ab)*), and a repeat of something that can be
empty ((a?)*); each lets one string be matched in exponentially (or very) many ways. The check
is deliberately strict; bounded repeats ({0,3}) are allowed.
"""

from __future__ import annotations

import re
import string
from typing import Any

try:  # Python 3.11+
    from re import _compiler as _sre_compile  # type: ignore[attr-defined]
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile  # type: ignore[no-redef]
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# A repeat with more than this many rounds counts as unbounded.
_BIG_REPEAT = 16
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_SINGLE = {_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN, _c.CATEGORY}
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
# Characters that stand for every class a rule might use (letters, digits, spaces, punctuation).
_SAMPLE = string.printable + "\u00a0\u00e9\u00df\u2019\u2013\u0430\u4e2d"


def catastrophic(pattern: str, flags: int = re.I) -> str | None:
    """Why `pattern` can backtrack catastrophically, or None. Invalid patterns give None (the
    caller reports re.error itself)."""
    try:
        tree = _sre_parse.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return None
    return _Checker(tree.state, flags).walk(list(tree), inside_repeat=False)


def _big(hi: int) -> bool:
    return hi == _c.MAXREPEAT or hi > _BIG_REPEAT


class _Checker:
    def __init__(self, state: Any, flags: int) -> None:
        self.state = state
        self.flags = flags

    def walk(self, items: list[Any], inside_repeat: bool) -> str | None:
        for op, av in items:
            found = None
            if op in _REPEATS:
                _, hi, body = av
                big = _big(hi)
                if big and inside_repeat:
                    return "nested quantifiers"
                if big and self._nullable(list(body)):
                    return "a repeat of something that can match nothing"
                if big:
                    found = self._ambiguous(list(body))
                found = found or self.walk(list(body), inside_repeat or big)
            elif op == _c.SUBPATTERN:
                found = self.walk(list(av[-1]), inside_repeat)
            elif op == _c.BRANCH:
                for alt in av[1]:
                    found = found or self.walk(list(alt), inside_repeat)
            elif op in (_c.ASSERT, _c.ASSERT_NOT):
                found = self.walk(list(av[1]), inside_repeat)
            if found:
                return found
        return None

    def _ambiguous(self, items: list[Any]) -> str | None:
        """Alternatives under a repeat (not inside a deeper repeat) that share a first character."""
        for op, av in items:
            if op == _c.SUBPATTERN:
                found = self._ambiguous(list(av[-1]))
                if found:
                    return found
            elif op == _c.BRANCH:
                seen: set[str] = set()
                for alt in av[1]:
                    first = self._first(list(alt))
                    if first & seen:
                        return "alternatives that can match the same text inside a repeat"
                    seen |= first
        return None

    def _first(self, items: list[Any]) -> set[str]:
        """Sample characters the sequence can start with (every character if it can be empty)."""
        out: set[str] = set()
        for op, av in items:
            if op in _ZERO_WIDTH:
                continue
            if op in _SINGLE:
                return out | self._matching((op, av))
            if op == _c.SUBPATTERN:
                inner = list(av[-1])
                out |= self._first(inner)
                if not self._nullable(inner):
                    return out
            elif op == _c.BRANCH:
                for alt in av[1]:
                    out |= self._first(list(alt))
                if not any(self._nullable(list(alt)) for alt in av[1]):
                    return out
            elif op in _REPEATS:
                lo, _, body = av
                out |= self._first(list(body))
                if lo > 0 and not self._nullable(list(body)):
                    return out
            else:  # back-references and the like: assume anything
                return set(_SAMPLE)
        return out | set(_SAMPLE)  # the sequence can match nothing: what follows decides

    def _nullable(self, items: list[Any]) -> bool:
        for op, av in items:
            if op in _ZERO_WIDTH:
                continue
            if op == _c.SUBPATTERN and self._nullable(list(av[-1])):
                continue
            if op == _c.BRANCH and any(self._nullable(list(alt)) for alt in av[1]):
                continue
            if op in _REPEATS and (av[0] == 0 or self._nullable(list(av[2]))):
                continue
            return False
        return True

    def _matching(self, item: tuple[Any, Any]) -> set[str]:
        sub = _sre_parse.SubPattern(self.state, [item])
        rx = _sre_compile.compile(sub, self.flags)
        return {ch for ch in _SAMPLE if rx.fullmatch(ch)}
