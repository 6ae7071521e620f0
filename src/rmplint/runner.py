"""Running a batch: documents in, results out, in a stable order (serial, worker processes or Dask).

A CheckSpec says how to build the checker (rule folders, options); it is small and picklable, so
that worker processes can each build their own checker once. Results may come from a cache keyed
by the file's bytes, the rule pack and the code that checked it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from rmplint import collector
from rmplint.findings import DocumentResult, result_from_dict
from rmplint.options import CheckOptions
from rmplint.readahead import ReadAhead, delay_for_tests, size_of

if TYPE_CHECKING:  # pragma: no cover
    from rmplint.engine import Checker

DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class CheckSpec:
    rule_dirs: tuple[str, ...] = ()
    options: CheckOptions = CheckOptions()

    def build(self) -> Checker:
        from rmplint.engine import Checker
        from rmplint.rules.loader import load_pack

        return Checker(load_pack([Path(d) for d in self.rule_dirs]), self.options)

    def key(self) -> str:
        """Identifies the spec within one process (which checker a worker has built)."""
        return repr(self)

    def fingerprint(self) -> str:
        """Hash of everything that decides a result besides the document: rule and vocabulary YAML,
        shipped data, options, rmplint's version and its code."""
        import importlib.resources

        import rmplint
        from rmplint.rules.loader import builtin_pack_dir

        h = hashlib.sha256(f"rmplint {rmplint.__version__}\n".encode())
        roots = [builtin_pack_dir(), *(Path(d) for d in self.rule_dirs)]
        pkg = Path(str(importlib.resources.files("rmplint")))
        for i, root in enumerate(roots):
            for f in sorted(root.rglob("*.yaml")) if root.is_dir() else [root]:
                _hash_file(h, f"rules{i}/{f.relative_to(root) if root.is_dir() else f.name}", f)
        # data tables, schemas and the code itself: a changed detector changes results too
        for f in sorted(p for p in pkg.rglob("*") if p.suffix in (".py", ".yaml", ".json") and p.is_file()
                        and "pack" not in p.relative_to(pkg).parts[:1]):
            _hash_file(h, f"pkg/{f.relative_to(pkg).as_posix()}", f)
        h.update(_options_json(self.options).encode())
        return h.hexdigest()


def _hash_file(h: Any, name: str, path: Path) -> None:
    h.update(f"\0{name}\0".encode())
    h.update(path.read_bytes())


def _options_json(o: CheckOptions) -> str:
    def plain(v: Any) -> Any:
        if isinstance(v, (frozenset, set)):
            return sorted(v)
        if hasattr(v, "__dataclass_fields__"):
            return {k: plain(getattr(v, k)) for k in v.__dataclass_fields__}
        if isinstance(v, dict) or hasattr(v, "items"):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v if isinstance(v, (str, int, float, bool, type(None))) else repr(v)

    return json.dumps(plain(o), sort_keys=True, default=repr)


# --------------------------------------------------------------------------- one checker per process

_BUILT: dict[str, Checker] = {}
_BUILD_LOCK = threading.Lock()


def checker_for(spec: CheckSpec) -> Checker:
    """The process's checker for this spec, built on first use (worker processes, Dask workers)."""
    key = spec.key()
    with _BUILD_LOCK:
        got = _BUILT.get(key)
        if got is None:
            got = _BUILT[key] = spec.build()
        return got


def check_one(path: str, spec: CheckSpec) -> DocumentResult:
    """Check one document with this process's checker (the unit of work of every backend)."""
    delay_for_tests(path)
    return checker_for(spec).check_path(path)


def _check_read(path: str, file: str, spec: CheckSpec) -> DocumentResult:
    """check_one for a document the read-ahead has already read (pickled in `file`)."""
    import pickle

    try:
        with open(file, "rb") as fh:
            doc = pickle.load(fh)
    except Exception:  # noqa: BLE001 - only a speed-up: read the document again
        return check_one(path, spec)
    with contextlib.suppress(OSError):
        os.remove(file)  # a long batch's pickles would otherwise pile up until the end
    delay_for_tests(path)
    return checker_for(spec).check_loaded(path, doc)


# --------------------------------------------------------------------------- the batch

def run_batch(
    paths: Sequence[str],
    spec: CheckSpec,
    checker: Checker | None = None,
    jobs: int = 1,
    timeout: float | None = None,
    cache_dir: str | Path | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    read_ahead: ReadAhead | None = None,
    prepare: Callable[[DocumentResult], None] | None = None,
) -> list[DocumentResult]:
    """Check every path; one result per path (errors included), sorted by path.

    jobs > 1, or a timeout, runs documents in worker processes; scheduler ("local" or a
    tcp:// address) runs them on Dask. The results are the same whichever way they were made.
    `read_ahead` (started on the same paths) hands the worker pool the documents it has read.
    `prepare` is called on each result in the worker process that made it, before the result is
    sent back (the command line has the result's part of a JSON report encoded there, in
    parallel, instead of in the parent after the last document).
    """
    paths = [str(p) for p in paths]
    results: list[DocumentResult | None] = [None] * len(paths)
    cache = _Cache(Path(cache_dir), spec) if cache_dir else None
    todo = []
    for i, p in enumerate(paths):
        hit = cache.get(p) if cache else None
        if hit is not None:
            results[i] = hit
        else:
            todo.append(i)
    bar = _Progress(len(paths), enabled=progress)
    bar.advance(len(paths) - len(todo))

    def done(i: int, res: DocumentResult) -> None:
        results[i] = res
        if cache and res.error_kind != "timeout":
            cache.put(paths[i], res)
        bar.advance(1)

    try:
        if not todo:
            pass
        elif scheduler:
            _run_dask(paths, todo, spec, scheduler, jobs, timeout, done)
        elif jobs > 1 or timeout is not None:
            if checker is not None:
                _BUILT.setdefault(spec.key(), checker)  # forked workers inherit it, built
            _run_pool(paths, todo, spec, max(1, jobs), timeout, done, read_ahead, prepare)
        else:
            checker = checker or checker_for(spec)
            for i in todo:
                delay_for_tests(paths[i])
                done(i, checker.check_path(paths[i]))
    finally:
        bar.close()
        if read_ahead is not None:
            read_ahead.close()
    order = sorted(range(len(paths)), key=lambda i: paths[i])
    return [results[i] for i in order]  # type: ignore[misc]


def timeout_result(path: str, timeout: float) -> DocumentResult:
    return DocumentResult(path=path, profile=None, error=f"took longer than {timeout:g} s", error_kind="timeout")


# --------------------------------------------------------------------------- worker processes

def _worker_main(conn: Any, spec: CheckSpec, prepare: Callable[[DocumentResult], None] | None = None) -> None:
    """A worker: build the checker once, then check the paths it is sent until told to stop
    (each result passed to `prepare` before it is sent)."""
    import traceback

    try:
        checker_for(spec)
        conn.send(("ready", None))
        while True:
            item = conn.recv()
            if item is None:
                return
            try:
                if isinstance(item, tuple):  # (path, pickle of the document read ahead)
                    res = _check_read(item[0], item[1], spec)
                else:
                    res = check_one(item, spec)
                if prepare is not None:
                    prepare(res)
                conn.send(("ok", res))
            except Exception as exc:  # a bug, not a bad document: the parent re-raises it
                conn.send(("bug", "".join(traceback.format_exception(exc))))
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        return


class _Worker:
    def __init__(self, ctx: Any, spec: CheckSpec, prepare: Callable[[DocumentResult], None] | None = None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, spec, prepare), daemon=True)
        self.prepare = prepare
        self.proc.start()
        child.close()
        self.ready = False
        self.task: int | None = None
        self.item: Any = None  # what it was sent for its task
        self.deadline = float("inf")

    def stop(self, kill: bool = False) -> None:
        self.ask_to_stop(kill)
        self.join()

    def ask_to_stop(self, kill: bool = False) -> None:
        """Tell the worker to end (or kill it) without waiting for it to be gone (join())."""
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass

    def join(self) -> None:
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _run_pool(paths: list[str], todo: list[int], spec: CheckSpec, jobs: int, timeout: float | None,
              done: Callable[[int, DocumentResult], None], ahead: ReadAhead | None = None,
              prepare: Callable[[DocumentResult], None] | None = None) -> None:
    """A small pool we own, so that a worker stuck on one document can be killed and replaced.

    Documents are sent one at a time, so an idle worker always takes the next one. A worker
    that has something to say (it is ready, or it has finished a document) is sent its next
    document before its message is read, so that it does not wait while the parent unpickles its
    result. Workers are forked where the platform allows it, so they start with the parent's
    checker already built. With a read-ahead (`ahead`), workers are sent the documents it has
    read, and read the others themselves (see ReadAhead).
    """
    import gc
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    # largest files first, so that no worker is left with a big one while the others are idle
    # (results are ordered by path afterwards, whatever order they were made in); with a
    # read-ahead, it hands them out (ReadAhead.take)
    queue = sorted(todo, key=lambda i: (size_of(paths[i]), -i)) if ahead is None else []
    if ahead is not None:
        ahead.only(todo)
    # The built checker (spaCy's vocabulary, the matchers, the rules) is inherited by forked
    # workers; frozen, the workers' garbage collector neither walks it nor copies its pages.
    # (Frozen already by the caller, as the command line does, it stays so afterwards.)
    frozen_before = collector.frozen()
    gc.freeze()
    workers = [_Worker(ctx, spec, prepare) for _ in range(min(jobs, len(todo)))]
    left = len(todo)
    waiting: float | None = None  # since when a worker has had nothing to do but wait for the read-ahead
    retry: list[tuple[int, Any]] = []  # documents sent to a worker that died before it took them

    def finish(i: int, res: DocumentResult) -> None:
        nonlocal left
        left -= 1
        done(i, res)

    def take() -> tuple[int, Any] | None:
        """The next document and what its worker is sent: its path, or its path and the pickle the
        read-ahead made of it."""
        if retry:
            return retry.pop()
        if ahead is None:
            return (i := queue.pop(), paths[i]) if queue else None
        got = ahead.take()
        if got is None:
            return None
        i, file = got
        return i, (paths[i], file) if file else paths[i]

    def send(w: _Worker, now: float) -> None:
        """Send a worker its next document, if there is one, with its deadline (a wait for the
        read-ahead to finish reading it counts against its timeout)."""
        got = take()
        w.task, w.deadline = None, float("inf")
        if got is not None:
            w.task, item = got
            w.item = item
            try:
                w.conn.send(item)
            except OSError:  # the worker is gone: the document goes to the next worker free
                retry.append(got)
                w.task = None
                return
            spent = now - waiting if waiting is not None and isinstance(item, tuple) else 0.0
            w.deadline = now + timeout - spent if timeout is not None else float("inf")

    try:
        while left:
            now = time.monotonic()
            for w in workers:
                if w.ready and w.task is None:
                    send(w, now)
            idle = any(w.ready and w.task is None for w in workers)
            reading = ahead is not None and ahead.alive
            if idle and reading and ahead.pending():  # type: ignore[union-attr]
                waiting = now if waiting is None else waiting
            else:
                waiting = None
            nearest = min((w.deadline for w in workers if w.task is not None), default=float("inf"))
            if waiting is not None and timeout is not None:
                nearest = min(nearest, waiting + timeout)
            wait_for = None if nearest == float("inf") else max(0.0, nearest - now)
            conns = [w.conn for w in workers] + ([ahead.conn] if reading else [])  # type: ignore[union-attr]
            for conn in wait(conns, wait_for):
                if ahead is not None and conn is ahead.conn:
                    ahead.receive()
                    continue
                w = next(x for x in workers if x.conn is conn)
                if not w.ready:
                    try:
                        w.conn.recv()  # "ready"
                    except (EOFError, OSError):  # it could not even build its checker: replacing it would loop
                        raise RuntimeError("a worker process died while starting") from None
                    w.ready = True
                    continue
                # a worker only speaks when it is done: its next document goes out first
                finished = w.task
                send(w, time.monotonic())
                try:
                    kind, value = w.conn.recv()
                except (EOFError, OSError):
                    if w.task is not None:
                        retry.append((w.task, w.item))
                    _replace(workers, w, ctx, spec, finish, paths, None, finished)
                    continue
                if kind == "bug":
                    raise RuntimeError(f"checking {paths[finished or 0]} failed in a worker:\n{value}")
                finish(finished, value)  # type: ignore[arg-type]
            now = time.monotonic()
            for w in list(workers):
                if w.task is not None and now >= w.deadline:
                    _replace(workers, w, ctx, spec, finish, paths, timeout, w.task)
            if waiting is not None and timeout is not None and now >= waiting + timeout:
                overran = ahead.overran()  # type: ignore[union-attr]
                if overran is not None:
                    finish(overran, timeout_result(paths[overran], timeout))
                waiting = None
    finally:
        # all told first, then waited for: the workers end (and the system frees their memory,
        # several milliseconds each) side by side
        for w in workers:
            w.ask_to_stop(kill=w.task is not None)
        for w in workers:
            w.join()
        if not frozen_before:
            gc.unfreeze()


def _replace(workers: list[_Worker], w: _Worker, ctx: Any, spec: CheckSpec,
             done: Callable[[int, DocumentResult], None], paths: list[str], timeout: float | None,
             task: int | None) -> None:
    """Kill a worker that overran on `task` (or died on it), give the document an error result,
    start a fresh worker."""
    w.stop(kill=True)
    workers[workers.index(w)] = _Worker(ctx, spec, w.prepare)
    if task is None:
        return
    if timeout is not None:
        done(task, timeout_result(paths[task], timeout))
    else:
        code = w.proc.exitcode
        done(task, DocumentResult(path=paths[task], profile=None,
                                  error=f"the checking process died (exit code {code})", error_kind="crashed"))


# --------------------------------------------------------------------------- Dask

def _run_dask(paths: list[str], todo: list[int], spec: CheckSpec, scheduler: str, jobs: int, timeout: float | None,
              done: Callable[[int, DocumentResult], None]) -> None:
    """Documents as Dask tasks; each worker process builds its checker once (checker_for).
    Paths must be readable by the workers (shared storage).

    With a timeout, each task reports when it starts; a document still running `timeout` seconds
    after that gets a timeout result, its task is cancelled and its worker restarted by its nanny
    (Python cannot stop a running task any other way), and the batch goes on."""
    try:
        from distributed import Client, LocalCluster, wait
    except ImportError:
        raise DaskMissing() from None

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        started: dict[str, tuple[float, str]] = {}  # task key -> (when the client heard it start, worker)

        def heard(event: tuple[float, dict[str, str]]) -> None:  # runs on the client's event loop
            started.setdefault(event[1]["key"], (time.monotonic(), event[1]["worker"]))

        if timeout is not None:
            client.subscribe_topic(_DASK_STARTED, heard)
        keys = {i: f"rmplint-{i}-{paths[i]}" for i in todo}
        futures = {client.submit(_dask_check, paths[i], spec, keys[i], key=keys[i], pure=False): i for i in todo}
        pending = set(futures)
        while pending:
            try:
                finished, pending = wait(pending, timeout=None if timeout is None else _DASK_POLL,
                                         return_when="FIRST_COMPLETED")
            except TimeoutError:
                finished = set()
            for fut in finished:
                done(futures[fut], fut.result())
            if timeout is None:
                continue
            now = time.monotonic()
            for fut in list(pending):
                i = futures[fut]
                heard_at = started.get(keys[i])
                if heard_at is None or now - heard_at[0] <= timeout:
                    continue
                pending.discard(fut)
                done(i, timeout_result(paths[i], timeout))
                fut.cancel()
                try:
                    client.restart_workers([heard_at[1]])
                except Exception:  # noqa: BLE001 - a worker without a nanny cannot be restarted
                    pass
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


_DASK_STARTED = "rmplint-started"
_DASK_POLL = 0.5  # seconds between looks at which documents have started


def _dask_check(path: str, spec: CheckSpec, key: str) -> DocumentResult:
    """check_one on a Dask worker, telling the client (through the scheduler) that it started."""
    from distributed import get_worker

    worker = get_worker()
    worker.log_event(_DASK_STARTED, {"key": key, "worker": worker.address})
    return check_one(path, spec)


class DaskMissing(ImportError):
    def __init__(self) -> None:
        super().__init__("--scheduler needs dask.distributed: pip install 'rmplint[dask]'")


# --------------------------------------------------------------------------- cache

class _Cache:
    """Results stored as JSON under DIR, keyed by the file's bytes and suffix and the spec's fingerprint."""

    def __init__(self, root: Path, spec: CheckSpec) -> None:
        self.root = root
        self.spec_hash = spec.fingerprint()

    def _file(self, path: str) -> Path | None:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None  # unreadable files are checked (and reported) every time
        h = hashlib.sha256(self.spec_hash.encode())
        h.update(Path(path).suffix.lower().encode() + b"\0")
        h.update(data)
        key = h.hexdigest()
        return self.root / key[:2] / f"{key}.json"

    def get(self, path: str) -> DocumentResult | None:
        f = self._file(path)
        if f is None or not f.exists():
            return None
        try:
            return result_from_dict({**json.loads(f.read_text("utf-8")), "path": path})
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged entry is a miss

    def put(self, path: str, res: DocumentResult) -> None:
        f = self._file(path)
        if f is None:
            return
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(res.to_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, f)


# --------------------------------------------------------------------------- progress

class _Progress:
    """A rich progress bar on stderr, only when stderr is a terminal; no thread (workers fork)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        if enabled and total > 1 and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), auto_refresh=False, transient=True)
            self.task = self.bar.add_task("check", total=total)
            self.bar.start()

    def advance(self, n: int) -> None:
        if self.bar is not None and n:
            self.bar.advance(self.task, n)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
