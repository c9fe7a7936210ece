"""Which waiting unit a free worker takes: owners in turn, fewest running first."""

from __future__ import annotations

import threading
import time

from aiaas_mock.workers.fair_queue import FairQueue


def _take(queue: FairQueue[str], n: int) -> list[str]:
    taken = []
    for _ in range(n):
        got = queue.get()
        assert got is not None
        taken.append(got[1])
    return taken


def test_owners_take_turns_and_keep_their_own_order() -> None:
    queue: FairQueue[str] = FairQueue()
    for i in range(4):
        queue.put("a", f"a{i}")
    queue.put("b", "b0")
    queue.put("b", "b1")
    queue.put("c", "c0")
    # Nothing finishes: each pick goes to the owner with the fewest running.
    assert _take(queue, 7) == ["a0", "b0", "c0", "a1", "b1", "a2", "a3"]


def test_a_newcomer_goes_before_an_owner_already_running() -> None:
    queue: FairQueue[str] = FairQueue()
    for i in range(3):
        queue.put("a", f"a{i}")
    assert _take(queue, 2) == ["a0", "a1"]
    queue.put("b", "b0")
    queue.done("a")  # a0 finished: a has one running, b none
    assert _take(queue, 1) == ["b0"]
    queue.done("b")
    assert _take(queue, 1) == ["a2"]
    assert queue.running("a") == 2
    assert queue.running("b") == 0


def test_equal_running_goes_to_the_owner_served_longest_ago() -> None:
    queue: FairQueue[str] = FairQueue()
    for owner in ("a", "b"):
        for i in range(3):
            queue.put(owner, f"{owner}{i}")
    order = []
    for _ in range(6):
        got = queue.get()
        assert got is not None
        order.append(got[1])
        queue.done(got[0])  # one worker: every unit finishes before the next
    assert order == ["a0", "b0", "a1", "b1", "a2", "b2"]


def test_closing_wakes_every_waiting_get_and_returns_what_waited() -> None:
    queue: FairQueue[str] = FairQueue()
    results: list[object] = []
    waiters = [threading.Thread(target=lambda: results.append(queue.get())) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    assert queue.close() == []
    for waiter in waiters:
        waiter.join(timeout=5)
    assert results == [None, None, None]
    queue.reopen()
    queue.put("a", "x")
    assert queue.close() == ["x"]


def test_a_spare_getter_takes_only_a_newcomers_unit_when_no_regular_one_waits() -> None:
    queue: FairQueue[str] = FairQueue()
    queue.put("a", "a0")
    queue.put("a", "a1")
    assert _take(queue, 1) == ["a0"]
    taken: list[object] = []
    spare = threading.Thread(target=lambda: taken.append(queue.get(spare=True)))
    spare.start()
    spare.join(timeout=0.3)
    assert spare.is_alive()  # a1's owner is running: not a newcomer
    queue.put("b", "b0")
    spare.join(timeout=5)
    assert taken == [("b", "b0")]

    # A regular getter waiting goes first: the spare leaves the unit to it.
    regular_taken: list[object] = []
    regular = threading.Thread(target=lambda: regular_taken.append(queue.get()))
    assert _take(queue, 1) == ["a1"]
    regular.start()
    time.sleep(0.2)  # the regular getter is waiting
    spare_taken: list[object] = []
    spare = threading.Thread(target=lambda: spare_taken.append(queue.get(spare=True)))
    spare.start()
    time.sleep(0.2)
    queue.put("c", "c0")
    regular.join(timeout=5)
    assert regular_taken == [("c", "c0")]
    assert spare.is_alive()
    queue.close()
    spare.join(timeout=5)
    assert spare_taken == [None]
