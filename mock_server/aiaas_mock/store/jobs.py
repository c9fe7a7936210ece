"""Training jobs and batch predictions: their records, event logs and results.

A job's record is its wire object (``TrainingJob`` or ``BatchPrediction``) as
JSON; ``status`` and ``owner`` are kept beside it for queries. ``owner`` is the
server instance that runs the job: when that instance stops beating (killed,
crashed), the job is failed with a reason rather than left running forever.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .database import Database

JobKind = Literal["training", "batch_prediction"]
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class RecordPage:
    records: list[dict[str, Any]]
    last_seq: int | None
    has_more: bool


class JobRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(
        self,
        conn: sqlite3.Connection,
        record: dict[str, Any],
        kind: JobKind,
        tenant_id: str,
        owner: str,
    ) -> None:
        """Queue a job (inside the caller's transaction), owned by server ``owner``."""
        conn.execute(
            "INSERT INTO jobs (id, tenant_id, kind, dataset_id, status, record, owner) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record["id"],
                tenant_id,
                kind,
                record["dataset_id"],
                record["status"],
                json.dumps(record),
                owner,
            ),
        )
        _add_event(conn, record["id"], "queued", "The job is queued.", {})

    def get(self, job_id: str, tenant_id: str, kind: JobKind) -> dict[str, Any] | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT record FROM jobs WHERE id = ? AND tenant_id = ? AND kind = ?",
                (job_id, tenant_id, kind),
            ).fetchone()
        return json.loads(row["record"]) if row else None

    def record(self, job_id: str) -> dict[str, Any]:
        with self._db.read() as conn:
            row = conn.execute("SELECT record FROM jobs WHERE id = ?", (job_id,)).fetchone()
        record: dict[str, Any] = json.loads(row["record"])
        return record

    def page(self, tenant_id: str, kind: JobKind, *, after_seq: int, limit: int) -> RecordPage:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT seq, record FROM jobs WHERE tenant_id = ? AND kind = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (tenant_id, kind, after_seq, limit + 1),
            ).fetchall()
        return _page(rows, limit, "seq")

    def update(
        self,
        job_id: str,
        change: Callable[[dict[str, Any]], None],
        event: tuple[str, str, dict[str, Any]] | None = None,
        *,
        only_if_active: bool = False,
        only_if_status: str | None = None,
    ) -> dict[str, Any] | None:
        """Apply ``change`` to the job's record (and log ``event``) in one transaction.

        With ``only_if_active`` (or ``only_if_status``), a job that is finished (or
        in another state) is left as it is and ``None`` returned.
        """
        with self._db.transaction() as conn:
            row = conn.execute("SELECT record FROM jobs WHERE id = ?", (job_id,)).fetchone()
            record: dict[str, Any] = json.loads(row["record"])
            if only_if_active and record["status"] not in ACTIVE:
                return None
            if only_if_status is not None and record["status"] != only_if_status:
                return None
            change(record)
            conn.execute(
                "UPDATE jobs SET record = ?, status = ? WHERE id = ?",
                (json.dumps(record), record["status"], job_id),
            )
            if event is not None:
                _add_event(conn, job_id, *event)
        return record

    def claim_next(
        self,
        owner: str,
        where: Callable[[], dict[str, Any]],
        running_cap: Callable[[str], int] = lambda tenant_id: 2**31,
    ) -> tuple[str, str, dict[str, Any]] | None:
        """A queued job of ``owner``, now marked running (``where()`` it runs goes in
        its log): its kind, tenant and record.

        Tenants take turns: the job claimed is the oldest of the tenants running the
        fewest jobs, and a tenant already running ``running_cap(tenant)`` waits, so
        one tenant's queue never holds every runner."""
        with self._db.transaction() as conn:
            candidates = conn.execute(
                "SELECT q.id, q.kind, q.tenant_id, q.record, "
                "(SELECT COUNT(*) FROM jobs r WHERE r.tenant_id = q.tenant_id "
                "AND r.status = 'running') AS running "
                "FROM jobs q WHERE q.status = 'queued' AND q.owner = ? "
                "AND q.cancel_requested = 0 "
                "AND q.seq = (SELECT MIN(seq) FROM jobs f WHERE f.tenant_id = q.tenant_id "
                "AND f.status = 'queued' AND f.owner = q.owner AND f.cancel_requested = 0) "
                "ORDER BY running, q.seq",
                (owner,),
            ).fetchall()
            row = next((c for c in candidates if c["running"] < running_cap(c["tenant_id"])), None)
            if row is None:
                return None
            record: dict[str, Any] = json.loads(row["record"])
            record.update(status="running", started_at=int(time.time()))
            conn.execute(
                "UPDATE jobs SET record = ?, status = 'running' WHERE id = ?",
                (json.dumps(record), row["id"]),
            )
            _add_event(conn, row["id"], "started", "The job is running.", where())
        return row["kind"], row["tenant_id"], record

    def request_cancel(self, job_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))

    def cancel_requested(self, job_id: str) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return bool(row and row["cancel_requested"])

    def events(self, job_id: str, *, after_seq: int, limit: int) -> RecordPage:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT seq, record FROM job_events WHERE job_id = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (job_id, after_seq, limit + 1),
            ).fetchall()
        return _page(rows, limit, "seq")

    def log(self, job_id: str, type_: str, message: str, data: dict[str, Any]) -> None:
        with self._db.transaction() as conn:
            _add_event(conn, job_id, type_, message, data)

    def fail_orphans(self, grace: float, adopter: str | None = None) -> list[str]:
        """Settle the jobs whose server instance is gone: a running one fails (its
        work is lost, and running it again could run it twice); a queued one, which
        nothing has touched, is taken over by ``adopter`` (the instance asking) and
        runs there. The failed jobs' ids."""
        now = time.time()
        failed: list[str] = []
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, record, status FROM jobs WHERE status IN ('queued', 'running') "
                "AND (owner IS NULL OR owner NOT IN "
                "(SELECT id FROM instances WHERE last_seen > ?))",
                (now - grace,),
            ).fetchall()
            for row in rows:
                if row["status"] == "queued":
                    if adopter is not None:
                        conn.execute("UPDATE jobs SET owner = ? WHERE id = ?", (adopter, row["id"]))
                        _add_event(
                            conn,
                            row["id"],
                            "queued",
                            "Its server stopped before the job started; another server took it.",
                            {},
                        )
                    continue
                _fail_stopped(conn, row["id"], json.loads(row["record"]), now)
                failed.append(row["id"])
        return failed

    # -- batch results ------------------------------------------------------

    def add_results(self, job_id: str, results: Sequence[tuple[int, str]]) -> None:
        """Store rows' results; a row stored before is kept as it was (never twice)."""
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO batch_results (job_id, row, record) VALUES (?, ?, ?)",
                [(job_id, row, record) for row, record in results],
            )

    def iter_results(
        self, job_id: str, last_row: int | None = None, chunk: int = 10_000
    ) -> Iterator[list[dict[str, Any]]]:
        """Every stored result (up to row ``last_row``), in row order, ``chunk`` at
        a time: one short read each, never the whole table."""
        after = -1
        while True:
            with self._db.read() as conn:
                found = conn.execute(
                    "SELECT row, record FROM batch_results WHERE job_id = ? AND row > ? "
                    "AND row <= ? ORDER BY row LIMIT ?",
                    (job_id, after, 2**62 if last_row is None else last_row, chunk),
                ).fetchall()
            if not found:
                return
            yield [json.loads(row["record"]) for row in found]
            after = found[-1]["row"]

    def results(
        self, job_id: str, *, after_row: int, limit: int, max_bytes: int | None = None
    ) -> RecordPage:
        """Up to ``limit`` results after ``after_row``, and (the first aside) no more
        than ``max_bytes`` of stored records."""
        rows: list[Any] = []
        used = 0
        with self._db.read() as conn:
            cursor = conn.execute(
                "SELECT row, record FROM batch_results WHERE job_id = ? AND row > ? "
                "ORDER BY row LIMIT ?",
                (job_id, after_row, limit + 1),
            )
            # Row by row, so that a page of large results is never fetched whole.
            for row in cursor:
                used += len(row["record"])
                if rows and max_bytes is not None and used > max_bytes:
                    return RecordPage(
                        [json.loads(r["record"]) for r in rows], rows[-1]["row"], True
                    )
                rows.append(row)
        return _page(rows, limit, "row")


def _page(rows: list[Any], limit: int, position: str) -> RecordPage:
    """The first ``limit`` of ``rows`` (one more was fetched to tell if there is more)."""
    kept = rows[:limit]
    return RecordPage(
        [json.loads(row["record"]) for row in kept],
        kept[-1][position] if kept else None,
        len(rows) > limit,
    )


def _fail_stopped(conn: Any, job_id: str, record: dict[str, Any], now: float) -> None:
    message = "The server stopped while the job was running; its work is lost. Create it again."
    record.update(
        status="failed",
        finished_at=int(now),
        error={"code": "server_stopped", "message": message},
    )
    conn.execute(
        "UPDATE jobs SET record = ?, status = 'failed' WHERE id = ?", (json.dumps(record), job_id)
    )
    _add_event(conn, job_id, "failed", message, {"code": "server_stopped"})


def _add_event(conn: Any, job_id: str, type_: str, message: str, data: dict[str, Any]) -> None:
    seq = conn.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = ?", (job_id,)
    ).fetchone()[0]
    record = {
        "object": "job.event",
        "seq": seq,
        "type": type_,
        "message": message,
        "data": data,
        "created_at": round(time.time(), 3),
    }
    conn.execute(
        "INSERT INTO job_events (job_id, seq, record) VALUES (?, ?, ?)",
        (job_id, seq, json.dumps(record)),
    )
