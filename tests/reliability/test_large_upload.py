"""A 100 MB dataset upload: neither the client nor the server holds the file.

The server's peak resident memory (``VmHWM``: of the server process and of the
process it reads uploads in) and the client's (``ru_maxrss``, in a process of
its own) are read before and after. The reader keeps eight bytes a row while it
counts repeated rows (2.55 million rows here), besides its fixed working set;
nothing grows with the bytes of the file.

Marked ``slow`` and ``reliability``: about 40 seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.reliability.servers import Credentials, provision, running

pytestmark = [pytest.mark.slow, pytest.mark.reliability]

SIZE = 100 * 1024 * 1024

CLIENT = """
import json, resource, sys
import aiaas
client = aiaas.Client(base_url=sys.argv[1], api_key=sys.argv[2], timeout=600)
client.models.retrieve("quality-logreg")  # the client's working set, before the upload
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
dataset = client.datasets.create(file=sys.argv[3], name="big", target="failed")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": dataset.rows, "before_kb": before, "after_kb": after}))
"""


def write_runs(path: Path, size: int) -> int:
    """A CSV of machining runs of at least ``size`` bytes; its row count."""
    rng = np.random.default_rng(0)
    rows = written = 0
    with path.open("wb") as file:
        written += file.write(b"unit,cycle,machine,speed,torque,temperature,failed\n")
        while written < size:
            n = 50_000
            machine = np.array(["A", "B", "C"])[rng.integers(0, 3, n)]
            columns = zip(
                rng.integers(0, 500, n),
                range(rows, rows + n),
                machine,
                rng.normal(1500, 150, n),
                rng.normal(40, 8, n),
                rng.normal(300, 2, n),
                rng.random(n) < 0.05,
                strict=True,
            )
            block = "".join(
                f"{u},{c},{m},{s:.2f},{t:.3f},{k:.2f},{'true' if f else 'false'}\n"
                for u, c, m, s, t, k, f in columns
            )
            written += file.write(block.encode())
            rows += n
    return rows


def peak_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))


def ingest_process(server_pid: int) -> int:
    """The worker process the server reads uploads in."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if parent == server_pid and b"aiaas_mock.workers.worker_process\x00ingest" in command:
            return int(entry.name)
    raise AssertionError("no ingest process")


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, Credentials]:
    db = tmp_path / "aiaas.db"
    return db, provision(db)


def test_a_100_mb_upload_is_never_held_in_memory(
    database: tuple[Path, Credentials], tmp_path: Path
) -> None:
    db, credentials = database
    data = tmp_path / "runs.csv"
    rows = write_runs(data, SIZE)
    size = data.stat().st_size
    with running(db) as server:
        # A small upload first starts the ingest process, whose working set (its
        # imports) is then part of the baseline.
        small = httpx.post(
            f"{server.base_url}/v1/datasets",
            params={"name": "small", "format": "csv"},
            headers={"Authorization": f"Bearer {credentials.full_key}"},
            content=b"a,b\n1,2\n",
        )
        assert small.status_code == 201
        reader = ingest_process(server.process.pid)
        before = peak_kb(server.process.pid), peak_kb(reader)
        upload = subprocess.run(
            [sys.executable, "-c", CLIENT, server.base_url, credentials.full_key, str(data)],
            capture_output=True,
            check=True,
            timeout=600,
        )
        after = peak_kb(server.process.pid), peak_kb(reader)
    client = json.loads(upload.stdout)
    assert client["rows"] == rows
    server_growth = sum(a - b for a, b in zip(after, before, strict=True)) * 1024
    client_growth = (client["after_kb"] - client["before_kb"]) * 1024
    print(
        f"\n{size / 2**20:.0f} MB, {rows} rows: server peak +{server_growth / 2**20:.0f} MB, "
        f"client peak +{client_growth / 2**20:.1f} MB"
    )
    assert client_growth < 0.05 * size
    # Eight bytes a row to count duplicates (16 MB here), and a fixed working set.
    assert server_growth < 0.75 * size
