"""Linear-chain CRFs (CRFsuite) for the maintenance-text taggers: training to a
file, tagging, and turning BIO tags into character spans."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

Features = dict[str, float]
TaggedSequence = tuple[list[Features], list[str]]
"""One training example: the features of each token and its tag."""

DEFAULT_PARAMETERS: dict[str, Any] = {
    "c1": 0.1,  # L1 keeps the model file small by dropping useless features
    "c2": 0.01,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}


def train_crf(
    sequences: Iterable[TaggedSequence], path: Path, parameters: dict[str, Any] | None = None
) -> None:
    """Train with L-BFGS (deterministic for the same sequences) and write the model."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for features, labels in sequences:
        trainer.append(features, labels)
    trainer.set_params({**DEFAULT_PARAMETERS, **(parameters or {})})
    path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(path))


class CrfTagger:
    """A trained CRF, safe to share between threads."""

    def __init__(self, path: Path) -> None:
        import pycrfsuite

        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._lock = threading.Lock()  # a CRFsuite tagger holds per-call state

    def tag(self, features: list[Features]) -> list[str]:
        if not features:
            return []
        with self._lock:
            tags: list[str] = self._tagger.tag(features)
        return tags


def bio_spans(
    tags: Sequence[str], offsets: Sequence[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """(start, end, label) character spans of BIO ``tags`` over tokens at ``offsets``.

    An ``I-`` tag that does not continue a span of its label starts one.
    """
    spans: list[tuple[int, int, str]] = []
    current: list[Any] | None = None
    for tag, (start, end) in zip(tags, offsets, strict=True):
        label = tag[2:]
        if tag.startswith("I-") and current is not None and current[2] == label:
            current[1] = end
            continue
        if current is not None:
            spans.append((current[0], current[1], current[2]))
            current = None
        if tag != "O":
            current = [start, end, label]
    if current is not None:
        spans.append((current[0], current[1], current[2]))
    return spans


def bio_tags(
    offsets: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int, str]]
) -> list[str]:
    """BIO tags of the tokens at ``offsets`` for labelled character ``spans``."""
    tags = ["O"] * len(offsets)
    for start, end, label in spans:
        inside = [i for i, (a, b) in enumerate(offsets) if a >= start and b <= end]
        for n, i in enumerate(inside):
            tags[i] = ("B-" if n == 0 else "I-") + label
    return tags
