"""Pick a document's format from its first bytes (never from its name alone), or say why not.

Reads the file size and the first few KB; a zip's central directory and an OLE2 directory are
the only other parts looked at.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

from rmplint.errors import DocumentError
from rmplint.ingest.common import Limits
from rmplint.ingest.text import guess_encoding

_HEAD = 8192
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
# Other containers people save plans in: say what they are rather than "binary data".
_OOXML_OTHER = (
    ("xl/", "Excel workbook (.xlsx) is not supported"),
    ("ppt/", "PowerPoint presentation (.pptx) is not supported"),
)
_MARKDOWN = re.compile(rb"^ {0,3}#{1,6}[ \t]+\S|^[ \t]*\|.*\|[ \t]*\r?\n[ \t]*\|?[ \t]*:?-{3,}", re.M)
# Bytes that never appear in text: C0 controls other than tab, newlines, form feed and escape.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def detect(path: Path, limits: Limits) -> str:
    """Return "pdf", "docx", "text" or "markdown"; raise DocumentError for anything else."""
    name = str(path)
    try:
        # Non-blocking, so that a FIFO or a device named plan.txt cannot make the open wait.
        with open(path, "rb", opener=_open_nonblocking) as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise DocumentError(name, "not a regular file", kind="unreadable")
            size = _size(fh)
            if size == 0:
                raise DocumentError(name, "empty file", kind="empty")
            if size > limits.max_file_bytes:
                raise DocumentError(
                    name, f"file too large ({size} bytes > {limits.max_file_bytes})", kind="too-large"
                )
            head = fh.read(_HEAD)
            return _classify(name, path, fh, head)
    except OSError as exc:
        raise DocumentError(name, (exc.strerror or str(exc)).lower(), kind="unreadable") from None


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _size(fh: BinaryIO) -> int:
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(0)
    return size


def _classify(name: str, path: Path, fh: BinaryIO, head: bytes) -> str:
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip(name, fh)
    if head.startswith(_OLE2):
        return _ole2(name, fh, head)
    if head.startswith(b"{\\rtf"):
        raise _unsupported(name, "rich text format (.rtf) is not supported; save it as .docx")
    for magic, label in _IMAGES:
        if head.startswith(magic):
            raise DocumentError(name, f"image file ({label}) has no text layer (scanned?)", kind="no-text")
    encoding = guess_encoding(head)
    if encoding is None and _looks_binary(head):
        raise _unsupported(name, "binary data, not a document")
    if path.suffix.lower() in (".md", ".markdown"):
        return "markdown"
    sample = head
    if encoding and encoding.startswith("utf-16"):
        even = head[: len(head) // 2 * 2]
        sample = even.decode(encoding, errors="ignore").encode("utf-8")
    return "markdown" if _MARKDOWN.search(sample) else "text"


def _unsupported(name: str, reason: str) -> DocumentError:
    return DocumentError(name, reason, kind="unsupported")


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > max(2, len(head) // 20)


def _zip(name: str, fh: BinaryIO) -> str:
    try:
        with zipfile.ZipFile(fh) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise DocumentError(name, "damaged zip container (corrupt .docx?)", kind="corrupt") from None
    if "word/document.xml" in names:
        return "docx"
    for prefix, reason in _OOXML_OTHER:
        if any(n.startswith(prefix) for n in names):
            raise _unsupported(name, reason)
    if "content.xml" in names and "mimetype" in names:
        raise _unsupported(name, "OpenDocument file (.odt) is not supported; save it as .docx")
    if any(n.startswith("word/") for n in names):
        raise DocumentError(name, "corrupt .docx (no word/document.xml)", kind="corrupt")
    raise _unsupported(name, "zip archive, not a document")


def _ole2(name: str, fh: BinaryIO, head: bytes) -> str:
    names = _ole2_names(fh, head)
    if "EncryptedPackage" in names or (not names and "EncryptedPackage".encode("utf-16-le") in head):
        raise DocumentError(name, "encrypted Office document (password-protected)", kind="encrypted")
    if "Workbook" in names or "Book" in names:
        raise _unsupported(name, "legacy Excel 97-2003 .xls (OLE2) is not supported")
    if "PowerPoint Document" in names:
        raise _unsupported(name, "legacy PowerPoint 97-2003 .ppt (OLE2) is not supported")
    raise _unsupported(name, "legacy Word 97-2003 .doc (OLE2) is not supported; save it as .docx")


def _ole2_names(fh: BinaryIO, head: bytes) -> set[str]:
    """Stream names in an OLE2 compound file's directory; empty when the header is damaged.

    Follows the directory's sector chain through the FAT sectors listed in the header, which
    covers files up to several MB of FAT; larger ones fall back to a byte search by the caller.
    """
    if len(head) < 512:
        return set()
    shift = struct.unpack_from("<H", head, 0x1E)[0]
    if shift not in (9, 12):
        return set()
    sector = 1 << shift
    first_dir = struct.unpack_from("<I", head, 0x30)[0]
    difat = struct.unpack_from("<109I", head, 0x4C)
    per_fat = sector // 4

    def read_sector(n: int) -> bytes:
        fh.seek((n + 1) * sector)
        return fh.read(sector)

    def next_sector(n: int) -> int:
        fat_index = n // per_fat
        if fat_index >= len(difat) or difat[fat_index] >= 0xFFFFFFFA:
            return 0xFFFFFFFE
        fat = read_sector(difat[fat_index])
        if len(fat) < sector:
            return 0xFFFFFFFE
        return int(struct.unpack_from("<I", fat, (n % per_fat) * 4)[0])

    names: set[str] = set()
    current = first_dir
    for _ in range(64):  # a plan's directory is a sector or two; never loop on a bad chain
        if current >= 0xFFFFFFFA:
            break
        data = read_sector(current)
        for off in range(0, len(data) - 127, 128):
            length = struct.unpack_from("<H", data, off + 0x40)[0]
            if 2 <= length <= 64:
                names.add(data[off : off + length - 2].decode("utf-16-le", errors="replace"))
        current = next_sector(current)
    return names
