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


def test_workers_leave_within_seconds_of_their_server(tmp_path: Path) -> None:
    """A server killed with -9 closes no pipe a computing worker would read: the
    worker notices its parent is gone, even in the middle of a long unit."""
    import signal
    import subprocess
    import sys

    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from aiaas_mock.workers import EmbeddedPool\n"
            f"pool = EmbeddedPool(1, Path({str(tmp_path)!r}))\n"
            "print(pool.submit(__import__('os').getpid).result(timeout=60), flush=True)\n"
            "pool.submit(time.sleep, 600)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        worker = int(server.stdout.readline())
        time.sleep(0.5)  # the worker is asleep in its unit
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        killed = time.monotonic()
        while time.monotonic() - killed < 5.0:
            try:
                os.kill(worker, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.kill(worker, signal.SIGKILL)
            pytest.fail("the worker outlived its server by 5 s")
    finally:
        server.kill()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()


def test_another_tenants_unit_goes_before_a_queue_of_one_tenants(tmp_path: Path) -> None:
    # First in, first out would run B's unit after all of A's (three seconds in);
    # taking tenants in turn runs it as soon as A's first unit frees the worker.
    pool = EmbeddedPool(1, tmp_path, spare=0)
    try:
        pool.submit(os.getpid, owner="a").result(timeout=60)  # the worker is up
        a_units = [pool.submit(time.sleep, 1.0, owner="a") for _ in range(3)]
        b_unit = pool.submit(time.sleep, 0.0, owner="b")
        b_unit.result(timeout=60)
        assert a_units[0].done()
        assert not a_units[1].done()
        assert not a_units[2].done()
        for unit in a_units:
            unit.result(timeout=60)
    finally:
        pool.close()


def test_a_spare_worker_starts_a_newcomers_unit_while_the_others_are_busy(
    tmp_path: Path,
) -> None:
    pool = EmbeddedPool(1, tmp_path)
    try:
        pool.submit(os.getpid, owner="a").result(timeout=60)
        a_units = [pool.submit(time.sleep, 5.0, owner="a") for _ in range(2)]
        time.sleep(0.2)
        b_pid = pool.submit(os.getpid, owner="b").result(timeout=60)
        assert not a_units[0].done()
        # The spare takes only newcomers: A's second unit still waits for its turn.
        assert not a_units[1].running()
        assert b_pid in pool.pids()
        assert len(pool.pids()) == 2
    finally:
        pool.close()
