"""Command line: parse options, call the engine, pick reporters. Nothing else lives here.

Heavy modules (spaCy, pdfplumber, jsonschema, yaml) are imported inside the commands, so that
`rmplint --version` and `--help` start as fast as click itself.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Iterable, MutableMapping

import click

from rmplint import __version__
from rmplint.discover import Excludes, compile_patterns, find_documents
from rmplint.report import FORMATS  # light: the report dataclasses, no result classes

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


def iter_documents(paths: Iterable[str], excludes: Excludes = Excludes()) -> list[str]:
    """Folders walked and globs expanded into the documents they hold (see rmplint.discover);
    a glob that matches no document is a warning on stderr."""
    from rmplint.errors import RmplintError

    try:
        found = find_documents(paths, excludes)
    except RmplintError as e:
        raise UserError(e.one_line()) from None
    for pattern in found.unmatched:
        click.echo(f"rmplint: warning: no documents match '{_printable(pattern)}'", err=True)
    return list(found.documents)


_EXCLUDE = click.option(
    "--exclude", "exclude", multiple=True, metavar="PATTERN",
    help="Skip files and folders matching this gitignore-style pattern (e.g. drafts/, *-old.docx, "
         "!keep.docx) when walking folders and expanding globs; files named on the command line are "
         "always checked. May be repeated; replaces the configuration's `exclude`.")


def exclude_setting(patterns: tuple[str, ...]) -> Excludes | None:
    """--exclude values for the config cascade (None when not given): relative to the working directory."""
    if not patterns:
        return None
    try:
        compile_patterns(patterns)
    except ValueError as e:
        raise UserError(f"--exclude {e}") from None
    return Excludes(patterns, os.getcwd())


def build_checker(rule_dirs: tuple[str, ...], options=None):  # type: ignore[no-untyped-def]
    """The checker for these rule folders, built with Python's cycle collector paused. Importing
    spaCy and the engine and building the matchers make objects that all live until the process
    ends; the collector would walk them again and again while they are made (about 0.05 s of
    every check's start-up). Frozen afterwards, later collections pass them by, and forked
    workers do not copy their pages to update collection headers. (A command line owns its
    process's collector; the library leaves it alone.)"""
    from rmplint import collector

    with collector.paused():
        try:
            from rmplint.engine import CheckOptions, Checker  # imported while documents are read ahead

            return Checker(_load_pack(rule_dirs), options or CheckOptions())
        finally:
            collector.freeze()


def _load_pack(rule_dirs: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from rmplint.errors import RmplintError
    from rmplint.rules.loader import load_pack

    try:
        return load_pack([Path(d) for d in rule_dirs])
    except RmplintError as e:
        raise UserError(e.one_line()) from None


_CONFIG_OPTIONS = (
    click.option("--config", "config_file", type=click.Path(dir_okay=False),
                 help="Configuration file (TOML, keys at the top level); overrides the project's "
                      "rmplint.toml or [tool.rmplint] in pyproject.toml."),
    click.option("--disable", multiple=True, metavar="RULE|CLAUSE|TERM",
                 help="Switch off a rule id, clause number or term name; may be repeated."),
    click.option("--severity", "severity", multiple=True, metavar="KEY=SEVERITY",
                 help="Override the severity of a rule id, clause or term (e.g. 4.6.1=high); may be repeated."),
    click.option("--fail-below", type=click.Choice(["A", "B", "C", "D"]), default=None,
                 help="Exit 1 when any stage of an RMP has a maturity level below this (A highest, D lowest)."),
    click.option("--waivers", "waivers_file", type=click.Path(dir_okay=False),
                 help="YAML file of accepted deviations (see docs/workflow.md)."),
)


def option_group(key: str, names: tuple[str, ...], options):  # type: ignore[no-untyped-def]
    """A decorator adding `options` to a command, which receives their values as one dict `key`
    (so that commands sharing a group of options keep short signatures)."""

    def decorate(f):  # type: ignore[no-untyped-def]
        @functools.wraps(f)
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            kwargs[key] = {n: kwargs.pop(n) for n in names}
            return f(*args, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


config_options = option_group(
    "config_args", ("config_file", "disable", "severity", "fail_below", "waivers_file"), _CONFIG_OPTIONS
)


def effective_config(config_args: dict, paths: Iterable[str], values: dict):  # type: ignore[no-untyped-def]
    """The config cascade for a command: project file, --config, then these command-line values."""
    from rmplint.config import load_config
    from rmplint.errors import RmplintError

    severity = {}
    for item in config_args["severity"]:
        key, sep, sev = item.rpartition("=")
        if not sep or not key or sev not in SEVERITY_CHOICES[:-1]:
            raise UserError(f"--severity {item!r}: expected KEY=SEVERITY with a severity among "
                            + ", ".join(SEVERITY_CHOICES[:-1]))
        severity[key] = sev
    cli = {
        **values,
        "disable": tuple(config_args["disable"]) or None,
        "severity": severity or None,
        "fail_below": config_args["fail_below"],
        "waivers": config_args["waivers_file"],
    }
    try:
        return load_config(cli, config_args["config_file"], paths)
    except RmplintError as e:
        raise UserError(e.one_line()) from None


def apply_waivers(results, cfg):  # type: ignore[no-untyped-def]
    """Results with the configured waivers attached (unchanged when no waivers file is set)."""
    if not cfg.waivers:
        return results
    from rmplint import waivers
    from rmplint.errors import RmplintError

    try:
        entries = waivers.load(cfg.waivers)
    except RmplintError as e:
        raise UserError(e.one_line()) from None
    return waivers.apply(results, entries, _as_of_date(cfg))[0]


def _as_of_date(cfg):  # type: ignore[no-untyped-def]
    from datetime import date

    return date.fromisoformat(cfg.as_of) if cfg.as_of else date.today()


def maturity_gate(results, cfg) -> bool:  # type: ignore[no-untyped-def]
    """True (and say which stages) when a stage's maturity is below --fail-below."""
    from rmplint.config import maturity_shortfalls

    failed = False
    for r in results:
        for stage, level in maturity_shortfalls(r, cfg.fail_below):
            click.echo(f"rmplint: {r.path}: stage {stage} maturity {level} is below {cfg.fail_below}", err=True)
            failed = True
    return failed


def batch_options(f):  # type: ignore[no-untyped-def]
    """How a batch runs (worker processes, timeout, cache, Dask); the command receives `batch_args`."""
    names = ("jobs", "timeout", "cache_dir", "scheduler")
    options = [
        click.option("-j", "--jobs", type=click.IntRange(1, 512), default=None,
                     help="Check this many documents at once in worker processes (default: CPU count)."),
        click.option("--timeout", type=click.FloatRange(0, min_open=True), default=300.0, show_default=True,
                     help="Seconds one document may take; a slower one gets a timeout error and the batch goes on."),
        click.option("--cache", "cache_dir", type=click.Path(file_okay=False), default=None,
                     help="Keep results in this folder; unchanged files are not checked again (off by default)."),
        click.option("--scheduler", default=None, metavar="tcp://HOST:8786|local",
                     help="Check on a Dask cluster (needs `pip install rmplint[dask]`); local starts one here."),
    ]
    return option_group("batch_args", names, options)(f)


def limit_options(f):  # type: ignore[no-untyped-def]
    """What one document may cost (see SECURITY.md); the command receives them as one `limits`."""
    options = [
        click.option("--max-file-mb", type=click.FloatRange(0, min_open=True), default=None,
                     help="Refuse a file larger than this (default 200)."),
        click.option("--max-unzipped-mb", type=click.FloatRange(0, min_open=True), default=None,
                     help="Refuse a .docx that unzips to more than this, before inflating it (default 500)."),
        click.option("--max-zip-ratio", type=click.FloatRange(1), default=None,
                     help="Refuse a .docx part of 1 MB or more that inflates more than this many times (default 200)."),
        click.option("--max-pages", type=click.IntRange(1), default=None, help="Refuse a PDF with more pages (default 5000)."),
    ]

    @functools.wraps(f)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        from dataclasses import replace

        from rmplint.ingest.common import Limits

        mb = {"max_file_mb": "max_file_bytes", "max_unzipped_mb": "max_unzipped_bytes"}
        values = {name: kwargs.pop(name) for name in ("max_file_mb", "max_unzipped_mb", "max_zip_ratio", "max_pages")}
        set_ = {mb.get(k, k): int(v * 1024 * 1024) if k in mb else v for k, v in values.items() if v is not None}
        kwargs["limits"] = replace(Limits(), **set_)
        return f(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def printable_paths(results):  # type: ignore[no-untyped-def]
    """Results whose paths can be printed and written to UTF-8 reports: a file name that is not
    valid UTF-8 shows its undecodable bytes as \\xNN instead of failing the whole report."""
    from dataclasses import replace

    return [r if _printable(r.path) == r.path else replace(r, path=_printable(r.path)) for r in results]


def _printable(path: str) -> str:
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def run_checks(docs: list[str], rule_dirs: tuple[str, ...], options, batch_args: dict,  # type: ignore[no-untyped-def]
               json_parts: bool = False):
    """Build the checker and run_batch with the batch options; a missing Dask is a one-line
    error. With several local workers, documents are read ahead while the checker is built
    (rmplint.readahead), by a process started before the runner and the result classes are
    imported. `json_parts`: a JSON report will be written, so worker processes encode each
    result's part of it (rmplint.report.json.prerender). Returns the checker and the results."""
    from rmplint.readahead import ReadAhead

    allowed = batch_args["jobs"] or os.cpu_count() or 1  # processes the batch may use
    jobs = min(allowed, len(docs))
    # the read-ahead runs beside the parent while it builds the checker, and only feeds a pool
    pooled = jobs > 1 or batch_args["timeout"] is not None
    ahead = ReadAhead.start(docs, options.limits, allowed, batch_args["scheduler"]) if pooled else None
    try:
        from rmplint.report.json import prerender
        from rmplint.runner import CheckSpec, DaskMissing, run_batch

        spec = CheckSpec(rule_dirs=rule_dirs, options=options)
        prepare = prerender if json_parts else None
        checker = build_checker(rule_dirs, options)  # rule errors surface here, once
        try:
            return checker, run_batch(docs, spec, checker, jobs=jobs, timeout=batch_args["timeout"],
                                      cache_dir=batch_args["cache_dir"], scheduler=batch_args["scheduler"],
                                      progress=True, read_ahead=ahead, prepare=prepare)
        except DaskMissing as e:
            raise UserError(str(e)) from None
    finally:
        if ahead is not None:
            ahead.close()


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--profile", type=click.Choice(["auto", "rmp", "contract"]), default=None,
              help="What the documents are; auto (default) decides from their content and says why.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format (csv-bom: the CSV checklist with a UTF-8 byte order mark, for Excel).")
@click.option("-o", "--output", "outputs", multiple=True, metavar="[FORMAT=]PATH",
              help="Write a report to a file: FORMAT=PATH (e.g. html=report.html), or PATH for --format. "
                   "May be repeated; the text summary still goes to the terminal.")
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
@click.option("--max-evidence", type=click.IntRange(0, 1_000_000), default=None,
              help="Evidence quotes kept per clause, in document order (default 25; 0: all). Every "
                   "clause still reports how many it had (evidence_total).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: when a terminal).")
@_EXCLUDE
@config_options
@batch_options
@limit_options
def check(paths: tuple[str, ...], profile: str | None, fmt: str, outputs: tuple[str, ...], fail_on: str | None,
          rule_dirs: tuple[str, ...], extended_payment_days: int | None, prompt_payment_days: int | None,
          as_of, review_months: int | None, max_evidence: int | None,  # type: ignore[no-untyped-def]
          color: bool | None, exclude: tuple[str, ...], config_args: dict, batch_args: dict,
          limits) -> None:  # type: ignore[no-untyped-def]
    """Check documents (.docx, .pdf, .txt, .md), folders of them, or globs such as 'contracts/**/*.pdf'."""
    from dataclasses import replace

    from rmplint.report import Run, parse_output, rules_of, write_report

    try:
        reports = [parse_output(o, fmt) for o in outputs]
    except ValueError as e:
        raise UserError(str(e)) from None

    cfg = effective_config(config_args, paths, {
        "profile": profile,
        "rules": rule_dirs or None,
        "fail_on": fail_on,
        "extended_payment_days": extended_payment_days,
        "prompt_payment_days": prompt_payment_days,
        "review_months": review_months,
        "max_evidence": max_evidence,
        "as_of": as_of.date().isoformat() if as_of else None,
        "exclude": exclude_setting(exclude),
    })
    options = replace(cfg.check_options(), limits=limits)
    docs = iter_documents(paths, cfg.exclude)
    if not docs:
        raise UserError("no documents found in " + ", ".join(paths))
    # the terminal gets --format unless a plain -o PATH took it; then the text summary, unless that went to a file
    shown = fmt if all(parse_output(o, "")[0] for o in outputs) else "text"
    if reports and shown == "text" and any(rfmt == "text" for rfmt, _ in reports):
        shown = ""  # nothing on the terminal
    json_parts = shown == "json" or any(rfmt == "json" for rfmt, _ in reports)
    checker, results = run_checks(docs, tuple(cfg.rules), options, batch_args, json_parts)
    from rmplint.engine import gate_failures  # imported with the checker, after the read-ahead started

    results = printable_paths(apply_waivers(results, cfg))
    run = Run(version=__version__, documents=tuple(results), fail_on=cfg.fail_on, rules=rules_of(checker.pack))
    for r in results:
        if r.error:
            click.echo(f"rmplint: {r.path}: {r.error}", err=True)
    for rfmt, rpath in reports:
        try:
            write_report(rfmt, run, rpath)
        except OSError as e:
            raise UserError(f"cannot write {rpath}: {e.strerror or e}") from None
    if shown:
        _echo_report(shown, run, color)
    if any(r.error for r in results):
        sys.exit(2)
    if maturity_gate(results, cfg) | any(gate_failures(r, cfg.fail_on) for r in results):
        sys.exit(1)


def _echo_report(fmt: str, run, color: bool | None) -> None:  # type: ignore[no-untyped-def]
    """A report to standard output. Only the text report is ever coloured: the others are data, so
    click is not asked to look for colour codes to strip (a scan of the whole report, and a CSV
    quote holding an escape character would lose it). The JSON report goes out as the UTF-8 bytes
    its encoder made, piece by piece (rmplint.report.json.render_chunks)."""
    from rmplint.report import render, render_chunks

    if fmt == "json":
        chunks = render_chunks(fmt, run)
        out = getattr(sys.stdout, "buffer", None)
        if out is None:  # a text-only stream
            click.echo(b"".join(chunks), nl=False)
        else:
            sys.stdout.flush()
            for chunk in chunks:  # write() each: a wrapper may see only what goes through write()
                out.write(chunk)
            out.flush()
    else:
        click.echo(render(fmt, run, color=_colour(color) if fmt == "text" else False), nl=False,
                   color=None if fmt == "text" else True)


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
    from rmplint.evaluate import evaluate, render_json, render_text

    res = evaluate(Path(corpus), build_checker(rule_dirs))
    if fmt == "json":
        click.echo(render_json(res), nl=False)
        return
    click.echo(render_text(res, worst), nl=False)
    if mistakes:
        for m in res.mistakes:
            click.echo(f"  {m['document']} {m['key']}: gold {m['gold']}, predicted {m['predicted']}")
            for e in m["evidence"]:
                click.echo(f"      “{e[:160]}”")


@main.group("config")
def config_group() -> None:
    """Show the effective configuration."""


@config_group.command("show")
@click.argument("paths", nargs=-1)
@_EXCLUDE
@config_options
def config_show(paths: tuple[str, ...], exclude: tuple[str, ...], config_args: dict) -> None:  # type: ignore[type-arg]
    """Print the effective configuration (TOML) and where each value came from.

    PATHS are the documents a check would be given: a single folder of documents is searched
    for the project file before the working directory.
    """
    click.echo(effective_config(config_args, paths, {"exclude": exclude_setting(exclude)}).show(), nl=False)


def _check_results(paths: Iterable[str], cfg):  # type: ignore[no-untyped-def]
    """Check documents with a configuration, waivers applied (for commands other than check)."""
    from rmplint.runner import CheckSpec, run_batch

    spec = CheckSpec(rule_dirs=tuple(cfg.rules), options=cfg.check_options())
    checker = build_checker(spec.rule_dirs, spec.options)
    return apply_waivers(run_batch(iter_documents(paths, cfg.exclude), spec, checker), cfg)


_AS_OF = click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                      help="Date (ISO, default today) against which waiver expiry is judged.")


@main.group("waivers")
def waivers_group() -> None:
    """Check the waivers file (accepted deviations)."""


@waivers_group.command("check")
@click.argument("paths", nargs=-1)
@_AS_OF
@click.option("--profile", type=click.Choice(["auto", "rmp", "contract"]), default=None)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True))
@_EXCLUDE
@config_options
def waivers_check(paths: tuple[str, ...], as_of, profile: str | None, rule_dirs: tuple[str, ...],  # type: ignore[no-untyped-def]
                  exclude: tuple[str, ...], config_args: dict) -> None:
    """List expired waivers, and with PATHS the unused ones (matching no result). Exit 1 if any expired."""
    from rmplint import waivers
    from rmplint.errors import RmplintError

    cfg = effective_config(config_args, paths, {
        "profile": profile, "rules": rule_dirs or None, "as_of": as_of.date().isoformat() if as_of else None,
        "exclude": exclude_setting(exclude),
    })
    if not cfg.waivers:
        raise UserError("no waivers file: give --waivers FILE or set `waivers` in the configuration")
    try:
        entries = waivers.load(cfg.waivers)
    except RmplintError as e:
        raise UserError(e.one_line()) from None
    day = _as_of_date(cfg)
    expired = waivers.expired(entries, day)
    for entry in expired:
        click.echo(f"expired: {entry.describe()}")
    unused: list = []  # type: ignore[type-arg]
    if paths:
        results = _check_results(paths, cfg)
        for r in results:
            if r.error:
                click.echo(f"rmplint: {r.path}: {r.error}", err=True)
        used = waivers.apply(results, entries, day)[1]
        unused = [entry for i, entry in enumerate(entries) if i not in used]
        for entry in unused:
            click.echo(f"unused: {entry.describe()}")
    checked = f", {len(unused)} unused" if paths else ""
    click.echo(f"{len(entries)} waivers as of {day.isoformat()}: {len(expired)} expired{checked}")
    if expired:
        sys.exit(1)


@main.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write the annotated copy.")
@click.option("--profile", type=click.Choice(["auto", "rmp", "contract"]), default=None)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True))
@click.option("--collaborative", is_flag=True, help="Also comment on collaborative findings.")
@_AS_OF
@config_options
def annotate(source: str, output: str, profile: str | None, rule_dirs: tuple[str, ...], collaborative: bool,  # type: ignore[no-untyped-def]
             as_of, config_args: dict) -> None:
    """Write a copy of a Word document with a Word comment on every flagged passage.

    The original is never modified. Comments are by "rmplint" (RL), dated --as-of (default a
    fixed date, so that the same input gives the same output).
    """
    from datetime import datetime, timezone

    from rmplint.annotate import annotate as write_annotated
    from rmplint.errors import DocumentError
    from rmplint.ingest.common import Limits
    from rmplint.ingest.sniff import detect

    src, out = Path(source), Path(output)
    if out.resolve() == src.resolve():
        raise UserError(f"{output}: refusing to write onto the input document")
    try:
        kind = detect(src, Limits())
    except DocumentError as e:
        raise UserError(e.one_line()) from None
    if kind != "docx":
        raise UserError(f"{source}: annotate needs a Word .docx document (this is {kind})")
    cfg = effective_config(config_args, [source], {
        "profile": profile, "rules": rule_dirs or None, "as_of": as_of.date().isoformat() if as_of else None,
    })
    result = _check_results([source], cfg)[0]
    if result.error:
        raise UserError(f"{source}: {result.error}")
    when = as_of.replace(tzinfo=timezone.utc) if as_of else datetime(2000, 1, 1, tzinfo=timezone.utc)
    try:
        n = write_annotated(src, out, result, when, collaborative)
    except OSError as e:
        raise UserError(f"cannot write {output}: {e.strerror or e}") from None
    click.echo(f"{output}: {n} comment(s) written")


# numpy, which spaCy imports, starts a pool of BLAS threads (one per core) that spin for about
# 0.1 s of CPU after the import. rmplint never multiplies matrices, and it checks documents in
# parallel by processes: in a batch, those threads only take CPU from the workers.
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread(environ: MutableMapping[str, str] = os.environ) -> None:
    """No BLAS thread pool in this process (call before numpy is imported); a value the user set
    is kept. The command line does it for its own process, as it owns the cycle collector."""
    for name in _BLAS_THREADS:
        environ.setdefault(name, "1")


def run() -> None:
    """The `rmplint` command: the click group, then an immediate exit.

    By the time the command returns, every report is written and closed, worker processes are
    stopped and caches are written; tearing down the interpreter's objects (spaCy's vocabulary,
    the matchers, the results) would only add about 0.15 s to every run. Output is flushed and
    the process ends with the command's exit code, as mypy does."""
    one_blas_thread()
    try:
        main()
        code: object = 0
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):
        click.echo(code, err=True)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (rmplint ... | head): nothing more to say
            pass
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


if __name__ == "__main__":  # pragma: no cover
    run()
