"""JSON report: stable keys, sorted, no timestamps; byte-identical for the same input."""

from __future__ import annotations

from typing import Any

from rmplint.report import Run
from rmplint.report.common import stable_json, stable_json_bytes


def _data(run: Run) -> dict[str, Any]:
    return {
        "tool": {"name": "rmplint", "version": run.version},
        "documents": [d.to_dict() for d in run.documents],
        "summary": run.summary(),
    }


def render(run: Run) -> str:
    return stable_json(_data(run))


def render_bytes(run: Run) -> bytes:
    """render(run) encoded as UTF-8, made without a round trip through str where orjson can. A
    lone surrogate (which only a JSON string can hold) is written as its JSON escape, \\udcXX."""
    data = _data(run)
    got = stable_json_bytes(data)
    return got if got is not None else stable_json(data).encode("utf-8", "backslashreplace")
