"""TLS settings, and the refusal to send credentials in the clear."""

from __future__ import annotations

import ipaddress
import os
import ssl

import httpx

from ._exceptions import AIaaSError

__all__ = ["VerifyTypes", "check_plaintext", "ssl_verify"]

VerifyTypes = bool | str | os.PathLike[str] | ssl.SSLContext


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_plaintext(url: httpx.URL, allow_insecure_http: bool, what: str = "base_url") -> None:
    """Refuse ``http://`` to any host but this machine, unless explicitly allowed."""
    if url.scheme == "http" and not allow_insecure_http and not is_loopback(url.host):
        raise AIaaSError(
            f"{what} {str(url)!r} would send credentials unencrypted to {url.host}; "
            "use https://, or pass allow_insecure_http=True if the network is trusted"
        )


def ssl_verify(verify: VerifyTypes) -> ssl.SSLContext | bool:
    """What httpx takes for ``verify``: a CA bundle path becomes an SSL context."""
    if isinstance(verify, (bool, ssl.SSLContext)):
        return verify
    try:
        return ssl.create_default_context(cafile=os.fspath(verify))
    except (OSError, ssl.SSLError) as error:
        raise AIaaSError(f"cannot load the CA bundle {os.fspath(verify)!r}: {error}") from None
