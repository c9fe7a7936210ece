"""Character spans of text: tokens, labelled spans, and BIO tags over tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"<\w+>|\w+(?:[-'/.]\w+)*|[^\w\s]")

Offsets = tuple[int, int]
"""A token's (start, end) character offsets."""


def tokenize(text: str) -> list[Offsets]:
    """Character spans of the tokens of ``text``: words (with inner - ' / .),
    placeholders such as ``<id>``, and single punctuation marks."""
    return [match.span() for match in _TOKEN.finditer(text)]


@dataclass(frozen=True, order=True)
class Span:
    """Characters ``[start, end)`` of a text, labelled: an entity type or a role."""

    start: int
    end: int
    type: str


def bio_spans(tags: Sequence[str], offsets: Sequence[Offsets]) -> list[Span]:
    """The labelled character spans of BIO ``tags`` over tokens at ``offsets``.

    An ``I-`` tag that does not continue a span of its label starts one.
    """
    spans: list[Span] = []
    current: Span | None = None
    for tag, (start, end) in zip(tags, offsets, strict=True):
        label = tag[2:]
        if tag.startswith("I-") and current is not None and current.type == label:
            current = Span(current.start, end, label)
            continue
        if current is not None:
            spans.append(current)
            current = None
        if tag != "O":
            current = Span(start, end, label)
    if current is not None:
        spans.append(current)
    return spans


def bio_tags(offsets: Sequence[Offsets], spans: Iterable[Span]) -> list[str]:
    """BIO tags of the tokens at ``offsets`` for labelled character ``spans``."""
    tags = ["O"] * len(offsets)
    for span in spans:
        first, last = token_range(offsets, span)
        for i in range(first, last):
            tags[i] = ("B-" if i == first else "I-") + span.type
    return tags


def token_range(offsets: Sequence[Offsets], span: Span) -> tuple[int, int]:
    """Tokens ``[first, last)`` that lie inside ``span``; empty if none does."""
    inside = [i for i, (a, b) in enumerate(offsets) if a >= span.start and b <= span.end]
    return (inside[0], inside[-1] + 1) if inside else (0, 0)
