"""A 100 MB dataset upload: neither the client nor the server holds the file.

The server's peak resident memory (``VmHWM``: of the server process and of the
process it reads uploads in) and the client's (``ru_maxrss``, in a process of
its own) are read before and after a 25 MB upload and a 100 MB one. The reader
has a fixed working set (Arrow's parser and Parquet writer, and what their
allocator keeps) and eight bytes a row while it counts repeated rows: from the
small file to the large one, its peak grows by those eight bytes a row only,
never with the bytes of the file.

Marked ``slow`` and ``reliability``: about 20 seconds.
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
    small_file, large_file = tmp_path / "small.csv", tmp_path / "large.csv"
    small_rows, rows = write_runs(small_file, SIZE // 4), write_runs(large_file, SIZE)
    size = large_file.stat().st_size
    with running(db) as server:
        # A tiny upload first starts the ingest process, whose working set (its
        # imports) is then part of the baseline.
        tiny = httpx.post(
            f"{server.base_url}/v1/datasets",
            params={"name": "tiny", "format": "csv"},
            headers={"Authorization": f"Bearer {credentials.full_key}"},
            content=b"a,b\n1,2\n",
        )
        assert tiny.status_code == 201
        reader = ingest_process(server.process.pid)
        peaks = [(peak_kb(server.process.pid), peak_kb(reader))]
        uploads = []
        for data in (small_file, large_file):
            uploads.append(
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        CLIENT,
                        server.base_url,
                        credentials.full_key,
                        str(data),
                    ],
                    capture_output=True,
                    check=True,
                    timeout=600,
                )
            )
            peaks.append((peak_kb(server.process.pid), peak_kb(reader)))
    clients = [json.loads(upload.stdout) for upload in uploads]
    assert [client["rows"] for client in clients] == [small_rows, rows]
    growth = [sum(peak) * 1024 - sum(peaks[0]) * 1024 for peak in peaks[1:]]
    client_growth = (clients[1]["after_kb"] - clients[1]["before_kb"]) * 1024
    print(
        f"\n{size / 2**20:.0f} MB, {rows} rows: server peak +{growth[1] / 2**20:.0f} MB "
        f"(+{growth[0] / 2**20:.0f} MB for a quarter of it), client peak "
        f"+{client_growth / 2**20:.1f} MB"
    )
    assert client_growth < 0.05 * size
    # Four times the file: eight bytes a row more (15 MB here) and what the
    # allocator keeps, which varies by a few tens of MB from run to run; a copy
    # of the difference alone would be 75 MB.
    assert growth[1] - growth[0] < 8 * (rows - small_rows) + 48 * 2**20
    assert growth[1] < 256 * 2**20  # the fixed working set and the row hashes
