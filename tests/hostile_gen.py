"""Hostile and broken inputs, built in a temporary folder by the tests (nothing large is kept in the repo).

Every builder writes one file and returns its path. The .docx builders write the package by hand
so that each XML part rmplint reads (document, styles, numbering, header, footer, footnotes,
endnotes, comments) can carry whatever a hostile author puts in it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"

PLAN_TEXT = (
    "7.2 Governance",
    "The joint executive board meets monthly and owns the joint risk register.",
    "Both partners share knowledge through the collaboration portal.",
)

# Parts besides the main document: (part name, relationship type, content type, root element).
OTHER_PARTS = (
    ("styles", "styles", "styles", "styles"),
    ("numbering", "numbering", "numbering", "numbering"),
    ("header1", "header", "header", "hdr"),
    ("footer1", "footer", "footer", "ftr"),
    ("footnotes", "footnotes", "footnotes", "footnotes"),
    ("endnotes", "endnotes", "endnotes", "endnotes"),
    ("comments", "comments", "comments", "comments"),
)


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def body_xml(inner: str, doctype: str = "") -> str:
    sect = '<w:sectPr><w:headerReference w:type="default" r:id="rIdheader1"/>' \
           '<w:footerReference w:type="default" r:id="rIdfooter1"/></w:sectPr>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{inner}{sect}</w:body></w:document>'
    )


def _part_xml(root: str, inner_text: str, doctype: str = "") -> str:
    p = paragraph(inner_text)
    content = {
        "styles": '<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>',
        "numbering": "",
        "hdr": p,
        "ftr": p,
        "footnotes": f'<w:footnote w:id="1">{p}</w:footnote>',
        "endnotes": f'<w:endnote w:id="1">{p}</w:endnote>',
        "comments": f'<w:comment w:id="0" w:author="x">{p}</w:comment>',
    }[root]
    return f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:{root} xmlns:w="{W_NS}">{content}</w:{root}>'


def docx_files(document: str | None = None, part_doctype: str = "", part_text: str = "furniture") -> dict[str, str]:
    """The members of a small, valid .docx with every part rmplint reads; override any of them."""
    rels = "".join(
        f'<Relationship Id="rId{name}" Type="{_REL}/{rel}" Target="{name}.xml"/>' for name, rel, _, _ in OTHER_PARTS
    )
    overrides = "".join(
        f'<Override PartName="/word/{name}.xml" ContentType="{_CT}.{ct}+xml"/>' for name, _, ct, _ in OTHER_PARTS
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{_CT}.document.main+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
        ),
        "word/document.xml": document or body_xml("".join(paragraph(t) for t in PLAN_TEXT)),
    }
    for name, _, _, root in OTHER_PARTS:
        files[f"word/{name}.xml"] = _part_xml(root, part_text, part_doctype)
    return files


def write_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def docx(path: Path, document: str | None = None, **kwargs: str) -> Path:
    return write_zip(path, dict(docx_files(document, **kwargs)))


def valid_docx_bytes(tmp: Path) -> bytes:
    return docx(tmp / "_valid.docx").read_bytes()


# --- XML attacks --------------------------------------------------------------------------------


def xxe_doctype(root: str, secret: Path, url: str) -> str:
    """Internal subset with a file entity, a URL entity, an external parameter entity and the laughs."""
    laughs = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi")
    )
    return (
        f'<!DOCTYPE w:{root} SYSTEM "{url}/dtd" [<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
        f'<!ENTITY web SYSTEM "{url}/entity"><!ENTITY % remote SYSTEM "{url}/param"> %remote; {laughs}]>'
    )


def xxe_docx(path: Path, secret: Path, url: str, laughs: bool = False) -> Path:
    """Every part declares and uses external entities (file and URL); optionally the billion laughs."""
    uses = "&xxe; &web;" + (" &i;" if laughs else "")
    document = body_xml(
        "".join(paragraph(t) for t in PLAN_TEXT) + paragraph(f"before {uses} after"),
        xxe_doctype("document", secret, url),
    )
    files = docx_files(document, part_text=f"part {uses}")
    for name, _, _, root in OTHER_PARTS:
        files[f"word/{name}.xml"] = _part_xml(root, f"part {uses}", xxe_doctype(root, secret, url))
    # The package's own XML too: content types and relationships.
    for name in ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"):
        xml = files[name]
        root = "Types" if name.startswith("[") else "Relationships"
        files[name] = xml.replace("?>", f'?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', 1)
    return write_zip(path, dict(files))


# --- zip bombs ----------------------------------------------------------------------------------


def _zeros_deflate(total: int) -> bytes:
    """A raw deflate stream of `total` zero bytes, built without inflating anything: one 1 MB
    block of back-references is repeated (zeros refer back to zeros whatever came before)."""
    chunk = 1 << 20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = comp.compress(b"\0" * chunk) + comp.flush(zlib.Z_SYNC_FLUSH)
    middle = comp.compress(b"\0" * chunk) + comp.flush(zlib.Z_SYNC_FLUSH)
    return head + middle * (max(total // chunk, 1) - 1) + b"\x03\x00"  # an empty final block ends it


def raw_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """Write a zip by hand: (name, deflated data, crc, declared size, method) per member.
    The declared size may lie: that is the point."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, size, method in members:
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0)
        out += raw + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0, 0, 0, 0, 0,
            offset,
        )
        central += raw
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + eocd))
    return path


def zip_bomb_docx(path: Path, inflated: int, declared: int | None = None) -> Path:
    """A valid small .docx whose word/document.xml inflates to `inflated` bytes of zeros; the zip
    directory may declare a smaller size than the stream really holds."""
    members = []
    for name, text in docx_files().items():
        if name == "word/document.xml":
            # The CRC is that of the declared bytes, so that a reader checking only the CRC is fooled.
            size = inflated if declared is None else declared
            members.append((name, _zeros_deflate(inflated), zlib.crc32(b"\0" * min(size, 1 << 20)), size, 8))
        else:
            data = text.encode()
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            members.append((name, comp.compress(data) + comp.flush(), zlib.crc32(data), len(data), 8))
    return raw_zip(path, members)


def zip_encrypted_docx(path: Path) -> Path:
    """A .docx whose zip members carry the 'encrypted' flag (legacy zip password protection)."""
    data = bytearray(docx(path).read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            data[start + flags_at] |= 0x01
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    return path


# --- big documents ------------------------------------------------------------------------------


def many_tables_docx(path: Path, tables: int) -> Path:
    """Thousands of small tables, each with its own text (identical ones would compress like a bomb)."""
    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    parts = [paragraph(PLAN_TEXT[0])]
    for n in range(1, tables + 1):
        rows = "".join(
            "<w:tr>" + cell.format(f"Risk {n}.{r} owner") + cell.format(f"Review {n * 7 % 28 + 1}/{r + 3}/2025") + "</w:tr>"
            for r in range(1, 3)
        )
        parts.append(paragraph(f"Table {n}: {PLAN_TEXT[1]}") + f"<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>{rows}</w:tbl>")
    return docx(path, body_xml("".join(parts)))


def nested_tables_docx(path: Path, depth: int) -> Path:
    inner = paragraph("innermost cell")
    for level in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{paragraph(f'level {depth - level}')}{inner}</w:tc></w:tr></w:tbl><w:p/>"
    return docx(path, body_xml(paragraph(PLAN_TEXT[1]) + inner))


def big_pdf(path: Path, pages: int) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), invariant=1, pageCompression=1)
    for n in range(1, pages + 1):
        c.drawString(72, 720, f"Page {n}: the joint board reviews the risk register monthly.")
        c.showPage()
    c.save()
    return path


def text_pdf(path: Path, pages: list[str | None], encrypt: str | None = None) -> Path:
    """A PDF with one line of text per page; None gives a page with only a drawn image (a scan)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), invariant=1, encrypt=encrypt)
    for text in pages:
        if text is None:
            c.drawImage(ImageReader(io.BytesIO(png_bytes())), 72, 400, 200, 200)
        else:
            c.drawString(72, 720, text)
        c.showPage()
    c.save()
    return path


def png_bytes() -> bytes:
    """A tiny grey PNG (written with zlib, no imaging library needed)."""
    width = height = 8
    raw = b"".join(b"\0" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


# --- other containers ---------------------------------------------------------------------------


def ole2(path: Path, streams: list[str]) -> Path:
    """A minimal compound file (legacy .doc/.xls, or an encrypted Office file)."""
    from test_sniff import _ole2

    return _ole2(path, streams)


def xlsx(path: Path) -> Path:
    return write_zip(path, {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
