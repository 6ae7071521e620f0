"""Check gold label files: every checkable clause (or contract term) labelled once, valid values,
and every trap text a verbatim substring of the document as it reads with tracked changes accepted.

Usage:
    python corpora/check_labels.py [LABELS.yaml ...]     (default: every corpora/**/*.labels.yaml)

Trap text is looked up in the source (src/<stem>.md, markup stripped, deletions dropped) when
there is one, otherwise in the document's own text. Exit code 1 when anything is wrong.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parent.parent / "shared" / "reference" / "bs11000-catalogue.yaml"
VALUES = {"present", "absent", "borderline"}
TRAP_KINDS = {
    "negated", "deferred", "placeholder", "one-sided", "contents", "glossary", "heading-only",
    "definition", "recital", "excluded", "conditional", "non-binding", "redacted", "vocabulary",
    "table", "schedule",
}


def expected_keys(profile: str) -> set[str]:
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    if profile == "rmp":
        return {c["clause"] for c in catalogue["clauses"] if not c.get("group")}
    terms = catalogue["table10_contracting_terms"]
    return set(terms["collaborative"]) | set(terms["adversarial"])


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def document_text(doc: Path) -> str:
    """Accepted text: from the Markdown source when present, else from the document itself."""
    src = doc.parent / "src" / (doc.stem + ".md")
    if src.exists():
        sys.path.insert(0, str(HERE))
        from render import accepted_text, parse

        parsed = parse(src.read_text(encoding="utf-8"))
        parts = [parsed.header or "", parsed.footer or ""]
        for b in parsed.blocks:
            parts.append(accepted_text(b.text))
            parts += [accepted_text(c) for row in b.rows for c in row]
        return "\n".join(parts)
    if doc.suffix == ".docx":
        with zipfile.ZipFile(doc) as z:
            xml = z.read("word/document.xml").decode("utf-8")
        xml = re.sub(r"<w:delText[^>]*>.*?</w:delText>", "", xml, flags=re.S)
        xml = re.sub(r"</w:p>", "\n", xml)
        return re.sub(r"<[^>]+>", "", xml)
    if doc.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(doc) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    return doc.read_text(encoding="utf-8", errors="replace")


def check(path: Path) -> list[str]:
    problems: list[str] = []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return [f"{path}: invalid YAML: {exc}".replace("\n", " ")]
    profile = data.get("profile")
    if profile not in ("rmp", "contract"):
        return [f"{path}: profile must be rmp or contract"]
    doc = path.parent / data.get("document", "")
    if not doc.is_file():
        problems.append(f"{path}: document {doc.name} not found")
    labels = {str(k): v for k, v in (data.get("labels") or {}).items()}
    want = expected_keys(profile)
    for key in sorted(want - labels.keys()):
        problems.append(f"{path}: missing label for {key!r}")
    for key in sorted(labels.keys() - want):
        problems.append(f"{path}: unknown key {key!r}")
    for key, value in labels.items():
        if value not in VALUES:
            problems.append(f"{path}: {key!r} has invalid value {value!r}")
    for key in (data.get("notes") or {}):
        if str(key) not in want:
            problems.append(f"{path}: note for unknown key {key!r}")
    text = _norm(document_text(doc)) if doc.is_file() else ""
    for i, trap in enumerate(data.get("traps") or [], 1):
        key = str(trap.get("clause") or trap.get("term") or "")
        if key not in want:
            problems.append(f"{path}: trap {i} names unknown clause/term {key!r}")
        if trap.get("kind") not in TRAP_KINDS:
            problems.append(f"{path}: trap {i} has unknown kind {trap.get('kind')!r}")
        if trap.get("expect", "not-evidence") not in ("evidence", "not-evidence"):
            problems.append(f"{path}: trap {i} has invalid expect {trap.get('expect')!r}")
        if text and _norm(str(trap.get("text", ""))) not in text:
            problems.append(f"{path}: trap {i} text not found in document: {trap.get('text')!r}")
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(HERE.rglob("*.labels.yaml"))
    problems = [p for path in paths for p in check(path)]
    for p in problems:
        print(p)
    print(f"{len(paths)} label file(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
