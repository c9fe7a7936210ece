"""``aiaas``: the SDK from a terminal. ``aiaas --help`` lists the commands.

Every command is one or two SDK calls (:mod:`aiaas.cli._commands`); errors end
the process with one line on standard error and an exit code by their class.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .._client import Client
from .._exceptions import (
    AIaaSError,
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._commands import COMMANDS, JobFailed
from ._inputs import CommandError
from ._output import Printer
from ._parser import build_parser

__all__ = ["EXIT_CODES", "main"]

EXIT_CODES: dict[type[BaseException], int] = {
    AuthenticationError: 3,
    PermissionDeniedError: 3,
    NotFoundError: 4,
    BadRequestError: 5,
    UnprocessableEntityError: 5,
    CommandError: 5,
    APIConnectionError: 6,
    JobTimeoutError: 6,
    RateLimitError: 7,
    JobFailed: 8,
}
"""Exit code by error class (its first listed base that matches); any other
error of the SDK exits 1, a usage error 2."""


def _exit_code(error: BaseException) -> int:
    for kind, code in EXIT_CODES.items():
        if isinstance(error, kind):
            return code
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = " ".join(part for part in (args.command, getattr(args, "action", None)) if part)
    try:
        with Client(api_key=args.api_key, base_url=args.base_url) as client:
            COMMANDS[command](client, args, Printer(args.as_json))
    except (AIaaSError, CommandError, JobFailed) as error:
        print(f"aiaas: {error}", file=sys.stderr)
        return _exit_code(error)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
