"""JSON report: stable keys, sorted, no timestamps; byte-identical for the same input."""

from __future__ import annotations

from rmplint.report import Run
from rmplint.report.common import stable_json


def render(run: Run) -> str:
    data = {
        "tool": {"name": "rmplint", "version": run.version},
        "documents": [d.to_dict() for d in run.documents],
        "summary": run.summary(),
    }
    return stable_json(data)
