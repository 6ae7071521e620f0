"""Batches: worker processes and Dask give the serial results; cache hits and misses; timeouts; quiet progress."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from rmplint.report import Run, render
from rmplint.readahead import TEST_DELAY_ENV
from rmplint.runner import CheckSpec, run_batch

PLAN = """Relationship Management Plan

1. Governance
The joint management team reviews the risk register every quarter. Both parties have appointed a
senior executive responsible for the relationship.

2. Exit strategy
The exit strategy is to be agreed. No joint knowledge register has been set up yet.
"""
CONTRACT = """Framework Agreement

1. Payment
The Customer shall pay each valid invoice within 60 days of receipt. Payment to the Subcontractor
is conditional on the Contractor receiving payment from the Employer.

2. Liability
The Supplier shall indemnify the Customer against all losses. This Agreement is governed by the
law of England and Wales.
"""


def _json(results) -> str:  # type: ignore[no-untyped-def]
    return render("json", Run(version="test", documents=tuple(results)))


@pytest.fixture()
def batch(tmp_path: Path, root: Path) -> list[str]:
    """A small mixed batch: plain-text plans and contracts, a .docx and a .pdf fixture, unsorted."""
    out = []
    for i in range(2):
        for name, text in (("plan", PLAN), ("contract", CONTRACT)):
            p = tmp_path / f"{name}-{i}.txt"
            p.write_text(text + f"\nRevision {i}.\n", encoding="utf-8")
            out.append(str(p))
    for src in sorted((root / "fixtures" / "docx").glob("*.docx"))[:1] + [root / "fixtures" / "pdf" / "mixed.pdf"]:
        out.append(str(shutil.copy(src, tmp_path / src.name)))
    return list(reversed(out))


class Counting:
    """A checker that counts the documents it really checks (cache misses)."""

    def __init__(self, checker) -> None:  # type: ignore[no-untyped-def]
        self.checker = checker
        self.seen: list[str] = []

    def check_path(self, path):  # type: ignore[no-untyped-def]
        self.seen.append(Path(path).name)
        return self.checker.check_path(path)


def test_parallel_results_are_byte_identical_to_serial_and_sorted_by_path(batch, checker):
    serial = run_batch(batch, CheckSpec(), checker)
    parallel = run_batch(batch, CheckSpec(), checker, jobs=2)
    assert [r.path for r in serial] == sorted(batch)
    assert _json(parallel) == _json(serial)


def test_a_worker_per_document_with_a_timeout_gives_the_serial_results(batch, checker):
    assert _json(run_batch(batch, CheckSpec(), checker, jobs=1, timeout=120)) == _json(
        run_batch(batch, CheckSpec(), checker))


def test_the_json_report_of_parts_encoded_by_the_workers_is_the_serial_report(batch, checker):
    from rmplint.report import render_bytes
    from rmplint.report.json import prerender

    parallel = run_batch(batch, CheckSpec(), checker, jobs=2, prepare=prerender)
    assert all(r.rendered_json for r in parallel)
    assert render_bytes("json", Run(version="test", documents=tuple(parallel))) == _json(
        run_batch(batch, CheckSpec(), checker)).encode("utf-8")


def _mark_with_pid(res) -> None:  # type: ignore[no-untyped-def]
    object.__setattr__(res, "rendered_json", str(os.getpid()).encode())


def _plans_one_slow(tmp_path: Path, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """a.txt, slow.txt, z.txt: the same plan; a worker sleeps a minute before checking slow.txt
    (a test-only hook)."""
    paths = []
    for name in ("a.txt", "slow.txt", "z.txt"):
        (tmp_path / name).write_text(PLAN, encoding="utf-8")
        paths.append(str(tmp_path / name))
    monkeypatch.setenv(TEST_DELAY_ENV, "slow.txt=60")
    return paths


def test_each_result_is_prepared_by_the_worker_that_made_it_a_replacement_worker_too(tmp_path, checker, monkeypatch):
    paths = _plans_one_slow(tmp_path, monkeypatch)
    got = {Path(r.path).name: r.rendered_json for r in
           run_batch(paths, CheckSpec(), checker, jobs=1, timeout=3, prepare=_mark_with_pid)}
    assert got["slow.txt"] is None  # its timeout result is the parent's
    assert got["a.txt"] and got["z.txt"] and got["a.txt"] != got["z.txt"]  # the first worker's, then its replacement's
    assert str(os.getpid()).encode() not in got.values()


def test_dask_local_cluster_results_are_byte_identical_to_serial(batch, checker):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed (pip install rmplint[dask])")
    serial = run_batch(batch, CheckSpec(), checker)
    on_dask = run_batch(batch, CheckSpec(), scheduler="local", jobs=2)
    assert _json(on_dask) == _json(serial)


def test_a_document_over_the_timeout_gets_an_error_and_the_batch_goes_on(tmp_path, checker, monkeypatch):
    paths = _plans_one_slow(tmp_path, monkeypatch)
    results = run_batch(paths, CheckSpec(), checker, jobs=1, timeout=3)
    by_name = {Path(r.path).name: r for r in results}
    assert by_name["slow.txt"].error_kind == "timeout"
    assert by_name["slow.txt"].error == "took longer than 3 s"
    assert by_name["a.txt"].error is None and by_name["z.txt"].error is None
    assert by_name["z.txt"].clauses  # checked by the replacement worker


def test_progress_bar_is_absent_when_stderr_is_not_a_terminal(batch, checker, capsys):
    run_batch(batch[:3], CheckSpec(), checker, progress=True)
    assert capsys.readouterr().err == ""


def test_cache_rechecks_only_the_edited_file(batch, checker, tmp_path):
    cache = tmp_path / "cache"
    first = Counting(checker)
    fresh = run_batch(batch, CheckSpec(), first, cache_dir=cache)
    assert len(first.seen) == len(batch)

    again = Counting(checker)
    cached = run_batch(batch, CheckSpec(), again, cache_dir=cache)
    assert again.seen == []
    assert _json(cached) == _json(fresh)
    assert render("text", Run("test", tuple(cached))) == render("text", Run("test", tuple(fresh)))

    edited = next(p for p in batch if p.endswith("plan-1.txt"))
    Path(edited).write_text(PLAN.replace("every quarter", "every month"), encoding="utf-8")
    after_edit = Counting(checker)
    run_batch(batch, CheckSpec(), after_edit, cache_dir=cache)
    assert after_edit.seen == ["plan-1.txt"]


def test_a_rule_pack_change_rechecks_everything(batch, checker, tmp_path):
    cache = tmp_path / "cache"
    extra = tmp_path / "rules"
    extra.mkdir()
    vocab = extra / "extra.yaml"
    vocab.write_text("schema_version: 1\nconcepts:\n  collaboration:\n    phrases: [teaming up]\n", encoding="utf-8")
    spec = CheckSpec(rule_dirs=(str(extra),))
    run_batch(batch, spec, Counting(checker), cache_dir=cache)
    same = Counting(checker)
    run_batch(batch, spec, same, cache_dir=cache)
    assert same.seen == []

    vocab.write_text(vocab.read_text(encoding="utf-8").replace("[teaming up]", "[teaming up, team working]"),
                     encoding="utf-8")
    changed = Counting(checker)
    run_batch(batch, spec, changed, cache_dir=cache)
    assert sorted(changed.seen) == sorted(Path(p).name for p in batch)


def test_a_document_over_the_timeout_on_dask_gets_an_error_and_the_batch_goes_on(tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed (pip install rmplint[dask])")
    paths = []
    for name in ("a.txt", "slow.txt", "z.txt"):
        (tmp_path / name).write_text(PLAN, encoding="utf-8")
        paths.append(str(tmp_path / name))
    # test-only hook, inherited by the LocalCluster's worker processes: "slow" sleeps for a minute
    monkeypatch.setenv(TEST_DELAY_ENV, "slow.txt=60")
    started = time.monotonic()
    results = run_batch(paths, CheckSpec(), jobs=2, timeout=3, scheduler="local")
    by_name = {Path(r.path).name: r for r in results}
    assert (by_name["slow.txt"].error_kind, by_name["slow.txt"].error) == ("timeout", "took longer than 3 s")
    assert by_name["a.txt"].error is None and by_name["a.txt"].clauses
    assert by_name["z.txt"].error is None and by_name["z.txt"].clauses
    assert time.monotonic() - started < 50  # the slow document was not waited for


def test_documents_read_ahead_give_the_serial_results(batch, checker, tmp_path):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    paths = [*batch, str(bad)]
    ahead = ReadAhead(paths, Limits())
    ahead.join(60)  # let it read everything it can, as it would on a slow start-up
    parallel = run_batch(paths, CheckSpec(), checker, jobs=2, read_ahead=ahead)
    assert sorted(ahead.handed) == [i for i, p in enumerate(paths) if p != str(bad)]  # read, except the broken one
    assert _json(parallel) == _json(run_batch(paths, CheckSpec(), checker))
    assert next(r for r in parallel if r.path == str(bad)).error_kind == "corrupt"
    assert not Path(ahead.folder).exists()


def _three_documents(tmp_path: Path) -> list[str]:
    paths = []
    for name, text in (("slow.txt", PLAN), ("b.txt", PLAN + "\nMore.\n"), ("c.txt", CONTRACT + "\n" * 2000)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    return paths  # slow.txt is the smallest: the read-ahead starts on it


def _on_its_first_document(ahead) -> None:  # type: ignore[no-untyped-def]
    """Wait until the read-ahead has started its first document, as it has long done when a real
    parent has built its checker (here the checker is built already)."""
    deadline = time.monotonic() + 30
    while ahead.started < 1 and time.monotonic() < deadline:
        time.sleep(0.01)


def test_while_the_read_ahead_is_slow_on_a_document_the_workers_read_the_others(tmp_path, checker, monkeypatch):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    paths = _three_documents(tmp_path)
    monkeypatch.setenv(TEST_DELAY_ENV, "slow.txt=2")
    ahead = ReadAhead(paths, Limits())
    _on_its_first_document(ahead)
    results = run_batch(paths, CheckSpec(), checker, jobs=2, read_ahead=ahead)
    assert ahead.handed == [0]  # the other two were read by the workers, not waited for
    monkeypatch.delenv(TEST_DELAY_ENV)
    assert _json(results) == _json(run_batch(paths, CheckSpec(), checker))
    assert not Path(ahead.folder).exists()


def test_a_read_ahead_that_dies_leaves_its_documents_to_the_workers(tmp_path, checker, monkeypatch):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    paths = _three_documents(tmp_path)
    monkeypatch.setenv(TEST_DELAY_ENV, "slow.txt=2")
    ahead = ReadAhead(paths, Limits())
    ahead.kill()  # killed while it reads the first document
    results = run_batch(paths, CheckSpec(), checker, jobs=2, read_ahead=ahead)
    assert ahead.handed == [] and not ahead.alive
    monkeypatch.delenv(TEST_DELAY_ENV)
    assert _json(results) == _json(run_batch(paths, CheckSpec(), checker))


def test_documents_found_in_the_cache_are_not_read_ahead(tmp_path, monkeypatch):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    paths = _three_documents(tmp_path)
    monkeypatch.setenv(TEST_DELAY_ENV, "slow.txt=1")
    ahead = ReadAhead(paths, Limits())
    try:
        ahead.only([0])  # the two others were found in the cache
        ahead.join(30)
        ahead.receive()
        assert ahead.reported == {0} and list(ahead.read) == [0]
    finally:
        ahead.close()


def test_the_read_ahead_stays_at_most_its_slots_ahead_of_the_workers(tmp_path):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    paths = _three_documents(tmp_path)
    ahead = ReadAhead(paths, Limits(), slots=1)
    try:
        assert ahead.poll(30)
        ahead.receive()
        assert list(ahead.read) == [0]
        assert not ahead.poll(1)  # one document read and not taken: it waits
        assert ahead.take() == (0, str(Path(ahead.folder, "0.pickle")))
        assert ahead.poll(30)  # taken: it reads the next one
        ahead.receive()
        assert ahead.reported == {0, 1}
    finally:
        ahead.close()


def test_a_worker_removes_the_pickle_it_was_sent(tmp_path, checker):
    import pickle

    from rmplint.ingest import load
    from rmplint.runner import _check_read

    path = tmp_path / "plan.txt"
    path.write_text(PLAN, encoding="utf-8")
    file = tmp_path / "0.pickle"
    file.write_bytes(pickle.dumps(load(path)))
    result = _check_read(str(path), str(file), CheckSpec())
    assert not file.exists()
    assert _json([result]) == _json(run_batch([str(path)], CheckSpec(), checker))


@pytest.mark.parametrize("read_ahead", [False, True])
def test_a_worker_that_dies_on_a_document_gives_it_an_error_and_the_batch_goes_on(batch, checker, tmp_path,
                                                                                   monkeypatch, read_ahead):
    import os

    import rmplint.runner as runner
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    boom = tmp_path / "boom.txt"
    boom.write_text(PLAN, encoding="utf-8")
    paths = [*batch, str(boom)]
    real_one, real_read = runner.check_one, runner._check_read

    def dying(real):  # type: ignore[no-untyped-def]
        def check(path, *args):  # type: ignore[no-untyped-def]
            if path.endswith("boom.txt"):
                os._exit(3)  # the worker process dies (forked workers inherit this patch)
            return real(path, *args)
        return check

    monkeypatch.setattr(runner, "check_one", dying(real_one))
    monkeypatch.setattr(runner, "_check_read", dying(real_read))
    ahead = ReadAhead(paths, Limits()) if read_ahead else None
    results = {r.path: r for r in run_batch(paths, CheckSpec(), checker, jobs=2, read_ahead=ahead)}
    assert (results[str(boom)].error_kind, results[str(boom)].error) == ("crashed", "the checking process died (exit code 3)")
    monkeypatch.undo()
    serial = {r.path: r for r in run_batch(batch, CheckSpec(), checker)}
    assert _json([results[p] for p in sorted(batch)]) == _json([serial[p] for p in sorted(batch)])


def test_a_lone_document_being_read_ahead_is_waited_for(tmp_path, checker, monkeypatch):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    path = tmp_path / "slow.txt"
    path.write_text(PLAN, encoding="utf-8")
    monkeypatch.setenv(TEST_DELAY_ENV, "slow.txt=1")  # still reading it when the pool starts
    ahead = ReadAhead([str(path)], Limits())
    _on_its_first_document(ahead)
    results = run_batch([str(path)], CheckSpec(), checker, jobs=1, timeout=30, read_ahead=ahead)
    assert ahead.handed == [0]  # finished by the read-ahead (not stopped) and handed to the worker
    monkeypatch.delenv(TEST_DELAY_ENV)
    assert _json(results) == _json(run_batch([str(path)], CheckSpec(), checker))
    assert not Path(ahead.folder).exists()


def test_the_wait_for_a_lone_document_counts_against_its_timeout(tmp_path, checker, monkeypatch):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    path = tmp_path / "slow.txt"
    path.write_text(PLAN, encoding="utf-8")
    monkeypatch.setenv(TEST_DELAY_ENV, "slow.txt=20")
    ahead = ReadAhead([str(path)], Limits())
    started = time.monotonic()
    (result,) = run_batch([str(path)], CheckSpec(), checker, jobs=1, timeout=1, read_ahead=ahead)
    assert result.error_kind == "timeout" and ahead.handed == []
    assert time.monotonic() - started < 10  # one timeout in all, not one for the wait and one for the worker


def test_no_read_ahead_for_one_worker_nor_dask(batch):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    assert ReadAhead.start(batch, Limits(), jobs=1, scheduler=None) is None
    assert ReadAhead.start([], Limits(), jobs=2, scheduler=None) is None
    assert ReadAhead.start(batch, Limits(), jobs=2, scheduler="local") is None
    lone = ReadAhead.start(batch[:1], Limits(), jobs=2, scheduler=None)  # one document, a spare core
    assert lone is not None
    lone.close()


def test_a_read_ahead_without_a_temporary_folder_leaves_every_document_to_the_workers(batch, checker, tmp_path,
                                                                                      monkeypatch):
    import tempfile

    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))  # it cannot make its folder there
    ahead = ReadAhead.start(batch, Limits(), jobs=2, scheduler=None)
    assert ahead is not None and ahead.join(30)
    results = run_batch(batch, CheckSpec(), checker, jobs=2, read_ahead=ahead)
    assert ahead.handed == [] and not ahead.alive
    assert _json(results) == _json(run_batch(batch, CheckSpec(), checker))
    assert not (tmp_path / "gone").exists()


def test_a_read_ahead_whose_process_cannot_start_leaves_nothing_behind(batch, tmp_path, monkeypatch):
    import os

    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    def refused():  # type: ignore[no-untyped-def]
        raise BlockingIOError(11, "Resource temporarily unavailable")

    fds = Path("/proc/self/fd")
    open_before = sorted(os.listdir(fds)) if fds.exists() else None
    monkeypatch.setattr(os, "fork", refused)
    assert ReadAhead.start(batch, Limits(), jobs=2, scheduler=None) is None  # only a speed-up
    if open_before is not None:
        assert sorted(os.listdir(fds)) == open_before  # its pipes are closed


def test_closing_a_read_ahead_twice_closes_nothing_else(batch):
    import os

    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    ahead = ReadAhead(batch, Limits())
    ahead.close()  # as run_batch does, and then the command line
    r, w = os.pipe()  # the numbers its pipes had are free again: likely these
    try:
        ahead.close()
        assert os.write(w, b"x") == 1 and os.read(r, 1) == b"x"
        assert not Path(ahead.folder).exists() and not ahead.alive
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.parametrize("slots", [0, 100_000])
def test_a_read_ahead_refuses_a_number_of_slots_its_pipe_cannot_hand_out(batch, slots):
    from rmplint.ingest.common import Limits
    from rmplint.readahead import ReadAhead

    with pytest.raises(ValueError, match="slots must be 1 to 4096"):
        ReadAhead(batch, Limits(), slots=slots)
