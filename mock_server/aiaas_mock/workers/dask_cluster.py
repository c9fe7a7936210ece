"""An executor on an existing Dask distributed cluster.

``distributed`` is imported when a cluster is configured, never otherwise: it
is an optional extra (``aiaas[mock,cluster]``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from ..datasets.files import Table
from .executor import WorkerLost


class DaskEventFlag:
    """A named ``distributed.Event`` of the cluster the unit runs on. Asking the
    scheduler costs a round trip: a unit asks at most twice a second."""

    CHECK_EVERY = 0.5

    def __init__(self, name: str) -> None:
        self.name = name
        self._event: Any = None
        self._checked = 0.0
        self._set = False

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["name"])  # type: ignore[misc]

    def is_set(self) -> bool:
        now = time.monotonic()
        if not self._set and now - self._checked >= self.CHECK_EVERY:
            if self._event is None:
                from distributed import Event

                self._event = Event(self.name)
            self._set = bool(self._event.is_set())
            self._checked = now
        return self._set


class DaskCluster:
    """An existing Dask distributed cluster, reached through its scheduler address.

    Units become Dask tasks; a job's table is scattered to the workers once.
    Cancelling sets a named ``distributed.Event`` that running units poll.
    The scheduler runs higher-priority tasks first: a unit's priority is minus
    the units its owner already has queued or running, so an owner with little
    outstanding goes before one with much (the embedded pool's fair queue, in
    the scheduler's terms).
    """

    kind = "cluster"
    shares_disk = False

    def __init__(self, address: str, timeout: float = 10.0) -> None:
        from distributed import Client

        self.address = address
        self._client = Client(address, timeout=timeout, set_as_default=False)
        self._shared: dict[str, list[Any]] = {}
        self._outstanding: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def workers(self) -> int:
        info = self._client.scheduler_info(n_workers=-1)
        return max(1, int(sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())))

    def submit(self, fn: Callable[..., Any], *args: Any, owner: str = "") -> Future[Any]:
        with self._lock:
            ahead = self._outstanding.get(owner, 0)
            self._outstanding[owner] = ahead + 1
        task = self._client.submit(fn, *args, pure=False, priority=-ahead)
        outer: Future[Any] = Future()

        def settle(done: Any) -> None:
            with self._lock:
                left = self._outstanding.pop(owner, 1) - 1
                if left:
                    self._outstanding[owner] = left
            status = done.status
            if status == "finished":
                outer.set_result(done.result())
            elif status == "cancelled":
                Future.cancel(outer)
                outer.set_running_or_notify_cancel()
            else:
                error = done.exception()
                if type(error).__name__ in ("KilledWorker", "CommClosedError"):
                    error = WorkerLost(f"the cluster lost the worker running a unit: {error}")
                outer.set_exception(error)

        task.add_done_callback(settle)

        def cancel() -> bool:
            task.cancel()
            return True

        outer.cancel = cancel  # type: ignore[method-assign]
        return outer

    def share(self, table: Table) -> Any:
        return self._client.scatter(table, broadcast=False, hash=False)

    def cancel_flag(self, job_id: str) -> DaskEventFlag:
        return DaskEventFlag(f"aiaas-cancel-{job_id}")

    def set_cancelled(self, job_id: str) -> None:
        from distributed import Event

        Event(self.cancel_flag(job_id).name, client=self._client).set()

    def forget(self, job_id: str) -> None:
        from distributed import Event

        Event(self.cancel_flag(job_id).name, client=self._client).clear()

    def close(self) -> None:
        self._client.close()
