"""Fine-tuning ``defect-cnn`` on a plant's own labelled images: an image column
(base64 PNG or JPEG) and a target of defect classes.

Two modes. ``head`` (the default) trains the linear head alone, starting from
the shipped one; ``last_blocks`` trains the backbone's last block and head
convolution too, at a tenth of the head's rate. Either way every image is seen
in several augmented views (flips, turns, small crops, brightness and
contrast), and every class as often as the largest (class-balanced sampling).

The frozen trunk's output for every row and view is computed once per job and
kept for its folds and final fit: :class:`ViewCache`, bounded in bytes.
"""

from __future__ import annotations

import copy
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from aiaas.types import Dataset, TrainingJobRequest

from ...datasets.files import Table
from ...zoo.defect_cnn import DEFECT_CNN, backbone
from ...zoo.defect_cnn.network import (
    DefectNetwork,
    build_head,
    build_top,
    set_statistics,
    train_head,
    train_top_and_head,
)
from ...zoo.defect_cnn.serving import DefectClassifier, decode_image
from ...zoo.defect_cnn.views import views
from ...zoo.kit.torch_helpers import infer
from ...zoo.model_spec import Predictor
from ..plan import PlanError
from .tuner import (
    FamilyTuner,
    FineTuneHyperparameters,
    Rows,
    Tuning,
    epochs,
    learning_rate,
    load_state,
    state_bytes,
)

CACHE_BYTES = 256 * 1024 * 1024
"""Most memory one job's cached views take; larger sets get fewer views a row."""


class ImageFineTuneHyperparameters(FineTuneHyperparameters):
    mode: Literal["head", "last_blocks"] = "head"
    """What learns: the linear head alone, or the backbone's last block and head
    convolution as well."""
    epochs: int = Field(default=15, ge=1, le=50)
    """Passes over every view of every image (measured on generated stand-ins: see
    docs/models.md)."""
    learning_rate: float = Field(default=3e-3, ge=1e-6, le=1e-2)
    """Peak learning rate of the head (the last blocks learn at a tenth of it)."""
    views: int = Field(default=8, ge=1, le=16)
    """Views of each image: the image itself and ``views - 1`` augmented ones."""


def _classes() -> list[str]:
    """The shipped network's classes, in the order of its outputs (from its card:
    planning a job never loads the network)."""
    return list(DEFECT_CNN.card().classes)


def _image_column(dataset: Dataset) -> str:
    images = [c.name for c in dataset.columns if c.type == "image"]
    if len(images) != 1:
        raise PlanError(
            f"defect-cnn learns from one image column (base64 PNG or JPEG); the dataset "
            f"has {len(images)}.",
            "dataset_id",
        )
    return images[0]


def check(request: TrainingJobRequest, dataset: Dataset) -> tuple[tuple[str, ...], str | None, str]:
    image = _image_column(dataset)
    if request.target is None:
        raise PlanError("defect-cnn learns a class: name the target column.", "target")
    target = next(c for c in dataset.columns if c.name == request.target)
    labels = set((target.top_values or {}).keys())
    known = set(_classes())
    if target.type != "string" or not labels or not labels <= known:
        raise PlanError(
            f"defect-cnn's target holds its classes ({', '.join(sorted(known))}); "
            f"'{request.target}' also has {', '.join(sorted(labels - known)) or 'other values'}.",
            "target",
        )
    return (image,), request.validation.group_by, "accuracy"


@dataclass
class _Entry:
    table: weakref.ref[Table]
    key: tuple[Any, ...]
    views: int
    rows: dict[int, NDArray[Any]] = field(default_factory=dict)


class ViewCache:
    """What the frozen part of the network made of each row's views, for the one
    job a worker process runs at a time: the trunk's maps (``last_blocks``) or
    the pooled features (``head``). A new table or settings start afresh, and
    the entry goes when its table does (the worker's table cache lets it go a
    job or two later), so an idle worker does not keep it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: _Entry | None = None

    def _table_gone(self, gone: weakref.ref[Table]) -> None:
        # Called by the garbage collector, maybe while `of` holds the lock:
        # one attribute store, no lock.
        entry = self._entry
        if entry is not None and entry.table is gone:
            self._entry = None

    @property
    def rows_kept(self) -> int:
        entry = self._entry
        return 0 if entry is None else len(entry.rows)

    def of(self, tuning: Tuning, rows: Rows) -> tuple[NDArray[Any], int]:
        """``(rows, views, ...)`` for ``rows``, and the number of views a row has."""
        settings = tuning.candidate.hyperparameters
        key = (tuning.plan.features, settings["mode"], settings["views"], tuning.plan.seed)
        with self._lock:
            entry = self._entry
            if entry is None or entry.table() is not tuning.table or entry.key != key:
                count = _views_within_budget(tuning.table.rows, settings["mode"], settings["views"])
                table = weakref.ref(tuning.table, self._table_gone)
                entry = self._entry = _Entry(table, key, count)
            missing = [int(row) for row in rows if int(row) not in entry.rows]
            for row in missing:
                entry.rows[row] = _frozen_outputs(tuning, row, entry.views)
                tuning.check()
            return np.stack([entry.rows[int(row)] for row in rows]), entry.views


def _views_within_budget(rows: int, mode: str, wanted: int) -> int:
    per_view = (
        backbone.TRUNK_CHANNELS * backbone.TRUNK_SIDE**2 * 2  # float16 maps
        if mode == "last_blocks"
        else backbone.FEATURES * 4
    )
    return int(max(1, min(wanted, CACHE_BYTES // max(1, rows * per_view))))


def _frozen_outputs(tuning: Tuning, row: int, count: int) -> NDArray[Any]:
    (column,) = tuning.plan.features
    pixels = decode_image(tuning.table.columns[column][row])
    images = views(pixels, count, seed=tuning.plan.seed * 1_000_003 + row)
    trunk = backbone.shared()
    maps = backbone.trunk_maps(trunk, images)
    if mode(tuning) == "last_blocks":
        return maps.astype(np.float16)
    return backbone.pooled(trunk, maps)


_CACHE = ViewCache()


def _labels(tuning: Tuning, rows: Rows) -> NDArray[np.int64]:
    assert tuning.plan.target is not None
    classes = _classes()
    values = tuning.table.columns[tuning.plan.target][rows]
    return np.array([classes.index(value) for value in values], dtype=np.int64)


def balanced(labels: NDArray[np.int64], count: int, seed: int) -> tuple[Rows, Rows]:
    """(example, view) pairs in which every class occurs as often as the largest:
    every view of every image once, then smaller classes' views drawn again."""
    rng = np.random.default_rng(seed)
    examples, chosen_views = [], []
    largest = int(np.bincount(labels).max()) * count
    for label in np.unique(labels):
        pairs = [(int(e), v) for e in np.flatnonzero(labels == label) for v in range(count)]
        extra = rng.choice(len(pairs), size=largest - len(pairs), replace=True)
        for index in [*range(len(pairs)), *extra.tolist()]:
            examples.append(pairs[index][0])
            chosen_views.append(pairs[index][1])
    return np.array(examples, dtype=np.int64), np.array(chosen_views, dtype=np.int64)


def mode(tuning: Tuning) -> str:
    return str(tuning.candidate.hyperparameters["mode"])


def _shipped(tuning: Tuning) -> DefectClassifier:
    shipped = tuning.base.predictor
    assert isinstance(shipped, DefectClassifier)
    return shipped


def _fit(tuning: Tuning, rows: Rows) -> DefectNetwork:
    frozen, count = _CACHE.of(tuning, rows)
    labels = _labels(tuning, rows)
    examples, chosen = balanced(labels, count, tuning.plan.seed)
    inputs = frozen[examples, chosen].astype(np.float32)
    shipped = _shipped(tuning).network
    head = copy.deepcopy(shipped.head)
    first = frozen[:, 0].astype(np.float32)
    as_served = first if mode(tuning) == "head" else shipped.features(first)
    set_statistics(head, as_served, reference=False)
    settings: dict[str, Any] = {
        "seed": tuning.plan.seed,
        "epochs": epochs(tuning.candidate),
        "learning_rate": learning_rate(tuning.candidate),
        "on_batch": tuning.check,
    }
    if mode(tuning) == "last_blocks":
        top = build_top(shipped.trunk)
        train_top_and_head(top, head, inputs, labels[examples], **settings)
        return DefectNetwork(shipped.trunk, head, top)
    train_head(head, inputs, labels[examples], **settings)
    return DefectNetwork(shipped.trunk, head)


def _accuracy(tuning: Tuning, network: DefectNetwork, frozen: NDArray[Any], labels: Rows) -> float:
    """Accuracy on the rows' first views (the images as served)."""
    first = frozen[:, 0].astype(np.float32)
    features = network.features(first) if mode(tuning) == "last_blocks" else first
    predicted = infer(network.head, features).argmax(axis=1)
    return float((predicted == labels).mean())


def fold(tuning: Tuning, train: Rows, test: Rows) -> dict[str, float]:
    network = _fit(tuning, train)
    frozen, _ = _CACHE.of(tuning, test)
    labels = _labels(tuning, test)
    shipped = _shipped(tuning).network
    return {
        "accuracy": _accuracy(tuning, network, frozen, labels),
        "base_accuracy": _accuracy(tuning, shipped, frozen, labels),
    }


def final(tuning: Tuning, rows: Rows) -> dict[str, Any]:
    network = _fit(tuning, rows)
    state = {"head": state_bytes(network.head), "classes": _classes()}
    if network.top is not None:
        state["top"] = state_bytes(network.top)
    return state


def restore(artifact: dict[str, Any]) -> Predictor:
    classes = artifact["classes"]
    trunk = backbone.shared()
    head = load_state(build_head(len(classes)), artifact["head"])
    top = load_state(build_top(trunk), artifact["top"]) if "top" in artifact else None
    return DefectClassifier(DefectNetwork(trunk, head, top), classes)


TUNER = FamilyTuner(
    "defect-cnn", "classification", "accuracy", True,
    check, fold, final, restore, ImageFineTuneHyperparameters,
)  # fmt: skip
