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

if TYPE_CHECKING:  # pragma: no cover
    from rmplint.engine import Checker

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
    with contextlib.suppress(OSError):
        os.remove(file)  # a long batch's pickles would otherwise pile up until the end
    _test_delay(path)
    return checker_for(spec).check_loaded(path, doc)


class ReadAhead:
    """Documents read by a process of their own: while the parent builds its checker, and then
    beside the workers, so that the workers only check.

    Building the checker (importing spaCy, the pipeline, the matchers) keeps one core busy for
    about 0.6 s before any worker starts; with --jobs 2 or more another core is idle then. This
    process uses it to read documents, smallest first, into a private folder as pickles (each
    written whole or not at all), and goes on reading once the workers have started, at most
    `slots` documents ahead of them. A worker is sent the largest document read so far; when none
    is waiting, it reads the largest one the read-ahead has not started on itself (the workers
    then need the readers' modules, which cost each process about 0.05-0.1 s to import). A worker
    with nothing else left waits for the document being read, within its timeout.

    It is only a speed-up: a document it could not read is read by a worker (and gets the same
    error as ever); if the process dies, or cannot make its folder, the documents it had not
    finished go to the workers.

    It is started with a bare fork, an anonymous shared mapping and two pipes, before the parent
    has imported anything else: multiprocessing's machinery (ctypes, sockets, tempfile and the
    modules they pull in) cost the parent 15-25 ms before the fork, while the other core waited.
    The two processes share two things, each written by one side only: how far the read-ahead
    has got in its order (`started`), and which documents the parent has claimed (given to a
    worker to read, or not to be checked at all). At the point where they meet both may read the
    same document; the parent keeps the worker's result and drops the read-ahead's copy. The
    parent hands out slots as bytes on a pipe, one per document the read-ahead may read; the
    read-ahead reports each document as a 9-byte record on another (its index, and whether its
    pickle was written), so that a pickle's name is its index in the folder."""

    def __init__(self, paths: Sequence[str], limits: Any, slots: int = 64) -> None:
        import mmap

        self.order = sorted(range(len(paths)), key=lambda i: (_size(paths[i]), i))  # smallest first
        # made by the read-ahead in the temporary folder (tempfile is its import, not the parent's)
        self._name = f"rmplint-read-{os.getpid()}-{os.urandom(6).hex()}"
        shared = mmap.mmap(-1, 8 + len(paths))  # anonymous and shared: the fork keeps it common
        self._front = memoryview(shared)[:8].cast("q")  # positions in `order` the read-ahead has started on
        self._claimed = memoryview(shared)[8:]  # by path index: the parent's, not to be read ahead
        slots_r, self._slots = os.pipe()
        os.write(self._slots, b"\0" * slots)  # the documents it may read before the workers take one
        reports_r, reports_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (slots_r, self._slots, reports_r, reports_w):
                os.close(fd)
            raise
        if pid == 0:  # the read-ahead: it never returns into the parent's code
            try:
                os.close(self._slots)
                os.close(reports_r)
                _read_ahead([(i, paths[i]) for i in self.order], limits, self._name, reports_w, slots_r,
                            self._front, self._claimed)
            finally:
                os._exit(0)
        os.close(slots_r)
        os.close(reports_w)
        self._pid: int | None = pid  # None once it has been waited for
        self.conn = os.fdopen(reports_r, "rb", buffering=0)  # what the parent waits on for reports
        os.set_blocking(reports_r, False)
        self._partial = b""
        self.alive = True
        self.read: dict[int, str] = {}  # path index -> its pickle, read and not yet handed out
        self.failed: list[int] = []  # path indices it could not read, not yet handed out
        self.reported: set[int] = set()  # path indices the read-ahead has said it is done with
        self.handed: list[int] = []  # path indices handed to workers read, in that order
        self._rank = {i: pos for pos, i in enumerate(self.order)}
        self._back = len(self.order)  # positions from here on are claimed or handled (parent's side)
        self._settled = 0  # positions before this one are all reported or claimed

    @classmethod
    def start(cls, paths: Sequence[str], limits: Any, jobs: int, scheduler: str | None) -> ReadAhead | None:
        """A read-ahead for a local worker pool when the batch may use two processes or more
        (`jobs`: the --jobs asked for, the CPU count by default, however few the documents: one
        document alone is read while the checker is built), where fork makes starting it cheap;
        None otherwise, or when no process can be had (it is only a speed-up)."""
        if jobs < 2 or not paths or scheduler or not hasattr(os, "fork"):
            return None
        try:
            return cls(paths, limits)
        except OSError:
            return None

    @property
    def folder(self) -> str:
        """Where the read-ahead keeps its pickles (it makes the folder)."""
        import tempfile

        return os.path.join(tempfile.gettempdir(), self._name)

    @property
    def started(self) -> int:
        """How many documents of its order the read-ahead has started on (or passed over)."""
        return int(self._front[0])

    def only(self, todo: Sequence[int]) -> None:
        """Check only these documents (the others were found in the cache): the rest are not read."""
        wanted = set(todo)
        for i in range(len(self._claimed)):
            if i not in wanted:
                self._claimed[i] = 1

    def poll(self, timeout: float) -> bool:
        """True when the read-ahead has something to say (a report, or its end) within `timeout` s."""
        import select

        return bool(self._partial) or bool(select.select([self.conn], [], [], timeout)[0])

    def receive(self) -> None:
        """Take in what the read-ahead has said (call when its connection is readable); its end
        of the connection closing means it has finished, or died."""
        if not self._drain():
            self.stop()

    def _drain(self) -> bool:
        """Take in every report waiting on the connection; False once its other end is closed."""
        while True:
            try:
                got = self.conn.read(1 << 16)
            except OSError:
                return False
            if got is None:  # nothing more for now
                return True
            if not got:
                return False
            data = self._partial + got
            whole = len(data) - len(data) % _REPORT
            for at in range(0, whole, _REPORT):
                i = int.from_bytes(data[at : at + 8], "little")
                self._heard(i, str(Path(self.folder, f"{i}.pickle")) if data[at + 8] else None)
            self._partial = data[whole:]

    def _release(self) -> None:
        """One more document the read-ahead may read."""
        with contextlib.suppress(OSError):  # it has ended
            os.write(self._slots, b"\0")

    def _heard(self, i: int, file: str | None) -> None:
        self.reported.add(i)
        if self._claimed[i]:  # a worker read it too, or it is not wanted: drop this copy
            self._release()
            if file is not None:
                with contextlib.suppress(OSError):
                    os.remove(file)
        elif file is not None:
            self.read[i] = file
        else:  # unreadable: a worker reads it again and reports the error
            self._release()
            self.failed.append(i)

    def take(self) -> tuple[int, str | None] | None:
        """The next document for a worker, claimed: (index, its pickle) for the largest one read,
        else (index, None) for one to read itself (the largest nobody has started to read), else
        None (the rest are being read ahead, or are done)."""
        if self.read:
            i = max(self.read, key=self._rank.__getitem__)
            self._claimed[i] = 1
            self._release()
            self.handed.append(i)
            return i, self.read.pop(i)
        if self.failed:
            i = self.failed.pop()
            self._claimed[i] = 1
            return i, None
        started = self.started if self.alive else 0
        while self._back > started:
            self._back -= 1
            i = self.order[self._back]
            if not self._claimed[i]:
                self._claimed[i] = 1
                return i, None
        return None

    def pending(self) -> list[int]:
        """Documents the read-ahead has started on and not yet reported (it reads in order, so
        they are among the last it started)."""
        if not self.alive:
            return []
        front = self.started
        order = self.order
        while self._settled < front and (order[self._settled] in self.reported or self._claimed[order[self._settled]]):
            self._settled += 1
        return [i for i in order[self._settled : front] if i not in self.reported and not self._claimed[i]]

    def overran(self) -> int | None:
        """Stop a read-ahead that took too long over a document: the document it was still
        reading, now claimed (its result is a timeout); None if it finished it after all."""
        started = self.pending()
        self.stop()
        for i in started:
            if i not in self.reported:
                self._claimed[i] = 1
                return i
        return None

    def kill(self) -> None:
        """End the process (it says nothing more)."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, 9)

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to `timeout` seconds (None: for ever) for the process to end; True once it has."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._pid is not None:
            pid, _ = os.waitpid(self._pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                self._pid = None
            elif time.monotonic() >= deadline:  # type: ignore[operator]
                return False
            else:
                time.sleep(0.01)
        return True

    def stop(self) -> None:
        """Stop reading. What it finished can still be taken; what it had started is the workers'."""
        if not self.alive:
            return
        self.alive = False
        self.kill()
        self.join()
        self._drain()
        self._back = len(self.order)  # take() now looks at every document not claimed

    def close(self) -> None:
        import shutil

        self.kill()
        self.join()
        self.alive = False
        self.conn.close()
        with contextlib.suppress(OSError):
            os.close(self._slots)
        shutil.rmtree(self.folder, ignore_errors=True)


_REPORT = 9  # bytes of one report: the document's index, then 1 if its pickle was written, else 0


def _read_ahead(items: list[tuple[int, str]], limits: Any, name: str, reports: int, slots: int, front: Any,
                claimed: Any) -> None:
    """The read-ahead process: makes its folder, then pickles each document it can read whole
    into it and reports it. It says nothing else, whatever happens (Ctrl-C, a full disk): the
    workers read what it leaves."""
    try:
        import pickle
        import tempfile

        folder = os.path.join(tempfile.gettempdir(), name)
        os.mkdir(folder, 0o700)

        from rmplint.ingest import load

        slot = False  # a slot taken and not yet spent on a document
        for pos, (i, path) in enumerate(items):
            if claimed[i]:
                continue
            if not slot:
                if not os.read(slots, 1):  # the parent has closed its end: it is gone
                    return
                slot = True
            front[0] = pos + 1
            if claimed[i]:  # claimed while waiting for a slot: the slot is kept for the next one
                continue
            _test_delay(path)
            ok = 0  # 0: a worker reads it again and reports what is wrong
            try:
                doc = load(path, limits)
                tmp = os.path.join(folder, f"{i}.tmp")
                with open(tmp, "wb") as fh:
                    pickle.dump(doc, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, os.path.join(folder, f"{i}.pickle"))
                ok = 1
            except Exception:  # noqa: BLE001
                ok = 0
            os.write(reports, i.to_bytes(8, "little") + bytes((ok,)))
            slot = False
    except (KeyboardInterrupt, OSError):
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
    queue = sorted(todo, key=lambda i: (_size(paths[i]), -i)) if ahead is None else []
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


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


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
