"""A string that never shows itself by accident."""

from __future__ import annotations

import hmac
from typing import NoReturn

REDACTED = "**********"


class Secret:
    """Holds a secret value; ``repr``, ``str``, formatting and pickling never reveal it.

    Call :meth:`reveal` at the one place the value is really needed.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a secret must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        """The secret value itself."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{REDACTED}')"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, format_spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


def redact(text: str, secrets: tuple[Secret, ...]) -> str:
    """``text`` with every occurrence of each secret replaced by a placeholder."""
    for secret in secrets:
        text = text.replace(secret.reveal(), REDACTED)
    return text
