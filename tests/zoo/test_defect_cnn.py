"""defect-cnn: the generator, the shipped weights' accuracy, training determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aiaas_mock.zoo.defect_cnn import DEFECT_CNN
from aiaas_mock.zoo.defect_cnn.data import generate_images
from aiaas_mock.zoo.defect_cnn.network import probabilities, resize, train
from aiaas_mock.zoo.defect_cnn.serving import DefectClassifier
from aiaas_mock.zoo.defect_cnn.train import accuracy, digits_accuracy
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
    measured = accuracy(_classifier().network, images, labels)
    assert measured >= 0.95
    assert measured == pytest.approx(DEFECT_CNN.metrics(0)["accuracy"], abs=1e-4)


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
    for factor in (2, 3):
        larger = np.stack([np.kron(image, np.ones((factor, factor))) for image in images])
        assert accuracy(network, larger, labels) >= 0.9
    rng = np.random.default_rng(1)
    odd_sizes = [resize(image[None], int(rng.integers(70, 200)))[0] for image in images]
    predicted = [probabilities(network, image[None]).argmax() for image in odd_sizes]
    assert np.mean(np.array(predicted) == labels) >= 0.85
