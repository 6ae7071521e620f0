"""Reading documents: pick the format by content, then hand over to one module per format."""

from __future__ import annotations

from pathlib import Path

from rmplint.errors import DocumentError
from rmplint.ingest.common import Limits
from rmplint.model import Document

__all__ = ["Limits", "load"]


def load(path: str | Path, limits: Limits | None = None) -> Document:
    """Read any supported document into the block model, or raise DocumentError."""
    from rmplint.ingest import sniff

    limits = limits or Limits()
    p = Path(path)
    fmt = sniff.detect(p, limits)
    if fmt == "pdf":
        from rmplint.ingest import pdf

        return pdf.read(p, limits)
    if fmt == "docx":
        from rmplint.ingest import docx

        return docx.read(p, limits)
    if fmt in ("text", "markdown"):
        from rmplint.ingest import text

        return text.read(p, limits, markdown=(fmt == "markdown"))
    raise DocumentError(str(p), f"unsupported format ({fmt})", kind="unsupported")
