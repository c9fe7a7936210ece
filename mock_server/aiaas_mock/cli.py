"""The ``aiaas-mock`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aiaas import __version__

from .config import FAULT_KINDS, FaultConfig, FaultKind, ServerConfig


def _fault_kinds(value: str) -> tuple[FaultKind, ...]:
    kinds = tuple(kind.strip() for kind in value.split(",") if kind.strip())
    unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"choose from {','.join(FAULT_KINDS)}")
    return tuple(kind for kind in FAULT_KINDS if kind in kinds)


def _rate(value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("a rate lies between 0 and 1")
    return rate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aiaas-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"aiaas-mock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port, 0 for any free one")
    serve.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    serve.add_argument("--data-seed", type=int, default=0, help="seed of the training data")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    faults = serve.add_argument_group("fault injection (off by default)")
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
        "--no-fault-header",
        action="store_true",
        help="ignore the per-request X-Aiaas-Fault header",
    )
    return parser


def serve(args: argparse.Namespace) -> None:
    from .admin import Admin
    from .app import create_app
    from .runner import DEV_TENANT, bind_socket, uvicorn_server

    config = ServerConfig(
        db_path=args.db,
        data_seed=args.data_seed,
        faults=FaultConfig(
            rate=args.fault_rate,
            kinds=args.fault_kinds,
            seed=args.fault_seed,
            latency=args.fault_latency,
            header_enabled=not args.no_fault_header,
        ),
    )
    app = create_app(config)
    admin = Admin(app.state.services.store)
    key = admin.issue_key(admin.get_or_create_tenant(DEV_TENANT).id)
    sock = bind_socket(args.host, args.port)
    host, port = sock.getsockname()[:2]
    base_url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    secret = key.secret.reveal()
    print(f"aiaas mock server {__version__} on {base_url}")
    print(f"Development API key (tenant '{DEV_TENANT}', all scopes): {secret}")
    print(f"  export AIAAS_BASE_URL={base_url} AIAAS_API_KEY={secret}", flush=True)
    uvicorn_server(app, log_level=args.log_level, access_log=True).run(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        serve(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
