"""The work-order generator: deterministic, well-formed labels, realistic variety."""

from __future__ import annotations

import collections

import pytest

from aiaas_mock.zoo.kit.text_spans import tokenize
from aiaas_mock.zoo.maintenance_text import work_orders as logs


@pytest.fixture(scope="module")
def orders() -> list[logs.WorkOrder]:
    return logs.generate_work_orders(3_000, seed=4)


def test_same_seed_same_orders() -> None:
    assert logs.generate_work_orders(200, 1) == logs.generate_work_orders(200, 1)
    assert logs.generate_work_orders(200, 1) != logs.generate_work_orders(200, 2)


def test_entities_sit_on_token_boundaries(orders: list[logs.WorkOrder]) -> None:
    for order in orders:
        offsets = tokenize(order.text)
        starts = {a for a, _ in offsets}
        ends = {b for _, b in offsets}
        for entity in order.entities:
            assert entity.type in logs.ENTITY_TYPES
            assert entity.start in starts, order
            assert entity.end in ends, order
            assert order.text[entity.start : entity.end].strip() == order.entity_text(
                order.entities.index(entity)
            )


def test_relations_join_predicates_to_objects(orders: list[logs.WorkOrder]) -> None:
    roles: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for order in orders:
        for relation in order.relations:
            head, tail = order.entities[relation.head], order.entities[relation.tail]
            assert head.type in logs.PREDICATE_TYPES
            roles[(head.type, relation.role, tail.type)] += 1
    # What MaintIE's annotators mark most: work on objects, states of objects, and
    # objects doing a process.
    assert roles[("Activity", "patient", "PhysicalObject")] > 1000
    assert roles[("State", "patient", "PhysicalObject")] > 500
    assert roles[("Process", "agent", "PhysicalObject")] > 300
    assert roles[("Activity", "agent", "PhysicalObject")] > 50


def test_orders_are_terse_and_varied(orders: list[logs.WorkOrder]) -> None:
    lengths = [len(tokenize(o.text)) for o in orders]
    assert 3 <= sum(lengths) / len(lengths) <= 9
    texts = [o.text for o in orders]
    assert len(set(texts)) > 0.9 * len(texts)
    words = {o.text[a:b].lower() for o in orders for a, b in tokenize(o.text)}
    assert {"brg", "hyd", "u/s", "replace", "<num>"} <= words
    assert sum(o.text.isupper() for o in orders) > 100  # some write in capitals


def test_tokenizer_keeps_technicians_words_whole() -> None:
    text = "<id> a/c u/s - re-terminate rh brg's, no. 3"
    tokens = [text[a:b] for a, b in tokenize(text)]
    assert tokens == ["<id>", "a/c", "u/s", "-", "re-terminate", "rh", "brg's", ",", "no", ".", "3"]


def test_lexicon_split_shares_no_concept() -> None:
    kept, held_out = logs.Lexicon().split(0.2, seed=7)
    assert not set(kept.components) & set(held_out.components)
    assert len(held_out.components) == round(len(logs.Lexicon().components) * 0.2)
    assert not set(kept.activities) & set(held_out.activities)


def test_synonym_pairs_are_single_words() -> None:
    pairs = logs.synonym_pairs()
    assert ("brg", "bearing") in pairs
    assert ("hyd", "hydraulic") in pairs
    assert all(" " not in a and " " not in b for a, b in pairs)
