"""Where credentials come from: arguments, environment, then a profile file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import aiaas
from aiaas._credentials_chain import resolve

SECRET = "aiaas_cs_profile-secret-value"


def write_profile(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


@pytest.fixture
def credentials_file() -> Path:
    return Path(os.environ["AIAAS_CREDENTIALS_FILE"])


def test_arguments_come_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIAAS_API_KEY", "from-env")
    creds = aiaas.ClientCredentials("cid", "secret")
    assert resolve(creds, None).credentials is creds
    key = resolve(None, "from-arg").credentials
    assert isinstance(key, aiaas.ApiKey)
    assert key.secrets()[0].reveal() == "from-arg"


def test_api_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIAAS_API_KEY", "aiaas_sk_env")
    resolved = resolve(None, None).credentials
    assert isinstance(resolved, aiaas.ApiKey)


def test_client_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIAAS_CLIENT_ID", "cli_1")
    monkeypatch.setenv("AIAAS_CLIENT_SECRET", "aiaas_cs_env")
    monkeypatch.setenv("AIAAS_SCOPES", "models:read inference")
    resolved = resolve(None, None).credentials
    assert isinstance(resolved, aiaas.ClientCredentials)
    assert resolved.client_id == "cli_1"
    assert resolved.scopes == ("models:read", "inference")


def test_half_a_client_in_the_environment_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIAAS_CLIENT_ID", "cli_1")
    with pytest.raises(aiaas.AIaaSError, match="both"):
        resolve(None, None)


def test_default_profile(credentials_file: Path) -> None:
    write_profile(
        credentials_file,
        '[default]\napi_key = "aiaas_sk_profile"\nbase_url = "https://plant.example"\n',
    )
    resolved = resolve(None, None)
    assert isinstance(resolved.credentials, aiaas.ApiKey)
    assert resolved.base_url == "https://plant.example"
    with aiaas.Client() as client:
        assert str(client.base_url) == "https://plant.example"


def test_named_profile_with_client_credentials(
    credentials_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile(
        credentials_file,
        '[default]\napi_key = "aiaas_sk_x"\n\n[plant-7]\nclient_id = "cli_7"\n'
        f'client_secret = "{SECRET}"\nscopes = ["inference"]\n'
        'token_url = "https://login.example/token"\n',
    )
    monkeypatch.setenv("AIAAS_PROFILE", "plant-7")
    resolved = resolve(None, None).credentials
    assert isinstance(resolved, aiaas.ClientCredentials)
    assert (resolved.client_id, resolved.scopes) == ("cli_7", ("inference",))
    assert str(resolved.token_url) == "https://login.example/token"


def test_the_environment_wins_over_the_profile(
    credentials_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile(credentials_file, '[default]\napi_key = "aiaas_sk_profile"\n')
    monkeypatch.setenv("AIAAS_API_KEY", "aiaas_sk_env")
    key = resolve(None, None).credentials
    assert key.secrets()[0].reveal() == "aiaas_sk_env"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_file_others_can_read_is_refused(credentials_file: Path, mode: int) -> None:
    write_profile(credentials_file, '[default]\napi_key = "aiaas_sk_x"\n', mode)
    with pytest.raises(aiaas.AIaaSError, match="chmod 600"):
        resolve(None, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'[default\napi_key = "{SECRET}"', "cannot read"),
        (f'[other]\napi_key = "{SECRET}"\n', r"no profile \[default\]"),
        ('[default]\nclient_id = "c"\n', "no client_secret"),
        (f'[default]\napi_key = "{SECRET}"\nclient_id = "c"\n', "keep one"),
        ("[default]\nbase_url = 'https://x'\n", "neither"),
        (
            f'[default]\nclient_id = "c"\nclient_secret = "{SECRET}"\nscopes = "inference"\n',
            "list of strings",
        ),
        ("[default]\napi_key = 3\n", "must be a string"),
    ],
)
def test_bad_files_say_what_is_wrong_without_quoting_secrets(
    credentials_file: Path, text: str, message: str
) -> None:
    write_profile(credentials_file, text)
    with pytest.raises(aiaas.AIaaSError, match=message) as caught:
        resolve(None, None)
    assert SECRET not in str(caught.value)


def test_nothing_found_names_every_source() -> None:
    with pytest.raises(aiaas.AIaaSError) as caught:
        resolve(None, None)
    text = str(caught.value)
    for name in ("AIAAS_API_KEY", "AIAAS_CLIENT_ID", os.environ["AIAAS_CREDENTIALS_FILE"]):
        assert name in text


def test_a_named_profile_without_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIAAS_PROFILE", "plant-7")
    with pytest.raises(aiaas.AIaaSError, match="plant-7"):
        resolve(None, None)
