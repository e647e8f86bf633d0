"""Where each household sits among the ordinals 0..N-1, and which chunk writes it.

Why a layout pass: spouses and dependents are taxpayers of their own, and a household must be
written in one transaction (links and joint modules point at its members). So the population
is a sequence of households, each taking a run of consecutive ordinals, and a chunk ``k``
writes the households that *start* in ``[k*K, (k+1)*K)``. The household kind and size come
from one SHA-256 draw per household (:func:`idrs.synth.rng.unit`), so walking the layout from
the start is cheap, and it is the same whatever the chunk size: a resumed or re-chunked run
sees the same households with the same ordinals.

The first households are the demo staff's (:data:`idrs.synth.staff.STAFF`), then one
high-profile married couple, then the general population.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from idrs.synth.rng import unit
from idrs.synth.staff import STAFF

# Household mix (shares of households, not of taxpayers; docs/SYNTHETIC.md gives both).
KIND_SHARES = (("individual", 0.735), ("business", 0.212), ("exempt_org", 0.053))
# Individual household structures: (structure, share, adults).
STRUCTURES = (("single", 0.43, 1), ("hoh", 0.10, 1), ("mfj", 0.40, 2), ("former", 0.07, 2))
DEPENDENTS_MFJ = (0.40, 0.25, 0.25, 0.10)  # P(0..3 dependents) for married couples
DEPENDENTS_HOH = (0.0, 0.50, 0.35, 0.15)  # heads of household have at least one
RECENT_EMPLOYERS = 32  # W-2 payers are drawn from the last businesses laid out before a household
HIGH_PROFILE_DEMO = len(STAFF)  # household index of the demo high-profile couple


@dataclass(frozen=True, slots=True)
class Plan:
    index: int  # household number
    start: int  # first ordinal
    size: int  # taxpayers in the household
    kind: str  # individual | business | exempt_org
    structure: str  # single | hoh | mfj | former ("" for organisations)
    dependents: int
    staff: int | None  # index into STAFF for a demo staff member's household
    employers: tuple[int, ...]  # taxpayer ids of businesses laid out before this household


def _pick(u: float, shares: tuple[float, ...]) -> int:
    acc = 0.0
    for i, share in enumerate(shares):
        acc += share
        if u < acc:
            return i
    return len(shares) - 1


def _shape(seed: int, index: int) -> tuple[str, str, int, int | None]:
    """(kind, structure, dependents, staff index) of household ``index``, before truncation."""
    if index < len(STAFF):
        return "individual", STAFF[index].structure, 0, index
    if index == HIGH_PROFILE_DEMO:
        return "individual", "mfj", 1, None
    kind = KIND_SHARES[_pick(unit(seed, "kind", index), tuple(s for _, s in KIND_SHARES))][0]
    if kind != "individual":
        return kind, "", 0, None
    structure = STRUCTURES[
        _pick(unit(seed, "structure", index), tuple(s for _, s, _ in STRUCTURES))
    ]
    deps = 0
    if structure[0] == "mfj":
        deps = _pick(unit(seed, "dependents", index), DEPENDENTS_MFJ)
    elif structure[0] == "hoh":
        deps = _pick(unit(seed, "dependents", index), DEPENDENTS_HOH)
    return kind, structure[0], deps, None


def plans(seed: int, taxpayers: int) -> Iterator[Plan]:
    """Every household of a population of ``taxpayers``, in ordinal order."""
    start, index = 0, 0
    employers: deque[int] = deque(maxlen=RECENT_EMPLOYERS)
    while start < taxpayers:
        kind, structure, deps, staff = _shape(seed, index)
        adults = 2 if structure in ("mfj", "former") else 1
        room = taxpayers - start
        if adults > room:  # the last household is cut to fit exactly N taxpayers
            structure, adults, deps = ("single" if kind == "individual" else ""), 1, 0
        deps = min(deps, room - adults)
        if structure == "hoh" and deps == 0:
            structure = "single"
        size = adults + deps
        yield Plan(index, start, size, kind, structure, deps, staff, tuple(employers))
        if kind == "business":
            employers.append(start + 1)
        start += size
        index += 1


def chunk_count(taxpayers: int, chunk_size: int) -> int:
    return -(-taxpayers // chunk_size)


def chunks(
    seed: int, taxpayers: int, chunk_size: int, first: int = 0
) -> Iterator[tuple[int, list[Plan]]]:
    """``(k, households starting in chunk k)`` for every chunk from ``first`` on.

    A chunk may be empty (a large household can span a whole chunk); it is still yielded so
    that run bookkeeping counts every chunk.
    """
    current = first
    batch: list[Plan] = []
    for plan in plans(seed, taxpayers):
        k = plan.start // chunk_size
        if k < first:
            continue
        while k > current:
            yield current, batch
            current, batch = current + 1, []
        batch.append(plan)
    total = chunk_count(taxpayers, chunk_size)
    while current < total:
        yield current, batch
        current, batch = current + 1, []
