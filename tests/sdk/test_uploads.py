"""Dataset uploads in the SDK: sources, streaming, retries and waiting for jobs."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import aiaas
from aiaas._polling import JobPoll
from aiaas._uploads import CHUNK_SIZE, Upload
from tests.conftest import ClientFactory
from tests.helpers import BASE_URL, resolve

DATASET = {
    "id": "ds_1",
    "name": "runs",
    "format": "csv",
    "bytes": 8,
    "rows": 1,
    "columns": [{"name": "a", "type": "integer", "missing": 0}],
    "quality": {
        "rows": 1,
        "columns": 1,
        "duplicate_rows": 0,
        "rows_with_missing": 0,
        "constant_columns": [],
    },
    "created_at": 0,
}


def test_the_format_comes_from_the_name_or_is_asked_for(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"a\n1\n")
    (tmp_path / "a.ndjson").write_bytes(b'{"a": 1}\n')
    (tmp_path / "a.txt").write_bytes(b"a\n1\n")
    assert Upload(tmp_path / "a.csv", None).format == "csv"
    assert Upload(str(tmp_path / "a.ndjson"), None).format == "jsonl"
    assert Upload([{"a": 1}], None).format == "jsonl"
    assert Upload(tmp_path / "a.txt", "csv").media_type == "text/csv"
    with pytest.raises(ValueError, match="could not be told"):
        Upload(tmp_path / "a.txt", None)
    with pytest.raises(ValueError, match="not 'xlsx'"):
        Upload(b"a", "xlsx")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Upload(42, "csv")  # type: ignore[arg-type]


def test_sources_are_read_in_chunks_and_again_from_their_start(tmp_path: Path) -> None:
    data = b"a,b\n" + b"1,2\n" * (CHUNK_SIZE // 2)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    stream = io.BytesIO(b"junk" + data)
    stream.seek(4)
    for upload in (Upload(path, None), Upload(data, "csv"), Upload(stream, "csv")):
        assert upload.rewindable
        assert upload.size == len(data)
        chunks = list(upload.chunks())
        assert all(len(chunk) <= CHUNK_SIZE for chunk in chunks)
        assert len(chunks) > 1
        assert b"".join(chunks) == data
        assert b"".join(upload.chunks()) == data  # a retry sends the same bytes


def test_records_are_encoded_as_they_go_and_only_once() -> None:
    records = ({"x": i, "ok": i % 2 == 0, "note": None} for i in range(3))
    upload = Upload(records, "csv")
    assert not upload.rewindable
    assert upload.size is None
    assert b"".join(upload.chunks()) == b"x,ok,note\n0,true,\n1,false,\n2,true,\n"
    with pytest.raises(RuntimeError, match="already sent"):
        list(upload.chunks())
    lines = b"".join(Upload([{"x": 1.5, "tags": ["a"]}], None).chunks()).splitlines()
    assert [json.loads(line) for line in lines] == [{"x": 1.5, "tags": ["a"]}]


def test_missing_and_unwritable_values_of_records() -> None:
    # NaN is how pandas and numpy write "missing"; an infinity has no JSON number.
    numpy = pytest.importorskip("numpy")
    records = [{"x": float("nan"), "y": numpy.int64(3), "z": float("-inf"), "w": numpy.float32(2)}]
    lines = b"".join(Upload(records, "jsonl").chunks()).splitlines()
    assert [json.loads(line) for line in lines] == [{"x": None, "y": 3, "z": "-inf", "w": 2.0}]
    csv = b"".join(Upload([{"x": float("nan"), "y": 1}], "csv").chunks())
    assert csv == b"x,y\n,1\n"


def test_progress_is_told_for_every_chunk_of_every_attempt(tmp_path: Path) -> None:
    data = b"a\n" + b"1\n" * CHUNK_SIZE
    seen: list[tuple[int, int | None]] = []
    upload = Upload(data, "csv", on_progress=lambda sent, total: seen.append((sent, total)))
    list(upload.chunks())
    assert seen[0] == (0, len(data))
    assert seen[-1] == (len(data), len(data))
    assert [sent for sent, _ in seen] == sorted(sent for sent, _ in seen)
    list(upload.chunks())  # a retry starts again from nothing
    assert seen[len(seen) // 2] == (0, len(data))
    records = Upload(({"a": i} for i in range(3)), "jsonl", on_progress=lambda *a: seen.append(a))
    list(records.chunks())
    assert seen[-1][1] is None  # records' size is not known ahead


def test_tables_are_sent_as_parquet() -> None:
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"a": [1, None], "b": ["x", "y"]})
    upload = Upload(table, None)
    assert upload.format == "parquet"
    assert upload.media_type == "application/vnd.apache.parquet"
    assert upload.rewindable
    assert parquet.read_table(io.BytesIO(b"".join(upload.chunks()))).equals(table)
    with pytest.raises(ValueError, match="sent as Parquet"):
        Upload(table, "csv")


@respx.mock
async def test_an_upload_streams_with_its_type_and_length(make_client: ClientFactory) -> None:
    route = respx.post(f"{BASE_URL}/v1/datasets").mock(
        return_value=httpx.Response(201, json=DATASET)
    )
    client = make_client()
    dataset = await resolve(client.datasets.create(file=b"a\n1\n", name="runs", format="csv"))
    assert dataset.id == "ds_1"
    request = route.calls.last.request
    assert request.headers["content-type"] == "text/csv"
    assert request.headers["content-length"] == "4"
    assert request.headers["idempotency-key"]
    assert dict(request.url.params) == {"name": "runs", "format": "csv"}
    assert request.content == b"a\n1\n"


@respx.mock
async def test_a_rewindable_upload_is_retried_whole(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    path = tmp_path / "runs.csv"
    path.write_bytes(b"a\n" + b"1\n" * 100_000)
    route = respx.post(f"{BASE_URL}/v1/datasets").mock(
        side_effect=[httpx.Response(503, json={}), httpx.Response(201, json=DATASET)]
    )
    client = make_client(max_retries=2)
    await resolve(client.datasets.create(file=path, name="runs"))
    assert route.call_count == 2
    first, second = (call.request for call in route.calls)
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert second.content == path.read_bytes()


@respx.mock
async def test_records_are_not_retried(make_client: ClientFactory) -> None:
    route = respx.post(f"{BASE_URL}/v1/datasets").mock(return_value=httpx.Response(503, json={}))
    client = make_client(max_retries=3)
    with pytest.raises(aiaas.InternalServerError):
        await resolve(client.datasets.create(file=iter([{"a": 1}]), name="runs"))
    assert route.call_count == 1


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Job:
    def __init__(self, status: str, progress: float) -> None:
        self.id, self.status, self.progress = "tj_1", status, progress

    @property
    def done(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")


def test_polling_backs_off_while_nothing_moves_and_stops_at_the_timeout() -> None:
    clock = FakeClock()
    poll = JobPoll(timeout=20.0, poll_interval=1.0, clock=clock)
    waits: list[float] = []
    for progress in (0.0, 0.0, 0.0, 0.0, 0.0, 0.5):
        job = Job("running", progress)
        poll.changed(job)
        waits.append(poll.next_wait(job))
        clock.now += waits[-1]
    assert waits == [1.0, 1.5, 2.25, 3.375, 4.0, 1.0]  # grows to 4x, back when it moves
    clock.now = 19.5
    assert poll.next_wait(Job("running", 0.5)) == 0.5  # never past the timeout
    clock.now = 20.0
    with pytest.raises(aiaas.JobTimeoutError) as caught:
        poll.next_wait(Job("running", 0.5))
    assert caught.value.job_id == "tj_1"
    assert "50%" in str(caught.value)
    with pytest.raises(ValueError, match="poll_interval"):
        JobPoll(timeout=None, poll_interval=0)


@respx.mock
async def test_wait_polls_until_done_and_reports_each_change(make_client: ClientFactory) -> None:
    def job(status: str, progress: float) -> dict[str, Any]:
        return {
            "id": "tj_1",
            "model": "ridge",
            "dataset_id": "ds_1",
            "status": status,
            "progress": progress,
            "created_at": 0,
        }

    states = [
        job("queued", 0.0),
        job("running", 0.2),
        job("running", 0.2),
        job("running", 0.9),
        job("succeeded", 1.0),
    ]
    route = respx.get(f"{BASE_URL}/v1/training-jobs/tj_1").mock(
        side_effect=[httpx.Response(200, json=state) for state in states]
    )
    seen: list[tuple[str, float]] = []
    client = make_client()
    done = await resolve(
        client.training_jobs.wait(
            "tj_1", poll_interval=0.001, on_progress=lambda j: seen.append((j.status, j.progress))
        )
    )
    assert done.status == "succeeded"
    assert route.call_count == 5
    assert seen == [("queued", 0.0), ("running", 0.2), ("running", 0.9), ("succeeded", 1.0)]


@respx.mock
async def test_job_requests_are_the_wire_types_the_server_validates(
    make_client: ClientFactory,
) -> None:
    """The bodies ``create`` sends are ``TrainingJobRequest`` and
    ``BatchPredictionRequest``, the types the mock validates them with."""
    job = {"id": "j", "model": "ridge", "dataset_id": "ds_1", "status": "queued", "created_at": 0}
    training = respx.post(f"{BASE_URL}/v1/training-jobs").mock(
        return_value=httpx.Response(201, json=job)
    )
    batch = respx.post(f"{BASE_URL}/v1/batch-predictions").mock(
        return_value=httpx.Response(201, json={**job, "model": "m", "rows": 1})
    )
    client = make_client()
    await resolve(
        client.training_jobs.create(
            model=["ridge", "random-forest"],
            dataset_id="ds_1",
            target="y",
            features=("a", "b"),
            hyperparameters={"ridge": {"alpha": 0.5}},
            validation=aiaas.types.ValidationSettings(cv_folds=3, group_by="a"),
            search=None,
            metric="pr_auc",
            threshold={"min_recall": 0.9},
        )
    )
    await resolve(client.batch_predictions.create(model="m", dataset_id="ds_1"))
    sent = aiaas.types.TrainingJobRequest.model_validate_json(training.calls[0].request.content)
    assert sent.model == ["ridge", "random-forest"]
    assert sent.validation.cv_folds == 3
    assert sent.features == ["a", "b"]
    assert sent.metric == "pr_auc"
    assert sent.threshold == aiaas.types.ThresholdTarget(min_recall=0.9)
    assert aiaas.types.BatchPredictionRequest.model_validate_json(
        batch.calls[0].request.content
    ) == aiaas.types.BatchPredictionRequest(model="m", dataset_id="ds_1")


def test_resources_call_the_methods_bound_from_their_client() -> None:
    source = "\n".join(
        path.read_text()
        for path in (Path(aiaas.__file__).parent / "resources").glob("*.py")
        if path.name != "_base.py"
    )
    assert "_client._" not in source
