"""Where credentials come from when none are given: environment, then a profile."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._constants import API_KEY_ENV
from ._credentials import ApiKey, ClientCredentials, Credentials
from ._exceptions import AIaaSError
from ._secret import Secret

__all__ = ["Resolved", "credentials_file", "resolve"]

CLIENT_ID_ENV = "AIAAS_CLIENT_ID"
CLIENT_SECRET_ENV = "AIAAS_CLIENT_SECRET"  # noqa: S105 (a variable name)
SCOPES_ENV = "AIAAS_SCOPES"
PROFILE_ENV = "AIAAS_PROFILE"
CREDENTIALS_FILE_ENV = "AIAAS_CREDENTIALS_FILE"
DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class Resolved:
    credentials: Credentials
    base_url: str | None = None
    """A base URL named next to the credentials (in a profile), if any."""


def resolve(
    credentials: Credentials | None,
    api_key: str | Secret | None,
    environ: Mapping[str, str] = os.environ,
) -> Resolved:
    """The client's credentials, by the first rule that applies:

    1. the ``credentials=`` or ``api_key=`` argument;
    2. ``AIAAS_API_KEY``, or ``AIAAS_CLIENT_ID`` with ``AIAAS_CLIENT_SECRET``
       (and optionally ``AIAAS_SCOPES``, space-separated);
    3. the profile ``AIAAS_PROFILE`` (default ``default``) of the credentials file.
    """
    if credentials is not None and api_key is not None:
        raise AIaaSError("pass either credentials= or api_key=, not both")
    if credentials is not None:
        return Resolved(credentials)
    if api_key is not None:
        return Resolved(ApiKey(api_key))
    from_env = _from_environment(environ)
    if from_env is not None:
        return Resolved(from_env)
    path = credentials_file(environ)
    profile = environ.get(PROFILE_ENV) or DEFAULT_PROFILE
    if path.exists():
        return _from_profile(path, profile)
    if PROFILE_ENV in environ:
        raise AIaaSError(f"{PROFILE_ENV} is {profile!r} but there is no credentials file {path}")
    raise AIaaSError(
        f"no credentials: pass api_key= or credentials= to the client, set {API_KEY_ENV} "
        f"(or {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}), or write a profile to {path}"
    )


def credentials_file(environ: Mapping[str, str] = os.environ) -> Path:
    """``AIAAS_CREDENTIALS_FILE``, else ``$XDG_CONFIG_HOME/aiaas/credentials``."""
    explicit = environ.get(CREDENTIALS_FILE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "aiaas" / "credentials"


def _from_environment(environ: Mapping[str, str]) -> Credentials | None:
    key = environ.get(API_KEY_ENV)
    if key:
        return ApiKey(key)
    client_id, client_secret = environ.get(CLIENT_ID_ENV), environ.get(CLIENT_SECRET_ENV)
    if client_id and client_secret:
        return ClientCredentials(
            client_id, client_secret, scopes=environ.get(SCOPES_ENV, "").split()
        )
    if client_id or client_secret:
        raise AIaaSError(f"set both {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}, or neither")
    return None


def _from_profile(path: Path, profile: str) -> Resolved:
    _refuse_if_readable_by_others(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        # The parser's message may quote the file's text, secrets included.
        raise AIaaSError(
            f"cannot read the credentials file {path} ({type(error).__name__})"
        ) from None
    section = document.get(profile)
    if not isinstance(section, dict):
        raise AIaaSError(f"the credentials file {path} has no profile [{profile}]")
    return Resolved(
        _profile_credentials(section, path, profile), _optional_str(section, "base_url")
    )


def _profile_credentials(section: dict[str, Any], path: Path, profile: str) -> Credentials:
    where = f"profile [{profile}] of {path}"
    api_key = _optional_str(section, "api_key")
    client_id = _optional_str(section, "client_id")
    if api_key and client_id:
        raise AIaaSError(f"{where} has both api_key and client_id; keep one")
    if api_key:
        return ApiKey(api_key)
    if client_id:
        secret = _optional_str(section, "client_secret")
        if not secret:
            raise AIaaSError(f"{where} has client_id but no client_secret")
        scopes = section.get("scopes", [])
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise AIaaSError(f"scopes in {where} must be a list of strings")
        return ClientCredentials(
            client_id, secret, scopes=scopes, token_url=_optional_str(section, "token_url")
        )
    raise AIaaSError(f"{where} has neither api_key nor client_id")


def _optional_str(section: dict[str, Any], name: str) -> str | None:
    value = section.get(name)
    if value is not None and not isinstance(value, str):
        raise AIaaSError(f"{name} in the credentials file must be a string")
    return value


def _refuse_if_readable_by_others(path: Path) -> None:
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AIaaSError(
            f"the credentials file {path} is open to other users (mode {stat.filemode(mode)}); "
            f"make it private with: chmod 600 {path}"
        )
