"""defect-cnn: the generator, the shipped weights' accuracy, training determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aiaas_mock.zoo import defects
from aiaas_mock.zoo.defect_model import DEFECT_CNN, restore
from aiaas_mock.zoo.shipped import read_metadata, weights_path
from aiaas_mock.zoo.torch_support import WeightsIntegrityError, torch_module


def test_generator_is_deterministic() -> None:
    first, labels = defects.generate_images(3, seed=5)
    again, _ = defects.generate_images(3, seed=5)
    other, _ = defects.generate_images(3, seed=6)
    assert first.shape == (21, 64, 64)
    assert first.dtype == np.uint8
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert sorted(np.bincount(labels)) == [3] * 7


@pytest.mark.slow
def test_shipped_weights_reach_their_card_accuracy() -> None:
    model = DEFECT_CNN.load(data_seed=0)
    images, labels = defects.generate_images(200, seed=1)
    accuracy = defects.accuracy(model.predictor._network, images, labels)  # type: ignore[attr-defined]
    assert accuracy >= 0.95
    assert accuracy == pytest.approx(model.metrics["accuracy"], abs=1e-4)


@pytest.mark.slow
def test_the_same_recipe_learns_real_handwritten_digits() -> None:
    assert defects.digits_accuracy(seed=0) >= 0.97
    assert read_metadata("defect-cnn")["metrics"]["digits_accuracy"] >= 0.97


def test_training_is_deterministic_for_a_seed() -> None:
    images, labels = defects.generate_images(6, seed=2)

    def weights() -> list[np.ndarray]:
        network = defects.train(images, labels, 7, seed=3, epochs=1)
        return [p.detach().numpy().copy() for p in network.parameters()]

    first, second = weights(), weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_training_takes_images_of_any_size_and_fine_tunes() -> None:
    images = np.random.default_rng(0).integers(0, 255, (8, 20, 30)).astype(np.uint8)
    labels = np.array([0, 1] * 4)
    network = defects.train(images, labels, 2, seed=0, epochs=1)
    again = defects.train(images, labels, 2, seed=0, epochs=1, model=network)
    assert again is network
    assert defects.probabilities(network, images).shape == (8, 2)


def test_weights_are_checked_before_use(tmp_path: Path) -> None:
    metadata = read_metadata("defect-cnn")
    corrupt = tmp_path / "defect-cnn.pt"
    data = bytearray(weights_path("defect-cnn").read_bytes())
    data[-10] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    with pytest.raises(WeightsIntegrityError, match="checksum"):
        restore(metadata, corrupt)
    with pytest.raises(WeightsIntegrityError, match="missing"):
        restore(metadata, tmp_path / "absent.pt")


def test_torch_uses_two_threads_at_most() -> None:
    torch = torch_module()
    assert 1 <= torch.get_num_threads() <= 2


@pytest.mark.slow
def test_images_from_larger_cameras_are_classified_alike() -> None:
    network = DEFECT_CNN.load(data_seed=0).predictor._network  # type: ignore[attr-defined]
    images, labels = defects.generate_images(30, seed=8)
    for factor in (2, 3):
        larger = np.stack([np.kron(image, np.ones((factor, factor))) for image in images])
        assert defects.accuracy(network, larger, labels) >= 0.9
    rng = np.random.default_rng(1)
    odd_sizes = [defects.resize(image[None], int(rng.integers(70, 200)))[0] for image in images]
    predicted = [defects.probabilities(network, image[None]).argmax() for image in odd_sizes]
    assert np.mean(np.array(predicted) == labels) >= 0.85
