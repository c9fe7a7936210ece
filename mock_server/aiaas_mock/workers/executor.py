"""What every executor offers a job: units submitted as futures, a cancel flag
the units watch, data shared with the workers once.

The embedded pool (:mod:`.embedded_pool`) and a Dask cluster
(:mod:`.dask_cluster`) implement it; a job's driver is the same code for
either. A unit that raises fails its future; a worker that dies fails it with
:class:`WorkerLost`. Nothing here knows what a job is.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from ..datasets.files import Table


class Cancelled(Exception):
    """The job was cancelled; the unit stopped without a result."""


class WorkerLost(Exception):
    """The process (or cluster worker) running a unit went away."""


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


class Executor(Protocol):
    kind: str
    """``embedded`` or ``cluster``."""

    @property
    def shares_disk(self) -> bool:
        """Whether units can read the server's dataset files themselves."""
        ...

    def submit(self, fn: Callable[..., Any], *args: Any, owner: str = "") -> Future[Any]:
        """Run ``fn(*args)`` on a worker. Units of different ``owner`` (tenants)
        take turns: one owner's queued units never hold every worker from another's."""
        ...

    def share(self, table: Table) -> Any:
        """A handle that units receive as ``table`` (sent to the workers once)."""
        ...

    def cancel_flag(self, job_id: str) -> CancelFlag: ...

    def set_cancelled(self, job_id: str) -> None: ...

    def forget(self, job_id: str) -> None:
        """Release what the job left on the executor (its flag, shared data)."""
        ...

    @property
    def workers(self) -> int: ...

    def close(self) -> None: ...
