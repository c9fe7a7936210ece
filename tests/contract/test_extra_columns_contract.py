"""Columns a model does not take (an id, a timestamp, the target): predict and
batch predictions treat them alike, by ``ignore_extra`` — refused by default by
predict (a misspelt field is a bug), left out by default by a batch (a dataset
holds ids and its target), each either way on request."""

from __future__ import annotations

import pytest

import aiaas
from tests.contract.conftest import LiveTenant
from tests.helpers import healthy_run, resolve

ROWS = "\n".join(
    [
        "run_id,product_type,air_temperature,process_temperature,rotational_speed,torque,tool_wear",
        "r-1,M,300.0,310.0,1500,40.0,60",
        "r-2,L,302.0,311.0,1380,65.0,220",
    ]
).encode()


async def test_predict_refuses_extra_fields_unless_told_to_leave_them_out(
    live: LiveTenant,
) -> None:
    client = live.client()
    run = {"run_id": "r-1", **healthy_run()}
    with pytest.raises(aiaas.UnprocessableEntityError) as caught:
        await resolve(client.models.predict("quality-logreg", inputs=[run]))
    assert "body.inputs.0.run_id" in str(caught.value)
    with_extra = await resolve(
        client.models.predict("quality-logreg", inputs=[run], ignore_extra=True)
    )
    plain = await resolve(client.models.predict("quality-logreg", inputs=[healthy_run()]))
    assert with_extra.outputs == plain.outputs


async def test_a_batch_leaves_extra_columns_out_unless_told_to_refuse_them(
    live: LiveTenant,
) -> None:
    client = live.client()
    dataset = await resolve(client.datasets.create(file=ROWS, name="runs", format="csv"))
    with pytest.raises(aiaas.UnprocessableEntityError) as caught:
        await resolve(
            client.batch_predictions.create(
                model="quality-logreg", dataset_id=dataset.id, ignore_extra=False
            )
        )
    assert caught.value.code == "extra_columns"
    assert "'run_id'" in str(caught.value)
    batch = await resolve(
        client.batch_predictions.create(model="quality-logreg", dataset_id=dataset.id)
    )
    assert batch.status in ("queued", "running", "succeeded")
