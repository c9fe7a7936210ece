"""A job worker process: runs the units its server sends, one at a time.

Started as ``python -m aiaas_mock.workers.worker_process ROLE`` (``jobs`` or
``ingest``, for ``ps`` to tell them apart; not by
``multiprocessing``, which would import the server program's main script again
in every worker). Frames on stdin and stdout are a 4-byte big-endian length
and a pickle: ``(function, args)`` in, ``("ok", result)`` or ``("error",
exception)`` out. Anything the unit prints goes to stderr.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time
from typing import Any

from .frames import read_frame, write_frame


def _picklable_error(error: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 - its own bytes
    except Exception:  # one that cannot travel becomes text
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


ORPHAN_CHECK_SECONDS = 1.0
"""How often a worker looks whether its server is still there."""


def _leave_with_server(server_pid: int) -> None:
    """Exit as soon as the server that started this worker is gone, even in the
    middle of a unit: a killed server (kill -9, OOM) closes no pipe a computing
    worker would notice, and its fits would run on for minutes."""
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        if os.getppid() != server_pid:
            os._exit(0)


def main() -> None:
    threading.Thread(
        target=_leave_with_server, args=(os.getppid(),), name="orphan-check", daemon=True
    ).start()
    # Frames own the real stdout; whatever else writes to stdout goes to stderr.
    frames_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    frames_in = sys.stdin.buffer
    while True:
        payload = read_frame(frames_in)
        if payload is None:
            return
        # From the server that started this process, over its private pipe.
        function, args = pickle.loads(payload)  # noqa: S301
        reply: tuple[str, Any]
        try:
            reply = ("ok", function(*args))
        except Exception as error:  # every failure goes back to the server
            reply = ("error", _picklable_error(error))
        write_frame(frames_out, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
