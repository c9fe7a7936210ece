"""The SDK against the real mock server: catalogue, pagination and predictions."""

from __future__ import annotations

import uuid

import pytest

import aiaas
from aiaas.types import Model
from aiaas_mock.zoo.regime_kmeans.data import OPERATING_CONDITIONS
from aiaas_mock.zoo.registry import system_model_ids
from tests.contract.conftest import LiveTenant
from tests.helpers import collect, healthy_run, resolve

FD002_CONDITIONS = OPERATING_CONDITIONS


def tenant_card(n: int) -> Model:
    return Model(
        id=f"tuned-{n:03d}-{uuid.uuid4().hex[:8]}",
        task="tabular-classification",
        algorithm="fine-tuned",
        version="1",
        owner="",
        created_at=n,
    )


async def test_system_models_are_listed(live: LiveTenant) -> None:
    ids = [model.id for model in await collect(live.client().models.list())]
    assert ids == system_model_ids()


async def test_pages_stay_exact_while_models_are_added(live: LiveTenant) -> None:
    admin = live.server.admin
    for n in range(13):
        admin.add_model(tenant_card(n), live.tenant.id)
    page = await resolve(live.client().models.list(limit=4))
    before = {m.id for m in await collect(live.client().models.list(limit=100))}
    seen: list[str] = []
    added = 0
    while page is not None:
        seen.extend(model.id for model in page.data)
        for _ in range(2):  # new models arrive between every two pages
            admin.add_model(tenant_card(100 + added), live.tenant.id)
            added += 1
        page = await resolve(page.next_page())
    assert len(seen) == len(set(seen)), "an item was returned twice"
    assert before <= set(seen), "an item that existed from the start was missed"
    assert len(before) == 13 + len(system_model_ids())
    assert len(seen) > len(before)  # models added ahead of the cursor are reached too


async def test_a_listing_resumes_from_a_saved_cursor(live: LiveTenant) -> None:
    everything = [m.id for m in await collect(live.client().models.list(limit=100))]
    first = await resolve(live.client().models.list(limit=3))
    assert first.next_cursor is not None
    saved = first.next_cursor
    # Later, in another process perhaps: a new client picks up where the first stopped.
    resumed = await collect(live.client().models.list(limit=3, after=saved))
    assert [m.id for m in first.data] + [m.id for m in resumed] == everything


async def test_copy_is_with_options(live: LiveTenant) -> None:
    client = live.client()
    quick = client.copy(max_retries=0)
    assert quick.max_retries == 0
    assert client.max_retries != 0
    assert (await resolve(quick.models.retrieve("quality-logreg"))).id == "quality-logreg"


async def test_tenant_models_are_invisible_to_other_tenants(live: LiveTenant) -> None:
    card = tenant_card(1)
    live.server.admin.add_model(card, live.tenant.id)
    own = live.client()
    assert (await resolve(own.models.retrieve(card.id))).owner == live.tenant.id
    other = live.server.admin.create_tenant(f"other-{card.id}")
    stranger = live.client(api_key=live.server.admin.issue_key(other.id).secret.reveal())
    with pytest.raises(aiaas.NotFoundError) as caught:
        await resolve(stranger.models.retrieve(card.id))
    assert caught.value.code == "not_found"
    listed = [m.id for m in await collect(stranger.models.list(limit=100))]
    assert card.id not in listed
    assert listed == system_model_ids()


async def test_filter_by_task(live: LiveTenant) -> None:
    models = await collect(live.client().models.list(task="clustering"))
    assert [m.id for m in models] == ["regime-kmeans"]


async def test_model_card(live: LiveTenant) -> None:
    card = await resolve(live.client().models.retrieve("quality-logreg"))
    assert card.task == "tabular-classification"
    assert card.owner == "system"
    assert card.metrics["roc_auc"] >= 0.85
    assert set(card.input_schema["properties"]) == set(healthy_run())
    assert "failure_probability" in card.output_schema["properties"]
    assert "AI4I" in card.data


async def test_quality_predictions_follow_the_failure_physics(live: LiveTenant) -> None:
    runs = [
        healthy_run(),
        healthy_run(torque=10.0, rotational_speed=2100.0),  # power below 3.5 kW
        healthy_run(product_type="L", tool_wear=235.0, torque=62.0, rotational_speed=1200.0),
        healthy_run(process_temperature=308.0, rotational_speed=1300.0, torque=48.0),  # heat
    ]
    prediction = await resolve(live.client().models.predict("quality-logreg", inputs=runs))
    outcomes = [o["prediction"] for o in prediction.outputs]
    assert outcomes == ["pass", "fail", "fail", "fail"]
    assert prediction.outputs[0]["failure_probability"] < 0.05
    assert prediction.usage.inputs == 4
    assert prediction.model == "quality-logreg"
    assert prediction.id.startswith("pred_")


async def test_threshold_parameter(live: LiveTenant) -> None:
    client = live.client()
    run = healthy_run(tool_wear=200.0, torque=52.0)
    strict = await resolve(
        client.models.predict("quality-logreg", inputs=[run], parameters={"threshold": 0.0001})
    )
    lax = await resolve(
        client.models.predict("quality-logreg", inputs=[run], parameters={"threshold": 0.9999})
    )
    assert strict.outputs[0]["prediction"] == "fail"
    assert lax.outputs[0]["prediction"] == "pass"


async def test_regimes_of_the_six_fd002_conditions(live: LiveTenant) -> None:
    inputs = [
        {"altitude": alt, "mach": mach, "throttle_resolver_angle": tra}
        for alt, mach, tra in FD002_CONDITIONS
    ]
    prediction = await resolve(live.client().models.predict("regime-kmeans", inputs=inputs))
    regimes = [o["regime"] for o in prediction.outputs]
    assert regimes == [0, 1, 2, 3, 4, 5]
    for output, (alt, mach, tra) in zip(prediction.outputs, FD002_CONDITIONS, strict=True):
        assert output["centre"]["altitude"] == pytest.approx(alt, abs=0.1)
        assert output["centre"]["mach"] == pytest.approx(mach, abs=0.01)
        assert output["centre"]["throttle_resolver_angle"] == pytest.approx(tra, abs=0.5)
        assert output["distance"] < 0.05


async def test_bad_inputs_name_the_field(live: LiveTenant) -> None:
    with pytest.raises(aiaas.UnprocessableEntityError) as caught:
        await resolve(
            live.client().models.predict(
                "regime-kmeans",
                inputs=[{"altitude": 10, "mach": 5, "throttle_resolver_angle": 100}],
            )
        )
    assert caught.value.code == "validation_error"
    assert caught.value.body is not None
    assert caught.value.body.errors[0].field == "body.inputs.0.mach"


async def test_unknown_model(live: LiveTenant) -> None:
    with pytest.raises(aiaas.NotFoundError):
        await resolve(live.client().models.predict("no-such-model", inputs=[{}]))
