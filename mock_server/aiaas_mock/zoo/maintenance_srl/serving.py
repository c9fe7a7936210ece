"""``maintenance-srl`` as the server offers it: work-order text in, frames of
predicates with their patients and agents out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aiaas.types.outputs import Argument, Frame, SemanticFrames

from ..kit.crf import CrfTagger
from ..kit.text_spans import Span
from ..maintenance_ner.model import EntityTagger
from ..maintenance_ner.serving import SPEC as NER_SPEC
from ..maintenance_ner.serving import EntityPredictor, entity
from ..maintenance_text.inputs import MaintenanceText, NoParameters
from ..model_spec import ModelAdapter, ModelSpec, Needs
from ..shipped_weights import WeightsCard
from .model import RoleLabeller

WEIGHTS_SUFFIX = ".crfsuite"
NER_ID = NER_SPEC.id
"""The model whose entities the labeller reads its predicates and objects from."""


def entity_tagger(needs: Needs) -> EntityTagger:
    """The tagger of the ``maintenance-ner`` this labeller was given."""
    entities = needs[NER_ID]
    if not isinstance(entities, EntityPredictor):
        raise TypeError(f"{NER_ID} must serve an EntityPredictor, not {type(entities).__name__}")
    return entities.model


class FramePredictor(ModelAdapter[RoleLabeller]):
    """The labeller answering for validated texts."""

    def predict(self, inputs: Sequence[str], parameters: NoParameters) -> list[BaseModel]:
        return [
            SemanticFrames(
                frames=[
                    Frame(predicate=entity(text, p), arguments=[_argument(text, a) for a in args])
                    for p, args in self.model.frames(text)
                ]
            )
            for text in inputs
        ]


def _argument(text: str, span: Span) -> Argument:
    role: Any = span.type  # one of ROLES, as the labeller was trained
    return Argument(role=role, text=text[span.start : span.end], start=span.start, end=span.end)


def restore(card: WeightsCard, weights: Path, needs: Needs) -> FramePredictor:
    return FramePredictor(RoleLabeller(CrfTagger(weights), entity_tagger(needs)))


SPEC = ModelSpec(
    id="maintenance-srl",
    task="semantic-role-labelling",
    algorithm="maintenance-ner for predicates and objects, then a linear-chain CRF "
    "tagging patient and agent arguments per predicate",
    version="2.0.0",
    description="Frames of maintenance work orders: each activity, state or process with "
    "the objects it acts on (patient) and the objects or people that act (agent), "
    "with character offsets.",
    data="Real and generated: the patient/agent relations of the 538 MaintIE gold work "
    "orders in the repository (MIT licence) and 6,000 generated, labelled orders.",
    training_data="real and generated",
    evaluation="maintie_*: 5-fold cross-validation over the real texts, micro-F1 over "
    "(predicate, argument, role) triples from raw text, with entity taggers trained "
    "without each fold; maintie_gold_entities_f1 with the gold entities given; "
    "generated_*: the served labeller on 2,000 fresh generated orders.",
    input_type=MaintenanceText,
    output_type=SemanticFrames,
    parameters_type=NoParameters,
)
