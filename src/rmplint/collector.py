"""Python's cycle collector paused around work that makes many objects which all live on, and
frozen after it.

A module of its own, with nothing to import, so that the command line can pause the collector
before it imports the engine as well as around each check."""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

_frozen = False  # freeze() was called in this process


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The cycle collector off for the block, and back on afterwards if it was on. Each full
    collection walks every object made so far again: a check makes hundreds of thousands that
    live until its end (0.1-0.25 s of a 500-page plan), building the checker a few hundred
    thousand that live until the process ends; the few cycles either leaves are collected once
    the collector is back on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def freeze() -> None:
    """gc.freeze(): every object made so far moves out of the collector's sight for good (the
    command line does this once its checker is built), remembered for frozen()."""
    global _frozen
    gc.freeze()
    _frozen = True


def frozen() -> bool:
    """Whether some objects are frozen. Known at once after freeze(); otherwise gc is asked, and
    it counts the frozen objects one by one (about 10 ms once spaCy is loaded)."""
    return _frozen or gc.get_freeze_count() > 0
