"""defect-cnn: the generator, the shipped weights' accuracy, training determinism."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aiaas._image_sets import PNG_SIGNATURE
from aiaas_mock.zoo.defect_cnn import DEFECT_CNN
from aiaas_mock.zoo.defect_cnn.data import CLASSES, generate_images
from aiaas_mock.zoo.defect_cnn.network import probabilities, resize, train
from aiaas_mock.zoo.defect_cnn.serving import DefectClassifier, decode_image
from aiaas_mock.zoo.defect_cnn.train import (
    accuracy,
    confusion,
    confusion_metrics,
    digits_accuracy,
)
from aiaas_mock.zoo.kit.torch_helpers import torch_module
from aiaas_mock.zoo.shipped_weights import WeightsIntegrityError


def _classifier() -> DefectClassifier:
    classifier = DEFECT_CNN.load(0, {}).predictor
    assert isinstance(classifier, DefectClassifier)
    return classifier


def test_generator_is_deterministic() -> None:
    first, labels = generate_images(3, seed=5)
    again, _ = generate_images(3, seed=5)
    other, _ = generate_images(3, seed=6)
    assert first.shape == (21, 64, 64)
    assert first.dtype == np.uint8
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert sorted(np.bincount(labels)) == [3] * 7


@pytest.mark.slow
def test_shipped_weights_reach_their_card_accuracy() -> None:
    images, labels = generate_images(200, seed=1)
    measured = confusion_metrics(confusion(_classifier().network, images, labels))
    # float32 convolutions on another CPU's kernels may flip an image or two of 1,400.
    for name, value in DEFECT_CNN.metrics(0).items():
        assert measured[name] == pytest.approx(value, abs=0.01), name


def test_card_states_recall_by_class_and_rarely_calls_a_defect_clean() -> None:
    metrics = DEFECT_CNN.metrics(0)
    assert metrics["accuracy"] >= 0.85
    assert all(metrics[f"recall_{name}"] >= 0.8 for name in CLASSES)
    assert metrics["defects_called_no_defect"] <= 0.05


def test_clean_surfaces_are_smoother_than_defect_backgrounds() -> None:
    images, labels = generate_images(60, seed=8)
    grain = np.abs(np.diff(images.astype(float), axis=-1)).mean(axis=(1, 2))
    clean = labels == CLASSES.index("no_defect")
    # no_defect is drawn from the clean end of the surfaces only; a rough surface
    # must not read as a clean one.
    assert np.percentile(grain[clean], 90) < np.median(grain[~clean])


@pytest.mark.slow
def test_the_same_recipe_learns_real_handwritten_digits() -> None:
    assert digits_accuracy(seed=0) >= 0.97
    assert DEFECT_CNN.references()["digits_accuracy"] >= 0.97


def test_training_is_deterministic_for_a_seed() -> None:
    images, labels = generate_images(6, seed=2)

    def weights() -> list[np.ndarray]:
        network = train(images, labels, 7, seed=3, epochs=1)
        return [p.detach().numpy().copy() for p in network.parameters()]

    first, second = weights(), weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_training_takes_images_of_any_size_and_fine_tunes() -> None:
    images = np.random.default_rng(0).integers(0, 255, (8, 20, 30)).astype(np.uint8)
    labels = np.array([0, 1] * 4)
    network = train(images, labels, 2, seed=0, epochs=1)
    again = train(images, labels, 2, seed=0, epochs=1, model=network)
    assert again is network
    assert probabilities(network, images).shape == (8, 2)


def test_weights_are_checked_before_use(tmp_path: Path) -> None:
    (tmp_path / "defect-cnn.json").write_text(DEFECT_CNN.card().model_dump_json())
    data = bytearray(DEFECT_CNN.weights().read_bytes())
    data[-10] ^= 0xFF
    DEFECT_CNN.weights(tmp_path).write_bytes(bytes(data))
    with pytest.raises(WeightsIntegrityError, match="checksum"):
        DEFECT_CNN.restore_from(tmp_path, {})
    DEFECT_CNN.weights(tmp_path).unlink()
    with pytest.raises(WeightsIntegrityError, match="missing"):
        DEFECT_CNN.restore_from(tmp_path, {})


def test_torch_uses_two_threads_at_most() -> None:
    torch = torch_module()
    assert 1 <= torch.get_num_threads() <= 2


@pytest.mark.slow
def test_images_from_larger_cameras_are_classified_alike() -> None:
    network = _classifier().network
    images, labels = generate_images(30, seed=8)
    native = accuracy(network, images, labels)
    for factor in (2, 3):
        larger = np.stack([np.kron(image, np.ones((factor, factor))) for image in images])
        # An integer enlargement shrinks back exactly: the very same answers.
        assert accuracy(network, larger, labels) == pytest.approx(native, abs=0.01)
    rng = np.random.default_rng(1)
    odd_sizes = [resize(image[None], int(rng.integers(70, 200)))[0] for image in images]
    predicted = [probabilities(network, image[None]).argmax() for image in odd_sizes]
    # Bilinear enlargement to an odd size blurs fine marks a little.
    assert np.mean(np.array(predicted) == labels) >= native - 0.08


def _png(width: int, height: int, rows: bytes, colour: int = 0) -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    raw = PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    return base64.b64encode(raw + chunk(b"IEND", b"")).decode()


def test_a_png_holding_fewer_rows_than_its_header_says_is_refused() -> None:
    # Pillow decodes it, filling the missing rows with black, and says nothing.
    one_row = b"\x00" + b"\x80" * 2048
    with pytest.raises(ValueError, match="header promises"):
        decode_image(_png(2048, 2048, one_row))
    with pytest.raises(ValueError, match="not a readable PNG"):
        decode_image(_png(64, 64, b"")[:-40] + "AAAAAAAA")


@pytest.mark.parametrize(("colour", "channels"), [(0, 1), (2, 3), (4, 2), (6, 4)])
def test_a_complete_png_of_any_colour_type_is_read(colour: int, channels: int) -> None:
    rows = b"".join(b"\x00" + bytes([40]) * (64 * channels) for _ in range(48))
    assert decode_image(_png(64, 48, rows, colour)).shape == (48, 64)


def test_the_generators_pngs_are_complete() -> None:
    image = generate_images(1, seed=0)[0][0]
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    decode_image(base64.b64encode(buffer.getvalue()).decode())


def _jpeg(pixels: np.ndarray, mode: str = "L", quality: int = 95) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_a_jpeg_grayscale_or_colour_is_read_as_grey(mode: str) -> None:
    image = generate_images(1, seed=3)[0][0]
    pixels = decode_image(base64.b64encode(_jpeg(image, mode)).decode())
    assert pixels.shape == image.shape
    # JPEG is lossy: the grey levels come back near, not equal.
    assert np.abs(pixels.astype(int) - image.astype(int)).mean() < 4


def test_jpeg_images_are_classified_as_their_pngs_are() -> None:
    images, _ = generate_images(2, seed=11)
    classifier = _classifier()
    from aiaas_mock.zoo.defect_cnn.serving import SurfaceImage

    def labels(encode: object) -> list[str]:
        inputs = [SurfaceImage(image=encode(image)) for image in images]  # type: ignore[operator]
        return [output.label for output in classifier.predict(inputs, None)]  # type: ignore[arg-type,attr-defined]

    def png(image: np.ndarray) -> str:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        return base64.b64encode(buffer.getvalue()).decode()

    as_png = labels(png)
    as_jpeg = labels(lambda image: base64.b64encode(_jpeg(image)).decode())
    # Quality 95 moves grey levels by a level or two: at most one of 14 borderline
    # images may change its class.
    assert sum(a == b for a, b in zip(as_png, as_jpeg, strict=True)) >= len(images) - 1


def test_a_truncated_or_foreign_image_is_refused() -> None:
    image = generate_images(1, seed=3)[0][0]
    whole = _jpeg(image)
    with pytest.raises(ValueError, match="not a readable JPEG"):
        decode_image(base64.b64encode(whole[: len(whole) // 2]).decode())
    with pytest.raises(ValueError, match="not a PNG or JPEG"):
        decode_image(base64.b64encode(b"GIF89a" + whole).decode())
