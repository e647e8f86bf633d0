"""Per-entity random streams derived from (seed, label, ordinal) with SHA-256.

Why: the same seed must give the same population however it is chunked or resumed, so no
entity may draw from a stream shared with its neighbours (a chunk boundary would shift it).
Each household gets its own ``random.Random`` seeded from a SHA-256 of the run seed and its
first ordinal; Python's ``hash()`` is salted per process and is never used.
"""

from __future__ import annotations

import hashlib
import random


def derive(seed: int, label: str, *parts: int) -> int:
    """A 64-bit integer determined by ``seed``, ``label`` and ``parts`` only."""
    text = "|".join(("idrs-synth", str(seed), label, *(str(p) for p in parts)))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def stream(seed: int, label: str, *parts: int) -> random.Random:
    """An independent ``random.Random`` for one entity."""
    return random.Random(derive(seed, label, *parts))


def unit(seed: int, label: str, *parts: int) -> float:
    """A uniform float in [0, 1) for one cheap decision (no ``Random`` object)."""
    return derive(seed, label, *parts) / 2**64
