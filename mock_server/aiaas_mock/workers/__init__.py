"""Where a job's units run, knowing nothing of jobs: the executor interface,
the embedded pool of worker processes, a Dask cluster, and the worker process."""

from __future__ import annotations

from pathlib import Path

from .dask_cluster import DaskCluster
from .embedded_pool import EmbeddedPool
from .executor import CancelFlag, Cancelled, Executor, WorkerLost

__all__ = [
    "CancelFlag",
    "Cancelled",
    "DaskCluster",
    "EmbeddedPool",
    "Executor",
    "WorkerLost",
    "make_executor",
]


def make_executor(cluster: str | None, workers: int, flags_dir: Path) -> Executor:
    if cluster is None:
        return EmbeddedPool(workers, flags_dir)
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise RuntimeError(
            "--cluster needs Dask distributed: pip install 'aiaas[mock,cluster]'"
        ) from None
    return DaskCluster(cluster)
