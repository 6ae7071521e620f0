"""Running a batch: documents in, results out, in a stable order (serial, worker processes or Dask).

A CheckSpec says how to build the checker (rule folders, options); it is small and picklable, so
that worker processes can each build their own checker once. Results may come from a cache keyed
by the file's bytes, the rule pack and the code that checked it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from rmplint.engine import CheckOptions, Checker
from rmplint.findings import DocumentResult, result_from_dict

DEFAULT_TIMEOUT = 300.0
# Test-only hook: "SUBSTRING=SECONDS" makes a worker (and the read-ahead) sleep before checking (or
# reading) a path containing SUBSTRING, so that tests can provoke a timeout without a slow
# document. Never set it otherwise.
TEST_DELAY_ENV = "RMPLINT_TEST_DELAY"


@dataclass(frozen=True)
class CheckSpec:
    rule_dirs: tuple[str, ...] = ()
    options: CheckOptions = CheckOptions()

    def build(self) -> Checker:
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
    _test_delay(path)
    return checker_for(spec).check_path(path)


def _check_read(path: str, file: str, spec: CheckSpec) -> DocumentResult:
    """check_one for a document the read-ahead has already read (pickled in `file`)."""
    import pickle

    try:
        with open(file, "rb") as fh:
            doc = pickle.load(fh)
    except Exception:  # noqa: BLE001 - only a speed-up: read the document again
        return check_one(path, spec)
    _test_delay(path)
    return checker_for(spec).check_loaded(path, doc)


class ReadAhead:
    """Documents read while the parent builds its checker, by a process of their own.

    Building the checker (importing spaCy, the pipeline, the matchers) keeps one core busy for
    about 0.6 s before any worker starts; with --jobs 2 or more the other cores are idle then.
    This process uses one of them to read documents, smallest first (the workers take the largest
    first), into a private folder as pickles, each written whole or not at all. When the pool
    starts it is stopped, and the workers are sent the documents it finished instead of reading
    them; a lone document it is still reading is waited for (within the timeout), since reading
    it again from the start could only take longer. It is only a speed-up: a document it could
    not read, or had not finished, is read by a worker as usual (and gets the same error or
    timeout as ever)."""

    def __init__(self, paths: Sequence[str], limits: Any) -> None:
        import multiprocessing as mp
        import shutil
        import tempfile

        self.folder = tempfile.mkdtemp(prefix="rmplint-read-")
        order = sorted(range(len(paths)), key=lambda i: (_size(paths[i]), i))
        ctx = mp.get_context("fork")
        self._proc = ctx.Process(target=_read_ahead, args=([(i, paths[i]) for i in order], limits, self.folder),
                                 daemon=True)
        try:
            self._proc.start()
        except OSError:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.read: dict[int, str] = {}  # path index -> its pickle, once stopped
        self.count = len(paths)

    @classmethod
    def start(cls, paths: Sequence[str], limits: Any, jobs: int, scheduler: str | None) -> ReadAhead | None:
        """A read-ahead for a local worker pool when the batch may use two processes or more
        (`jobs`: the --jobs asked for, the CPU count by default, however few the documents: one
        document alone is read while the checker is built), where fork makes starting it cheap;
        None otherwise, or when no temporary folder or process can be had (it is only a speed-up)."""
        import multiprocessing as mp

        if jobs < 2 or not paths or scheduler or "fork" not in mp.get_all_start_methods():
            return None
        try:
            return cls(paths, limits)
        except OSError:
            return None

    def finish(self, limit: float | None) -> None:
        """Let it finish reading a lone document, for at most `limit` seconds (None: no limit)."""
        if self.count == 1:
            self._proc.join(limit)

    def stop(self) -> None:
        """Stop reading; `read` then holds what was finished."""
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()
        try:
            names = os.listdir(self.folder)
        except OSError:  # the folder went away: every document is read by the workers
            names = []
        for name in names:
            if name.endswith(".pickle"):
                self.read[int(name.split(".")[0])] = os.path.join(self.folder, name)

    def close(self) -> None:
        import shutil

        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def _read_ahead(items: list[tuple[int, str]], limits: Any, folder: str) -> None:
    """The read-ahead process: each document it can read, pickled whole into `folder`. It says
    nothing, whatever happens (Ctrl-C, a full disk): the workers read what it leaves."""
    import pickle

    from rmplint.ingest import load

    try:
        os.nice(10)  # never slow down the parent it is helping
    except OSError:
        pass
    try:
        for i, path in items:
            _test_delay(path)
            try:
                doc = load(path, limits)
                tmp = os.path.join(folder, f"{i}.tmp")
                with open(tmp, "wb") as fh:
                    pickle.dump(doc, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, os.path.join(folder, f"{i}.pickle"))
            except Exception:  # noqa: BLE001 - a worker reads it again and reports it
                continue
    except KeyboardInterrupt:
        return


def _test_delay(path: str) -> None:
    hook = os.environ.get(TEST_DELAY_ENV)
    if hook:
        needle, _, secs = hook.rpartition("=")
        if needle and needle in path:
            time.sleep(float(secs))


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
) -> list[DocumentResult]:
    """Check every path; one result per path (errors included), sorted by path.

    jobs > 1, or a timeout, runs documents in worker processes; scheduler ("local" or a
    tcp:// address) runs them on Dask. The results are the same whichever way they were made.
    `read_ahead` (started on the same paths) hands the worker pool the documents it has read.
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
            _run_pool(paths, todo, spec, max(1, jobs), timeout, done, read_ahead)
        else:
            checker = checker or checker_for(spec)
            for i in todo:
                _test_delay(paths[i])
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

def _worker_main(conn: Any, spec: CheckSpec) -> None:
    """A worker: build the checker once, then check the paths it is sent until told to stop."""
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
                    conn.send(("ok", _check_read(item[0], item[1], spec)))
                else:
                    conn.send(("ok", check_one(item, spec)))
            except Exception as exc:  # a bug, not a bad document: the parent re-raises it
                conn.send(("bug", "".join(traceback.format_exception(exc))))
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        return


class _Worker:
    def __init__(self, ctx: Any, spec: CheckSpec) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, spec), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.task: int | None = None
        self.deadline = float("inf")

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _run_pool(paths: list[str], todo: list[int], spec: CheckSpec, jobs: int, timeout: float | None,
              done: Callable[[int, DocumentResult], None], read_ahead: ReadAhead | None = None) -> None:
    """A small pool we own, so that a worker stuck on one document can be killed and replaced.

    Documents are sent one at a time, so an idle worker always takes the next one. A worker
    that has something to say (it is ready, or it has finished a document) is sent its next
    document before its message is read, so that it does not wait while the parent unpickles its
    result. Workers are forked where the platform allows it, so they start with the parent's
    checker already built.
    """
    import gc
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    # largest files first, so that no worker is left with a big one while the others are idle
    # (results are ordered by path afterwards, whatever order they were made in)
    queue = sorted(todo, key=lambda i: (_size(paths[i]), -i))
    # The built checker (spaCy's vocabulary, the matchers, the rules) is inherited by forked
    # workers; frozen, the workers' garbage collector neither walks it nor copies its pages.
    gc.freeze()
    workers = [_Worker(ctx, spec) for _ in range(min(jobs, len(todo)))]
    read: dict[int, str] = {}  # documents the read-ahead finished -> their pickles
    spent: dict[int, float] = {}  # seconds of a document's timeout spent waiting for the read-ahead

    def deadline(i: int | None, now: float) -> float:
        return now + timeout - spent.get(i, 0.0) if i is not None and timeout is not None else float("inf")

    def task(i: int) -> Any:
        """What a worker is sent for document i: its path, or its path and the read-ahead pickle."""
        return (paths[i], read[i]) if i in read else paths[i]

    try:
        if read_ahead is not None:  # inside the try: the workers are stopped if the wait is interrupted
            began = time.monotonic()
            read_ahead.finish(timeout)
            if read_ahead.count == 1:
                spent[todo[0]] = time.monotonic() - began
            read_ahead.stop()  # the checker is built: from now on the workers have the cores
            read.update(read_ahead.read)
        while queue or any(w.task is not None for w in workers):
            now = time.monotonic()
            for w in workers:
                if w.ready and w.task is None and queue:
                    w.task = queue.pop()
                    w.deadline = deadline(w.task, now)
                    w.conn.send(task(w.task))
            nearest = min((w.deadline for w in workers if w.task is not None), default=float("inf"))
            wait_for = None if nearest == float("inf") else max(0.0, nearest - now)
            for conn in wait([w.conn for w in workers], wait_for):
                w = next(x for x in workers if x.conn is conn)
                # a worker only speaks when it is ready or done: its next document goes out first
                sent = queue.pop() if queue else None
                if sent is not None:
                    try:
                        w.conn.send(task(sent))
                    except OSError:  # the worker is gone: the document goes back in the queue
                        queue.append(sent)
                        sent = None
                try:
                    kind, value = w.conn.recv()
                except (EOFError, OSError):
                    if sent is not None:
                        queue.append(sent)
                    if not w.ready:  # it could not even build its checker: replacing it would loop
                        raise RuntimeError("a worker process died while starting") from None
                    _replace(workers, w, ctx, spec, done, paths, None)
                    continue
                if kind == "ready":
                    w.ready = True
                elif kind == "bug":
                    raise RuntimeError(f"checking {paths[w.task or 0]} failed in a worker:\n{value}")
                else:
                    done(w.task, value)  # type: ignore[arg-type]
                w.task = sent
                w.deadline = deadline(sent, time.monotonic())
            now = time.monotonic()
            for w in list(workers):
                if w.task is not None and now >= w.deadline:
                    _replace(workers, w, ctx, spec, done, paths, timeout)
    finally:
        for w in workers:
            w.stop(kill=w.task is not None)
        gc.unfreeze()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _replace(workers: list[_Worker], w: _Worker, ctx: Any, spec: CheckSpec,
             done: Callable[[int, DocumentResult], None], paths: list[str], timeout: float | None) -> None:
    """Kill a worker that overran (or died), give its document an error result, start a fresh one."""
    task = w.task
    w.stop(kill=True)
    workers[workers.index(w)] = _Worker(ctx, spec)
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
