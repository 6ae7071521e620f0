"""Command line: parse options, call the engine, pick reporters. Nothing else lives here.

Heavy modules (spaCy, pdfplumber, jsonschema, yaml) are imported inside the commands, so that
`rmplint --version` and `--help` start as fast as click itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterable

import click

from rmplint import __version__

EXTENSIONS = (".docx", ".pdf", ".txt", ".md", ".markdown")
SEVERITY_CHOICES = ["info", "low", "medium", "high", "critical", "none"]


class UserError(click.ClickException):
    """A one-line error with exit code 2 (bad rules, bad config, bad arguments)."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"rmplint: error: {self.format_message()}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="rmplint")
def main() -> None:
    """Check Relationship Management Plans and contracts against BS 11000 / ISO 44001."""


def iter_documents(paths: Iterable[str]) -> list[str]:
    """Expand folders into the documents they hold (sorted, symlinked folders not followed)."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in files:
                    if f.lower().endswith(EXTENSIONS) and not f.startswith((".", "~$")):
                        found.append(os.path.join(root, f))
            out.extend(sorted(found))
        else:
            out.append(p)
    return out


def _load_pack(rule_dirs: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from rmplint.errors import RmplintError
    from rmplint.rules.loader import load_pack

    try:
        return load_pack([Path(d) for d in rule_dirs])
    except RmplintError as e:
        raise UserError(e.one_line()) from None


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--profile", type=click.Choice(["auto", "rmp", "contract"]), default=None,
              help="What the documents are; auto (default) decides from their content and says why.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file.")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default=None,
              help="Exit 1 when a missing/partial clause or an adversarial/hygiene finding is at or above this "
                   "severity (default: none).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True),
              help="Extra rule folder (rules and vocabulary); may be repeated.")
@click.option("--extended-payment-days", type=click.IntRange(1, 365), default=None,
              help="Payment periods longer than this are Extended payment (default 30).")
@click.option("--prompt-payment-days", type=click.IntRange(0, 365), default=None,
              help="Payment within this many days is Advance proactive payment (default 14).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Check date (ISO, default today): review staleness and waiver expiry are judged against it.")
@click.option("--review-months", type=click.IntRange(1, 120), default=None,
              help="A plan last reviewed more than this many months before the check date is stale (default 12).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: when a terminal).")
def check(paths: tuple[str, ...], profile: str | None, fmt: str, output: str | None, fail_on: str | None,
          rule_dirs: tuple[str, ...], extended_payment_days: int | None, prompt_payment_days: int | None,
          as_of, review_months: int | None, color: bool | None) -> None:  # type: ignore[no-untyped-def]
    """Check documents (.docx, .pdf, .txt, .md, or folders of them)."""
    from rmplint.config import load_config
    from rmplint.engine import Checker, gate_failures
    from rmplint.report import Run, render
    from rmplint.runner import CheckSpec, run_batch

    cfg = load_config({
        "profile": profile,
        "rules": rule_dirs or None,
        "fail_on": fail_on,
        "extended_payment_days": extended_payment_days,
        "prompt_payment_days": prompt_payment_days,
        "review_months": review_months,
        "as_of": as_of.date().isoformat() if as_of else None,
    })
    spec = CheckSpec(rule_dirs=tuple(cfg.rules), options=cfg.check_options())
    checker = Checker(_load_pack(spec.rule_dirs), spec.options)  # rule errors surface here, once
    docs = iter_documents(paths)
    if not docs:
        raise UserError("no documents found in " + ", ".join(paths))
    results = run_batch(docs, spec, checker)
    run = Run(version=__version__, documents=tuple(results), fail_on=cfg.fail_on)
    for r in results:
        if r.error:
            click.echo(f"rmplint: {r.path}: {r.error}", err=True)
    if output:
        Path(output).write_text(render(fmt, run), encoding="utf-8")
        if fmt != "text":
            click.echo(render("text", run, color=_colour(color)), nl=False)
    else:
        click.echo(render(fmt, run, color=_colour(color) if fmt == "text" else False), nl=False)
    if any(r.error for r in results):
        sys.exit(2)
    if any(gate_failures(r, cfg.fail_on) for r in results):
        sys.exit(1)


def _colour(flag: bool | None) -> bool:
    return sys.stdout.isatty() if flag is None else flag


@main.group()
def rules() -> None:
    """List, explain and test the rules."""


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True))
def rules_list(fmt: str, rule_dirs: tuple[str, ...]) -> None:
    """List every rule with its clause or term, severity and requirement."""
    from rmplint.rules import docs

    click.echo(docs.listing(_load_pack(rule_dirs), fmt), nl=False)


@rules.command("explain")
@click.argument("key")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True))
def rules_explain(key: str, rule_dirs: tuple[str, ...]) -> None:
    """Explain one rule: KEY is a clause number (4.6.1), a term name or a rule id."""
    from rmplint.rules import docs

    pack = _load_pack(rule_dirs)
    rule = pack.get(key)
    if rule is None:
        raise UserError(f"no rule for {key!r} (try `rmplint rules list`)")
    click.echo(docs.explain(rule, pack), nl=False)


@rules.command("test")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True))
@click.option("-v", "--verbose", is_flag=True, help="Show every example, not only failures.")
def rules_test(rule_dirs: tuple[str, ...], verbose: bool) -> None:
    """Run every rule's pass/fail examples; fail when one gives the wrong verdict or is missing."""
    from rmplint.rules.selftest import run_examples

    pack = _load_pack(rule_dirs)
    report = run_examples(pack)
    for line in report.lines(verbose):
        click.echo(line)
    click.echo(f"{report.passed} passed, {report.failed} failed")
    if report.failed:
        sys.exit(1)


@main.command("eval")
@click.argument("corpus", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True))
@click.option("--worst", type=int, default=10, show_default=True, help="How many of the worst clauses/terms to list.")
@click.option("--mistakes", is_flag=True, help="List every wrong prediction with its evidence.")
def eval_cmd(corpus: str, fmt: str, rule_dirs: tuple[str, ...], worst: int, mistakes: bool) -> None:
    """Measure precision and recall against gold-labelled documents (*.labels.yaml)."""
    from rmplint.engine import Checker
    from rmplint.evaluate import evaluate, render_json, render_text

    res = evaluate(Path(corpus), Checker(_load_pack(rule_dirs)))
    if fmt == "json":
        click.echo(render_json(res), nl=False)
        return
    click.echo(render_text(res, worst), nl=False)
    if mistakes:
        for m in res.mistakes:
            click.echo(f"  {m['document']} {m['key']}: gold {m['gold']}, predicted {m['predicted']}")
            for e in m["evidence"]:
                click.echo(f"      “{e[:160]}”")


if __name__ == "__main__":  # pragma: no cover
    main()
