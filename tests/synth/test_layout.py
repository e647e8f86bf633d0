"""Household layout: exact size, staff first, and chunking that never changes households."""

from __future__ import annotations

import pytest

from idrs.synth.layout import HIGH_PROFILE_DEMO, chunk_count, chunks, plans
from idrs.synth.staff import MIN_TAXPAYERS, STAFF


@pytest.mark.parametrize("n", [MIN_TAXPAYERS, 21, 60, 997])
def test_households_cover_every_ordinal_once(n: int) -> None:
    households = list(plans(5, n))
    covered = [o for p in households for o in range(p.start, p.start + p.size)]
    assert covered == list(range(n))
    for p in households:
        adults = 2 if p.structure in ("mfj", "former") else 1
        assert p.size == adults + p.dependents
        if p.structure == "hoh":
            assert p.dependents >= 1


def test_staff_households_come_first_then_the_high_profile_couple() -> None:
    households = list(plans(5, 200))
    for i, spec in enumerate(STAFF):
        assert households[i].staff == i
        assert households[i].structure == spec.structure
    demo = households[HIGH_PROFILE_DEMO]
    assert demo.staff is None and demo.structure == "mfj"
    assert all(p.staff is None for p in households[len(STAFF) :])


@pytest.mark.parametrize("size", [1, 7, 25, 1000])
def test_chunking_partitions_the_same_households(size: int) -> None:
    n = 300
    seen = []
    indexes = []
    for k, households in chunks(9, n, size):
        indexes.append(k)
        assert all(k * size <= p.start < (k + 1) * size for p in households)
        seen.extend(households)
    assert indexes == list(range(chunk_count(n, size)))
    assert seen == list(plans(9, n))


def test_resuming_from_a_chunk_yields_the_rest_unchanged() -> None:
    full = list(chunks(3, 150, 7))
    assert list(chunks(3, 150, 7, first=9)) == full[9:]


def test_employers_are_businesses_laid_out_earlier() -> None:
    households = list(plans(11, 2000))
    business_ids = {p.start + 1 for p in households if p.kind == "business"}
    for p in households:
        assert set(p.employers) <= business_ids
        assert all(e < p.start + 1 for e in p.employers)
    assert any(p.employers for p in households)


def test_a_different_seed_gives_a_different_layout() -> None:
    assert [p.kind for p in plans(1, 500)] != [p.kind for p in plans(2, 500)]
