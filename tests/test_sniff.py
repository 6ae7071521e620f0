"""Content sniffing: the format comes from the bytes, and every refusal has an exact kind."""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from rmplint.errors import DocumentError
from rmplint.ingest.common import Limits
from rmplint.ingest.sniff import detect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LIMITS = Limits()


def _refusal(path: Path, limits: Limits = LIMITS) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        detect(path, limits)
    return info.value


def _docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("7.2 Governance", level=2)
    d.add_paragraph("The joint board meets monthly.")
    d.save(str(path))
    return path


def _ole2(path: Path, streams: list[str]) -> Path:
    """A minimal compound file: header, one FAT sector, one directory sector (no stream data)."""
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # directory starts at sector 1
    struct.pack_into("<III", header, 0x38, 4096, end, 0)
    struct.pack_into("<II", header, 0x44, end, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sect, end, *([free] * 126))
    directory = bytearray(512)
    for i, name in enumerate(["Root Entry", *streams][:4]):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        directory[i * 128 : i * 128 + len(raw)] = raw
        struct.pack_into("<HB", directory, i * 128 + 0x40, len(raw), 5 if i == 0 else 2)
    path.write_bytes(bytes(header) + fat + bytes(directory))
    return path


def test_pdf_is_pdf():
    assert detect(FIXTURES / "pdf" / "rmp_multipage.pdf", LIMITS) == "pdf"


def test_pdf_named_docx_is_read_as_pdf(tmp_path):
    renamed = tmp_path / "plan.docx"
    shutil.copy(FIXTURES / "pdf" / "mixed.pdf", renamed)
    assert detect(renamed, LIMITS) == "pdf"


def test_pdf_marker_after_junk_within_first_kilobyte(tmp_path):
    p = tmp_path / "junk.bin"
    p.write_bytes(b"\x00" * 300 + b"%PDF-1.4\n")
    assert detect(p, LIMITS) == "pdf"


def test_docx_named_pdf_is_docx(tmp_path):
    assert detect(_docx(tmp_path / "plan.pdf"), LIMITS) == "docx"


def test_xlsx_is_unsupported(tmp_path):
    p = tmp_path / "plan.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    err = _refusal(p)
    assert (err.kind, err.reason) == ("unsupported", "Excel workbook (.xlsx) is not supported")


def test_plain_zip_is_unsupported(tmp_path):
    p = tmp_path / "plan.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("notes.txt", "hello")
    err = _refusal(p)
    assert (err.kind, err.reason) == ("unsupported", "zip archive, not a document")


def test_truncated_zip_is_corrupt(tmp_path):
    src = _docx(tmp_path / "a.docx")
    p = tmp_path / "broken.docx"
    p.write_bytes(src.read_bytes()[:200])
    assert _refusal(p).kind == "corrupt"


def test_encrypted_office_file_is_encrypted(tmp_path):
    p = _ole2(tmp_path / "locked.docx", ["EncryptionInfo", "EncryptedPackage"])
    err = _refusal(p)
    assert (err.kind, err.reason) == ("encrypted", "encrypted Office document (password-protected)")


def test_legacy_doc_is_unsupported(tmp_path):
    p = _ole2(tmp_path / "old.doc", ["WordDocument", "1Table"])
    err = _refusal(p)
    assert err.kind == "unsupported"
    assert err.reason == "legacy Word 97-2003 .doc (OLE2) is not supported; save it as .docx"


def test_legacy_xls_is_named(tmp_path):
    err = _refusal(_ole2(tmp_path / "old.doc", ["Workbook"]))
    assert (err.kind, err.reason) == ("unsupported", "legacy Excel 97-2003 .xls (OLE2) is not supported")


def test_rtf_is_unsupported(tmp_path):
    p = tmp_path / "plan.doc"
    p.write_bytes(b"{\\rtf1\\ansi Governance}")
    err = _refusal(p)
    assert (err.kind, err.reason) == ("unsupported", "rich text format (.rtf) is not supported; save it as .docx")


@pytest.mark.parametrize(
    ("magic", "label"),
    [
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"\xff\xd8\xff\xe0", "JPEG"),
        (b"GIF89a", "GIF"),
        (b"II*\x00", "TIFF"),
    ],
)
def test_images_have_no_text(tmp_path, magic, label):
    p = tmp_path / "scan.pdf"
    p.write_bytes(magic + b"\x00" * 64)
    err = _refusal(p)
    assert (err.kind, err.reason) == ("no-text", f"image file ({label}) has no text layer (scanned?)")


def test_binary_data_is_unsupported(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_bytes(bytes(range(256)) * 8)
    err = _refusal(p)
    assert (err.kind, err.reason) == ("unsupported", "binary data, not a document")


def test_empty_file(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_bytes(b"")
    err = _refusal(p)
    assert (err.kind, err.reason) == ("empty", "empty file")


def test_too_large(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_bytes(b"x" * 2000)
    assert _refusal(p, Limits(max_file_bytes=1000)).kind == "too-large"


def test_missing_file_is_unreadable(tmp_path):
    err = _refusal(tmp_path / "gone.pdf")
    assert (err.kind, err.reason) == ("unreadable", "no such file or directory")


def test_permission_denied_is_unreadable(tmp_path, monkeypatch):
    from rmplint.ingest import sniff

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # Tests may run as root, who can read a chmod 000 file; refuse at the open() call instead.
    monkeypatch.setattr(sniff, "open", denied, raising=False)
    err = _refusal(tmp_path / "secret.txt")
    assert (err.kind, err.reason) == ("unreadable", "permission denied")


def test_directory_is_unreadable(tmp_path):
    assert _refusal(tmp_path).kind == "unreadable"


def test_text_encodings_are_text():
    for name in ("utf16le.txt", "utf16be_nobom.txt", "cp1252.txt"):
        assert detect(FIXTURES / "text" / name, LIMITS) == "text", name


def test_markdown_by_extension_and_by_content(tmp_path):
    assert detect(FIXTURES / "text" / "plan_utf8bom.md", LIMITS) == "markdown"
    heading = tmp_path / "plan.txt"
    heading.write_text("## 7.2 Governance\n\nThe board meets.\n")
    assert detect(heading, LIMITS) == "markdown"
    table = tmp_path / "table.txt"
    table.write_text("Intro\n\n| Risk | Owner |\n|---|---|\n| Loss | Contoso |\n")
    assert detect(table, LIMITS) == "markdown"
    plain = tmp_path / "plain.md.txt"
    plain.write_text("7.2 Governance\n\nThe board meets monthly.\n")
    assert detect(plain, LIMITS) == "text"
