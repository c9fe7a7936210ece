"""The tabular and maintenance-text models, and /v1/embeddings, through the SDK
(sync and async, sealed with HPKE by default) and through the openai package."""

from __future__ import annotations

import numpy as np
import openai
import pytest

from aiaas.types import (
    EmbeddingResponse,
    EnergyForecast,
    EntityExtraction,
    LineHour,
    ProcessRun,
    QualityOutcome,
    SemanticFrames,
    TermEmbedding,
)
from aiaas_mock import MockServer
from tests.contract.conftest import LiveTenant
from tests.helpers import healthy_run, resolve


@pytest.mark.parametrize("model", ["quality-logreg", "quality-svm"])
async def test_quality_with_failure_mode(live: LiveTenant, model: str) -> None:
    # Wear x torque = 12,650 min Nm, past the L limit of 11,000; power stays below 9 kW.
    worn_and_loaded = ProcessRun(**healthy_run(product_type="L", torque=55.0, tool_wear=230.0))
    prediction = await resolve(
        live.client().models.predict(model, inputs=[healthy_run(), worn_and_loaded])
    )
    ok, bad = prediction.outputs_as(QualityOutcome)
    assert ok.prediction == "pass"
    assert bad.prediction == "fail"
    assert bad.failure_mode == "OSF"
    assert bad.failure_probability > 0.5 > ok.failure_probability


async def test_energy_forecast(live: LiveTenant) -> None:
    hours = [
        LineHour(throughput=240.0, ambient_temperature=t, shift="early", weekday="tuesday")
        for t in (10.0, 30.0)
    ]
    prediction = await resolve(live.client().models.predict("energy-regression", inputs=hours))
    mild, hot = prediction.outputs_as(EnergyForecast)
    assert hot.energy_kwh > mild.energy_kwh + 40  # the chillers
    assert mild.lower_kwh < mild.energy_kwh < mild.upper_kwh
    assert mild.coverage == 0.9


async def test_entities_and_frames(live: LiveTenant) -> None:
    text = "electrician to replace brg on pump 3"
    client = live.client()
    ner = await resolve(client.models.predict("maintenance-ner", inputs=[text]))
    (entities,) = ner.outputs_as(EntityExtraction)
    assert [(e.text, e.type) for e in entities.entities] == [
        ("electrician", "PhysicalObject"),
        ("replace", "Activity"),
        ("brg", "PhysicalObject"),
        ("pump", "PhysicalObject"),
    ]
    assert all(text[e.start : e.end] == e.text for e in entities.entities)
    srl = await resolve(client.models.predict("maintenance-srl", inputs=[text]))
    ((frame,),) = (f.frames for f in srl.outputs_as(SemanticFrames))
    assert frame.predicate.text == "replace"
    assert {(a.role, a.text) for a in frame.arguments} == {
        ("agent", "electrician"),
        ("patient", "brg"),
    }


async def test_similar_terms(live: LiveTenant) -> None:
    prediction = await resolve(
        live.client().models.predict(
            "maintenance-word2vec", inputs=["brg", "zzqx"], parameters={"top_k": 5}
        )
    )
    known, unknown = prediction.outputs_as(TermEmbedding)
    assert "bearing" in [t.term for t in known.most_similar]
    assert known.vector is not None
    assert len(known.vector) == 64
    assert unknown.vector is None
    assert unknown.most_similar == []


async def test_embeddings_create(live: LiveTenant) -> None:
    texts = ["replace brg on pump", "change out bearing on pmp", "a/c not working in cab"]
    result: EmbeddingResponse = await resolve(
        live.client().embeddings.create(model="maintenance-word2vec", input=texts)
    )
    assert [d.index for d in result.data] == [0, 1, 2]
    vectors = np.array([d.embedding for d in result.data])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert result.usage.prompt_tokens == 14
    single = await resolve(
        live.client().embeddings.create(model="maintenance-word2vec", input=texts[0])
    )
    assert np.allclose(single.data[0].embedding, vectors[0])


def test_the_openai_package_works_unchanged(aiaas_mock: MockServer) -> None:
    tenant = aiaas_mock.admin.create_tenant("openai-compat")
    key = aiaas_mock.admin.issue_key(tenant.id).secret.reveal()
    with openai.OpenAI(api_key=key, base_url=f"{aiaas_mock.base_url}/v1") as client:
        texts = ["hyd hose leaking", "hydraulic hose leaking"]
        packed = client.embeddings.create(model="maintenance-word2vec", input=texts)
        floats = client.embeddings.create(
            model="maintenance-word2vec", input=texts, encoding_format="float"
        )
        assert packed.model == "maintenance-word2vec"
        assert len(packed.data) == 2
        assert np.allclose(packed.data[1].embedding, floats.data[1].embedding, atol=1e-6)
        assert len(floats.data[0].embedding) == 64
        assert packed.usage.prompt_tokens == 6
        with pytest.raises(openai.NotFoundError):
            client.embeddings.create(model="no-such-model", input="x")
        with pytest.raises(openai.UnprocessableEntityError):
            client.embeddings.create(model="maintenance-word2vec", input=[[1, 2, 3]])


async def test_the_async_openai_client(aiaas_mock: MockServer) -> None:
    tenant = aiaas_mock.admin.create_tenant("openai-compat-async")
    key = aiaas_mock.admin.issue_key(tenant.id).secret.reveal()
    async with openai.AsyncOpenAI(api_key=key, base_url=f"{aiaas_mock.base_url}/v1") as client:
        result = await client.embeddings.create(model="maintenance-word2vec", input="brg u/s")
        assert len(result.data[0].embedding) == 64
