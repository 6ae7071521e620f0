"""The HTML report in a real browser (Debian's chromium + chromedriver, driven by Selenium):
it loads without console errors, the filters change the visible rows, the counts match the JSON report,
and document text never runs as script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report_golden import golden_run
from test_report_html import hostile_run

from rmplint.report import render

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # the driver is given by path, so Selenium Manager never looks for (or downloads) one
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def page(browser, tmp_path):
    def _open(run):  # type: ignore[no-untyped-def]
        path = tmp_path / "report.html"
        path.write_text(render("html", run), encoding="utf-8")
        browser.get_log("browser")  # drop what earlier pages logged
        browser.get(path.as_uri())
        return browser

    return _open


def _errors(driver) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


@pytest.mark.parametrize("name", ["sample-rmp", "kestrel-consultancy"])
def test_page_loads_without_console_errors(page, name):
    d = page(golden_run(name))
    assert d.title == "rmplint report"
    assert d.execute_script("return document.readyState") == "complete"
    assert _errors(d) == []


def test_filters_change_the_visible_rows(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    run = golden_run("sample-rmp")
    clauses = run.documents[0].clauses
    d = page(run)

    def visible() -> list[str]:
        return [r.get_attribute("data-status") for r in d.find_elements(By.CSS_SELECTOR, "tr.clause") if r.is_displayed()]

    assert len(visible()) == len(clauses)
    Select(d.find_element(By.CSS_SELECTOR, "select[data-filter=status]")).select_by_value("missing")
    assert visible() == ["missing"] * sum(1 for c in clauses if c.status == "missing")
    assert d.find_element(By.CSS_SELECTOR, ".visible-count").text == str(len(visible()))
    Select(d.find_element(By.CSS_SELECTOR, "select[data-filter=severity]")).select_by_value("high")
    assert len(visible()) == sum(1 for c in clauses if c.status == "missing" and c.severity == "high")
    Select(d.find_element(By.CSS_SELECTOR, "select[data-filter=stage]")).select_by_value("exit-strategy")
    assert len(visible()) == sum(1 for c in clauses if (c.status, c.severity, c.stage) == ("missing", "high", "exit-strategy"))
    for key in ("status", "severity", "stage"):
        Select(d.find_element(By.CSS_SELECTOR, f"select[data-filter={key}]")).select_by_value("")
    assert len(visible()) == len(clauses)
    assert _errors(d) == []


def test_findings_filter_by_category_and_severity(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    run = golden_run("sample-rmp")
    findings = run.documents[0].findings
    d = page(run)

    def visible() -> int:
        return sum(1 for r in d.find_elements(By.CSS_SELECTOR, "table.findings tbody tr") if r.is_displayed())

    form = d.find_element(By.CSS_SELECTOR, "form[aria-label='Filter findings']")
    assert visible() == len(findings) > 0
    Select(form.find_element(By.CSS_SELECTOR, "select[data-filter=category]")).select_by_value("adversarial")
    assert visible() == sum(1 for f in findings if f.category == "adversarial")
    Select(form.find_element(By.CSS_SELECTOR, "select[data-filter=category]")).select_by_value("hygiene")
    assert visible() == sum(1 for f in findings if f.category == "hygiene")
    assert form.find_element(By.CSS_SELECTOR, ".visible-count").text == str(visible())
    assert len([r for r in d.find_elements(By.CSS_SELECTOR, "tr.clause") if r.is_displayed()]) == len(run.documents[0].clauses)


@pytest.mark.parametrize("name", ["sample-rmp", "kestrel-consultancy"])
def test_counts_shown_match_the_json_report(page, name):
    from selenium.webdriver.common.by import By

    run = golden_run(name)
    data = json.loads(render("json", run))
    d = page(run)
    shown = {e.get_attribute("data-key"): int(e.text) for e in d.find_elements(By.CSS_SELECTOR, "#run-summary .count")}
    assert shown == data["summary"]
    (doc,) = data["documents"]
    section = d.find_element(By.CSS_SELECTOR, "section.document")
    panel = {e.get_attribute("data-key"): int(e.text) for e in section.find_elements(By.CSS_SELECTOR, ".dashboard .count")}
    for category in ("adversarial", "collaborative", "hygiene"):
        assert panel[f"{category}_findings"] == sum(1 for f in doc["findings"] if f["category"] == category)
    for status in ("met", "partial", "missing", "not-applicable", "not-checked"):
        if doc["clauses"]:
            assert panel[status] == doc["summary"][status]
    if doc["profile"] == "contract":
        assert panel["balance-adversarial"] == doc["summary"]["balance"]["adversarial"]


def test_document_text_never_runs_as_script(page):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    d = page(hostile_run())
    with pytest.raises(NoAlertPresentException):
        d.switch_to.alert.text  # noqa: B018 - reading it is the check
    assert d.execute_script("return window.pwned === undefined")
    assert len(d.find_elements(By.TAG_NAME, "script")) == 1
    assert "<script>alert(1)</script>" in d.find_element(By.TAG_NAME, "h2").text
    assert _errors(d) == []

