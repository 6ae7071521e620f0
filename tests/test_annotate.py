"""annotate: a copy of the Word document with a real comment on every flagged passage."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from test_config import run  # noqa: F401  (the CLI runner fixture)

from rmplint.annotate import NEARBY, body_paragraphs, notes

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def source(tmp_path_factory, root) -> Path:
    """The sample RMP with a reviewer's comment already in it."""
    import docx

    path = tmp_path_factory.mktemp("annotate") / "plan.docx"
    d = docx.Document(str(root / "examples" / "sample-rmp.docx"))
    para = next(p for p in d.paragraphs if p.text.strip())
    d.add_comment(para.runs, text="Reviewer: check the dates", author="Reviewer", initials="RV")
    d.save(str(path))
    return path


@pytest.fixture(scope="module")
def result(source, checker):
    return checker.check_path(source)


@pytest.fixture(scope="module")
def annotated(source, tmp_path_factory) -> tuple[Path, str, str]:
    from click.testing import CliRunner

    from rmplint.cli import main

    before = _sha(source)
    out = tmp_path_factory.mktemp("out") / "plan.annotated.docx"
    r = CliRunner().invoke(main, ["annotate", str(source), "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out, before, r.output


def _anchored(out: Path) -> dict[int, tuple[int, str]]:
    """comment id -> (paragraph ordinal holding its range start, text inside the range)."""
    import docx

    paragraphs = body_paragraphs(docx.Document(str(out)).element.body)
    found = {}
    for ordinal, p in enumerate(paragraphs, start=1):
        for start in p.iter(f"{W}commentRangeStart"):
            cid = start.get(f"{W}id")
            inside, text = False, []
            for el in p.iter():
                if el.tag in (f"{W}commentRangeStart", f"{W}commentRangeEnd") and el.get(f"{W}id") == cid:
                    inside = el.tag.endswith("Start")
                elif inside and el.tag == f"{W}t":
                    text.append(el.text or "")
            found[int(cid)] = (ordinal, "".join(text))
    return found


def test_one_comment_per_flagged_passage_and_the_original_untouched(source, result, annotated):
    import docx

    out, before, output = annotated
    assert _sha(source) == before
    flagged = notes(result)
    expected = (sum(len(c.evidence) for c in result.clauses if c.status == "partial")
                + sum(1 for f in result.findings if f.category != "collaborative")
                + any(c.status == "missing" for c in result.clauses))
    assert len(flagged) == expected > 5
    comments = list(docx.Document(str(out)).comments)
    assert len(comments) == len(flagged) + 1
    assert f"{len(flagged)} comment(s) written" in output
    ours = [c for c in comments if c.author == "rmplint"]
    assert len(ours) == len(flagged) and all(c.initials == "RL" for c in ours)
    assert {c.timestamp.date().isoformat() for c in ours} == {"2000-01-01"}
    assert ours[0].text.startswith("rmplint: ") and "missing" in ours[0].text  # missing clauses at the start


def test_existing_comments_are_preserved(annotated):
    import docx

    out, _, _ = annotated
    theirs = [c for c in docx.Document(str(out)).comments if c.author == "Reviewer"]
    assert [c.text for c in theirs] == ["Reviewer: check the dates"]
    assert _anchored(out)[theirs[0].comment_id][1] == next(p.text for p in docx.Document(str(out)).paragraphs if p.text.strip())


def test_anchors_sit_in_the_flagged_paragraphs_on_the_sentence(result, annotated):
    import docx

    out, _, _ = annotated
    ours = [c for c in docx.Document(str(out)).comments if c.author == "rmplint"]
    anchors = _anchored(out)
    on_sentence = 0
    for note, comment in zip(notes(result), ours):
        ordinal, text = anchors[comment.comment_id]
        if note.location is None or note.location.part != "body" or note.location.paragraph is None:
            continue  # commented at the document start
        assert note.location.paragraph <= ordinal < note.location.paragraph + NEARBY, (note, ordinal)
        if " ".join(text.split()) == " ".join((note.quote or "").split()):
            on_sentence += 1
    adversarial = next(c for c in ours if "hygiene" in c.text or "adversarial" in c.text)
    assert adversarial.text.count("\n") >= 1
    # most quotes are single sentences inside longer paragraphs: the range covers just the sentence
    assert on_sentence >= len(ours) // 2


def test_paragraph_ordinals_agree_with_the_docx_reader(source):
    import docx

    from rmplint.ingest import load

    paragraphs = body_paragraphs(docx.Document(str(source)).element.body)
    for block in load(source).blocks:
        p = paragraphs[block.location.paragraph - 1]
        text = "".join(t.text or "" for t in p.iter(f"{W}t")).strip()
        assert block.text.startswith(text[:20]), (block.location, block.text[:40], text[:40])


def test_same_input_same_comments(source, annotated, tmp_path, run):  # noqa: F811
    out, _, _ = annotated
    again = tmp_path / "again.docx"
    assert run(tmp_path, "annotate", str(source), "-o", str(again)).exit_code == 0
    with zipfile.ZipFile(out) as a, zipfile.ZipFile(again) as b:
        assert a.read("word/comments.xml") == b.read("word/comments.xml")
        assert a.read("word/document.xml") == b.read("word/document.xml")
        assert "word/comments.xml" in a.read("[Content_Types].xml").decode()
        assert b"comments.xml" in a.read("word/_rels/document.xml.rels")


def test_refuses_to_overwrite_the_input_and_non_docx_input(source, run, root, tmp_path):  # noqa: F811
    before = _sha(source)
    r = run(tmp_path, "annotate", str(source), "-o", str(source))
    assert r.exit_code == 2 and "refusing to write onto the input document" in r.stderr
    assert _sha(source) == before
    md = run(tmp_path, "annotate", str(root / "examples" / "sample-rmp.md"), "-o", str(tmp_path / "x.docx"))
    assert md.exit_code == 2 and len(md.stderr.strip().splitlines()) == 1
    assert "annotate needs a Word .docx document" in md.stderr and not (tmp_path / "x.docx").exists()
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    r = run(tmp_path, "annotate", str(bad), "-o", str(tmp_path / "y.docx"))
    assert r.exit_code == 2 and "broken.docx" in r.stderr and "Traceback" not in r.output


def test_as_of_dates_the_comments(source, tmp_path, run):  # noqa: F811
    import docx

    out = tmp_path / "dated.docx"
    assert run(tmp_path, "annotate", str(source), "-o", str(out), "--as-of", "2026-03-02").exit_code == 0
    dates = {c.timestamp.date().isoformat() for c in docx.Document(str(out)).comments if c.author == "rmplint"}
    assert dates == {"2026-03-02"}


def test_libreoffice_opens_the_annotated_copy(annotated, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    out, _, _ = annotated
    proc = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=240,
    )
    pdf = tmp_path / (out.stem + ".pdf")
    assert proc.returncode == 0, proc.stderr
    assert "Error" not in proc.stderr and "error" not in proc.stdout.lower(), proc.stdout + proc.stderr
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
