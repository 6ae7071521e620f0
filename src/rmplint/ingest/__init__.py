"""Reading documents: pick the format by content, then hand over to one module per format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rmplint.errors import DocumentError
from rmplint.ingest.common import Limits

if TYPE_CHECKING:  # pragma: no cover - the readers import it; Limits alone is wanted early (options)
    from rmplint.model import Document

__all__ = ["Limits", "load"]


def load(path: str | Path, limits: Limits | None = None) -> Document:
    """Read any supported document into the block model, or raise DocumentError.

    Whatever a hostile file makes a reader raise comes out as a DocumentError, so that one bad
    file is one line in the report and never a traceback that stops the batch.
    """
    limits = limits or Limits()
    p = Path(path)
    try:
        doc = _read(p, limits)
    except DocumentError:
        raise
    except MemoryError:
        raise DocumentError(str(p), "too large to read (out of memory)", kind="too-large") from None
    except RecursionError:
        raise DocumentError(str(p), "document nested too deeply", kind="too-large") from None
    except OSError as exc:
        raise DocumentError(str(p), (exc.strerror or str(exc)).lower(), kind="unreadable") from None
    except Exception as exc:  # a reader bug on a malformed file: still one line, not a traceback
        raise DocumentError(str(p), f"corrupt or unreadable file ({type(exc).__name__})", kind="corrupt") from None
    _check_blocks(doc, limits)
    return doc


def _read(p: Path, limits: Limits) -> Document:
    from rmplint.ingest import sniff

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


def _check_blocks(doc: Document, limits: Limits) -> None:
    longest = max((len(b.text) for b in (*doc.blocks, *doc.furniture)), default=0)
    if longest > limits.max_block_chars:
        raise DocumentError(
            doc.path,
            f"a paragraph of {longest} characters exceeds the limit of {limits.max_block_chars}",
            kind="too-large",
        )
