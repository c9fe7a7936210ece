"""The ``aiaas-mock`` command: run the server, and manage its tenants and credentials."""

from __future__ import annotations

import argparse
import errno
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aiaas import __version__

from ..config import FAULT_KINDS, QUOTA_NAMES, FaultConfig, FaultKind, ServerConfig, TenantQuotas
from ..extra import MissingMockExtra, require_mock_extra
from ..store.tenants import ALL_SCOPES

if TYPE_CHECKING:
    from .admin import Admin

EVERY_SCOPE = ",".join(sorted(ALL_SCOPES))


def _fault_kinds(value: str) -> tuple[FaultKind, ...]:
    kinds = tuple(kind.strip() for kind in value.split(",") if kind.strip())
    unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"choose from {','.join(FAULT_KINDS)}")
    return tuple(kind for kind in FAULT_KINDS if kind in kinds)


def _scopes(value: str) -> frozenset[str]:
    scopes = frozenset(scope.strip() for scope in value.split(",") if scope.strip())
    if not scopes or not scopes <= ALL_SCOPES:
        raise argparse.ArgumentTypeError(f"choose from {EVERY_SCOPE}")
    return scopes


def _rate(value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("a rate lies between 0 and 1")
    return rate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiaas-mock",
        description="Run the aiaas mock server, and manage its tenants and credentials.",
    )
    parser.add_argument("--version", action="version", version=f"aiaas-mock {__version__}")
    commands: Subcommands = parser.add_subparsers(dest="command", required=True)
    _add_serve(commands.add_parser("serve", help="run the mock server"))

    tenants = _actions(commands, "tenants", "manage tenants")
    create = _admin_action(tenants, "create", "create a tenant")
    create.add_argument("name")
    create.add_argument(
        "--require-encryption", action="store_true", help="accept only sealed request bodies"
    )
    _admin_action(tenants, "list", "list tenants")
    quotas = _admin_action(tenants, "quotas", "show a tenant's quotas, or set some of them")
    quotas.add_argument("tenant", help="tenant id or name")
    for name in QUOTA_NAMES:
        quotas.add_argument(
            f"--{name.replace('_', '-')}", dest=name, type=_count, metavar="N",
            help=f"{name} (default: the server's, {getattr(TenantQuotas(), name):,})",
        )  # fmt: skip

    for noun, what, shown in (("keys", "API key", "key"), ("clients", "OAuth client", "secret")):
        actions = _actions(commands, noun, f"manage {what}s")
        create = _admin_action(actions, "create", f"create an {what} ({shown} shown once)")
        create.add_argument("--tenant", required=True, help="tenant id or name")
        create.add_argument("--scopes", type=_scopes, default=ALL_SCOPES, help=EVERY_SCOPE)
        _admin_action(actions, "revoke", f"revoke an {what} at once").add_argument("id")
    return parser


if TYPE_CHECKING:  # argparse names no public type for it, and it is generic only to mypy
    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]


def _actions(commands: Subcommands, name: str, help: str) -> Subcommands:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help)
    return parser.add_subparsers(dest="action", required=True)


def _admin_action(actions: Subcommands, name: str, help: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=help)
    parser.add_argument("--db", required=True, help="the server's SQLite file")
    return parser


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("a quota is a number of at least 0")
    return value


def _add_serve(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port, 0 for any free one")
    serve.add_argument(
        "--grpc-port",
        type=int,
        help="serve /v2 over gRPC (inference.GRPCInferenceService) on this port too, "
        "0 for any free one",
    )
    serve.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    serve.add_argument("--data-seed", type=int, default=0, help="seed of the training data")
    serve.add_argument("--token-lifetime", type=int, default=3600, help="access token seconds")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the --db file (default 1)",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        help="seconds a client has to send a request's headers (default 10)",
    )
    serve.add_argument(
        "--body-idle-timeout",
        type=float,
        default=30.0,
        help="seconds an upload's body may send nothing before it is answered 408 (default 30)",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="believe X-Forwarded-For from this proxy (repeatable; default: from none)",
    )
    _add_jobs(serve.add_argument_group("datasets and jobs"))
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a new certificate")
    serve.add_argument("--tls-dir", type=Path, help="where --tls writes its certificates")
    serve.add_argument(
        "--require-encryption", action="store_true", help="accept only sealed request bodies"
    )
    _add_faults(serve.add_argument_group("fault injection (off by default)"))


def _add_jobs(jobs: argparse._ArgumentGroup) -> None:
    jobs.add_argument(
        "--data-dir", help="where datasets' files live (default: beside --db, or a temporary one)"
    )
    jobs.add_argument(
        "--max-dataset-bytes",
        type=int,
        default=ServerConfig.max_dataset_bytes,
        help="largest dataset upload (default 1 GiB)",
    )
    jobs.add_argument(
        "--job-workers",
        type=int,
        default=None,
        help="worker processes of the embedded pool (default: CPUs - 1)",
    )
    jobs.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run jobs on this Dask distributed scheduler (tcp://host:8786) instead "
        "of the embedded pool; needs the 'cluster' extra",
    )


def _add_faults(faults: argparse._ArgumentGroup) -> None:
    faults.add_argument("--fault-rate", type=_rate, default=0.0, help="share of requests to fail")
    faults.add_argument(
        "--fault-kinds",
        type=_fault_kinds,
        default=FAULT_KINDS,
        help=f"comma-separated, from {','.join(FAULT_KINDS)} (default: all)",
    )
    faults.add_argument("--fault-seed", type=int, default=None, help="repeatable fault sequence")
    faults.add_argument("--fault-latency", type=float, default=0.05, help="seconds of 'latency'")
    faults.add_argument(
        "--fault-header",
        action="store_true",
        help="honour the X-Aiaas-Fault header of requests with valid credentials",
    )


def serve(args: argparse.Namespace) -> None:
    from ..app import create_app
    from .admin import DEV_TENANT, Admin
    from .runner import bind_socket, free_port, uvicorn_server
    from .tls import generate_tls_files
    from .workers import serve_workers

    _check(args)
    if args.grpc_port == 0:
        args.grpc_port = free_port(args.host)
    config = _config(args)
    if args.log_level != "warning":
        show_progress(args.log_level)
    # Bound before the catalogue is built: a busy port is said at once, in a line.
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise SystemExit(
            f"aiaas-mock: port {args.port} on {args.host} is in use: pick another with "
            "--port, or --port 0 for any free one"
        ) from None
    print("aiaas mock server: building the model catalogue", file=sys.stderr, flush=True)
    app = create_app(config)
    admin = Admin.of(app.state.services)
    secret = admin.rotate_dev_key().secret.reveal()
    tls = None
    if args.tls:
        tls_dir = args.tls_dir or Path(tempfile.mkdtemp(prefix="aiaas-mock-tls-"))
        tls = generate_tls_files(tls_dir, [args.host])
    host, port = sock.getsockname()[:2]
    base_url = f"{'https' if tls else 'http'}://{f'[{host}]' if ':' in host else host}:{port}"
    print(f"aiaas mock server {__version__} on {base_url}")
    print(f"Development API key (tenant '{DEV_TENANT}', all scopes): {secret}")
    if tls:
        print(f"CA certificate: {tls.ca_cert}  (aiaas.Client(verify=...) or SSL_CERT_FILE)")
    if config.grpc_port is not None:
        host_part = f"[{host}]" if ":" in host else host
        print(f"/v2 over gRPC on {host_part}:{config.grpc_port}  (aiaas.oip.GrpcClient)")
    print(f"  export AIAAS_BASE_URL={base_url} AIAAS_API_KEY={secret}", flush=True)
    if args.workers > 1:
        # The workers build their own apps; this one only prepared the database.
        app.state.services.store.instances.leave()
        app.state.services.store.close()
        serve_workers(config, args.workers, sock, log_level=args.log_level, tls=tls)
        return
    try:
        uvicorn_server(app, log_level=args.log_level, access_log=True, tls=tls).run(sockets=[sock])
    finally:
        app.state.services.store.close()


def _config(args: argparse.Namespace) -> ServerConfig:
    return ServerConfig(
        db_path=args.db,
        data_seed=args.data_seed,
        token_lifetime=args.token_lifetime,
        header_timeout=args.header_timeout,
        body_idle_timeout=args.body_idle_timeout,
        trusted_proxies=tuple(args.trusted_proxy),
        require_encryption=args.require_encryption,
        data_dir=args.data_dir,
        max_dataset_bytes=args.max_dataset_bytes,
        cluster=args.cluster,
        grpc_port=args.grpc_port,
        grpc_host=args.host,
        **({"job_workers": args.job_workers} if args.job_workers is not None else {}),
        faults=FaultConfig(
            rate=args.fault_rate,
            kinds=args.fault_kinds,
            seed=args.fault_seed,
            latency=args.fault_latency,
            header_enabled=args.fault_header,
        ),
    )


def _check(args: argparse.Namespace) -> None:
    """Refuse settings that cannot work, before anything is built."""
    if args.cluster is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise SystemExit(
                "aiaas-mock: --cluster needs Dask distributed: pip install 'aiaas[mock,cluster]'"
            ) from None
    if args.grpc_port is not None and args.workers > 1:
        raise SystemExit("aiaas-mock: --grpc-port is served by one process: leave out --workers")
    if args.workers < 1 or (args.workers > 1 and args.db == ":memory:"):
        raise SystemExit(
            "aiaas-mock: --workers above 1 needs --db FILE, where the workers share their state"
        )


def show_progress(level: str) -> None:
    """What the server is loading, on stderr (the key and address go to stdout)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("aiaas-mock: %(message)s"))
    progress = logging.getLogger("aiaas_mock.catalogue")
    progress.addHandler(handler)
    progress.setLevel(logging.DEBUG if level == "debug" else logging.INFO)


def administer(args: argparse.Namespace) -> int:
    """Run a tenants / keys / clients action against a server's database file."""
    from ..encryption.keys import KeyStore
    from ..store import Store
    from .admin import Admin

    creates = args.command == "tenants" and args.action == "create"
    if not creates and not Path(args.db).is_file():
        # Opening a missing file would make an empty database and answer from it.
        print(
            f"aiaas-mock: no database {args.db!r} (a first 'tenants create' makes one)",
            file=sys.stderr,
        )
        return 1
    config = ServerConfig(db_path=args.db)
    store = Store.open(config)
    keys = KeyStore(
        store.db, lifetime=config.encryption_key_lifetime, overlap=config.encryption_key_overlap
    )
    try:
        return _administer(Admin(store, keys), args)
    except (LookupError, ValueError) as error:
        print(f"aiaas-mock: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _administer(admin: Admin, args: argparse.Namespace) -> int:
    command, action = args.command, args.action
    if command == "tenants" and action == "create":
        tenant = admin.create_tenant(args.name)
        if args.require_encryption:
            admin.require_encryption(tenant.id)
        sealed = " (sealed request bodies only)" if args.require_encryption else ""
        print(f"tenant {tenant.id} {tenant.name}{sealed}")
    elif command == "tenants" and action == "quotas":
        values = {name: getattr(args, name) for name in QUOTA_NAMES}
        given = {name: value for name, value in values.items() if value is not None}
        quotas = admin.set_quotas(args.tenant, **given) if given else admin.quotas(args.tenant)
        for name in QUOTA_NAMES:
            print(f"{name} {getattr(quotas, name)}")
    elif command == "tenants":
        for tenant in admin.tenants():
            print(f"{tenant.id} {tenant.name}")
    elif action == "create":
        tenant = admin.tenant(args.tenant)
        scopes = " ".join(sorted(args.scopes))
        if command == "keys":
            key = admin.issue_key(tenant.id, args.scopes)
            print(f"key {key.id} for tenant {tenant.name}, scopes: {scopes}")
            print(f"secret (shown once): {key.secret.reveal()}")
        else:
            client = admin.create_client(tenant.id, args.scopes)
            print(f"client_id {client.id} for tenant {tenant.name}, scopes: {scopes}")
            print(f"client_secret (shown once): {client.secret.reveal()}")
    else:
        revoke = admin.revoke_key if command == "keys" else admin.revoke_client
        if not revoke(args.id):
            raise LookupError(f"no active {command[:-1]} {args.id!r}")
        print(f"revoked {args.id}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        require_mock_extra()
    except MissingMockExtra as missing:
        print(f"aiaas-mock: {missing}", file=sys.stderr)
        return 2
    if args.command == "serve":
        serve(args)
        return 0
    return administer(args)


if __name__ == "__main__":
    sys.exit(main())
