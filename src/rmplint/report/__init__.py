"""Reporters: one module per output format. Each only reads result objects and writes text."""

from __future__ import annotations

from dataclasses import dataclass

from rmplint.findings import DocumentResult


@dataclass(frozen=True)
class Run:
    """Everything a reporter needs: the results of one run, in a stable order."""

    version: str
    documents: tuple[DocumentResult, ...]
    fail_on: str | None = None

    def summary(self) -> dict[str, object]:
        out: dict[str, object] = {"documents": len(self.documents), "errors": sum(1 for d in self.documents if d.error)}
        for key in ("met", "partial", "missing", "not-applicable", "not-checked"):
            out[key] = sum(int(d.summary.get(key, 0)) for d in self.documents)
        for key in ("adversarial", "collaborative", "hygiene"):
            out[f"{key}_findings"] = sum(1 for d in self.documents for f in d.findings if f.category == key)
        return out


FORMATS = ("text", "json")


def render(fmt: str, run: Run, color: bool = False) -> str:
    if fmt == "json":
        from rmplint.report import json as json_report

        return json_report.render(run)
    from rmplint.report import text

    return text.render(run, color=color)
