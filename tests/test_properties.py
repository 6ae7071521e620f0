"""Properties over damaged inputs: any mutation of a valid .docx, .pdf or .txt gets an answer, never a
traceback or a hang, and the JSON report stays valid with one entry per input; the same inputs give
byte-identical JSON whatever order they are named in, and checking never touches the input folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile_gen as gen

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"empty", "corrupt", "encrypted", "unsupported", "no-text", "too-large", "unreadable"}
# Bounded and repeatable in CI: a fixed sequence of examples, no per-example deadline (the
# first example pays for lazy imports), but each example must still finish quickly.
BOUNDED = settings(
    max_examples=40, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PER_DOCUMENT_SECONDS = 20


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("seeds")
    text = "7.2 Governance\n\nThe joint board meets monthly.\n\n| Risk | Owner |\n|---|---|\n| Loss | Both |\n"
    return {
        "docx": gen.many_tables_docx(folder / "s.docx", 2).read_bytes(),
        "pdf": gen.text_pdf(folder / "s.pdf", ["7.2 Governance", "The joint board meets monthly."]).read_bytes(),
        "txt": text.encode("utf-8"),
    }


# A mutation: flip some bytes at relative positions, then maybe cut the file short.
flips = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8)
cut = st.one_of(st.none(), st.floats(0, 1))


def _mutate(data: bytes, changes: list[tuple[float, int]], truncate: float | None) -> bytes:
    out = bytearray(data)
    for where, value in changes:
        if out:
            out[int(where * len(out))] = value
    if truncate is not None:
        out = out[: int(truncate * len(out))]
    return bytes(out)


def _mutate_member(docx: bytes, member: int, changes: list[tuple[float, int]], truncate: float | None) -> bytes:
    """Damage the XML inside one zip member and zip it again properly (the zip itself is valid)."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for i, info in enumerate(src.infolist()):
            data = src.read(info)
            dst.writestr(info.filename, _mutate(data, changes, truncate) if i == member % len(src.infolist()) else data)
    return out.getvalue()


def _check_all(checker, folder: Path, files: dict[str, bytes]) -> dict:
    """Write the files, check them as a batch, and return the parsed JSON report."""
    from rmplint.report import Run, render
    from rmplint.runner import CheckSpec, run_batch

    for name, data in files.items():
        (folder / name).write_bytes(data)
    paths = [str(folder / n) for n in files]
    started = time.monotonic()
    results = run_batch(paths, CheckSpec(), checker)
    assert time.monotonic() - started < PER_DOCUMENT_SECONDS * len(paths)
    report = json.loads(render("json", Run(version="test", documents=tuple(results))))
    assert [d["path"] for d in report["documents"]] == sorted(paths)
    for d in report["documents"]:
        assert (d["error"] is None) == (d["error_kind"] is None)
        assert d["error_kind"] in KINDS | {None}, d
        if d["error"]:
            assert d["error"] == " ".join(d["error"].split()) and "Traceback" not in d["error"]
    return report


@BOUNDED
@given(changes=flips, truncate=cut, member=st.integers(0, 20), in_member=st.booleans())
def test_mutated_docx_always_gets_an_answer(tmp_path_factory, checker, seeds, changes, truncate, member, in_member):
    data = _mutate_member(seeds["docx"], member, changes, truncate) if in_member else _mutate(seeds["docx"], changes, truncate)
    _check_all(checker, tmp_path_factory.mktemp("m"), {"plan.docx": data, "ok.txt": seeds["txt"]})


@BOUNDED
@given(changes=flips, truncate=cut)
def test_mutated_pdf_always_gets_an_answer(tmp_path_factory, checker, seeds, changes, truncate):
    _check_all(checker, tmp_path_factory.mktemp("m"), {"plan.pdf": _mutate(seeds["pdf"], changes, truncate), "ok.txt": seeds["txt"]})


@BOUNDED
@given(data=st.binary(max_size=2000) | st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
       changes=flips, truncate=cut)
def test_any_bytes_as_text_always_get_an_answer(tmp_path_factory, checker, seeds, data, changes, truncate):
    mutated = _mutate(seeds["txt"] + data, changes, truncate)
    report = _check_all(checker, tmp_path_factory.mktemp("m"), {"plan.txt": mutated, "plan.md": data})
    assert len(report["documents"]) == 2


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    gen.docx(folder / "b-plan.docx")
    gen.text_pdf(folder / "a-plan.pdf", ["7.2 Governance", "The joint board meets monthly.", None])
    (folder / "c-notes.md").write_text("# 7.2 Governance\n\nRisks are shared.\n", encoding="utf-8")
    (folder / "d-empty.txt").write_bytes(b"")
    (folder / "e-broken.docx").write_bytes(b"PK\x03\x04 broken")
    with open(os.path.join(os.fsencode(folder), b"f-\xe9.txt"), "wb") as fh:
        fh.write(b"The joint board meets monthly.\n")
    return folder


def test_json_is_byte_identical_whatever_the_order_and_inputs_are_untouched(mixed_folder):
    """Through the real command line: two orders of the same files, one JSON."""
    from click.testing import CliRunner

    from rmplint.cli import main

    names = sorted(os.listdir(os.fsencode(mixed_folder)))
    paths = [os.fsdecode(os.path.join(os.fsencode(mixed_folder), n)) for n in names]
    before = _snapshot(mixed_folder)
    runner = CliRunner()
    outputs = []
    for order in (paths, paths[::-1], paths[2:] + paths[:2]):
        r = runner.invoke(main, ["check", *order, "--format", "json", "-j", "2"], catch_exceptions=False)
        assert r.exit_code == 2
        outputs.append(r.stdout_bytes)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(json.loads(outputs[0])["documents"]) == len(paths)
    assert _snapshot(mixed_folder) == before
    assert sorted(os.listdir(os.fsencode(mixed_folder))) == names


@settings(BOUNDED, max_examples=8)
@given(order=st.permutations(range(6)))
def test_report_does_not_depend_on_the_order_of_paths(checker, mixed_folder, order):
    from rmplint.report import Run, render
    from rmplint.runner import CheckSpec, run_batch

    paths = sorted(os.fsdecode(os.path.join(os.fsencode(mixed_folder), n)) for n in os.listdir(os.fsencode(mixed_folder)))
    shuffled = [paths[i] for i in order]
    a = render("json", Run(version="t", documents=tuple(run_batch(paths, CheckSpec(), checker))))
    b = render("json", Run(version="t", documents=tuple(run_batch(shuffled, CheckSpec(), checker))))
    assert a == b


# What a report holds: strings (any code point, lone surrogates from undecodable file names
# included), ints, booleans, null, 3-decimal scores, and nested lists and string-keyed maps.
_REPORT_VALUES = st.recursive(
    st.one_of(st.text(st.characters(exclude_categories=())), st.integers(-(2**53), 2**53), st.booleans(), st.none(),
              st.integers(0, 1000).map(lambda n: round(n / 1000, 3))),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_REPORT_VALUES)
def test_stable_json_writes_what_the_standard_library_writes(data):
    from rmplint.report.common import stable_json

    assert stable_json(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_REPORT_VALUES)
def test_the_json_bytes_are_the_json_text_in_utf8(data):
    from rmplint.report.common import stable_json, stable_json_bytes

    got = stable_json_bytes(data)  # None where orjson refuses the data (a lone surrogate)
    assert got is None or got == stable_json(data).encode("utf-8")


@pytest.mark.parametrize("encoded_apart", [False, True])
@pytest.mark.parametrize("warning", ["plain", "Zusammenarbeit \u00e9t\u00e9 \u2013 \U0001f91d", "bad \udc80 byte"])
def test_the_json_report_goes_out_as_utf8_that_reads_back_the_same(warning, encoded_apart):
    # a lone surrogate (orjson refuses it) is written as its JSON escape, also when the document
    # was to be encoded by a worker (rmplint.report.json.prerender)
    from rmplint.findings import DocumentResult
    from rmplint.report import Run, render_bytes
    from rmplint.report.json import prerender

    doc = DocumentResult(path="p.docx", profile=None, warnings=(warning,))
    if encoded_apart:
        prerender(doc)
    run = Run(version="t", documents=(doc,))
    written = render_bytes("json", run)
    assert json.loads(written.decode("utf-8"))["documents"][0]["warnings"] == [warning]
    if "\udc80" not in warning:
        from rmplint.report import render

        assert written == render("json", run).encode("utf-8")
