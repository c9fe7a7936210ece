"""``maintenance-srl``: who or what each activity, state and process involves.

Semantic role labelling as sequence tagging, one pass per predicate (as in He et
al., 2017): ``maintenance-ner`` finds the predicates (Activity, State and Process
entities) and the objects; then a CRF tags each token with its role towards the
one predicate, ``patient`` (what it acts on) or ``agent`` (what acts), in BIO.
The tagger's features are the token's word and entity tag, where it stands
relative to the predicate (side, distance, separators in between), the
predicate's word and type, and whether an object stands next to it ("pump
bearing": the bearing is what is replaced).

Quality is micro-F1 over (predicate span, argument span, role) triples: on
generated orders, and on the patient and agent relations of the real MaintIE
work orders, both from raw text (entities predicted) and with the gold entities
given, to tell the two error sources apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aiaas.types.outputs import Argument, Entity, Frame, SemanticFrames

from . import maintenance_logs as logs
from .base import ModelSpec
from .crf import CrfTagger, TaggedSequence, bio_spans, bio_tags, train_crf
from .maintenance_ner import MAINTENANCE_NER, EntityTagger, Labelled, scores_by_label
from .maintie import load_maintie
from .shipped import ShippedModel, file_digest, read_metadata, verify_file, weights_path
from .text_features import as_crf_features, normalise, word_features
from .text_input import MaintenanceText, NoParameters

Triple = tuple[tuple[int, int], tuple[int, int], str]

TRAIN_ORDERS = 20_000
_SEPARATORS = frozenset({"-", ",", "and", "&", "/", ";", "pls", "needs", "."})
# Words that end a chain of objects ("loader 7 lh bucket pin" is one chain).
_CHAIN_BREAKS = _SEPARATORS | {"on", "at", "for", "of", "in", "from", "to", "is", "are", "has"}


def chain_positions(words: Sequence[str], entity_tags: Sequence[str]) -> list[str]:
    """Where each object stands in its chain of objects: ``alone``, ``first``,
    ``inner`` or ``last`` (the part named after its asset); ``-`` for other tokens.

    Objects chain when only tags, numbers and positions stand between them.
    """
    objects: list[list[int]] = []
    for i, tag in enumerate(entity_tags):
        if tag == "B-PhysicalObject":
            objects.append([i, i + 1])
        elif tag == "I-PhysicalObject" and objects and objects[-1][1] == i:
            objects[-1][1] = i + 1

    def linked(left: list[int], right: list[int]) -> bool:
        between = range(left[1], right[0])
        return all(
            entity_tags[j] == "O" and normalise(words[j]) not in _CHAIN_BREAKS for j in between
        )

    positions = ["-"] * len(words)
    for k, (start, end) in enumerate(objects):
        after = k + 1 < len(objects) and linked(objects[k], objects[k + 1])
        before = k > 0 and linked(objects[k - 1], objects[k])
        position = {(False, False): "alone", (False, True): "first"}.get(
            (before, after), "inner" if after else "last"
        )
        positions[start:end] = [position] * (end - start)
    return positions


def role_features(
    words: Sequence[str], entity_tags: Sequence[str], predicate: tuple[int, int]
) -> list[dict[str, str]]:
    """Features of every token towards the predicate spanning tokens [first, last)."""
    first, last = predicate
    predicate_word = normalise(words[first])
    predicate_type = entity_tags[first][2:]
    chains = chain_positions(words, entity_tags)
    features = []
    for i, word in enumerate(words):
        side = "pred" if first <= i < last else ("before" if i < first else "after")
        distance = first - i if i < first else i - last + 1
        between = words[i + 1 : first] if i < first else words[last:i]
        separators = sum(normalise(w) in _SEPARATORS for w in between)
        tag = entity_tags[i]
        f = word_features(word)
        f.update(
            side=side,
            distance=f"{side}{min(distance, 6)}",
            separators=f"{side}{min(separators, 2)}",
            tag=tag,
            tag_side=f"{predicate_type}|{side}|{tag}",
            tag_separators=f"{side}|{tag}|{min(separators, 2)}",
            predicate=predicate_word,
            predicate_side=f"{predicate_word}|{side}|{tag[:1]}",
            next_tag=entity_tags[i + 1] if i + 1 < len(words) else "EOS",
            previous_tag=entity_tags[i - 1] if i > 0 else "BOS",
            object_next=f"{tag}|{entity_tags[i + 1] if i + 1 < len(words) else 'EOS'}|{side}",
            w_prev=normalise(words[i - 1]) if i > 0 else "BOS",
            chain=chains[i],
            chain_side=f"{predicate_type}|{side}|{chains[i]}",
            chain_separators=f"{side}|{chains[i]}|{min(separators, 2)}",
        )
        features.append(f)
    return features


def _frames_input(
    text: str, entities: Sequence[Labelled]
) -> tuple[list[tuple[int, int]], list[str], list[str]]:
    offsets = logs.tokenize(text)
    words = [text[a:b] for a, b in offsets]
    return offsets, words, bio_tags(offsets, entities)


def _token_range(offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    inside = [i for i, (a, b) in enumerate(offsets) if a >= start and b <= end]
    return inside[0], inside[-1] + 1


class RoleLabeller:
    """Entities from the NER tagger, roles from the CRF."""

    def __init__(self, crf: CrfTagger, entity_tagger: EntityTagger) -> None:
        self._crf = crf
        self._entities = entity_tagger

    def frames(
        self, text: str, entities: Sequence[Labelled] | None = None
    ) -> list[tuple[Labelled, list[Labelled]]]:
        """(predicate, [(start, end, role)]) for each predicate; entities are
        predicted unless given."""
        if entities is None:
            entities = self._entities.entities(text)
        offsets, words, tags = _frames_input(text, entities)
        frames = []
        for entity in sorted(entities):
            if entity[2] not in logs.PREDICATE_TYPES:
                continue
            span = _token_range(offsets, entity[0], entity[1])
            features = [as_crf_features(f) for f in role_features(words, tags, span)]
            frames.append((entity, bio_spans(self._crf.tag(features), offsets)))
        return frames

    def predict(self, inputs: Sequence[str], parameters: NoParameters) -> list[BaseModel]:
        return [
            SemanticFrames(
                frames=[
                    Frame(
                        predicate=Entity(text=text[p[0] : p[1]], type=p[2], start=p[0], end=p[1]),  # type: ignore[arg-type]
                        arguments=[
                            Argument(role=role, text=text[a:b], start=a, end=b)  # type: ignore[arg-type]
                            for a, b, role in arguments
                        ],
                    )
                    for p, arguments in self.frames(text)
                ]
            )
            for text in inputs
        ]


def training_sequences(orders: Sequence[logs.WorkOrder]) -> Iterator[TaggedSequence]:
    for order in orders:
        entities = [(e.start, e.end, e.type) for e in order.entities]
        offsets, words, tags = _frames_input(order.text, entities)
        for index, entity in enumerate(order.entities):
            if entity.type not in logs.PREDICATE_TYPES:
                continue
            span = _token_range(offsets, entity.start, entity.end)
            arguments = [
                (order.entities[r.tail].start, order.entities[r.tail].end, r.role)
                for r in order.relations
                if r.head == index
            ]
            features = [as_crf_features(f) for f in role_features(words, tags, span)]
            yield features, bio_tags(offsets, arguments)


def train(
    orders: Sequence[logs.WorkOrder], path: Path, entity_tagger: EntityTagger
) -> RoleLabeller:
    train_crf(training_sequences(orders), path)
    return RoleLabeller(CrfTagger(path), entity_tagger)


def gold_triples(order: logs.WorkOrder) -> set[Triple]:
    triples = set()
    for r in order.relations:
        head, tail = order.entities[r.head], order.entities[r.tail]
        if head.type in logs.PREDICATE_TYPES:
            triples.add(((head.start, head.end), (tail.start, tail.end), r.role))
    return triples


def evaluate(
    labeller: RoleLabeller, orders: Sequence[logs.WorkOrder], gold_entities: bool = False
) -> dict[str, float]:
    """Micro scores over (predicate, argument, role) triples, and F1 per role."""
    gold = [gold_triples(o) for o in orders]
    predicted = []
    for order in orders:
        given = [(e.start, e.end, e.type) for e in order.entities] if gold_entities else None
        predicted.append(
            {
                ((p[0], p[1]), (a, b), role)
                for p, arguments in labeller.frames(order.text, given)
                for a, b, role in arguments
            }
        )
    return scores_by_label(gold, predicted, logs.ROLES)


def train_and_measure(directory: Path) -> dict[str, Any]:
    path = weights_path(SPEC.id, directory, WEIGHTS_SUFFIX)
    ner_id = MAINTENANCE_NER.spec.id
    entity_tagger: EntityTagger = MAINTENANCE_NER.restore(  # type: ignore[assignment]
        read_metadata(ner_id, directory),
        weights_path(ner_id, directory, MAINTENANCE_NER.weights_suffix),
    )
    labeller = train(logs.generate_work_orders(TRAIN_ORDERS, seed=10), path, entity_tagger)
    test = logs.generate_work_orders(2_000, seed=11)
    metrics = {f"generated_{k}": v for k, v in evaluate(labeller, test).items()}
    real = load_maintie()
    if real is not None:
        metrics.update({f"maintie_{k}": v for k, v in evaluate(labeller, real.orders).items()})
        given = evaluate(labeller, real.orders, gold_entities=True)
        metrics["maintie_gold_entities_f1"] = given["f1"]
    return {
        "metrics": metrics,
        "sha256": file_digest(path),
        "data": {
            "train": f"{TRAIN_ORDERS:,} generated orders, seed 10",
            "test": "2,000 generated orders, seed 11",
            "maintie": "MaintIE gold_dev hasPatient/hasAgent relations, evaluation only"
            if real is not None
            else "not available when trained",
        },
    }


def restore(metadata: dict[str, Any], weights: Path) -> RoleLabeller:
    verify_file(weights, metadata["sha256"])
    entity_tagger: EntityTagger = MAINTENANCE_NER.load(0).predictor  # type: ignore[assignment]
    return RoleLabeller(CrfTagger(weights), entity_tagger)


WEIGHTS_SUFFIX = ".crfsuite"

SPEC = ModelSpec(
    id="maintenance-srl",
    task="semantic-role-labelling",
    algorithm="maintenance-ner for predicates and objects, then a linear-chain CRF "
    "tagging patient and agent arguments per predicate",
    version="1.0.0",
    description="Frames of maintenance work orders: each activity, state or process with "
    "the objects it acts on (patient) and the objects or people that act (agent), "
    "with character offsets.",
    data="Generated, labelled work orders; generated_* on 2,000 fresh orders, maintie_* "
    "on the patient/agent relations of 538 real MaintIE work orders (never trained on), "
    "from raw text and with the gold entities given (maintie_gold_entities_f1).",
    input_type=MaintenanceText,
    output_type=SemanticFrames,
    parameters_type=NoParameters,
)

MAINTENANCE_SRL = ShippedModel(SPEC, restore, train_and_measure, WEIGHTS_SUFFIX)
