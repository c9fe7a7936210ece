"""A client that goes away mid-upload costs one log line, not a traceback, and
leaves no scratch files."""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import urlsplit

import pytest

from aiaas_mock import MockServer


def test_a_disconnect_mid_upload_is_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with MockServer() as server:
        address = urlsplit(server.base_url)
        datasets = server.services.store.data_dir / "datasets"
        for _ in range(3):
            with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
                sock.sendall(
                    b"POST /v1/datasets?name=gone&format=csv HTTP/1.1\r\n"
                    + f"Host: {address.netloc}\r\n".encode()
                    + f"Authorization: Bearer {server.api_key}\r\n".encode()
                    + b"Content-Type: text/csv\r\nContent-Length: 100000\r\n\r\na,b\n1,2\n"
                )
                time.sleep(0.2)  # the upload has begun
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sum(_went_away(caplog.records)) < 3:
            time.sleep(0.05)
        assert sum(_went_away(caplog.records)) == 3
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
        assert not [p for p in datasets.iterdir() if p.name.startswith("tmp-")]


def _went_away(records: list[logging.LogRecord]) -> list[bool]:
    return [r.getMessage().startswith("The client went away") for r in records]
