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


def _data(run: Run, documents: bool = True) -> dict[str, Any]:
    """The report as data; without the documents' objects (an empty list) for render_chunks."""
    return {
        "tool": {"name": "rmplint", "version": run.version},
        "documents": [d.to_dict() for d in run.documents] if documents else [],
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
    return b"".join(render_chunks(run))


def render_chunks(run: Run) -> list[bytes]:
    """render_bytes(run) in pieces, to be written one after the other: the documents' parts as
    they were encoded, so that a report of megabytes is not copied into one more buffer first."""
    parts = [doc.rendered_json if doc.rendered_json is not None else _document(doc) for doc in run.documents]
    if all(parts):
        rest = orjson_indented(_data(run, documents=False))
        if rest is not None and parts and rest.startswith(_EMPTY_DOCUMENTS):
            chunks = [b'{\n  "documents": [\n    ']
            for part in parts:
                chunks += (part, b",\n    ")
            chunks[-1] = b"\n  ]" + rest[len(_EMPTY_DOCUMENTS):] + b"\n"
            return chunks
        if rest is not None and not parts:
            return [rest + b"\n"]
    return [stable_json(_data(run)).encode("utf-8", "backslashreplace")]
