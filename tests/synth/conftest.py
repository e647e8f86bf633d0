"""A small generated population shared by the pure (no database) generator tests."""

from __future__ import annotations

from datetime import date

import pytest

from idrs.store.records import Batch
from idrs.synth.context import SynthConfig
from idrs.synth.generator import generate

AS_OF = date(2026, 6, 30)
SEED = 20261130


@pytest.fixture(scope="session")
def population() -> Batch:
    """1,000 taxpayers, all chunks merged (generation only, a few seconds)."""
    merged = Batch()
    for _, batch in generate(SynthConfig(1000, SEED, AS_OF, chunk_size=400)):
        merged.extend(batch)
    return merged
