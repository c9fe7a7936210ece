"""Defaults shared by the sync and async clients."""

from __future__ import annotations

import httpx

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""Where ``aiaas-mock serve`` listens by default."""

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""Per-attempt timeout."""

DEFAULT_DEADLINE = 180.0
"""Overall bound, in seconds, for one call across all its attempts and waits."""

DEFAULT_MAX_RETRIES = 2

DEFAULT_CONNECTION_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=30.0
)

API_KEY_ENV = "AIAAS_API_KEY"
BASE_URL_ENV = "AIAAS_BASE_URL"

RETRY_COUNT_HEADER = "X-Aiaas-Retry-Count"
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REQUEST_ID_HEADER = "X-Request-Id"

# Names of the encrypted-payload protocol, here so that a client can check its
# settings without loading the cryptography (aiaas.envelope) before it seals.
ENCRYPTION_HEADER = "Aiaas-Encryption"
SEALED_MEDIA_TYPE = "application/vnd.aiaas.hpke"
X25519_SUITE = "x25519-sha256-aes256gcm"
HYBRID_SUITE = "mlkem768x25519-sha256-aes256gcm"
SUITE_NAMES = (X25519_SUITE, HYBRID_SUITE)
