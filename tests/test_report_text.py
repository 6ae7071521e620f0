"""Terminal report: document text is printed as it is, plain or coloured, and both say the same."""

from __future__ import annotations

import re
from dataclasses import replace

from test_report_golden import golden_run

from rmplint.findings import Finding
from rmplint.model import Location
from rmplint.report import render

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _with_quote(text: str):
    run = golden_run("kestrel-consultancy")
    f = Finding(rule="t.termination", category="adversarial", severity="medium", text=text,
                location=Location(paragraph=3), message="Termination for convenience", term="Termination")
    return replace(run, documents=(replace(run.documents[0], findings=(f,)),))


def test_markup_and_emoji_codes_in_a_quote_are_printed_as_they_are():
    run = _with_quote("Either party [bold]may[/bold] terminate :warning: on notice\x07.")
    for color in (False, True):
        out = ANSI.sub("", render("text", run, color=color))
        assert "“Either party [bold]may[/bold] terminate :warning: on notice.”" in out, color


def test_coloured_and_plain_reports_hold_the_same_text():
    run = golden_run("sample-rmp")
    plain = render("text", run)
    coloured = render("text", run, color=True)
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert ANSI.sub("", coloured) == plain
    assert "    ✔ 4.2      Competence and training — met (para 54" in plain
