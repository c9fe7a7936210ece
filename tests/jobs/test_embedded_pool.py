"""The embedded pool's worker processes: results, errors, a worker that dies."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest

from aiaas_mock.workers import EmbeddedPool, WorkerLost


def test_units_run_in_workers_and_their_errors_come_back(tmp_path: Path) -> None:
    pool = EmbeddedPool(2, tmp_path)
    try:
        assert [pool.submit(math.sqrt, n).result(timeout=60) for n in (4.0, 9.0)] == [2.0, 3.0]
        with pytest.raises(ValueError, match="math domain error"):
            pool.submit(math.sqrt, -1.0).result(timeout=60)
        pids = {pool.submit(os.getpid).result(timeout=60) for _ in range(6)}
        assert os.getpid() not in pids
        assert pids <= set(pool.pids())
    finally:
        pool.close()


def test_a_worker_that_dies_fails_its_unit_and_is_replaced(tmp_path: Path) -> None:
    pool = EmbeddedPool(1, tmp_path)
    try:
        before = pool.submit(os.getpid).result(timeout=60)
        with pytest.raises(WorkerLost, match="exit code 3"):
            pool.submit(os._exit, 3).result(timeout=60)
        after = pool.submit(os.getpid).result(timeout=60)
        assert after != before
    finally:
        pool.close()


def test_closing_stops_running_units_and_fails_waiting_ones(tmp_path: Path) -> None:
    pool = EmbeddedPool(1, tmp_path)
    running = pool.submit(time.sleep, 60)
    waiting = [pool.submit(time.sleep, 60) for _ in range(3)]
    time.sleep(1.0)  # the first unit has reached its worker
    started = time.monotonic()
    pool.close()
    for future in (running, *waiting):
        with pytest.raises(WorkerLost):
            future.result(timeout=10)
    assert time.monotonic() - started < 10


def test_cancel_flags_are_files_the_workers_see(tmp_path: Path) -> None:
    pool = EmbeddedPool(1, tmp_path / "flags")
    flag = pool.cancel_flag("tj_1")
    assert not flag.is_set()
    pool.set_cancelled("tj_1")
    assert flag.is_set()
    pool.forget("tj_1")
    assert not flag.is_set()
    pool.close()


def test_a_closed_pool_starts_new_workers_for_later_units(tmp_path: Path) -> None:
    pool = EmbeddedPool(1, tmp_path)
    first = pool.submit(os.getpid).result(timeout=60)
    pool.close()
    try:
        second = pool.submit(os.getpid).result(timeout=60)
        assert second != first
    finally:
        pool.close()
