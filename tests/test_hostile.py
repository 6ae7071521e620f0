"""Hostile and broken input: every file gets an answer, nothing crashes, nothing leaks, the batch goes on.

One real `rmplint check` run over a folder of hostile files (in a subprocess, with a strict UTF-8
terminal and a local web server that records any request) gives the batch-level guarantees;
smaller tests pin each reader's behaviour, memory and time.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import hostile_gen as gen
from rmplint.errors import DocumentError, RuleError
from rmplint.ingest import load
from rmplint.ingest.common import Limits

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SECRET = "S3CRET-7c1e-DO-NOT-LEAK"
WEB_SECRET = "WEB-SECRET-93af"

# name -> (error kind, exact reason) for refused files; None for files that must be read.
REFUSED: dict[str, tuple[str, str]] = {
    "empty.docx": ("empty", "empty file"),
    "empty.pdf": ("empty", "empty file"),
    "empty.txt": ("empty", "empty file"),
    "truncated.docx": ("corrupt", "damaged zip container (corrupt .docx?)"),
    "no-document.docx": ("corrupt", "corrupt .docx (no word/document.xml)"),
    "invalid-xml.docx": ("corrupt", "corrupt .docx (invalid XML)"),
    "garbage.docx": ("unsupported", "binary data, not a document"),
    "garbage.pdf": ("unsupported", "binary data, not a document"),
    "legacy.doc": ("unsupported", "legacy Word 97-2003 .doc (OLE2) is not supported; save it as .docx"),
    "sheet.xlsx": ("unsupported", "Excel workbook (.xlsx) is not supported"),
    "notes.rtf": ("unsupported", "rich text format (.rtf) is not supported; save it as .docx"),
    "scan.png": ("no-text", "image file (PNG) has no text layer (scanned?)"),
    "locked.docx": ("encrypted", "encrypted Office document (password-protected)"),
    "locked.pdf": ("encrypted", "encrypted PDF (password required)"),
    "zip-locked.docx": ("encrypted", "encrypted zip archive (password required)"),
    "scanned.pdf": ("no-text", "no text layer (scanned?)"),
    "bomb.docx": ("too-large", "unzips to 2147487772 bytes, over the limit of 524288000 (zip bomb?)"),
    "liar.docx": ("too-large", "word/document.xml inflates beyond the 5000 bytes its zip directory declares (zip bomb?)"),
    "laughs.docx": ("corrupt", "corrupt .docx (invalid XML)"),
    "nested-200.docx": ("too-large", "document nested too deeply (over 256 XML levels)"),
    "one-line.txt": ("too-large", "a paragraph of 2000000 characters exceeds the limit of 1000000"),
    "dangling.docx": ("unreadable", "no such file or directory"),
    "fifo.txt": ("unreadable", "not a regular file"),
}
READ = {
    "plan.docx": "docx",
    "pdf-named.docx": "pdf",
    "docx-named.pdf": "docx",
    "badxref.pdf": "pdf",
    "mixed.pdf": "pdf",
    "xxe.docx": "docx",
    "nested-60.docx": "docx",
    "utf8.txt": "text",
    "utf8-bom.txt": "text",
    "utf16le.txt": "text",
    "utf16be.txt": "text",
    "cp1252.txt": "text",
    "latin1.txt": "text",
    "invalid-utf8.txt": "text",
    "plan-\\xff\\xfe.txt": "text",  # shown with its undecodable bytes escaped
    "tree/ok.md": "markdown",
}
WARNED = {
    "mixed.pdf": "no text layer on pages 2, 4 (scanned?)",
    "pdf-named.docx": "no text layer on page 2 (scanned?)",
    "invalid-utf8.txt": "2 invalid byte sequences replaced",
}
PLAN = "7.2 Governance\n\nThe joint board meets monthly. Caf\u00e9 na\u00efve \u2013 \u201cquoted\u201d risks are shared.\n"


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(WEB_SECRET.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def web():
    """A local web server: any request a document's XML makes would be recorded here."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.requests
    server.shutdown()


def _build_inputs(folder: Path, secret: Path, url: str) -> list[str]:
    """Write every hostile file; returns the command-line arguments that name them."""
    f = folder
    for name in ("empty.docx", "empty.pdf", "empty.txt"):
        (f / name).write_bytes(b"")
    valid = gen.valid_docx_bytes(folder.parent)
    (f / "truncated.docx").write_bytes(valid[: len(valid) // 2])
    files = gen.docx_files()
    del files["word/document.xml"]
    gen.write_zip(f / "no-document.docx", dict(files))
    gen.docx(f / "invalid-xml.docx", gen.body_xml(gen.paragraph("open")).replace("</w:body>", ""))
    noise = hashlib.sha256(b"seed").digest() * 200
    (f / "garbage.docx").write_bytes(b"\x00\x01" + noise)
    (f / "garbage.pdf").write_bytes(b"\x00\x02" + noise[::-1])
    shutil.copy(FIXTURES / "pdf" / "mixed.pdf", f / "pdf-named.docx")
    (f / "docx-named.pdf").write_bytes(valid)
    gen.ole2(f / "legacy.doc", ["WordDocument"])
    gen.xlsx(f / "sheet.xlsx")
    (f / "notes.rtf").write_bytes(b"{\\rtf1\\ansi The joint board meets.}")
    (f / "scan.png").write_bytes(gen.png_bytes())
    gen.ole2(f / "locked.docx", ["EncryptionInfo", "EncryptedPackage"])
    gen.text_pdf(f / "locked.pdf", ["The joint board meets monthly."], encrypt="password")
    gen.zip_encrypted_docx(f / "zip-locked.docx")
    data = (FIXTURES / "pdf" / "rmp_multipage.pdf").read_bytes()
    cut = data.rindex(b"startxref")
    (f / "badxref.pdf").write_bytes(data[:cut].replace(b"0000000", b"0000009") + b"startxref\n999999\n%%EOF\n")
    shutil.copy(FIXTURES / "pdf" / "scanned.pdf", f / "scanned.pdf")
    gen.text_pdf(f / "mixed.pdf", ["The joint board meets monthly.", None, "Risks are shared.", None])
    gen.zip_bomb_docx(f / "bomb.docx", 2 << 30)
    gen.zip_bomb_docx(f / "liar.docx", 1 << 30, declared=5000)
    gen.xxe_docx(f / "xxe.docx", secret, url)
    gen.xxe_docx(f / "laughs.docx", secret, url, laughs=True)
    gen.nested_tables_docx(f / "nested-200.docx", 200)
    gen.nested_tables_docx(f / "nested-60.docx", 60)
    gen.docx(f / "plan.docx")
    (f / "utf8.txt").write_bytes(PLAN.encode("utf-8"))
    (f / "utf8-bom.txt").write_bytes(b"\xef\xbb\xbf" + PLAN.encode("utf-8"))
    (f / "utf16le.txt").write_bytes(b"\xff\xfe" + PLAN.encode("utf-16-le"))
    (f / "utf16be.txt").write_bytes(b"\xfe\xff" + PLAN.encode("utf-16-be"))
    (f / "cp1252.txt").write_bytes(PLAN.encode("cp1252"))
    (f / "latin1.txt").write_bytes(PLAN.replace("\u2013", "-").replace("\u201c", '"').replace("\u201d", '"').encode("latin-1") + b"\x81")
    (f / "invalid-utf8.txt").write_bytes(PLAN.encode("utf-8").replace(b"monthly", b"mon\xffthly \xc3\x28"))
    (f / "one-line.txt").write_bytes(b"x" * 2_000_000)
    with open(os.path.join(os.fsencode(f), b"plan-\xff\xfe.txt"), "wb") as fh:
        fh.write(PLAN.encode("utf-8"))
    os.symlink(f / "does-not-exist.docx", f / "dangling.docx")
    os.mkfifo(f / "fifo.txt")
    tree = f / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "ok.md").write_text("# 7.2 Governance\n\nThe joint board meets monthly.\n", encoding="utf-8")
    os.symlink("..", tree / "sub" / "up")  # a loop: tree/sub/up/sub/up/...
    os.symlink(tree, tree / "sub" / "again")
    args = sorted(str(p) for p in f.iterdir() if p.name != "tree")
    return [*args, str(tree)]


def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry under the folder with a hash of regular files (FIFOs and links are not opened)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(folder)):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            digest = hashlib.sha256(open(p, "rb").read()).hexdigest() if stat.S_ISREG(st.st_mode) else str(st.st_mode)
            out[os.fsdecode(p)] = f"{digest}:{st.st_mtime_ns}"
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory, web):
    """One `rmplint check` over all the hostile files, as a user runs it."""
    url, requests = web
    base = tmp_path_factory.mktemp("hostile")
    inputs = base / "inputs"
    inputs.mkdir()
    secret = base / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    args = _build_inputs(inputs, secret, url)
    before = _snapshot(inputs)
    out = base / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "NO_PROXY": "*"}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "rmplint.cli", "check", *args, "--format", "json", "-o", str(out / "report.json"),
         "--timeout", "120", "-j", "2"],
        capture_output=True, cwd=base, env=env, timeout=600,
    )
    elapsed = time.monotonic() - started
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    docs = {}
    for d in report["documents"]:
        rel = d["path"][len(str(inputs)) + 1 :]
        docs[rel] = d
    return {
        "proc": proc, "elapsed": elapsed, "report": report, "docs": docs, "args": args,
        "inputs": inputs, "before": before, "after": _snapshot(inputs), "requests": requests,
        "stdout": proc.stdout.decode("utf-8"), "stderr": proc.stderr.decode("utf-8"),
    }


# --- the batch as a whole -------------------------------------------------------------------


def test_batch_exits_2_without_a_traceback(batch):
    assert batch["proc"].returncode == 2, batch["stderr"][-3000:]
    assert "Traceback" not in batch["stderr"] and "Traceback" not in batch["stdout"]


def test_every_input_has_exactly_one_entry(batch):
    assert sorted(batch["docs"]) == sorted([*REFUSED, *READ])
    assert len(batch["report"]["documents"]) == len(REFUSED) + len(READ)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_file_has_its_kind_and_reason(batch, name):
    kind, reason = REFUSED[name]
    doc = batch["docs"][name]
    assert (doc["error_kind"], doc["error"]) == (kind, reason)
    assert doc["clauses"] == [] and doc["findings"] == []


@pytest.mark.parametrize("name", sorted(READ))
def test_readable_file_is_checked(batch, name):
    doc = batch["docs"][name]
    assert doc["error"] is None and doc["error_kind"] is None
    assert doc["format"] == READ[name]
    assert doc["clauses"] or doc["findings"] or doc["profile"] == "contract"
    expected = WARNED.get(name)
    assert doc["warnings"] == ([expected] if expected else [])


def test_stderr_has_one_line_per_refused_file(batch):
    inputs = str(batch["inputs"])
    lines = batch["stderr"].splitlines()
    expected = sorted(f"rmplint: {inputs}/{name}: {reason}" for name, (_, reason) in REFUSED.items())
    assert sorted(line for line in lines if line.startswith("rmplint: ")) == expected
    assert all(line.startswith("rmplint: ") for line in lines), lines


def test_no_secret_no_entity_text_and_no_network(batch):
    for text in (batch["stdout"], batch["stderr"], json.dumps(batch["report"])):
        assert SECRET not in text and WEB_SECRET not in text and "lollol" not in text
    assert batch["requests"] == []


def test_external_entities_are_left_out_of_every_part(batch):
    """The XXE document still reads: its own words, never what the entities point at."""
    evidence = json.dumps(batch["docs"]["xxe.docx"])
    assert "joint executive board meets monthly" in evidence


def test_inputs_are_not_modified_and_nothing_is_written_next_to_them(batch):
    assert batch["after"] == batch["before"]


def test_batch_time_is_bounded(batch):
    # Two zip bombs of 1 and 2 GB, billion laughs and a 2 MB line cost nothing; the whole batch
    # is dominated by loading the language pipeline.
    assert batch["elapsed"] < 150


def test_undecodable_file_name_is_escaped_in_the_report(batch):
    assert "plan-\\xff\\xfe.txt" in batch["docs"]
    assert "plan-\\xff\\xfe.txt" in batch["stdout"]  # the text summary on a strict UTF-8 terminal


# --- each reader, in this process -----------------------------------------------------------


def _refusal(path: Path, limits: Limits | None = None) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        load(path, limits)
    return info.value


@pytest.mark.parametrize("part", [name for name, *_ in gen.OTHER_PARTS])
def test_invalid_xml_in_any_part_is_corrupt(tmp_path, part):
    # python-docx parses every XML part the package links, comments included, when it opens it.
    files = gen.docx_files()
    files[f"word/{part}.xml"] = files[f"word/{part}.xml"][:-5]
    err = _refusal(gen.write_zip(tmp_path / f"bad-{part}.docx", dict(files)))
    assert (err.kind, err.reason) == ("corrupt", "corrupt .docx (invalid XML)")


def test_xxe_in_every_part_reads_own_text_only(tmp_path, web):
    url, requests = web
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doc = load(gen.xxe_docx(tmp_path / "x.docx", secret, url))
    texts = [b.text for b in (*doc.blocks, *doc.furniture)]
    assert texts[: len(gen.PLAN_TEXT)] == list(gen.PLAN_TEXT)
    assert "before after" in " ".join(" ".join(t.split()) for t in texts)
    assert SECRET not in repr(doc) and WEB_SECRET not in repr(doc)
    assert {t.split()[0] for t in texts[len(gen.PLAN_TEXT) + 1 :]} == {"part"}  # header, footer, notes
    assert requests == []


def test_relationship_pointing_outside_the_package_reads_nothing_from_disk(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text(f'<w:ftr xmlns:w="{gen.W_NS}">{gen.paragraph(SECRET)}</w:ftr>')
    files = gen.docx_files()
    files["word/_rels/document.xml.rels"] = files["word/_rels/document.xml.rels"].replace(
        'Target="footer1.xml"', f'Target="{secret.as_uri()}" TargetMode="External"'
    )
    try:
        doc = load(gen.write_zip(tmp_path / "ext.docx", dict(files)))
    except DocumentError as err:
        assert SECRET not in str(err)
    else:
        assert SECRET not in repr(doc)


def test_relationship_climbing_out_of_the_package_reads_nothing_from_disk(tmp_path):
    secret = tmp_path / "secret-footer.xml"
    secret.write_text(f'<w:ftr xmlns:w="{gen.W_NS}">{gen.paragraph(SECRET)}</w:ftr>')
    files = gen.docx_files()
    del files["word/footer1.xml"]
    climb = "../" * 12 + str(secret).lstrip("/")
    files["word/_rels/document.xml.rels"] = files["word/_rels/document.xml.rels"].replace(
        'Target="footer1.xml"', f'Target="{climb}"'
    )
    err = _refusal(gen.write_zip(tmp_path / "climb.docx", dict(files)))
    assert (err.kind, err.reason) == ("corrupt", "corrupt .docx (missing part or relationship)")


def _unzipped_size(path: Path) -> int:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return sum(m.file_size for m in zf.infolist())


def test_zip_limits_are_configurable(tmp_path):
    path = gen.zip_bomb_docx(tmp_path / "b.docx", 64 << 20)
    total = _unzipped_size(path)
    err = _refusal(path, Limits(max_unzipped_bytes=10 << 20))
    assert (err.kind, err.reason) == ("too-large", f"unzips to {total} bytes, over the limit of {10 << 20} (zip bomb?)")
    err = _refusal(path)  # under the total: the ratio is what refuses it
    assert err.kind == "too-large" and re.fullmatch(r"word/document\.xml inflates \d+:1, over the limit of 200:1 \(zip bomb\?\)", err.reason)


def test_pdf_page_limit(tmp_path):
    err = _refusal(gen.big_pdf(tmp_path / "p.pdf", 30), Limits(max_pages=20))
    assert (err.kind, err.reason) == ("too-large", "too many pages (30 > 20)")


def test_invalid_utf8_is_replaced_and_reported(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(PLAN.encode("utf-8").replace(b"monthly", b"mon\xffthly \xc3\x28"))
    doc = load(p)
    assert doc.warnings == ("2 invalid byte sequences replaced",)
    assert "mon\ufffdthly \ufffd(" in doc.blocks[1].text


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("utf-16-le", b""), ("cp1252", b""),
])
def test_encodings_decode_exactly(tmp_path, encoding, prefix):
    p = tmp_path / "plan.txt"
    p.write_bytes(prefix + PLAN.encode(encoding))
    doc = load(p)
    assert [b.text for b in doc.blocks] == [line for line in PLAN.split("\n") if line]
    assert doc.warnings == ()


def test_latin1_bytes_undefined_in_cp1252(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_bytes("Caf\u00e9 board \u00bfqu\u00e9?".encode("latin-1") + b" \x81")
    assert load(p).blocks[0].text == "Caf\u00e9 board \u00bfqu\u00e9? \x81"


def test_unreadable_file_is_one_error_and_the_batch_goes_on(tmp_path, monkeypatch, checker):
    from rmplint.ingest import sniff
    from rmplint.runner import CheckSpec, run_batch

    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(PLAN, encoding="utf-8")
    real_open = open

    def guarded(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith("b.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    # Tests run as root, who can read a chmod 000 file: refuse at the open() call instead.
    monkeypatch.setattr(sniff, "open", guarded, raising=False)
    results = run_batch([str(tmp_path / n) for n in ("c.txt", "b.txt", "a.txt")], CheckSpec(), checker)
    assert [Path(r.path).name for r in results] == ["a.txt", "b.txt", "c.txt"]
    assert [(r.error_kind, r.error) for r in results] == [(None, None), ("unreadable", "permission denied"), (None, None)]
    assert results[0].clauses and results[2].clauses


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
def test_a_file_that_vanishes_between_sniffing_and_reading(tmp_path, monkeypatch, fmt):
    from rmplint.ingest import sniff

    path = tmp_path / f"gone.{fmt}"
    if fmt == "txt":
        path.write_text(PLAN)
    elif fmt == "docx":
        gen.docx(path)
    else:
        gen.text_pdf(path, ["The joint board meets."])
    real = sniff.detect

    def detect_then_delete(p, limits):  # type: ignore[no-untyped-def]
        found = real(p, limits)
        os.unlink(p)
        return found

    monkeypatch.setattr(sniff, "detect", detect_then_delete)
    err = _refusal(path)
    assert err.kind == "unreadable", err
    assert err.reason in ("no such file or directory", "cannot read file (No such file or directory)")


def test_a_file_that_vanishes_after_listing_is_reported_and_the_rest_checked(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import rmplint.cli as cli

    for name in ("a.md", "gone.md", "z.md"):
        (tmp_path / name).write_text("# 7.2 Governance\n\nThe joint board meets monthly.\n", encoding="utf-8")
    real = cli.iter_documents

    def list_then_delete(*args):  # type: ignore[no-untyped-def]
        docs = real(*args)
        (tmp_path / "gone.md").unlink()
        return docs

    monkeypatch.setattr(cli, "iter_documents", list_then_delete)
    r = CliRunner().invoke(cli.main, ["check", str(tmp_path), "--format", "json", "-j", "1"], catch_exceptions=False)
    assert r.exit_code == 2
    docs = {Path(d["path"]).name: d for d in json.loads(r.stdout)["documents"]}
    assert (docs["gone.md"]["error_kind"], docs["gone.md"]["error"]) == ("unreadable", "no such file or directory")
    assert docs["a.md"]["error"] is None and docs["z.md"]["error"] is None and docs["z.md"]["clauses"]
    assert r.stderr.strip() == f"rmplint: {tmp_path / 'gone.md'}: no such file or directory"


def test_symlink_loops_are_not_followed(tmp_path):
    from rmplint.cli import iter_documents

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "plan.md").write_text("# Plan\n")
    os.symlink(tmp_path / "a", tmp_path / "a" / "b" / "loop")
    os.symlink("../..", tmp_path / "a" / "b" / "up")
    started = time.monotonic()
    assert iter_documents([str(tmp_path)]) == [str(tmp_path / "a" / "plan.md")]
    assert time.monotonic() - started < 2


# --- size: memory and time in a fresh process -----------------------------------------------

_MEASURE = textwrap.dedent("""
    import json, resource, sys, time
    from rmplint.errors import DocumentError
    from rmplint.ingest import load
    started = time.monotonic()
    try:
        doc = load(sys.argv[1])
        outcome = {"blocks": len(doc.blocks), "tables": len(doc.tables), "pages": doc.page_count}
    except DocumentError as e:
        outcome = {"kind": e.kind, "reason": e.reason}
    outcome["seconds"] = time.monotonic() - started
    # getrusage's ru_maxrss survives exec, so a child of a big pytest process would report the
    # parent's size; VmHWM is this program's own high-water mark (Linux).
    try:
        hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
        outcome["peak_mb"] = int(hwm.split()[1]) / 1024
    except (OSError, IndexError):
        outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome))
""")


# Reading a small .docx peaks at about 30 MB (Python, lxml, python-docx); a refused bomb must
# cost no more than a small document, whatever it would inflate to.
BASELINE_MB = 100


def _measure(path: Path) -> dict:
    """Read one file in a fresh interpreter; its outcome, time and peak resident memory."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_baseline_memory_of_reading_a_small_file(tmp_path):
    got = _measure(gen.docx(tmp_path / "small.docx"))
    assert got["blocks"] == 3
    assert got["peak_mb"] < BASELINE_MB, got


def test_sixty_megabytes_on_one_line_is_refused_in_bounded_memory_and_time(tmp_path):
    p = tmp_path / "line.txt"  # the trailing space is stripped
    with open(p, "wb") as fh:
        for _ in range(60):
            fh.write(b"The partners share risk " * 43690)
    got = _measure(p)
    assert (got["kind"], got["reason"]) == ("too-large", f"a paragraph of {p.stat().st_size - 1} characters exceeds the limit of 1000000")
    assert got["peak_mb"] < 300 and got["seconds"] < 20, got  # the file and its text, once each


def test_zip_bombs_are_refused_without_inflating(tmp_path):
    for path in (gen.zip_bomb_docx(tmp_path / "honest.docx", 3 << 30), gen.zip_bomb_docx(tmp_path / "liar.docx", 2 << 30, declared=100)):
        got = _measure(path)
        assert got["kind"] == "too-large" and "zip bomb?" in got["reason"], got
        assert got["peak_mb"] < BASELINE_MB and got["seconds"] < 10, got


def test_fifteen_hundred_page_pdf_is_read_in_bounded_memory_and_time(tmp_path):
    got = _measure(gen.big_pdf(tmp_path / "big.pdf", 1500))
    assert (got["pages"], got["blocks"]) == (1500, 1500), got
    assert got["peak_mb"] < 200 and got["seconds"] < 60, got


def test_thousands_of_tables(tmp_path):
    got = _measure(gen.many_tables_docx(tmp_path / "tables.docx", 2000))
    assert got["tables"] == 2000 and got["blocks"] == 1 + 2000 * 5, got
    assert got["peak_mb"] < 200 and got["seconds"] < 60, got


@pytest.mark.parametrize("depth,outcome", [(60, {"tables": 60}), (200, {"kind": "too-large"}), (5000, {"kind": "too-large"})])
def test_deeply_nested_tables_never_hit_the_recursion_limit(tmp_path, depth, outcome):
    got = _measure(gen.nested_tables_docx(tmp_path / "nested.docx", depth))
    assert {k: got.get(k) for k in outcome} == outcome, got
    if "kind" in outcome:
        assert got["reason"] == "document nested too deeply (over 256 XML levels)"
    assert got["seconds"] < 30, got


# --- rule packs and configuration -----------------------------------------------------------

_VOCAB = "schema_version: 1\nconcepts:\n  my-cue:\n    describe: a cue\n    phrases: [joint board]\n{extra}"
_RULE = """schema_version: 1
id: {rid}
kind: term
term: Pay when paid
category: adversarial
clause: "7.7"
severity: high
requirement: A test rule.
why: It is a test.
alternative: Advance proactive payment
evidence:
  cue:
    describe: a cue
    any:
      - {detector}
examples:
  pass: ["The joint board meets."]
  fail: ["Nothing here."]
"""


def _pack(tmp_path: Path, rule: str | None = None, vocab: str = "", name: str = "rule.yaml", **fmt: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "vocab.yaml").write_text(_VOCAB.format(extra=vocab), encoding="utf-8")
    if rule is not None:
        values = {"rid": "user.test-rule", "detector": "sentence: {any: [my-cue]}", **fmt}
        (folder / name).write_text(rule.format(**values), encoding="utf-8")
    return folder


def _rule_error(folder: Path) -> RuleError:
    from rmplint.rules.loader import load_pack

    with pytest.raises(RuleError) as info:
        load_pack([folder], builtin=False)
    return info.value


def test_a_valid_user_pack_loads(tmp_path):
    from rmplint.rules.loader import load_pack

    pack = load_pack([_pack(tmp_path, _RULE)], builtin=False)
    assert [r.id for r in pack.rules] == ["user.test-rule"]


def test_invalid_yaml_names_file_and_line(tmp_path):
    folder = _pack(tmp_path)
    (folder / "broken.yaml").write_text("id: [unclosed\n  kind: term\n", encoding="utf-8")
    err = _rule_error(folder)
    assert str(err).startswith(f"{folder / 'broken.yaml'}, at line ") and "invalid YAML" in str(err)


def test_schema_violation_names_file_rule_and_path(tmp_path):
    folder = _pack(tmp_path, _RULE.replace("severity: high", "severity: apocalyptic"))
    err = _rule_error(folder)
    assert str(err).startswith(f"{folder / 'rule.yaml'}, rule user.test-rule, at /severity: ")


def test_unknown_detector_kind_is_rejected(tmp_path):
    err = _rule_error(_pack(tmp_path, _RULE, detector="telepathy: {any: [my-cue]}"))
    assert err.rule_id == "user.test-rule" and err.where and err.where.startswith("/evidence/cue/any/0")


def test_duplicate_rule_ids_name_both_files(tmp_path):
    folder = _pack(tmp_path, _RULE)
    (folder / "copy.yaml").write_text((folder / "rule.yaml").read_text(), encoding="utf-8")
    err = _rule_error(folder)
    assert err.rule_id == "user.test-rule" and "duplicate rule id" in str(err)
    assert str(folder / "copy.yaml") in str(err) and str(folder / "rule.yaml") in str(err)


@pytest.mark.parametrize("regex", [r"(a|a)*$", r"(\w+\s?)+$", r"(a+)+b", r"(?:\s*\w)*x", r"(a|ab)*c", r"(a?)*b", r"(.|\s)*end"])
def test_catastrophic_rule_regex_is_rejected_naming_file_and_rule(tmp_path, regex):
    err = _rule_error(_pack(tmp_path, _RULE, detector="pattern: {regex: '" + regex + "'}"))
    assert err.file == str(tmp_path / "rules" / "rule.yaml") and err.rule_id == "user.test-rule"
    assert "catastrophic backtracking" in str(err) and repr(regex) in str(err)


@pytest.mark.parametrize("regex", [r"(a|a)*$", r"(\w+\s?)+$"])
def test_catastrophic_vocabulary_pattern_is_rejected_naming_file_and_concept(tmp_path, regex):
    err = _rule_error(_pack(tmp_path, vocab="  bad-cue:\n    describe: x\n    patterns: ['" + regex + "']\n"))
    assert err.file == str(tmp_path / "rules" / "vocab.yaml")
    assert "concept bad-cue" in str(err) and "catastrophic backtracking" in str(err)


@pytest.mark.parametrize("regex", [r"\b(?:\w+\s+){0,5}risk", r"(?:foo|bar)+", r"\d{1,3}(?:\.\d{1,3}){0,4}", r"[a-z]+ing\b"])
def test_safe_regexes_are_accepted(regex):
    from rmplint.rules.regex_safety import catastrophic

    assert catastrophic(regex) is None


def test_accepted_patterns_match_hostile_text_quickly():
    """What the check lets through stays fast on the inputs that break the rejected shapes."""
    from rmplint.rules.regex_safety import catastrophic

    attack = "a" * 40 + "!"
    for regex in (r"(?:ab|cd)*$", r"(?:a|b)*$", r"a*b*$", r"(?:a\s)+$"):
        assert catastrophic(regex) is None
        started = time.monotonic()
        re.search(regex, attack, re.I)
        assert time.monotonic() - started < 0.5, regex


def test_the_shipped_pack_passes_the_check():
    from rmplint.rules.loader import load_pack

    assert load_pack().rules


def test_bad_rule_pack_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    from click.testing import CliRunner

    from rmplint.cli import main

    folder = _pack(tmp_path, _RULE, detector="pattern: {regex: '(a|a)*$'}")
    doc = tmp_path / "plan.md"
    doc.write_text("# Plan\n\nThe joint board meets.\n")
    r = CliRunner().invoke(main, ["check", str(doc), "--rules", str(folder)])
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(f"rmplint: error: {folder / 'rule.yaml'}, rule user.test-rule: ")
    assert "catastrophic backtracking" in r.stderr and "Traceback" not in r.output


@pytest.mark.parametrize("content", [
    "profile = [unclosed\n",
    "profile = 'sometimes'\n",
    "\xff\xfe garbage",
])
def test_bad_config_file_is_one_line_and_exit_2(tmp_path, content):
    from click.testing import CliRunner

    from rmplint.cli import main

    cfg = tmp_path / "bad.toml"
    cfg.write_bytes(content.encode("latin-1"))
    doc = tmp_path / "plan.md"
    doc.write_text("# Plan\n\nThe joint board meets.\n")
    r = CliRunner().invoke(main, ["check", str(doc), "--config", str(cfg)])
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("rmplint: error: ") and "bad.toml" in r.stderr


# --- time limit -----------------------------------------------------------------------------


def test_timeout_stops_a_slow_document_and_the_batch_goes_on(tmp_path):
    """A user pattern the load-time check lets through ([a-z]+x is quadratic, not exponential)
    on a 900,000-letter paragraph would run for hours; --timeout ends it. The paragraph holds an
    x, so the literal pre-test (detect/prefilter.py) lets the pattern run."""
    from click.testing import CliRunner

    from rmplint.cli import main

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "vocab.yaml").write_text(
        'schema_version: 1\nconcepts:\n  slow-cue:\n    describe: slow\n    patterns: ["[a-z]+x"]\n', encoding="utf-8"
    )
    (tmp_path / "slow.txt").write_text("a" * 900_000 + " x\n", encoding="utf-8")
    (tmp_path / "ok.md").write_text("# 7.2 Governance\n\nThe joint board meets monthly.\n", encoding="utf-8")
    started = time.monotonic()
    r = CliRunner().invoke(main, ["check", str(tmp_path / "slow.txt"), str(tmp_path / "ok.md"), "--rules", str(rules),
                                  "--timeout", "4", "-j", "2", "--format", "json"], catch_exceptions=False)
    assert r.exit_code == 2
    docs = {Path(d["path"]).name: d for d in json.loads(r.stdout)["documents"]}
    assert (docs["slow.txt"]["error_kind"], docs["slow.txt"]["error"]) == ("timeout", "took longer than 4 s")
    assert docs["ok.md"]["error"] is None and docs["ok.md"]["clauses"]
    assert r.stderr == f"rmplint: {tmp_path / 'slow.txt'}: took longer than 4 s\n"
    assert time.monotonic() - started < 60


def test_an_xml_part_over_its_limit_is_refused_before_parsing(tmp_path):
    big = gen.body_xml("".join(gen.paragraph(f"Clause {n}: the board meets on day {n * 7 % 31}.") for n in range(5000)))
    path = gen.docx(tmp_path / "big-part.docx", big)
    err = _refusal(path, Limits(max_xml_part_bytes=100_000))
    assert (err.kind, err.reason) == ("too-large", f"word/document.xml is {len(big)} bytes of XML, over the limit of 100000")
    assert len(load(path).blocks) == 5000


def test_symlink_loop_in_a_rule_folder_does_not_hang(tmp_path):
    from rmplint.rules.loader import load_pack

    folder = _pack(tmp_path, _RULE)
    os.symlink(folder, folder / "loop")
    started = time.monotonic()
    assert [r.id for r in load_pack([folder], builtin=False).rules] == ["user.test-rule"]
    assert time.monotonic() - started < 10


def test_a_folder_that_cannot_be_listed_is_reported_not_skipped(tmp_path, monkeypatch, checker):
    from rmplint.cli import iter_documents

    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "plan.md").write_text("# Plan\n")
    (tmp_path / "open.md").write_text("# Plan\n")
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real(path)

    # Tests run as root, who can list any folder: refuse the listing itself instead.
    monkeypatch.setattr(os, "scandir", scandir)
    docs = iter_documents([str(tmp_path)])
    assert docs == [str(locked), str(tmp_path / "open.md")]
    result = checker.check_path(str(locked))
    assert result.error_kind == "unreadable"
