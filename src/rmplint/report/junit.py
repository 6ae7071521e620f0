"""JUnit XML report for CI dashboards: a testsuite per document, a testcase per clause and per problem finding.

A missing/partial clause or an adversarial/hygiene finding fails only at or above --fail-on, as the
exit code does; waived results pass with a "waived" property; clauses without a rule are skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from rmplint.findings import DocumentResult
from rmplint.report import Run
from rmplint.report.common import at_or_above, problem_findings, waiver_text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


def _x(text: str | None) -> str:
    return _CONTROL.sub("\ufffd", text or "")


def render(run: Run) -> str:
    root = ET.Element("testsuites", name="rmplint")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for doc in run.documents:
        suite = _suite(doc, run.fail_on)
        root.append(suite)
        for k in totals:
            totals[k] += int(suite.get(k, "0"))
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(doc: DocumentResult, fail_on: str | None) -> ET.Element:
    suite = ET.Element("testsuite", name=_x(doc.path))
    props = ET.SubElement(suite, "properties")
    for name, value in (("profile", doc.profile), ("format", doc.format), ("fail-on", fail_on or "none")):
        ET.SubElement(props, "property", name=name, value=_x(value or ""))
    counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    if doc.error:
        case = ET.SubElement(suite, "testcase", classname="document", name=_x(doc.path), file=_x(doc.path))
        ET.SubElement(case, "error", type=doc.error_kind or "error", message=_x(doc.error))
        counts.update(tests=1, errors=1)
    for c in doc.clauses:
        case = ET.SubElement(suite, "testcase", classname=c.stage, name=_x(f"{c.clause} {c.title}"), file=_x(doc.path))
        counts["tests"] += 1
        _waiver(case, c.waiver)
        if c.status == "not-checked":
            ET.SubElement(case, "skipped", message=_x(c.reason))
            counts["skipped"] += 1
        elif c.status in ("missing", "partial") and not c.waived and at_or_above(c.severity, fail_on):
            fail = ET.SubElement(case, "failure", type=c.status, message=_x(f"{c.status} ({c.severity}): {c.reason}"))
            fail.text = _x("\n".join(f"“{e.text}” ({e.location.describe()})" for e in c.evidence)) or None
            counts["failures"] += 1
        elif c.status != "met":
            out = ET.SubElement(case, "system-out")
            out.text = _x(f"{c.status} ({c.severity}): {c.reason}")
    for f in problem_findings(doc):
        name = f"{f.category}: {f.term or f.rule} ({f.location.describe()})"
        case = ET.SubElement(suite, "testcase", classname=f"findings.{f.category}", name=_x(name), file=_x(doc.path))
        counts["tests"] += 1
        _waiver(case, f.waiver)
        if not f.waived and at_or_above(f.severity, fail_on):
            fail = ET.SubElement(case, "failure", type=f.category, message=_x(f"{f.severity}: {f.message}"))
            fail.text = _x(f.text)
            counts["failures"] += 1
        else:
            out = ET.SubElement(case, "system-out")
            out.text = _x(f"{f.severity}: {f.message}\n{f.text}")
    for k, v in counts.items():
        suite.set(k, str(v))
    return suite


def _waiver(case: ET.Element, waiver) -> None:  # type: ignore[no-untyped-def]
    if waiver is None:
        return
    props = ET.SubElement(case, "properties")
    ET.SubElement(props, "property", name="waived" if not waiver.expired else "waiver-expired",
                  value=_x(waiver_text(waiver)))
