"""``maintenance-ner`` as the server offers it: work-order text in, entities with
character offsets out, from the shipped CRF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aiaas.types.outputs import Entity, EntityExtraction

from ..kit.crf import CrfTagger
from ..kit.text_spans import Span
from ..maintenance_text.inputs import MaintenanceText, NoParameters
from ..model_spec import ModelAdapter, ModelSpec, Needs
from ..shipped_weights import WeightsCard
from .model import EntityTagger

WEIGHTS_SUFFIX = ".crfsuite"


class EntityPredictor(ModelAdapter[EntityTagger]):
    """The tagger answering for validated texts."""

    def predict(self, inputs: Sequence[str], parameters: NoParameters) -> list[BaseModel]:
        return [
            EntityExtraction(entities=[entity(text, span) for span in self.model.entities(text)])
            for text in inputs
        ]


def entity(text: str, span: Span) -> Entity:
    """The wire form of an entity ``span`` of ``text``."""
    kind: Any = span.type  # one of ENTITY_TYPES, as the tagger was trained
    return Entity(text=text[span.start : span.end], type=kind, start=span.start, end=span.end)


def restore(card: WeightsCard, weights: Path, needs: Needs) -> EntityPredictor:
    return EntityPredictor(EntityTagger(CrfTagger(weights)))


SPEC = ModelSpec(
    id="maintenance-ner",
    task="token-classification",
    algorithm="linear-chain CRF (CRFsuite, L-BFGS) over word, affix, shape and context "
    "features, with word dropout",
    version="1.0.0",
    description="Entities in maintenance work orders, of the MaintIE top-level classes "
    "PhysicalObject, Activity, State, Process and Property, with character offsets.",
    data="Generated work orders in technicians' terse style (abbreviations, typos, asset "
    "tags); generated_* on 2,000 fresh orders, unseen_vocabulary_f1 on orders with "
    "words held out of training, maintie_* on 538 real MaintIE work orders (outermost "
    "spans, never trained on).",
    input_type=MaintenanceText,
    output_type=EntityExtraction,
    parameters_type=NoParameters,
)
