"""Read a JSON report back into a Run, so that saved results can be rendered in any other format."""

from __future__ import annotations

import json
from typing import Any

from rmplint.findings import result_from_dict
from rmplint.report import RuleInfo, Run


def run_from_json(text: str, fail_on: str | None = None) -> Run:
    data = json.loads(text)
    return Run(
        version=data["tool"]["version"],
        documents=tuple(result_from_dict(d) for d in data["documents"]),
        fail_on=fail_on,
        rules=tuple(RuleInfo(**r) for r in data.get("rules", ())),
    )
