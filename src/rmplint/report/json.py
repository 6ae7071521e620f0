"""JSON report: stable keys, sorted, no timestamps; byte-identical for the same input.

A batch's report runs to megabytes, most of it the documents' evidence quotes. Each document's
part is encoded on its own (in the worker process that checked it, when the command line asks
for it: prerender) and the report is those parts joined, exactly the bytes one encoding of the
whole report gives; so the parent does not encode every document alone after the last one is
checked."""

from __future__ import annotations

from typing import Any

from rmplint.findings import DocumentResult
from rmplint.report import Run
from rmplint.report.common import orjson_indented, stable_json

_DOCUMENT_INDENT = b"\n    "  # a document's lines sit two levels deep in the report
_EMPTY_DOCUMENTS = b'{\n  "documents": []'  # how the whole report starts without its documents


def _data(run: Run) -> dict[str, Any]:
    return {
        "tool": {"name": "rmplint", "version": run.version},
        "documents": [d.to_dict() for d in run.documents],
        "summary": run.summary(),
    }


def render(run: Run) -> str:
    return stable_json(_data(run))


def prerender(doc: DocumentResult) -> None:
    """Encode this result's part of the JSON report and keep it with the result (an immutable
    object, so the part stays true to it): a worker process does it, and the part travels with
    the result."""
    if doc.rendered_json is None:
        object.__setattr__(doc, "rendered_json", _document(doc))


def _document(doc: DocumentResult) -> bytes:
    """A result as it appears in the report's document list, from its opening brace to its
    closing one; b"" where orjson cannot encode it (a lone surrogate)."""
    got = orjson_indented(doc.to_dict())
    return b"" if got is None else got.replace(b"\n", _DOCUMENT_INDENT)  # JSON strings hold no raw newline


def render_bytes(run: Run) -> bytes:
    """render(run) encoded as UTF-8, made without a round trip through str where orjson can. A
    lone surrogate (which only a JSON string can hold) is written as its JSON escape, \\udcXX."""
    parts = [doc.rendered_json if doc.rendered_json is not None else _document(doc) for doc in run.documents]
    if all(parts):
        rest = orjson_indented({"tool": {"name": "rmplint", "version": run.version}, "documents": [],
                                "summary": run.summary()})
        if rest is not None and parts and rest.startswith(_EMPTY_DOCUMENTS):
            return b"".join((b'{\n  "documents": [\n    ', b",\n    ".join(parts), b"\n  ]",
                             rest[len(_EMPTY_DOCUMENTS):], b"\n"))
        if rest is not None and not parts:
            return rest + b"\n"
    return stable_json(_data(run)).encode("utf-8", "backslashreplace")
