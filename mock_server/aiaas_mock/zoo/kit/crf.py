"""Linear-chain CRFs (CRFsuite): training to a file, and tagging."""

from __future__ import annotations

import threading
from collections.abc import Iterable
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
        self.__init_from(path.read_bytes())

    @classmethod
    def from_bytes(cls, model: bytes) -> CrfTagger:
        """A tagger from the bytes of a model file (as stored in an archive)."""
        tagger = cls.__new__(cls)
        tagger.__init_from(model)
        return tagger

    def __init_from(self, model: bytes) -> None:
        import pycrfsuite

        self._model = model  # CRFsuite reads the model in place: keep it alive
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(model)
        self._lock = threading.Lock()  # a CRFsuite tagger holds per-call state

    def tag(self, features: list[Features]) -> list[str]:
        if not features:
            return []
        with self._lock:
            tags: list[str] = self._tagger.tag(features)
        return tags
