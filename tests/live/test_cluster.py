"""The job contract tests again, with the mock server running its jobs on a Dask
``LocalCluster`` (two worker processes on 127.0.0.1) instead of its embedded pool.

The cluster and the server run from ``.engines/dask`` (``.ci/install-engines``
installs ``aiaas[mock,cluster]`` there); both are stopped at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import aiaas
from aiaas_mock import ServerConfig
from aiaas_mock.encryption.keys import KeyStore
from aiaas_mock.store import Store
from aiaas_mock.tools.admin import Admin
from tests.contract import test_training_contract as contract
from tests.contract.conftest import LiveTenant
from tests.helpers import FAST_RETRIES
from tests.live.conftest import ENGINES, LAUNCHERS, free_port
from tests.reliability.test_abusive_tenant import LARGEST_JOB, SMALL_JOB
from tests.tables import machining_runs

DASK_PYTHON = ENGINES / "dask" / "bin" / "python"

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not DASK_PYTHON.exists(), reason="run .ci/install-engines for Dask"),
]


@dataclass
class ClusterServer:
    """An ``aiaas-mock serve --cluster`` process, administered through its database."""

    base_url: str
    admin: Admin
    scheduler: str


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("dask") / "cluster.log"
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [str(DASK_PYTHON), str(LAUNCHERS / "dask_cluster.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        )
    assert process.stdout is not None
    assert process.stdin is not None
    address = process.stdout.readline().decode().strip()
    if not address.startswith("tcp://127.0.0.1:"):
        _stop(process)
        raise RuntimeError(f"the cluster did not start: {address!r}")
    yield address
    process.stdin.close()
    _stop(process)
    process.stdout.close()


@pytest.fixture(scope="module")
def cluster_server(
    scheduler: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterServer]:
    db = tmp_path_factory.mktemp("cluster") / "aiaas.db"
    port = free_port()
    log = db.with_name("server.log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(DASK_PYTHON), "-m", "aiaas_mock", "serve", "--db", str(db), "--port", str(port),
             "--cluster", scheduler, "--log-level", "warning"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"the server did not start: {log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    store = Store.open(ServerConfig(db_path=str(db)))
    admin = Admin(store, KeyStore(store.db, lifetime=3600.0, overlap=60.0))
    try:
        yield ClusterServer(base_url, admin, scheduler)
    finally:
        _stop(process)
        store.close()


@pytest.fixture(params=["sync", "async"])
async def live(
    request: pytest.FixtureRequest, cluster_server: ClusterServer
) -> AsyncIterator[LiveTenant]:
    """A new tenant of the cluster-backed server (the contract tests' fixture)."""
    tenant = cluster_server.admin.create_tenant(f"{request.node.name}-{id(request)}")
    key = cluster_server.admin.issue_key(tenant.id)
    made: list[Any] = []
    kind = aiaas.Client if request.param == "sync" else aiaas.AsyncClient

    def client(**options: Any) -> Any:
        options.setdefault("api_key", key.secret.reveal())
        options.setdefault("base_url", cluster_server.base_url)
        options.setdefault("retry_policy", FAST_RETRIES)
        made.append(kind(**options))
        return made[-1]

    yield LiveTenant(cluster_server, tenant, key, client)  # type: ignore[arg-type]
    for item in made:
        if isinstance(item, aiaas.AsyncClient):
            await item.close()
        else:
            item.close()


def test_jobs_run_on_the_clusters_workers(cluster_server: ClusterServer) -> None:
    # The project's environment has no Dask (it is the server's optional extra):
    # the cluster's own Python asks the scheduler.
    script = (
        "from distributed import Client\n"
        f"client = Client({cluster_server.scheduler!r}, timeout=10)\n"
        "print(len(client.scheduler_info()['workers']))\n"
    )
    out = subprocess.run([str(DASK_PYTHON), "-c", script], capture_output=True, check=True)
    assert out.stdout.decode().strip() == "2"
    tenant = cluster_server.admin.create_tenant("where-jobs-run")
    key = cluster_server.admin.issue_key(tenant.id).secret.reveal()
    with aiaas.Client(base_url=cluster_server.base_url, api_key=key) as client:
        dataset = client.datasets.create(file=b"x,y\n" + b"1,2\n2,4\n3,6\n" * 10, name="d",
                                         format="csv")  # fmt: skip
        job = client.training_jobs.create(model="ridge", dataset_id=dataset.id, target="y")
        job = client.training_jobs.wait(job.id, timeout=120, poll_interval=0.2)
        assert job.status == "succeeded", job.error
        started = next(e for e in client.training_jobs.events(job.id) if e.type == "started")
        assert started.data == {"executor": "cluster", "workers": 2}


def test_a_tenants_small_job_goes_between_anothers_large_ones(
    cluster_server: ClusterServer,
) -> None:
    """Tenant A keeps both workers busy with long units (a 200-tree forest on
    20,000 rows, about 7 s each) and queues more jobs; tenant B's short units go
    ahead of A's queued ones (Dask priorities), so B waits for a running unit per
    step, never for A's queue (10.4 s here; 13.3 s without the priorities, since
    a job keeps only a unit per worker in flight). The bound catches starvation
    (A's queue is hours of units), not those seconds."""
    clients = []
    for name in ("a-fair", "b-fair"):
        tenant = cluster_server.admin.create_tenant(name)
        key = cluster_server.admin.issue_key(tenant.id).secret.reveal()
        clients.append(aiaas.Client(base_url=cluster_server.base_url, api_key=key, timeout=120))
    a, b = clients
    try:
        big = a.datasets.create(file=machining_runs(rows=20_000), name="big", format="csv")
        small = b.datasets.create(file=machining_runs(rows=200), name="small", format="csv")
        jobs = [a.training_jobs.create(dataset_id=big.id, **LARGEST_JOB) for _ in range(4)]  # type: ignore[arg-type]
        deadline = time.monotonic() + 60
        while sum(a.training_jobs.retrieve(j.id).status == "running" for j in jobs) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(3.0)  # A's units hold both workers, more queued behind them
        started = time.monotonic()
        job = b.training_jobs.create(dataset_id=small.id, **SMALL_JOB)  # type: ignore[arg-type]
        job = b.training_jobs.wait(job.id, timeout=120, poll_interval=0.1)
        assert job.status == "succeeded", job.error
        assert time.monotonic() - started < 30.0
        assert {a.training_jobs.retrieve(j.id).status for j in jobs} <= {"queued", "running"}
        for queued in jobs:
            a.training_jobs.cancel(queued.id)
    finally:
        for client in clients:
            client.close()


test_upload_train_search_predict_and_batch = contract.test_upload_train_search_predict_and_batch
test_three_algorithms_compared_on_the_same_folds = (
    contract.test_three_algorithms_compared_on_the_same_folds
)
test_cancelling_a_running_job = contract.test_cancelling_a_running_job
test_a_tenants_data_jobs_and_models_are_its_own = (
    contract.test_a_tenants_data_jobs_and_models_are_its_own
)
test_bad_training_requests_are_refused_before_they_are_queued = (
    contract.test_bad_training_requests_are_refused_before_they_are_queued
)
test_rows_that_fail_carry_their_error_and_the_rest_complete = (
    contract.test_rows_that_fail_carry_their_error_and_the_rest_complete
)
test_text_models_read_the_named_column = contract.test_text_models_read_the_named_column
test_waiting_gives_up_at_its_timeout_and_the_job_goes_on = (
    contract.test_waiting_gives_up_at_its_timeout_and_the_job_goes_on
)
test_fine_tuning_a_zoo_family_and_serving_it = contract.test_fine_tuning_a_zoo_family_and_serving_it
