"""Where a request's work runs: database writes never on the event loop, a keyed
POST in one worker thread, and reads that do not wait for a writer."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aiaas_mock import ServerConfig
from aiaas_mock.store.database import Database
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness

OIP_RUN = [
    {"name": name, "shape": [1], "datatype": "FP64", "data": [value]}
    for name, value in [
        ("air_temperature", 300.0),
        ("process_temperature", 310.0),
        ("rotational_speed", 1500.0),
        ("torque", 40.0),
        ("tool_wear", 10.0),
    ]
] + [{"name": "product_type", "shape": [1], "datatype": "BYTES", "data": ["M"]}]


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def file_harness(tmp_path: Path) -> Iterator[Harness]:
    yield from make_harness(ServerConfig(db_path=str(tmp_path / "aiaas.db")))


@pytest.fixture
def writes(file_harness: Harness, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, int]]:
    """Every write transaction of the app: (made on the event loop?, thread id)."""
    made: list[tuple[bool, int]] = []
    db = file_harness.services.store.db
    original = db.transaction

    @contextmanager
    def recorded() -> Iterator[sqlite3.Connection]:
        made.append((_on_event_loop(), threading.get_ident()))
        with original() as conn:
            yield conn

    monkeypatch.setattr(db, "transaction", recorded)
    return made


def _post(harness: Harness, path: str, body: object, key: str | None) -> None:
    headers = harness.auth()
    if key is not None:
        headers["Idempotency-Key"] = key
    answer = harness.http.post(path, json=body, headers=headers)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("keyed", [True, False])
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/models/quality-logreg/predict", {"inputs": [healthy_run()]}),
        ("/v1/embeddings", {"model": "maintenance-word2vec", "input": ["pump leaking"]}),
        ("/v2/models/quality-logreg/infer", {"inputs": OIP_RUN}),
    ],
)  # fmt: skip
def test_no_write_is_made_on_the_event_loop(
    file_harness: Harness, writes: list[tuple[bool, int]], path: str, body: object, keyed: bool
) -> None:
    _post(file_harness, path, body, str(uuid.uuid4()) if keyed else None)
    assert writes, "the request wrote nothing"
    assert not any(on_loop for on_loop, _ in writes)


def test_a_keyed_predict_claims_runs_and_stores_in_one_thread(
    file_harness: Harness, writes: list[tuple[bool, int]]
) -> None:
    key = str(uuid.uuid4())
    _post(file_harness, "/v1/models/quality-logreg/predict", {"inputs": [healthy_run()]}, key)
    assert len(writes) == 2  # the claim, then the answer with the prediction's log row
    assert len({thread for _, thread in writes}) == 1


def test_a_replay_is_the_stored_answer_byte_for_byte(file_harness: Harness) -> None:
    headers = {**file_harness.auth(), "Idempotency-Key": str(uuid.uuid4())}
    body = {"inputs": [healthy_run()] * 3}
    path = "/v1/models/quality-logreg/predict"
    first = file_harness.http.post(path, json=body, headers=headers)
    second = file_harness.http.post(path, json=body, headers=headers)
    assert second.headers["idempotent-replayed"] == "true"
    assert second.content == first.content
    assert first.json()["outputs"][0]["prediction"] in ("pass", "fail")


def test_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "aiaas.db"))
    try:
        db.replace_setting("colour", b"blue")
        writing = threading.Event()
        done = threading.Event()

        def hold_the_write_lock() -> None:
            with db.transaction() as conn:
                conn.execute("UPDATE settings SET value = ? WHERE name = 'colour'", (b"red",))
                writing.set()
                done.wait(timeout=10)

        writer = threading.Thread(target=hold_the_write_lock)
        writer.start()
        assert writing.wait(timeout=10)
        started = time.monotonic()
        with db.read() as conn:
            value = conn.execute("SELECT value FROM settings WHERE name = 'colour'").fetchone()
        waited = time.monotonic() - started
        done.set()
        writer.join()
        assert bytes(value["value"]) == b"blue"  # the last committed state
        assert waited < 1.0  # a reader behind the lock would wait the writer's 10 s
        with db.read() as conn:
            value = conn.execute("SELECT value FROM settings WHERE name = 'colour'").fetchone()
        assert bytes(value["value"]) == b"red"
    finally:
        db.close()


def test_read_connections_are_read_only_and_closed_with_the_database(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "aiaas.db"))
    with db.read() as conn, pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO settings (name, value) VALUES ('x', x'00')")
    db.close()
    with pytest.raises(sqlite3.ProgrammingError), db.read() as conn:
        conn.execute("SELECT 1")


def test_writers_of_two_processes_take_turns_through_the_lock_file(tmp_path: Path) -> None:
    path = str(tmp_path / "aiaas.db")
    first, second = Database(path), Database(path)  # two open files, as two processes
    try:
        order: list[str] = []
        holding = threading.Event()

        def hold() -> None:
            with first.transaction() as conn:
                holding.set()
                time.sleep(0.3)
                conn.execute("INSERT INTO settings (name, value) VALUES ('a', x'00')")
                order.append("first committed")

        writer = threading.Thread(target=hold)
        writer.start()
        assert holding.wait(timeout=10)
        with second.transaction() as conn:
            order.append("second began")
            conn.execute("INSERT INTO settings (name, value) VALUES ('b', x'00')")
        writer.join()
        assert order == ["first committed", "second began"]
        assert Path(f"{path}.writers").is_file()
    finally:
        first.close()
        second.close()


def test_connections_send_small_writes_at_once() -> None:
    import socket
    from unittest.mock import Mock

    from aiaas_mock.tools.slow_clients import _no_delay

    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    with listener, client, accepted:
        accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        transport = Mock()
        transport.get_extra_info.return_value = accepted
        _no_delay(transport)
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
