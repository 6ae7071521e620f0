"""Reading documents ahead of the workers, in a process of its own (ReadAhead).

Kept apart from the runner, with nothing but the standard library's lightest modules, because
the command line starts it before it imports anything else: every module imported first is time
the other core spends waiting."""

from __future__ import annotations

import contextlib
import functools
import os
import time
from typing import Any, Sequence

# Test-only hook: "SUBSTRING=SECONDS" makes a worker (and the read-ahead) sleep before checking (or
# reading) a path containing SUBSTRING, so that tests can provoke a timeout without a slow
# document. Never set it otherwise.
TEST_DELAY_ENV = "RMPLINT_TEST_DELAY"


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

        if not 0 < slots <= 4096:  # handed out at once on a pipe, which holds 64 KiB unread
            raise ValueError(f"slots must be 1 to 4096, not {slots}")

        self.order = sorted(range(len(paths)), key=lambda i: (size_of(paths[i]), i))  # smallest first
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

    @functools.cached_property
    def folder(self) -> str:
        """Where the read-ahead keeps its pickles (it makes the folder)."""
        return _folder(self._name)

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

        return bool(select.select([self.conn], [], [], timeout)[0])

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
                self._heard(i, _pickle(self.folder, i) if data[at + 8] else None)
            self._partial = data[whole:]

    def _release(self) -> None:
        """One more document the read-ahead may read."""
        if self._slots >= 0:
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
        """End the process and remove its folder; once only (a second call does nothing, so that
        the slots' pipe number, free again, is never closed under someone else)."""
        import shutil

        if self._slots < 0:
            return
        self.kill()
        self.join()
        self.alive = False
        self.conn.close()
        os.close(self._slots)
        self._slots = -1
        shutil.rmtree(self.folder, ignore_errors=True)


_REPORT = 9  # bytes of one report: the document's index, then 1 if its pickle was written, else 0


def _folder(name: str) -> str:
    """The read-ahead's folder of this name, in the temporary folder (both processes work it out)."""
    import tempfile

    return os.path.join(tempfile.gettempdir(), name)


def _pickle(folder: str, i: int) -> str:
    """Where the document of path index `i` is left, read."""
    return os.path.join(folder, f"{i}.pickle")


def _read_ahead(items: list[tuple[int, str]], limits: Any, name: str, reports: int, slots: int, front: Any,
                claimed: Any) -> None:
    """The read-ahead process: makes its folder, then pickles each document it can read whole
    into it and reports it. It says nothing else, whatever happens (Ctrl-C, a full disk): the
    workers read what it leaves."""
    try:
        import pickle

        folder = _folder(name)
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
            delay_for_tests(path)
            ok = 0  # 0: a worker reads it again and reports what is wrong
            try:
                doc = load(path, limits)
                tmp = os.path.join(folder, f"{i}.tmp")
                with open(tmp, "wb") as fh:
                    pickle.dump(doc, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, _pickle(folder, i))
                ok = 1
            except Exception:  # noqa: BLE001
                ok = 0
            os.write(reports, i.to_bytes(8, "little") + bytes((ok,)))
            slot = False
    except (KeyboardInterrupt, OSError):
        return


def delay_for_tests(path: str) -> None:
    hook = os.environ.get(TEST_DELAY_ENV)
    if hook:
        needle, _, secs = hook.rpartition("=")
        if needle and needle in path:
            time.sleep(float(secs))


def size_of(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
