"""aiaas.inputs: model inputs from bytes, paths and arrays, without numpy in the SDK."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest

import aiaas
from tests.helpers import healthy_run

PNG = b"\x89PNG\r\n\x1a\n" + b"rest-of-file"


def test_image_from_bytes_and_paths(tmp_path: Path) -> None:
    path = tmp_path / "part.png"
    path.write_bytes(PNG)
    expected = {"image": base64.b64encode(PNG).decode()}
    assert aiaas.inputs.image(PNG) == expected
    assert aiaas.inputs.image(path) == expected
    assert aiaas.inputs.image(str(path)) == expected
    with pytest.raises(ValueError, match="PNG"):
        aiaas.inputs.image(b"GIF89a")


def test_image_from_arrays() -> None:
    assert aiaas.inputs.image([[0, 255], [255, 0]]) == {"pixels": [[0, 255], [255, 0]]}
    assert aiaas.inputs.image(np.eye(2, dtype=np.uint8)) == {"pixels": [[1, 0], [0, 1]]}
    with pytest.raises(ValueError, match="grayscale"):
        aiaas.inputs.image(np.zeros((4, 4, 3)))


def test_sensor_window_from_a_mapping_or_an_array() -> None:
    by_name = aiaas.inputs.sensor_window({"T24": np.array([1.0, 2.0]), "T30": (3, 4)})
    assert by_name == {"sensors": {"T24": [1.0, 2.0], "T30": [3.0, 4.0]}}
    by_column = aiaas.inputs.sensor_window([[1, 3], [2, 4]], names=["T24", "T30"])
    assert by_column == by_name
    with pytest.raises(ValueError, match="names"):
        aiaas.inputs.sensor_window([[1, 3]])
    with pytest.raises(ValueError, match="2 readings"):
        aiaas.inputs.sensor_window([[1, 3, 5]], names=["T24", "T30"])


def test_the_sdk_does_not_import_numpy_or_torch() -> None:
    import subprocess
    import sys

    code = "import sys, aiaas; print('numpy' in sys.modules, 'torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_every_input_is_built_from_one_module() -> None:
    assert aiaas.inputs.ProcessRun is aiaas.types.ProcessRun
    run = aiaas.inputs.ProcessRun.model_validate(healthy_run())
    assert run.model_dump() == healthy_run()


def test_a_model_id_of_none_is_refused_before_sending_with_what_to_do() -> None:
    import aiaas

    with aiaas.Client(base_url="http://127.0.0.1:9", api_key="k", max_retries=0) as client:
        with pytest.raises(ValueError, match=r"training_jobs\.wait\(job\.id\)"):
            client.models.predict(None, inputs=[{"x": 1}])  # type: ignore[call-overload]
        with pytest.raises(ValueError, match="not ''"):
            client.models.retrieve("")


def test_a_handle_checks_mapping_rows_before_sending() -> None:
    import aiaas
    from aiaas.system_models import quality_logreg

    run = dict(healthy_run())
    run["Torque"] = run.pop("torque")
    with (
        aiaas.Client(base_url="http://127.0.0.1:9", api_key="k", max_retries=0) as client,
        pytest.raises(ValueError, match=r"^inputs\[1\]") as refused,
    ):
        client.models.predict(quality_logreg, inputs=[healthy_run(), run])  # type: ignore[list-item]
    message = str(refused.value)
    assert message.startswith("inputs[1] is not a ProcessRun: torque: Field required; ")
    assert "Torque: Extra inputs are not permitted" in message
    assert "(its fields: product_type, " in message


def test_a_class_looks_up_its_probability_whatever_its_type() -> None:
    from aiaas.types import ClassPrediction

    boolean = ClassPrediction.model_validate(
        {"label": True, "probabilities": {"true": 0.8, "false": 0.2}}
    )
    assert boolean.probabilities[boolean.label] == 0.8
    assert boolean.probabilities["true"] == 0.8  # the wire's text keys still work
    assert boolean.probabilities.__contains__(False)
    assert boolean.probabilities.get(False) == 0.2
    assert boolean.model_dump_json() == '{"label":true,"probabilities":{"true":0.8,"false":0.2}}'
    numbered = ClassPrediction.model_validate({"label": 3, "probabilities": {"3": 0.6, "1": 0.4}})
    assert numbered.probabilities[numbered.label] == 0.6
    assert not numbered.probabilities.__contains__(2)


def test_a_pillow_image_is_sent_as_a_lossless_png() -> None:
    import base64
    import io

    Image = pytest.importorskip("PIL.Image")
    import aiaas

    picture = Image.new("RGB", (12, 9), (200, 10, 10))
    sent = aiaas.inputs.image(picture)
    back = Image.open(io.BytesIO(base64.b64decode(sent["image"])))  # type: ignore[typeddict-item]
    assert back.format == "PNG"
    assert back.size == (12, 9)
    assert back.getpixel((3, 3)) == (200, 10, 10)
