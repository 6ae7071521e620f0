"""JSON report: stable keys, sorted, no timestamps; byte-identical for the same input."""

from __future__ import annotations

import json

from rmplint.report import Run


def render(run: Run) -> str:
    data = {
        "tool": {"name": "rmplint", "version": run.version},
        "documents": [d.to_dict() for d in run.documents],
        "summary": run.summary(),
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
