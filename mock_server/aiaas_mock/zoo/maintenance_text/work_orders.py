"""Generated maintenance work orders, labelled for entities and semantic roles.

Work orders come in the terse style technicians write ("replace brg on pump 3",
"conveyor belt torn", "hyd hose leaking - replaced"): abbreviations, synonyms,
asset tags and positions, the odd typo, sometimes all in capitals. Each is
labelled the way MaintIE annotates real work orders (Bikaun et al., 2024):

* entities of the top-level classes PhysicalObject, Activity, State, Process and
  Property, with character offsets; a component named with its modifier
  ("fuel filter") is one entity, an asset and its component ("pump bearing")
  are two;
* predicate-argument relations: an activity, state or process and the object it
  acts on (``patient``: "replace" -> "bearing", "leaking" -> "oil"), and the
  object or person that acts (``agent``: "leaking" -> "hose",
  "replace" -> "electrician").

Everything is drawn from a seeded generator over a :class:`Lexicon`, so the same
seed gives the same orders, and a lexicon can be split to test on words a model
never saw.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from ..kit.text_spans import Span
from . import vocabulary as vocab

ENTITY_TYPES = ("PhysicalObject", "Activity", "State", "Process", "Property")
PREDICATE_TYPES = ("Activity", "State", "Process")
ROLES = ("patient", "agent")

T = TypeVar("T")


@dataclass(frozen=True)
class Relation:
    head: int
    """Index of the predicate entity."""
    tail: int
    """Index of the argument entity."""
    role: str


@dataclass(frozen=True)
class WorkOrder:
    text: str
    entities: tuple[Span, ...]
    relations: tuple[Relation, ...]

    def entity_text(self, index: int) -> str:
        span = self.entities[index]
        return self.text[span.start : span.end]


@dataclass(frozen=True)
class Lexicon:
    """The word lists the generator draws from."""

    equipment: tuple[vocab.Concept, ...] = vocab.EQUIPMENT
    components: tuple[vocab.Concept, ...] = vocab.COMPONENTS
    modifiers: tuple[vocab.Concept, ...] = vocab.MODIFIERS
    substances: tuple[vocab.Concept, ...] = vocab.SUBSTANCES
    people: tuple[vocab.Concept, ...] = vocab.PEOPLE
    activities: tuple[tuple[tuple[str, str], ...], ...] = vocab.ACTIVITIES
    states: tuple[vocab.Concept, ...] = vocab.STATES
    processes: tuple[vocab.Concept, ...] = vocab.PROCESSES
    properties: tuple[vocab.Concept, ...] = vocab.PROPERTIES

    def split(self, held_out: float, seed: int) -> tuple[Lexicon, Lexicon]:
        """Two lexicons that share no concept: the rest, and ``held_out`` of each list."""
        rng = random.Random(seed)
        kept: dict[str, tuple[object, ...]] = {}
        out: dict[str, tuple[object, ...]] = {}
        for name in self.__dataclass_fields__:
            concepts = list(getattr(self, name))
            rng.shuffle(concepts)
            cut = max(1, round(len(concepts) * held_out))
            out[name], kept[name] = tuple(concepts[:cut]), tuple(concepts[cut:])
        return replace(self, **kept), replace(self, **out)  # type: ignore[arg-type]


def synonym_pairs(lexicon: Lexicon = Lexicon()) -> list[tuple[str, str]]:
    """(variant, canonical) one-word pairs: the abbreviations and synonyms the
    generator uses interchangeably."""
    concepts: list[vocab.Concept] = [
        *lexicon.equipment,
        *lexicon.components,
        *lexicon.modifiers,
        *lexicon.states,
        *lexicon.processes,
        *lexicon.people,
        *(tuple(present for present, _ in forms) for forms in lexicon.activities),
    ]
    pairs = {
        (variant, concept[0])
        for concept in concepts
        for variant in concept[1:]
        if " " not in variant and " " not in concept[0] and variant != concept[0]
    }
    return sorted(pairs)


@dataclass
class _Builder:
    """Appends words to a work order, recording entity spans and relations."""

    rng: random.Random
    typo_rate: float
    parts: list[str] = field(default_factory=list)
    length: int = 0
    entities: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def add(self, text: str, entity_type: str | None = None, glue: bool = False) -> int:
        """Append ``text`` (after a space unless ``glue``); its entity index, or -1."""
        if self.parts and not glue:
            self.parts.append(" ")
            self.length += 1
        text = " ".join(self._typo(word) for word in text.split(" "))
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        if entity_type is None:
            return -1
        self.entities.append(Span(start, self.length, entity_type))
        return len(self.entities) - 1

    def relate(self, head: int, tail: int, role: str) -> None:
        self.relations.append(Relation(head, tail, role))

    def build(self, upper: bool) -> WorkOrder:
        text = "".join(self.parts)
        return WorkOrder(
            text.upper() if upper else text, tuple(self.entities), tuple(self.relations)
        )

    def _typo(self, word: str) -> str:
        if len(word) < 5 or not word.isalpha() or self.rng.random() >= self.typo_rate:
            return word
        i = self.rng.randrange(1, len(word) - 1)
        kind = self.rng.randrange(3)
        if kind == 0:  # swapped letters
            return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
        if kind == 1:  # dropped letter
            return word[:i] + word[i + 1 :]
        return word[:i] + word[i] + word[i:]  # doubled letter


class _Writer:
    """One work order's word choices, drawn from a lexicon.

    Each order is about one component, and components have their usual company:
    the assets they sit in, their modifiers, the states and processes they show
    and the work done on them. That company is what lets word embeddings learn
    that "brg" means "bearing".
    """

    def __init__(self, lexicon: Lexicon, rng: random.Random, typo_rate: float) -> None:
        self.lex = lexicon
        self.rng = rng
        self.out = _Builder(rng, typo_rate)
        self.topic = rng.choice(lexicon.components)

    def pick(self, concepts: tuple[T, ...], company: str | None = None) -> T:
        """A concept, most often one of the topic's usual ``company``."""
        if company is not None and self.rng.random() < 0.8:
            concepts = _usual(self.topic[0], company, concepts)
        return self.rng.choice(concepts)

    def word(self, concepts: tuple[vocab.Concept, ...], company: str | None = None) -> str:
        return self.variant(self.pick(concepts, company))

    def variant(self, concept: vocab.Concept) -> str:
        """The canonical word half the time, another spelling otherwise."""
        if len(concept) == 1 or self.rng.random() < 0.5:
            return concept[0]
        return self.rng.choice(concept[1:])

    def activity(self, past: bool = False) -> str:
        forms = self.pick(self.lex.activities, "activities")
        present, past_form = forms[0] if self.rng.random() < 0.5 else self.rng.choice(forms)
        return past_form if past else present

    def tag(self) -> None:
        """An asset tag or number, as technicians add them."""
        r = self.rng.random()
        n = self.rng.randint(1, 40)
        self.out.add(
            self.rng.choice([str(n), f"#{n}", f"no. {n}", f"{n:03d}"]) if r < 0.7 else "<num>"
        )

    def follow_up(self, subject: int, past: bool) -> None:
        """The work done about it: on the same object ('- replaced') or on a part
        of it ('- replaced seal')."""
        act = self.out.add(self.activity(past=past), "Activity")
        target = self.component() if self.rng.random() < 0.35 else subject
        self.out.relate(act, target, "patient")

    def filler(self) -> None:
        if self.rng.random() < 0.12:
            self.out.add(self.rng.choice(vocab.FILLERS))

    def location(self) -> None:
        if self.rng.random() < 0.25:
            self.out.add(self.rng.choice(vocab.LOCATIONS))

    def component(self) -> int:
        """A component, maybe with its modifier as one entity: 'hyd hose'."""
        self.location()
        concept = self.topic if not self.out.entities or self.rng.random() < 0.5 else None
        concept = concept or self.pick(self.lex.components)
        name = (
            concept[0]
            if len(concept) == 1 or self.rng.random() < 0.5
            else self.rng.choice(concept[1:])
        )
        if self.rng.random() < 0.15:
            name = plural(name)
        if self.rng.random() < 0.4:
            name = f"{self.word(self.lex.modifiers, 'modifiers')} {name}"
        return self.out.add(name, "PhysicalObject")

    def equipment(self) -> int:
        index = self.out.add(self.word(self.lex.equipment, "equipment"), "PhysicalObject")
        if self.rng.random() < 0.35:
            self.tag()
        return index

    def target(self) -> int:
        """What an activity or state is about: a component, with or without its asset
        ('pump bearing', 'bearing on pump 3'), or an asset alone. Returns the
        entity the predicate acts on."""
        shape = self.rng.random()
        if shape < 0.25:
            return self.equipment()
        if shape < 0.5:
            self.equipment()
            return self.component()
        part = self.component()
        if shape < 0.75:
            self.out.add(self.rng.choice(["on", "on", "at", "-", "for", "of"]))
            self.equipment()
        return part


def plural(name: str) -> str:
    """The English plural of a component name's last word."""
    if name.endswith(("s", "x", "ch", "sh")):
        return name if name.endswith("s") else name + "es"
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


def _act_on(w: _Writer) -> None:
    """'replace brg on pump 3', 'electrician to check wiring on crusher'."""
    agent = -1
    if w.rng.random() < 0.12:
        agent = w.out.add(w.word(w.lex.people), "PhysicalObject")
        w.out.add(w.rng.choice(["to", "to", "-", "req to", "pls"]))
    acts = [w.out.add(w.activity(), "Activity")]
    if w.rng.random() < 0.15:
        w.out.add(w.rng.choice(["and", "&", "/"]))
        acts.append(w.out.add(w.activity(), "Activity"))
    state = -1
    if w.rng.random() < 0.2:
        state = w.out.add(w.word(w.lex.states, "states"), "State")
    targets = [w.target()]
    if w.rng.random() < 0.12:
        w.out.add(w.rng.choice(["and", "&", ","]), glue=False)
        targets.append(w.component())
    for act in acts:
        for target in targets:
            w.out.relate(act, target, "patient")
        if agent >= 0:
            w.out.relate(act, agent, "agent")
    if state >= 0:
        w.out.relate(state, targets[0], "patient")


def _state_of(w: _Writer) -> None:
    """'conveyor belt torn', 'cracked liner on crusher', 'batt flat - replaced'."""
    if w.rng.random() < 0.4:
        state = w.out.add(w.word(w.lex.states, "states"), "State")
        target = w.target()
    else:
        target = w.target()
        state = w.out.add(w.word(w.lex.states, "states"), "State")
    w.out.relate(state, target, "patient")
    w.filler()
    if w.rng.random() < 0.35:
        w.out.add(w.rng.choice(["-", ",", "-", "and", "needs", "pls"]))
        w.follow_up(target, past=w.rng.random() < 0.6)


_LEAKS = ("leaking", "leaking", "leak", "leaks", "lkg", "dripping")


def _process_of(w: _Writer) -> None:
    """'hyd hose leaking', 'oil leak at gearbox', 'pump 2 running hot - check'."""
    substance = -1
    if w.rng.random() < 0.3:
        substance = w.out.add(w.word(w.lex.substances, "substances"), "PhysicalObject")
        process = w.out.add(w.rng.choice(_LEAKS), "Process")
        w.out.add(w.rng.choice(["on", "at", "from", "-", "in"]))
        agent = w.target()
    else:
        agent = w.target()
        if w.rng.random() < 0.15:
            w.out.add(w.rng.choice(["is", "are", "has been"]))
        # Leaks are the commonest process in work orders, whatever the part.
        leak = w.rng.random() < 0.3
        verb = w.rng.choice(_LEAKS) if leak else w.word(w.lex.processes, "processes")
        process = w.out.add(verb, "Process")
        if w.rng.random() < (0.4 if leak else 0.1):
            substance = w.out.add(w.word(w.lex.substances, "substances"), "PhysicalObject")
    w.out.relate(process, agent, "agent")
    if substance >= 0:
        w.out.relate(process, substance, "patient")
    if w.rng.random() < 0.3:
        w.out.add(w.rng.choice(["-", ",", "pls", "needs"]))
        w.follow_up(agent, past=w.rng.random() < 0.5)


def _property_of(w: _Writer) -> None:
    """'low hyd pressure on loader', 'check oil level on gearbox'."""
    act = -1
    if w.rng.random() < 0.5:
        act = w.out.add(w.activity(), "Activity")
    elif w.rng.random() < 0.5:
        w.out.add(w.rng.choice(["low", "high"]))
    if w.rng.random() < 0.5:
        w.out.add(w.word(w.lex.modifiers, "modifiers"))
    prop = w.out.add(w.word(w.lex.properties, "properties"), "Property")
    w.out.add(w.rng.choice(["on", "at", "-"]))
    w.equipment()
    if act >= 0:
        w.out.relate(act, prop, "patient")


def _routine(w: _Writer) -> None:
    """'500 hr service on loader 7', 'weekly insp - conveyor'."""
    w.out.add(w.rng.choice(["500 hr", "250hr", "weekly", "monthly", "<num> week", "pm", "annual"]))
    act = w.out.add(w.activity(), "Activity")
    if w.rng.random() < 0.7:
        w.out.add(w.rng.choice(["on", "-", "for"]))
        w.out.relate(act, w.equipment(), "patient")


@functools.cache
def _usual(topic: str, company: str, concepts: tuple[T, ...]) -> tuple[T, ...]:
    """The few ``concepts`` a topic usually keeps company with; fixed per topic."""
    rng = random.Random(f"{topic}|{company}")
    return tuple(rng.sample(concepts, min(len(concepts), 4)))


_TEMPLATES: tuple[tuple[Callable[[_Writer], None], float], ...] = (
    (_act_on, 0.38),
    (_state_of, 0.3),
    (_process_of, 0.2),
    (_property_of, 0.05),
    (_routine, 0.07),
)


def generate_work_orders(
    n: int, seed: int, lexicon: Lexicon = Lexicon(), typo_rate: float = 0.03
) -> list[WorkOrder]:
    """``n`` labelled work orders; the same arguments give the same orders."""
    rng = random.Random(seed)
    templates, weights = zip(*_TEMPLATES, strict=True)
    orders = []
    for _ in range(n):
        writer = _Writer(lexicon, rng, typo_rate)
        if rng.random() < 0.15:
            writer.out.add(rng.choice(["<id>", "wo", "urgent", "<id> -"]))
        rng.choices(templates, weights)[0](writer)
        writer.filler()
        orders.append(writer.out.build(upper=rng.random() < 0.08))
    return orders
