"""Settings of one mock server instance."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal, get_args

FaultKind = Literal["rate_limit", "unavailable", "drop", "drop_after", "latency"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)


@dataclass(frozen=True)
class FaultConfig:
    """Injected failures, so clients' retries can be tested against a real server.

    With ``rate`` > 0 each ``/v1`` request fails with that probability, in one of
    ``kinds`` chosen at random; a ``seed`` makes the sequence of choices repeatable.
    Independently, when ``header_enabled`` is true, a request with valid
    credentials may ask for a fault with the ``X-Aiaas-Fault`` header (see
    :mod:`aiaas_mock.middleware.faults`); off by default, as anyone could
    otherwise make the server fail on purpose.
    """

    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = FAULT_KINDS
    seed: int | None = None
    latency: float = 0.05
    """Seconds added by the ``latency`` kind."""
    retry_after_ms: int = 20
    """Wait asked for by ``rate_limit`` and ``unavailable`` faults."""
    header_enabled: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must lie between 0 and 1")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds must be among {', '.join(FAULT_KINDS)}")
        if self.latency < 0 or self.retry_after_ms < 0:
            raise ValueError("fault latency and retry-after must not be negative")


@dataclass(frozen=True)
class TenantQuotas:
    """What one tenant may hold and run at once; the server's default for every
    tenant, and per tenant with ``aiaas-mock tenants quotas``."""

    stored_bytes: int = 10 * 1024**3
    """Bytes of uploaded datasets kept."""
    datasets: int = 200
    jobs: int = 20
    """Training jobs and batch predictions queued or running."""
    running_jobs: int = 2
    """Jobs running at once; more wait in the queue while other tenants' run."""
    job_cost: int = 2 * 10**9
    """A training job's estimated cost in row-fits (rows x fits x the algorithm's
    weight, see ``training.cost``), refused at create above it."""
    batch_rows: int = 20_000_000
    """Rows of one batch prediction, weighted by the model's cost per row."""

    def __post_init__(self) -> None:
        if (
            min(self.stored_bytes, self.datasets, self.jobs, self.running_jobs) < 0
            or min(self.job_cost, self.batch_rows) < 0
        ):
            raise ValueError("quotas must not be negative")


QUOTA_NAMES: tuple[str, ...] = (
    "stored_bytes",
    "datasets",
    "jobs",
    "running_jobs",
    "job_cost",
    "batch_rows",
)


@dataclass(frozen=True)
class ServerConfig:
    """Everything that shapes a mock server built by :func:`aiaas_mock.create_app`."""

    db_path: str = ":memory:"
    """SQLite database file, or ``:memory:`` for one that lives as long as the app."""
    faults: FaultConfig = field(default_factory=FaultConfig)
    data_seed: int = 0
    """Seed of the synthetic data the system models are trained on."""
    idempotency_ttl: float = 24 * 3600.0
    """Seconds a stored answer to an ``Idempotency-Key`` is kept and replayed."""
    idempotency_max_bytes: int = 32 * 1024 * 1024
    """Most bytes of stored answers kept; beyond it the oldest go first (their keys
    may then run again), so memory stays bounded however many keyed calls come."""
    idempotency_lease: float = 120.0
    """Seconds after which an unfinished idempotent request counts as abandoned,
    whatever its server: the last resort behind ``instance_grace``."""
    instance_grace: float = 5.0
    """Seconds without a heartbeat after which a server process sharing the
    database counts as dead, and its unfinished requests' keys are free again."""
    max_body_bytes: int = 32 * 1024 * 1024
    grpc_port: int | None = None
    """Serve ``/v2`` over gRPC on this port too (``None``: not at all)."""
    grpc_host: str = "127.0.0.1"
    max_inputs: int = 1000
    """Most inputs accepted by one predict call."""
    max_text_chars: int = 50_000
    """Most characters of text in one call (the role labeller's cost grows with them)."""
    max_pixels: int = 4 * 2048 * 2048
    """Most decoded pixels of the images in one call."""
    max_concurrent_inference: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1))
    """Heavy calls computing at once (one core is left for light calls); more wait."""
    inference_queue_timeout: float = 30.0
    """Seconds a call waits for a slot before it is answered 503."""
    token_lifetime: int = 3600
    """Seconds an OAuth access token stays valid."""
    auth_failure_limit: int = 10
    """Failed authentications one client address may make per window before it is
    answered 429 (valid credentials keep working)."""
    auth_failure_window: float = 60.0
    header_timeout: float = 10.0
    """Seconds a client has to send a request's headers before its connection is
    closed (uvicorn bounds only the idle time between requests)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses whose ``X-Forwarded-For`` names the real client (none by default,
    so no caller can choose the address the guess limiter counts)."""
    require_encryption: bool = False
    """Refuse plaintext request bodies from every tenant (400 encryption_required)."""
    encryption_window: float = 300.0
    """Seconds a sealed request's timestamp may differ from the server's clock."""
    encryption_key_lifetime: float = 7 * 24 * 3600.0
    encryption_key_overlap: float = 3600.0
    """Seconds a rotated-out key stays usable next to its successor."""
    data_dir: str | None = None
    """Where datasets' files live: beside a database file (``<db>.data``) by
    default, or a temporary directory removed with an in-memory database."""
    max_dataset_bytes: int = 1024 * 1024 * 1024
    """Largest dataset upload (streamed to disk, never held in memory)."""
    max_dataset_line_bytes: int = 16 * 1024 * 1024
    """Longest line of a dataset upload (422 ``line_too_long`` naming it): ingest
    reads wide rows a few at a time, and one line is the least it can hold."""
    body_idle_timeout: float = 30.0
    """Seconds an upload's body may send nothing before the upload is answered 408
    and its scratch files removed (a stalled client holds no disk or slot)."""
    max_page_bytes: int = 4 * 1024 * 1024
    """Most bytes of stored rows or results in one page: a page of wide rows stops
    early (with a cursor) rather than hold ``limit`` of them in memory."""
    job_workers: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1))
    """Worker processes of the embedded pool that runs training and batch units."""
    job_drivers: int = 4
    """Jobs running at once on this server, at most ``quotas.running_jobs`` of one
    tenant; more wait in the queue (their units share the workers)."""
    quotas: TenantQuotas = field(default_factory=TenantQuotas)
    """Every tenant's quotas unless set for it (``GET /v1/quotas`` shows a tenant its own)."""
    cluster: str | None = None
    """Scheduler address of a Dask distributed cluster (``tcp://host:8786``) to run
    jobs on instead of the embedded pool; needs the ``cluster`` extra."""

    def __post_init__(self) -> None:
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be at least one second")
        if self.auth_failure_limit < 1 or self.auth_failure_window <= 0:
            raise ValueError("the auth failure limit and window must be positive")
        if not 0 < self.encryption_key_overlap < self.encryption_key_lifetime:
            raise ValueError("the key overlap must be positive and shorter than a key's life")
        if min(self.max_text_chars, self.max_pixels, self.max_concurrent_inference) < 1:
            raise ValueError("per-call limits and inference slots must be positive")
        if self.instance_grace <= 0:
            raise ValueError("instance_grace must be positive")
        if self.encryption_window <= 0:
            raise ValueError("the encryption window must be positive")
        if self.header_timeout <= 0 or self.body_idle_timeout <= 0:
            raise ValueError("header_timeout and body_idle_timeout must be positive")
        sizes = (self.max_dataset_bytes, self.max_dataset_line_bytes, self.max_page_bytes)
        if min(self.job_workers, self.job_drivers, *sizes) < 1:
            raise ValueError("job workers, job drivers and the dataset limit must be positive")
        if self.idempotency_ttl <= 0 or self.idempotency_max_bytes < 0:
            raise ValueError("the idempotency retention must be positive")
