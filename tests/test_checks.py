"""Document checks beyond clauses: hygiene, exit completeness and stage maturity, on real files."""

from __future__ import annotations

from datetime import date

import pytest

from helpers import make_docx
from rmplint.checks import maturity, parse_dates
from rmplint.catalogue import load_catalogue
from rmplint.engine import CheckOptions, Checker
from rmplint.findings import ClauseVerdict


@pytest.fixture(scope="module")
def dated_checker(pack):
    return Checker(pack, CheckOptions(as_of="2026-11-23", settings={"review_months": 12}))


def rules_of(result):
    return [f.rule for f in result.findings if f.category == "hygiene"]


def test_template_plan_hygiene(dated_checker, root):
    res = dated_checker.check_path(root / "corpora" / "rmp" / "ridgeline-fm-rmp-template.docx")
    got = rules_of(res)
    assert "hygiene.draft" in got
    assert "hygiene.sign-off" in got
    assert "hygiene.placeholder" in got
    stale = [f for f in res.findings if f.rule == "hygiene.review-date"]
    assert any("2025-08-14" in f.message and "15 months" in f.message for f in stale), [f.message for f in stale]
    sign = next(f for f in res.findings if f.rule == "hygiene.sign-off")
    assert "not signed" in sign.message


def test_signed_versioned_current_plan_is_clean(dated_checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Relationship management plan"),
        ("table", [["Version", "Date", "Change", "Approved by"],
                   ["1.0", "12 March 2026", "First issue", "J. Smith, Chief Executive"],
                   ["1.1", "2 October 2026", "Annual review", "J. Smith, Chief Executive"]]),
        ("p", "This relationship management plan was approved by the Chief Executive, our senior executive responsible, on 2 October 2026."),
    ])
    res = dated_checker.check_path(path)
    assert rules_of(res) == [], [f.message for f in res.findings]


def test_review_staleness_follows_as_of_and_months(pack, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Document control"),
        ("table", [["Version", "Date"], ["2.0", "14/08/2025"]]),
    ])
    fresh = Checker(pack, CheckOptions(as_of="2026-02-01", settings={"review_months": 12})).check_path(path)
    stale = Checker(pack, CheckOptions(as_of="2026-11-23", settings={"review_months": 12})).check_path(path)
    lenient = Checker(pack, CheckOptions(as_of="2026-11-23", settings={"review_months": 24})).check_path(path)
    assert "hygiene.review-date" not in rules_of(fresh)
    assert "hygiene.review-date" in rules_of(stale)
    assert "hygiene.review-date" not in rules_of(lenient)


def test_draft_marking_in_a_footer_but_not_in_history(dated_checker, root, tmp_path):
    history = make_docx(tmp_path / "history.docx", [
        ("h1", "Relationship management plan"),
        ("table", [["Version", "Date", "Change"], ["0.1", "1 Jan 2026", "Initial draft for comment"], ["1.0", "1 Mar 2026", "Issued"]]),
    ])
    assert "hygiene.draft" not in rules_of(dated_checker.check_path(history))
    marked = dated_checker.check_path(root / "corpora" / "rmp" / "brightwave-it-outsourcing-rmp.pdf")
    assert "hygiene.draft" in rules_of(marked)


def test_exit_completeness_lists_covered_and_missing(dated_checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Joint exit strategy"),
        ("p", "Both parties agreed this exit strategy at the joint board and review it every year."),
        ("p", "On exit, transferring employees move under TUPE and all project data is returned to the client."),
        ("p", "Exit may be triggered by a change of control of either party or by persistent performance failure."),
    ])
    res = dated_checker.check_path(path)
    ex = res.summary["exit"]
    assert ex["items"]["Human resources assets (TUPE, transferring employees)"] is True
    assert ex["items"]["Knowledge transfer and data protection"] is True
    assert ex["items"]["Warranties ownership and transfer"] is False
    assert ex["triggers"]["Change of ownership"] is True
    assert ex["triggers"]["Performance failure"] is True
    assert "Market changes" in ex["missing_triggers"]
    v = next(c for c in res.clauses if c.clause == "10.1")
    assert "Key exit items covered: " in v.reason and "Warranties ownership and transfer" in v.reason


def test_maturity_levels_from_verdicts():
    cat = load_catalogue()

    def v(clause, status):
        c = cat.clause(clause)
        return ClauseVerdict(clause, c.title, c.stage, status, "high", "")

    m = maturity(
        [v("4.1", "met"), v("4.2", "met"), v("4.3", "met"), v("4.4", "partial"),
         v("10.1", "missing"), v("10.2", "missing"), v("10.3", "partial"), v("3.1", "not-checked")],
        cat.stages,
    )
    assert m["knowledge"]["level"] == "A" and m["knowledge"]["score"] == 0.875
    assert m["exit-strategy"]["level"] == "D"
    assert "1 partial" in m["exit-strategy"]["reason"]
    assert m["awareness"]["level"] is None


def test_maturity_in_every_rmp_summary(dated_checker, root):
    res = dated_checker.check_path(root / "corpora" / "rmp" / "ashdown-rail-alliance-rmp.docx")
    mat = res.summary["maturity"]
    assert set(mat) == {s.id for s in load_catalogue().stages}
    assert mat["knowledge"]["level"] in {"A", "B", "C", "D"}
    assert "checked clauses" in mat["knowledge"]["reason"]


@pytest.mark.parametrize(
    "text, expect",
    [
        ("Reviewed on 14/08/2025.", date(2025, 8, 14)),
        ("Issued 2 October 2026", date(2026, 10, 2)),
        ("Approved Aug 3, 2024", date(2024, 8, 3)),
        ("Version date 2025-01-31", date(2025, 1, 31)),
        ("Last updated March 2023", date(2023, 3, 1)),
    ],
)
def test_dates_are_parsed(text, expect):
    assert parse_dates(text) == [expect]
