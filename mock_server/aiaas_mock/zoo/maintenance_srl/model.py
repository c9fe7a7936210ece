"""The ``maintenance-srl`` labeller: roles of objects towards each predicate,
tagged by a CRF one predicate at a time, and how it is fitted.

Semantic role labelling as sequence tagging, one pass per predicate (as in He et
al., 2017): ``maintenance-ner`` finds the predicates (Activity, State and Process
entities) and the objects; then a CRF tags each token with its role towards the
one predicate, ``patient`` (what it acts on) or ``agent`` (what acts), in BIO.
The tagger's features are the token's word and entity tag, where it stands
relative to the predicate (side, distance, separators in between), the
predicate's word and type, and whether an object stands next to it ("pump
bearing": the bearing is what is replaced).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ..kit.crf import CrfTagger, TaggedSequence, train_crf
from ..kit.text_features import as_crf_features, normalise, word_features
from ..kit.text_spans import Offsets, Span, bio_spans, bio_tags, token_range, tokenize
from ..maintenance_ner.model import REAL_WEIGHT, EntityTagger
from ..maintenance_text.maintie import outermost
from ..maintenance_text.work_orders import PREDICATE_TYPES, WorkOrder

Frame = tuple[Span, list[Span]]
"""A predicate, and its arguments labelled with their roles."""

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
    text: str, entities: Sequence[Span]
) -> tuple[list[Offsets], list[str], list[str]]:
    offsets = tokenize(text)
    words = [text[a:b] for a, b in offsets]
    # A token takes the tag of the outermost entity it is in: nested spans would
    # split one object ("air filters") into two.
    return offsets, words, bio_tags(offsets, sorted(outermost(entities)))


class RoleLabeller:
    """Entities from the NER tagger, roles from the CRF."""

    def __init__(self, crf: CrfTagger, entity_tagger: EntityTagger) -> None:
        self._crf = crf
        self._entities = entity_tagger

    def frames(self, text: str, entities: Sequence[Span] | None = None) -> list[Frame]:
        """Each predicate with its arguments; entities are predicted unless given."""
        if entities is None:
            entities = self._entities.entities(text)
        offsets, words, tags = _frames_input(text, entities)
        frames = []
        for entity in sorted(entities):
            if entity.type not in PREDICATE_TYPES:
                continue
            span = token_range(offsets, entity)
            features = [as_crf_features(f) for f in role_features(words, tags, span)]
            frames.append((entity, bio_spans(self._crf.tag(features), offsets)))
        return frames


def training_sequences(orders: Sequence[WorkOrder]) -> Iterator[TaggedSequence]:
    for order in orders:
        offsets, words, tags = _frames_input(order.text, order.entities)
        for index, entity in enumerate(order.entities):
            if entity.type not in PREDICATE_TYPES:
                continue
            arguments = [
                Span(order.entities[r.tail].start, order.entities[r.tail].end, r.role)
                for r in order.relations
                if r.head == index
            ]
            span = token_range(offsets, entity)
            features = [as_crf_features(f) for f in role_features(words, tags, span)]
            yield features, bio_tags(offsets, arguments)


def train(
    generated: Sequence[WorkOrder],
    real: Sequence[WorkOrder],
    path: Path,
    entity_tagger: EntityTagger,
) -> RoleLabeller:
    """A labeller trained on generated and (weighted) real orders, written to
    ``path``; deterministic for the same orders."""
    train_crf(training_sequences([*generated, *list(real) * REAL_WEIGHT]), path)
    return RoleLabeller(CrfTagger(path), entity_tagger)
