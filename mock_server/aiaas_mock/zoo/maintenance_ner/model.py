"""The ``maintenance-ner`` tagger: two linear-chain CRFs over BIO tags, reading
entities off raw text, and how they are fitted.

A BIO tagging gives each token one tag, so it cannot hold spans inside spans;
real work orders nest about one span in nine ("hydraulic pump" inside "hydraulic
pump seal"). One CRF tags the outermost spans, a second the spans nested in
them, and the tagger answers with both. Their features are each word, its
affixes and shape, and its neighbours. Training mixes real MaintIE work orders,
weighted by repetition, with generated orders, which teach the technicians'
shorthand ("brg", "hyd", "pmp") that MaintIE's normalised text lacks.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..kit.crf import CrfTagger, TaggedSequence, train_crf
from ..kit.text_features import as_crf_features, token_features
from ..kit.text_spans import Span, bio_spans, bio_tags, tokenize
from ..maintenance_text.maintie import outermost
from ..maintenance_text.work_orders import WorkOrder

REAL_WEIGHT = 10
"""How many times each real order counts in training (CRFsuite takes no weights)."""

_LAYERS = ("outer", "inner")
_MEMBER = "{}.crfsuite"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the archive's bytes depend on its content only


def layer_spans(entities: Sequence[Span], layer: str) -> list[Span]:
    """The outermost spans, or the spans nested in another."""
    top = outermost(entities)
    return sorted(top if layer == "outer" else set(entities) - top)


class EntityTagger:
    """The trained CRFs, reading entities (nested ones included) off raw text."""

    def __init__(self, outer: CrfTagger, inner: CrfTagger) -> None:
        self._layers = (outer, inner)

    @classmethod
    def from_file(cls, path: Path) -> EntityTagger:
        with zipfile.ZipFile(path) as archive:
            outer, inner = (CrfTagger.from_bytes(archive.read(_MEMBER.format(n))) for n in _LAYERS)
        return cls(outer, inner)

    def entities(self, text: str) -> list[Span]:
        offsets = tokenize(text)
        words = [text[a:b] for a, b in offsets]
        features = [as_crf_features(token_features(words, i)) for i in range(len(words))]
        outer, inner = (bio_spans(crf.tag(features), offsets) for crf in self._layers)
        # A nested span lies inside an outer one; the inner layer, trained on few
        # spans, may tag a stray token elsewhere.
        nested = [span for span in inner if any(_inside(span, top) for top in outer)]
        return sorted({*outer, *nested})


def _inside(span: Span, outer: Span) -> bool:
    return (
        outer.start <= span.start
        and span.end <= outer.end
        and outer.end - outer.start > span.end - span.start
    )


def training_sequences(orders: Sequence[WorkOrder], layer: str) -> Iterator[TaggedSequence]:
    for order in orders:
        offsets = tokenize(order.text)
        words = [order.text[a:b] for a, b in offsets]
        features = [as_crf_features(token_features(words, i)) for i in range(len(words))]
        yield features, bio_tags(offsets, layer_spans(order.entities, layer))


def train(generated: Sequence[WorkOrder], real: Sequence[WorkOrder], path: Path) -> EntityTagger:
    """A tagger trained on generated and (weighted) real orders, written to ``path``
    as one archive of both CRFs; deterministic for the same orders."""
    weighted = list(real) * REAL_WEIGHT
    with tempfile.TemporaryDirectory() as scratch:
        members = {}
        for layer in _LAYERS:
            model = Path(scratch) / layer
            # Generated orders nest no spans, so only real ones teach the inner layer.
            orders = [*generated, *weighted] if layer == "outer" else weighted
            train_crf(training_sequences(orders, layer), model)
            members[_MEMBER.format(layer)] = model.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), data)
    path.write_bytes(buffer.getvalue())
    return EntityTagger.from_file(path)
