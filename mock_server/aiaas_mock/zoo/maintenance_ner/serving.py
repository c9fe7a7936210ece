"""``maintenance-ner`` as the server offers it: work-order text in, entities with
character offsets out, from the shipped CRF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aiaas.types.outputs import Entity, EntityExtraction

from ..kit.text_spans import Span
from ..maintenance_text.inputs import MaintenanceText, NoParameters
from ..model_spec import ModelAdapter, ModelSpec, Needs
from ..shipped_weights import WeightsCard
from .model import EntityTagger

WEIGHTS_SUFFIX = ".zip"
"""An archive of the two CRF models, outer and nested spans."""


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
    return EntityPredictor(EntityTagger.from_file(weights))


SPEC = ModelSpec(
    id="maintenance-ner",
    task="token-classification",
    algorithm="two linear-chain CRFs (CRFsuite, L-BFGS), for outermost and nested "
    "spans, over word, affix, shape and context features",
    version="2.0.0",
    description="Entities in maintenance work orders, of the MaintIE top-level classes "
    "PhysicalObject, Activity, State, Process and Property, with character offsets; "
    "spans may nest.",
    data="Real and generated: the 538 MaintIE gold work orders in the repository "
    "(expert-annotated, MIT licence) and 2,000 generated orders in technicians' terse "
    "style (abbreviations, typos, asset tags) that MaintIE's normalised text lacks.",
    training_data="real and generated",
    evaluation="maintie_*: 5-fold cross-validation over the real texts, micro-F1 over all "
    "spans (nested included) and by class, maintie_outermost_f1 over outermost spans; "
    "generated_*: the served tagger on 2,000 fresh generated orders; "
    "unseen_vocabulary_f1: the recipe trained without a fifth of the concepts, on orders "
    "that use one.",
    references={"maintie_paper_spert_f1": 0.874},
    input_type=MaintenanceText,
    output_type=EntityExtraction,
    parameters_type=NoParameters,
)
