"""The ``aiaas`` command line against the mock: each command, tables and JSON,
and exit codes by error class."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiaas.cli import main
from aiaas_mock import MockServer
from tests.tables import surface_images


@pytest.fixture
def tenant(
    aiaas_mock: MockServer, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> str:
    """A fresh tenant's key, in the environment as a user would set it."""
    admin = aiaas_mock.admin
    key = admin.issue_key(admin.create_tenant(f"cli-{request.node.name}").id).secret.reveal()
    monkeypatch.setenv("AIAAS_BASE_URL", aiaas_mock.base_url)
    monkeypatch.setenv("AIAAS_API_KEY", key)
    return key


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_models_list_and_show_as_tables_and_json(
    tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "models", "list")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["ID", "TASK", "VERSION", "OWNER"]
    assert any(row.split()[:2] == ["defect-cnn", "image-classification"] for row in rows)
    code, out, _ = run(capsys, "--json", "models", "show", "quality-logreg")
    card = json.loads(out)
    assert card["id"] == "quality-logreg"
    assert card["metrics"]["f1"] > 0.8
    code, out, _ = run(capsys, "models", "show", "quality-logreg")
    assert "metrics:" in out
    assert "  f1: " in out


def test_predict_from_csv_and_json(
    tenant: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    runs = tmp_path / "runs.csv"
    runs.write_text(
        "product_type,air_temperature,process_temperature,rotational_speed,torque,tool_wear\n"
        "M,300.0,310.0,1500,40.0,60\nL,302.0,311.0,1380,65.0,220\n"
    )
    code, out, _ = run(capsys, "predict", "quality-logreg", "--csv", str(runs))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["#", "PREDICTION"]
    assert len(lines) == 3
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({"inputs": ["replaced leaking pump seal on loader 7"]}))
    code, out, _ = run(capsys, "--json", "predict", "maintenance-ner", "--json", str(inputs))
    assert code == 0
    assert json.loads(out)["outputs"][0]["entities"]


def test_embed(tenant: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "embed", "maintenance-word2vec", "pump", "bearing")
    assert code == 0
    assert [line.split()[:2] for line in out.splitlines()[1:]] == [
        ["pump", "64"],
        ["bearing", "64"],
    ]


def test_upload_train_follow_and_batch(
    tenant: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    csv = Path(__file__).resolve().parents[2] / "examples" / "data" / "line-3-runs.csv"
    code, out, _ = run(capsys, "--json", "datasets", "upload", str(csv), "--target", "failed")
    assert code == 0
    dataset = json.loads(out)
    assert dataset["rows"] == 3000
    code, out, _ = run(capsys, "datasets", "rows", dataset["id"], "--limit", "3")
    assert len(out.splitlines()) == 4
    assert "PART" in out.splitlines()[0]
    code, out, _ = run(
        capsys, "--json", "train", dataset["id"], "--model", "logistic-regression",
        "--target", "failed", "--hyperparameter", "C=0.5", "--wait",
    )  # fmt: skip
    assert code == 0
    job = json.loads(out)
    assert job["status"] == "succeeded"
    assert job["hyperparameters"]["C"] == 0.5
    code, out, _ = run(capsys, "jobs", "events", job["id"], "--follow")
    assert "succeeded" in out.splitlines()[-1]
    code, out, _ = run(capsys, "jobs", "list")
    assert job["id"] in out
    code, out, _ = run(capsys, "jobs", "out-of-fold", job["id"], "--limit", "5")
    assert out.splitlines()[0].split() == ["INDEX", "TRUTH", "PREDICTED", "PROBABILITIES"]
    assert len(out.splitlines()) == 6
    code, out, _ = run(
        capsys, "--json", "batch", "create", job["result_model_id"], dataset["id"], "--wait"
    )
    batch = json.loads(out)
    assert code == 0
    assert batch["status"] == "succeeded"
    results = tmp_path / "results.csv"
    code, out, _ = run(capsys, "batch", "results", batch["id"], "--csv", str(results))
    assert code == 0
    assert len(results.read_text().splitlines()) == 3001


def test_a_folder_of_images_uploads(
    tenant: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import base64

    for index, line in enumerate(surface_images(per_class=1).splitlines()):
        record = json.loads(line)
        (tmp_path / record["label"]).mkdir()
        (tmp_path / record["label"] / f"{index}.png").write_bytes(base64.b64decode(record["image"]))
    code, out, _ = run(capsys, "datasets", "upload", str(tmp_path), "--name", "shots")
    assert code == 0
    assert "rows    7" in out


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["models", "show", "quality-logregg"], 4, "Did you mean 'quality-logreg'"),
        (["predict", "quality-logreg", "--json", "-"], 5, "validation_error"),
        (["predict", "quality-logreg", "--csv", "nowhere.csv"], 5, "no file 'nowhere.csv'"),
        (["train", "ds_missing", "--model", "svm", "--hyperparameter", "C"], 5, "key=value"),
        (["jobs", "show", "tj_missing"], 4, "tj_missing"),
    ],
)
def test_errors_exit_by_class_with_one_line(
    tenant: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str], code: int, says: str,
) -> None:  # fmt: skip
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO('[{"torque": 40}]'))
    got, out, err = run(capsys, *argv)
    assert got == code
    assert err.startswith("aiaas: ")
    assert says in err
    assert len(err.splitlines()) == 1
    assert out == ""


def test_a_wrong_key_exits_3(tenant: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--api-key", "sk-wrong", "models", "list")
    assert code == 3
    assert "401" in err
    assert "sk-wrong" not in err


def test_the_installed_command_without_a_server_exits_6(tmp_path: Path) -> None:
    env = {**os.environ, "AIAAS_BASE_URL": "http://127.0.0.1:9", "AIAAS_API_KEY": "sk-x"}
    command = Path(sys.executable).with_name("aiaas")
    result = subprocess.run(
        [str(command), "models", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 6
    assert "aiaas-mock serve" in result.stderr
    usage = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 0
    assert "exit codes" in usage.stdout
    wrong = subprocess.run([str(command), "models"], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2
