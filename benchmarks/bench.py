"""Speed and memory of `rmplint check` against the cost of reading the same files (run on demand).

Every figure is a whole process (wall time, median of --runs; peak RSS of the process and the
workers it waited for), timed in the same run on the same generated file as its baseline, the
commands compared taking turns run by run:
    python benchmarks/bench.py --sizes 10,100,500,1500 --runs 3 --big-runs 1 --out /tmp/rmplint-bench
Prints a table and the goal ratios of issue 8, and writes them as JSON next to the documents.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

PY = sys.executable
TIME = "/usr/bin/time"  # GNU time
RMPLINT = [PY, "-m", "rmplint.cli"]

PLUMBER = """
import sys, pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    for page in pdf.pages:
        page.extract_text()
        page.close()
"""
PDFIUM = """
import sys, pypdfium2 as pdfium
pdf = pdfium.PdfDocument(sys.argv[1])
for i in range(len(pdf)):
    page = pdf[i]
    tp = page.get_textpage()
    tp.get_text_range()
    tp.close()
    page.close()
pdf.close()
"""
# python-docx iteration plus rmplint's own spaCy pipeline (blank English, sentencizer, lookup lemmas)
DOCX_FLOOR = """
import sys, docx
from rmplint.nlp import get_nlp
d = docx.Document(sys.argv[1])
texts = [p.text for p in d.paragraphs]
for t in d.tables:
    for row in t.rows:
        texts.extend(c.text for c in row.cells)
for doc in get_nlp().pipe(texts, batch_size=256):
    pass
"""
# the same pipeline as a check, without rules: rmplint's reader (text and tables) plus spaCy, on
# each distinct block text once, as the check's analysis pipes them (a repeated table cell is
# read once)
NO_RULES = """
import sys
from rmplint.ingest import load
from rmplint.nlp import get_nlp
doc = load(sys.argv[1])
for d in get_nlp().pipe(dict.fromkeys(b.text for b in doc.blocks), batch_size=256):
    pass
"""
# The same, with the process set up as `rmplint check` sets up its own: the cycle collector paused
# while spaCy is imported and the pipeline built (then frozen), and while the document goes
# through the pipeline, and no BLAS thread pool (cli.one_blas_thread). Without it the collector
# walks spaCy's import-time objects again and again, which the check does not do; against this
# floor, what is left of the check's extra cost is the rules and their start-up.
NO_RULES_SAME_GC = """
import gc, os, sys
for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # as cli.one_blas_thread (importing the
    os.environ.setdefault(name, "1")                    # command line would add click to the floor)
gc.disable()
from rmplint.ingest import load
from rmplint.nlp import get_nlp
nlp = get_nlp()
gc.freeze()
gc.enable()
doc = load(sys.argv[1])
gc.disable()
for d in nlp.pipe(dict.fromkeys(b.text for b in doc.blocks), batch_size=256):
    pass
"""

# The host's own two-core speed-up, for reading the --jobs 2 row: the same pure-Python work done
# by one process, and split between two (the parent and a fork). A 2-vCPU virtual machine does
# not always give its second vCPU at full speed; timed in turns with the batch, this shows what
# two processes could gain in that run, with nothing to share and nothing serial.
SPIN = """
import os, sys
def spin(n):
    x = 0
    for i in range(n):
        x += i
n, procs = int(sys.argv[1]), int(sys.argv[2])
pid = os.fork() if procs == 2 else 0
spin(n // procs)
if pid:
    os.waitpid(pid, 0)
elif procs == 2:
    os._exit(0)
"""
SPIN_N = 75_000_000  # about as long as the batch with one worker (2.4 s) on this machine kind


def run_once(cmd: list[str]) -> tuple[float, float, float]:
    """Wall time, CPU time (user + system, workers included) and peak RSS (MB) of one run.

    GNU time measures: a child's peak RSS counts the memory of the process that started it (the
    old image before exec), and this script is large once reportlab and python-docx are loaded."""
    with tempfile.NamedTemporaryFile("r") as out:
        t = time.perf_counter()
        p = subprocess.run([TIME, "-f", "%M %U %S", "-o", out.name, *cmd],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t
        if p.returncode not in (0, 1):  # 2 would mean unreadable documents or bad rules
            raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)[:200]}\n{p.stderr[-2000:]}")
        kb, user, system = out.read().split()[-3:]
    return wall, float(user) + float(system), int(kb) / 1024


def run_in_turns(cmds: list[list[str]], runs: int) -> list[dict[str, Any]]:
    """Median wall time, median CPU time and the largest peak RSS over `runs` runs of each command,
    and each run's wall time (`walls`, in the order of the rounds), the commands taking turns (A B
    C, A B C, ...): a ratio of two of them is not skewed when the machine's speed drifts during the
    run, as it would be if all runs of A came before those of B. CPU time is what to compare on a
    shared, busy machine."""
    got: list[list[tuple[float, float, float]]] = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            got[i].append(run_once(cmd))
    return [{"wall": statistics.median(r[0] for r in runs_of), "cpu": statistics.median(r[1] for r in runs_of),
             "rss": max(r[2] for r in runs_of), "walls": [round(r[0], 3) for r in runs_of]} for runs_of in got]


def check_cmd(*paths: str, jobs: int = 1) -> list[str]:
    """A check on one process's worth of cores (the goals compare with single-process baselines);
    the "--jobs 2" rows show a document checked alone as it is by default on two cores, read by a
    second process while the first builds its checker."""
    return [*RMPLINT, "check", "--format", "json", "--jobs", str(jobs), *paths]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,100,500", help="page counts (comma-separated)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="/tmp/rmplint-bench")
    ap.add_argument("--big-runs", type=int, default=1, help="runs for files over --big pages (they are slow)")
    ap.add_argument("--big", type=int, default=100)
    ap.add_argument("--batch", type=int, default=40, help="documents in the --jobs batch (0: skip)")
    ap.add_argument("--batch-runs", type=int, default=None,
                    help="runs of the batch rows (default: --runs): a round takes seconds, and on a shared"
                         " host the two-process speed-up varies widely from round to round")
    args = ap.parse_args()
    out = Path(args.out)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: dict[str, dict] = {}
    # rmplint's start-up caches (validated rule pack, phrase norms) in a folder of this run, filled
    # once before timing: every run after a machine's first finds them so (docs/performance.md)
    os.environ["RMPLINT_CACHE_DIR"] = str(out / "cache")
    out.mkdir(parents=True, exist_ok=True)
    # Python's bytecode for rmplint's modules, as pip writes it when it installs a package: a
    # clone run with PYTHONDONTWRITEBYTECODE set would otherwise compile every module every run
    subprocess.run([PY, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "src")],
                   stdout=subprocess.DEVNULL, check=True)
    warm = generate.ensure(out, "rmp", min(sizes), "docx")
    subprocess.run(check_cmd(str(warm)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def record(*items: tuple[str, int | None, list[str]], runs: int | None = None) -> None:
        """Time these (name, pages, command) in turns and print a row for each."""
        for (name, pages, _), r in zip(items, run_in_turns([cmd for *_, cmd in items], runs or args.runs)):
            r["pages"] = pages
            if pages:
                r["pages_per_s"] = pages / r["wall"]
            rows[name] = r
            print(f"{name:44s} wall {r['wall']:8.2f} s  cpu {r['cpu']:8.2f} s  {r['rss']:6.0f} MB"
                  + (f"  {r['pages_per_s']:7.1f} p/s" if pages else ""), flush=True)

    record(("import click", None, [PY, "-c", "import click"]), ("rmplint --version", None, [*RMPLINT, "--version"]))
    if args.batch:
        batch = [str(generate.ensure(out / "batch", kind, 10 + i, fmt))
                 for i in range(args.batch // 4) for kind in ("rmp", "contract") for fmt in ("docx", "pdf")]
        record((f"batch {len(batch)} docs --jobs 1", None, check_cmd(*batch, jobs=1)),
               (f"batch {len(batch)} docs --jobs 2", None, check_cmd(*batch, jobs=2)),
               ("host: pure-Python work, 1 process", None, [PY, "-c", SPIN, str(SPIN_N), "1"]),
               ("host: the same work, 2 processes", None, [PY, "-c", SPIN, str(SPIN_N), "2"]),
               runs=args.batch_runs)
    for n in sizes:
        pdf = str(generate.ensure(out, "rmp", n, "pdf"))
        docx = str(generate.ensure(out, "rmp", n, "docx"))
        runs = args.big_runs if n > args.big else args.runs
        record((f"pdf {n}p pypdfium2 text", n, [PY, "-c", PDFIUM, pdf]),
               (f"pdf {n}p pdfplumber extract_text", n, [PY, "-c", PLUMBER, pdf]),
               (f"pdf {n}p no-rules floor", n, [PY, "-c", NO_RULES, pdf]),
               (f"pdf {n}p no-rules floor, same collector", n, [PY, "-c", NO_RULES_SAME_GC, pdf]),
               (f"pdf {n}p rmplint check", n, check_cmd(pdf)),
               (f"pdf {n}p rmplint check --jobs 2", n, check_cmd(pdf, jobs=2)), runs=runs)
        record((f"docx {n}p python-docx+spaCy floor", n, [PY, "-c", DOCX_FLOOR, docx]),
               (f"docx {n}p no-rules floor", n, [PY, "-c", NO_RULES, docx]),
               (f"docx {n}p no-rules floor, same collector", n, [PY, "-c", NO_RULES_SAME_GC, docx]),
               (f"docx {n}p rmplint check", n, check_cmd(docx)),
               (f"docx {n}p rmplint check --jobs 2", n, check_cmd(docx, jobs=2)), runs=runs)

    def ratio(a: str, b: str) -> tuple[float, float, list[float]] | None:
        """The ratio of the two rows' medians (wall, CPU), and the wall ratio of each round (the
        two runs timed one after the other): which rounds a slow spell of the host fell on."""
        if a not in rows or b not in rows:
            return None
        rounds = [round(x / y, 2) for x, y in zip(rows[a]["walls"], rows[b]["walls"])]
        return rows[a]["wall"] / rows[b]["wall"], rows[a]["cpu"] / rows[b]["cpu"], rounds

    goals = []

    def goal(text: str, value: tuple[float, float, list[float]] | float | None, limit: float,
             higher: bool = False) -> None:
        if value is None:
            return
        wall, cpu, rounds = value if isinstance(value, tuple) else (value, value, [])
        ok = wall >= limit if higher else wall <= limit
        goals.append({"goal": text, "wall": round(wall, 2), "cpu": round(cpu, 2), "limit": limit, "met": ok,
                      "rounds": rounds})
        print(f"{'MET    ' if ok else 'NOT MET'} {text}: wall {wall:.2f}, cpu {cpu:.2f} ({'>=' if higher else '<='} {limit})"
              + (f"; by round {' '.join(f'{r:.2f}' for r in rounds)}" if rounds else ""))

    print()
    for n, limit in ((100, 0.7), (500, 0.5), (1500, 0.5)):
        goal(f"PDF {n}p check / pdfplumber extract_text", ratio(f"pdf {n}p rmplint check", f"pdf {n}p pdfplumber extract_text"), limit)
    goal("DOCX 500p check / python-docx+spaCy floor", ratio("docx 500p rmplint check", "docx 500p python-docx+spaCy floor"), 2.0)
    small, big = min(sizes), max(sizes)
    if small != big and f"pdf {big}p rmplint check" in rows:
        goal(f"PDF peak RSS {big}p / {small}p",
             rows[f"pdf {big}p rmplint check"]["rss"] / rows[f"pdf {small}p rmplint check"]["rss"], 1.5)
    goal("rmplint --version / import click", ratio("rmplint --version", "import click"), 2.0)
    if args.batch:
        n = len(batch)
        goal(f"--jobs 2 speed-up on {n} documents", ratio(f"batch {n} docs --jobs 1", f"batch {n} docs --jobs 2"), 1.7, higher=True)
        host = ratio("host: pure-Python work, 1 process", "host: the same work, 2 processes")
        if host:  # not a goal: what two processes could gain on this host in this run
            print(f"(the host's two-process speed-up on pure-Python work, in turns with the batch: wall {host[0]:.2f})")
            goals.append({"goal": "host two-process speed-up (reference)", "wall": round(host[0], 2),
                          "cpu": round(host[1], 2), "limit": None, "met": None, "rounds": host[2]})
    for fmt in ("pdf", "docx"):
        goal(f"{fmt.upper()} 500p check / no-rules floor", ratio(f"{fmt} 500p rmplint check", f"{fmt} 500p no-rules floor"), 1.5)
    for fmt in ("pdf", "docx"):  # the stricter reading of the same goal (see NO_RULES_SAME_GC)
        goal(f"{fmt.upper()} 500p check / no-rules floor with the check's collector policy",
             ratio(f"{fmt} 500p rmplint check", f"{fmt} 500p no-rules floor, same collector"), 1.5)
    (out / f"results-{args.sizes.replace(',', '-')}.json").write_text(json.dumps({"rows": rows, "goals": goals, "cpus": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
