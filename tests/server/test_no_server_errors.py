"""No input, however odd, makes the server answer 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiaas_mock import FaultConfig, ServerConfig
from aiaas_mock.zoo.registry import system_model_ids
from tests.helpers import healthy_run
from tests.server.conftest import Harness, make_harness

pixel_rows = st.lists(
    st.lists(
        st.integers(0, 255)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.lists(st.integers(0, 3), max_size=2),
        min_size=7,
        max_size=9,
    ),
    min_size=7,
    max_size=9,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
run_fields = st.fixed_dictionaries(
    {},
    optional={
        name: json_values | st.floats(allow_nan=False, allow_infinity=False)
        for name in healthy_run()
    },
)
deep_inputs = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={"pixels": pixel_rows | json_values, "image": st.text(max_size=40) | json_values},
    ),
    st.fixed_dictionaries(
        {
            "sensors": st.dictionaries(
                st.sampled_from(["T24", "T30", "P30", "bogus"]),
                st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=35)
                | json_values,
                max_size=4,
            )
        }
    ),
)
texts = st.text(max_size=60) | st.text(min_size=990, max_size=1010)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"inputs": st.lists(deep_inputs, max_size=3)}),
    st.fixed_dictionaries(
        {"inputs": st.lists(texts | json_values, max_size=4)},
        optional={"parameters": json_values},
    ),
    st.fixed_dictionaries(
        {"inputs": st.lists(run_fields | json_values, max_size=4)},
        optional={"parameters": json_values},
    ),
)

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def shared() -> Iterator[Harness]:
    # The fault header is heard, so that its parsing is fuzzed too.
    yield from make_harness(ServerConfig(faults=FaultConfig(header_enabled=True)))


def check(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"]


@pytest.mark.parametrize("model", [*system_model_ids(), "nope"])
@SETTINGS
@given(body=bodies)
def test_predict_bodies(shared: Harness, model: str, body: Any) -> None:
    check(shared.http.post(f"/v1/models/{model}/predict", json=body, headers=shared.auth()))


embedding_bodies = json_values | st.fixed_dictionaries(
    {},
    optional={
        "model": st.sampled_from(["maintenance-word2vec", "defect-cnn", "nope"]) | json_values,
        "input": texts | st.lists(texts | st.integers(), max_size=4) | json_values,
        "encoding_format": st.sampled_from(["float", "base64"]) | json_values,
        "dimensions": st.integers(-2, 100) | json_values,
        "user": json_values,
    },
)


@SETTINGS
@given(body=embedding_bodies)
def test_embedding_bodies(shared: Harness, body: Any) -> None:
    check(shared.http.post("/v1/embeddings", json=body, headers=shared.auth()))


@SETTINGS
@given(
    raw=st.binary(max_size=200),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
    ),
)
def test_raw_bodies(shared: Harness, raw: bytes, content_type: str) -> None:
    headers = {**shared.auth(), "content-type": content_type}
    check(shared.http.post("/v1/models/quality-logreg/predict", content=raw, headers=headers))


@SETTINGS
@given(
    query=st.dictionaries(
        st.sampled_from(["limit", "after", "task", "other"]), st.text(max_size=40), max_size=4
    ),
    model_id=st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=200),
    header=st.text(max_size=60).filter(lambda v: v.isprintable() and v.isascii()),
)
def test_queries_paths_and_headers(
    shared: Harness, query: dict[str, str], model_id: str, header: str
) -> None:
    check(shared.http.get("/v1/models", params=query, headers=shared.auth()))
    check(shared.http.get(f"/v1/models/{model_id}", headers=shared.auth()))
    check(shared.http.get("/v1/models", headers={"Authorization": header}))
    check(
        shared.http.post(
            "/v1/models/quality-logreg/predict",
            json={"inputs": [healthy_run()]},
            headers={**shared.auth(), "Idempotency-Key": header, "X-Aiaas-Fault": header},
        )
    )
