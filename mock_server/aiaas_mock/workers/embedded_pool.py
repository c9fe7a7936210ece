"""An executor of worker processes on this machine, each started (again) when needed."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..datasets.files import Table
from .executor import WorkerLost
from .fair_queue import FairQueue
from .frames import read_frame, write_frame

logger = logging.getLogger("aiaas_mock.jobs")


@dataclass(frozen=True)
class FileFlag:
    """Set when a file exists: the embedded pool's workers share the server's disk."""

    path: str

    def is_set(self) -> bool:
        return os.path.exists(self.path)


class EmbeddedPool:
    """Worker processes of this machine, each started (again) when needed.

    One thread per worker hands it units in turn from a queue shared fairly
    between the units' owners (:class:`~.fair_queue.FairQueue`). ``spare``
    more workers (as many as the regular ones by default) start only for an
    owner with nothing running while every regular worker is busy: a tenant's
    first unit never waits behind another tenant's, however long theirs run;
    the processor is then shared by the operating system for that while. A worker
    is a fresh interpreter (``python -m aiaas_mock.workers.worker_process ROLE``): the
    server is multi-threaded, so forking it would copy its locks in whatever
    state they were, and ``multiprocessing``'s spawn would run the server
    program's main script again in every worker.
    """

    kind = "embedded"
    shares_disk = True

    def __init__(
        self, workers: int, flags_dir: Path, role: str = "jobs", spare: int | None = None
    ) -> None:
        self._workers = workers
        self._slots = workers + (workers if spare is None else spare)
        self._flags_dir = flags_dir
        # On the workers' command lines, so that ``ps`` tells jobs from ingest.
        self._role = role
        self._tasks: FairQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = (
            FairQueue()
        )
        self._lock = threading.Lock()
        self._processes: list[subprocess.Popen[bytes] | None] = [None] * self._slots
        self._threads: list[threading.Thread] = []
        self._closed = False

    @property
    def workers(self) -> int:
        return self._workers

    def submit(self, fn: Callable[..., Any], *args: Any, owner: str = "") -> Future[Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is closing")
            if not self._threads:
                for slot in range(self._slots):
                    thread = threading.Thread(
                        target=self._serve,
                        args=(slot,),
                        name=f"aiaas-job-worker-{slot}",
                        daemon=True,
                    )
                    thread.start()
                    self._threads.append(thread)
        future: Future[Any] = Future()
        self._tasks.put(owner, (future, fn, args))
        return future

    def _process(self, slot: int) -> subprocess.Popen[bytes]:
        process = self._processes[slot]
        if process is None or process.poll() is not None:
            # This interpreter, this package's module, a role our own code names.
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "aiaas_mock.workers.worker_process", self._role],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            self._processes[slot] = process
        return process

    def _serve(self, slot: int) -> None:
        spare = slot >= self._workers
        while True:
            task = self._tasks.get(spare)
            if task is None:
                return
            owner, (future, fn, args) = task
            try:
                self._run(slot, future, fn, args)
            finally:
                self._tasks.done(owner)

    def _run(
        self, slot: int, future: Future[Any], fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # a unit that cannot be sent fails
            future.set_exception(error)
            return
        process = self._process(slot)
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            write_frame(process.stdin, payload)
            reply = read_frame(process.stdout)
        except OSError:
            reply = None
        if reply is None:
            code = process.wait()
            _close_pipes(process)
            self._processes[slot] = None
            if not self._closed:
                logger.warning("A job worker process stopped (exit code %s); restarting it", code)
            future.set_exception(WorkerLost(f"a worker process stopped (exit code {code})"))
            return
        # From the worker process this pool started: trusted.
        status, value = pickle.loads(reply)  # noqa: S301
        if status == "ok":
            future.set_result(value)
        else:
            future.set_exception(value)

    def share(self, table: Table) -> Any:
        return table

    def cancel_flag(self, job_id: str) -> FileFlag:
        return FileFlag(str(self._flags_dir / f"{job_id}.cancel"))

    def set_cancelled(self, job_id: str) -> None:
        self._flags_dir.mkdir(parents=True, exist_ok=True)
        Path(self.cancel_flag(job_id).path).touch()

    def forget(self, job_id: str) -> None:
        Path(self.cancel_flag(job_id).path).unlink(missing_ok=True)

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        return [p.pid for p in self._processes if p is not None and p.poll() is None]

    def close(self) -> None:
        """Stop the workers (a unit still computing with them) and fail the units
        still waiting. A unit submitted later starts new workers."""
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
        # Units still waiting for a worker will not get one: say so to whoever waits.
        for future, _, _ in self._tasks.close():
            if future.set_running_or_notify_cancel():
                future.set_exception(WorkerLost("the server is stopping"))
        # A unit still computing would otherwise outlive the server.
        for process in self._processes:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in self._processes:
            if process is not None:
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                _close_pipes(process)
        for thread in threads:
            thread.join(timeout=5)
        with self._lock:
            # An app may be started again (test clients do): a later unit starts
            # new workers.
            self._processes = [None] * self._slots
            self._tasks.reopen()
            self._closed = False


def _close_pipes(process: subprocess.Popen[bytes]) -> None:
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            # A pipe to a dead process may fail to flush.
            with contextlib.suppress(OSError):
                pipe.close()
