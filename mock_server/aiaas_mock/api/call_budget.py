"""What one call may ask of the models, counted before any work starts.

Batch size alone does not bound a call's cost: a thousand 1,000-character work
orders keep the role labeller busy for minutes, two hundred 2048 x 2048 PNGs
decode to gigabytes. So a call's texts are counted in characters and its
images in decoded pixels (read from each PNG's or JPEG's header, or the pixel array's
dimensions) against limits the server announces at ``GET /v1/limits``.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiaas._image_sets import JPEG_SIGNATURE, PNG_SIGNATURE

from ..config import ServerConfig
from ..datasets.limits import MAX_CELL_CHARS
from ..zoo.chat_llm.runtime import CONTEXT_TOKENS
from ..zoo.chat_llm.serving import MAX_COMPLETION_TOKENS
from .problems import ProblemError


def limits(config: ServerConfig) -> dict[str, int]:
    """The per-call limits, as ``GET /v1/limits`` announces them."""
    return {
        "max_body_bytes": config.max_body_bytes,
        "max_inputs": config.max_inputs,
        "max_text_chars": config.max_text_chars,
        "max_pixels": config.max_pixels,
        "max_concurrent_inference": config.max_concurrent_inference,
        "max_dataset_bytes": config.max_dataset_bytes,
        "max_dataset_line_bytes": config.max_dataset_line_bytes,
        "max_dataset_cell_chars": MAX_CELL_CHARS,
        "max_page_bytes": config.max_page_bytes,
        "body_idle_seconds": int(config.body_idle_timeout),
        "chat_context_tokens": CONTEXT_TOKENS,
        "chat_max_prompt_tokens": CONTEXT_TOKENS - 1,
        "chat_max_completion_tokens": MAX_COMPLETION_TOKENS,
    }


@dataclass(frozen=True)
class CallCost:
    """What a call asks of the models, as counted before any work."""

    inputs: int
    chars: int
    pixels: int

    @property
    def heavy(self) -> bool:
        """Whether the call is worth queueing for a slot: seconds of work, not
        milliseconds. Light calls never wait behind heavy ones."""
        return self.chars > HEAVY_CHARS or self.pixels > HEAVY_PIXELS or self.inputs > HEAVY_INPUTS


HEAVY_CHARS = 2_000
HEAVY_PIXELS = 1024 * 1024
HEAVY_INPUTS = 256


def check_budget(config: ServerConfig, inputs: Sequence[Any], field: str) -> CallCost:
    """What ``inputs`` (as sent) ask for; 413 ``call_too_expensive``, naming the
    limit, when they hold more text or more pixels than one call may."""
    chars = pixels = 0
    for item in inputs:
        if isinstance(item, str):
            chars += len(item)
        elif isinstance(item, dict):
            pixels += _pixels(item)
    for name, asked, most in (
        ("max_text_chars", chars, config.max_text_chars),
        ("max_pixels", pixels, config.max_pixels),
    ):
        if asked > most:
            raise ProblemError(
                413,
                "call_too_expensive",
                f"{field} asks for {asked:,} {name.removeprefix('max_').replace('_', ' ')}; "
                f"one call may ask for {most:,} ({name} in GET /v1/limits). Split the batch.",
                extra={"limit": name, "max": most, "asked": asked},
            )
    return CallCost(len(inputs), chars, pixels)


def _pixels(item: dict[str, Any]) -> int:
    image, rows = item.get("image"), item.get("pixels")
    if isinstance(image, str):
        return _png_pixels(image) or _jpeg_pixels(image)
    if isinstance(rows, list) and rows and isinstance(rows[0], list):
        return len(rows) * len(rows[0])
    return 0


def _png_pixels(text: str) -> int:
    """Width x height from the PNG's IHDR, read from the first 32 base64 characters
    (24 bytes); 0 for anything that is not a PNG (validation refuses it later)."""
    try:
        head = base64.b64decode(text[:32], validate=True)
    except (binascii.Error, ValueError):
        return 0
    if not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return 0
    width, height = struct.unpack(">II", head[16:24])
    return int(width) * int(height)


_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
"""Start-of-frame markers: the ones that give the image's size."""
_JPEG_HEAD_CHARS = (64 * 1024 + 2) // 3 * 4
"""Base64 read for a JPEG's frame header: 64 KiB, past an EXIF block of any size."""
LARGEST_IMAGE = 2048 * 2048
"""What a JPEG whose size is not found early is counted as: the most an image may
hold (decoding refuses more)."""


def _jpeg_pixels(text: str) -> int:
    """Width x height from a JPEG's start-of-frame segment, found by walking its
    segments from the start; 0 for anything that is not a JPEG."""
    try:
        head = base64.b64decode(text[:_JPEG_HEAD_CHARS], validate=True)
    except (binascii.Error, ValueError):
        return 0
    if not head.startswith(JPEG_SIGNATURE):
        return 0
    position = 2
    while position + 9 <= len(head) and head[position] == 0xFF:
        marker = head[position + 1]
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", head[position + 5 : position + 9])
            return int(width) * int(height)
        (length,) = struct.unpack(">H", head[position + 2 : position + 4])
        position += 2 + length
    return LARGEST_IMAGE
