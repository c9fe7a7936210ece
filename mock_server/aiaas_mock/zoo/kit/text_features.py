"""Token features for the maintenance-text taggers.

Words are lower-cased; numbers, asset tags and anonymisation placeholders
(``<id>``, ``<num>``) all read as ``<num>``, since what they say about an entity
is where they stand, not their value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .crf import Features

_PLACEHOLDER = re.compile(r"<\w+>")


def normalise(word: str) -> str:
    word = word.lower()
    if _PLACEHOLDER.fullmatch(word) or any(c.isdigit() for c in word):
        return "<num>"
    return word


def shape(word: str) -> str:
    if _PLACEHOLDER.fullmatch(word) or any(c.isdigit() for c in word):
        return "num"
    if not any(c.isalnum() for c in word):
        return "punct"
    for mark, name in (("/", "slash"), ("-", "dash"), ("'", "apostrophe")):
        if mark in word:
            return name
    return "word"


def word_features(word: str, prefix: str = "") -> dict[str, str]:
    """What the word itself says: identity, affixes and shape."""
    w = normalise(word)
    return {
        f"{prefix}w": w,
        f"{prefix}s3": w[-3:],
        f"{prefix}s2": w[-2:],
        f"{prefix}p3": w[:3],
        f"{prefix}shape": shape(word),
        f"{prefix}len": str(min(len(w), 8)),
    }


def token_features(words: Sequence[str], i: int, lexical: bool = True) -> dict[str, str]:
    """Features of token ``i``: itself (unless ``lexical`` is off, to teach the tagger
    context for words it will not know) and its neighbours up to two away."""
    own = word_features(words[i])
    features = own if lexical else {"shape": own["shape"], "len": own["len"]}
    for distance in (-2, -1, 1, 2):
        j = i + distance
        if 0 <= j < len(words):
            neighbour = normalise(words[j])
            features[f"w{distance:+d}"] = neighbour
            features[f"s{distance:+d}"] = neighbour[-3:]
        else:
            features[f"w{distance:+d}"] = "BOS" if j < 0 else "EOS"
    if i == 0:
        features["first"] = "1"
    if i == len(words) - 1:
        features["last"] = "1"
    return features


def as_crf_features(features: dict[str, str]) -> Features:
    return {f"{name}={value}": 1.0 for name, value in features.items()}
