"""Synthetic identifiers: surrogate ids, TINs, DLN numbering slots, routing and CAF numbers.

Surrogate ids are arithmetic on the taxpayer ordinal, so a resumed run writes the same ids and
no chunk needs to know how many rows another chunk wrote:

* taxpayer ``id = ordinal + 1``;
* per-taxpayer rows (addresses, links, bank accounts, authorisations): ``id * 100 + k``;
* modules ``id * 1000 + k`` (owned by the primary), information returns ``id * 1000 + k``;
* a module's postings ``module_id * 100 + k``, status history ``module_id * 10 + k``, and its
  filed return has the module's id.

TINs (see docs/SYNTHETIC.md): every structurally valid SSN may belong to someone, so none is
"safe"; we use area numbers **773-899**, which SSA never issued before the 25 June 2011
randomisation (domain.md §2.2), so no synthetic adult's number can be a pre-2011 number. ITINs
use middle digits 70-88, EINs only valid prefixes below 77. The three spaces are disjoint as
nine-digit strings (7xx/8xx, 9xx, and EIN prefixes 01-76 with area-like first digits below
773), so the TIN blind index is unique. Each space is walked by a seed-keyed affine
permutation ``(a*id + b) mod M``, a bijection for ids below ``M``. Every value is checked with
the domain's :func:`~idrs.domain.tin.parse_tin`.
"""

from __future__ import annotations

import math
import random

from stdnum.us import rtn as stdnum_rtn

from idrs.domain.bank import validate_routing_number
from idrs.domain.dln import CAMPUS_FLC
from idrs.domain.tin import ITIN_MIDDLE, InvalidTin, TinKind, parse_tin
from idrs.synth.rng import derive

SSN_AREAS = range(773, 900)
ITIN_MIDDLES = tuple(m for m in range(70, 89) if m in ITIN_MIDDLE)
EIN_PREFIX_LIMIT = 77
MAX_TAXPAYER_ID = 1_000_000  # DLN numbering capacity, see dln_slot

CAMPUSES = tuple(sorted(CAMPUS_FLC))


def taxpayer_id(ordinal: int) -> int:
    return ordinal + 1


def child_id(owner_id: int, k: int, width: int) -> int:
    """Row ``k`` belonging to ``owner_id`` in a block of ``width`` ids."""
    if not 0 <= k < width:
        raise OverflowError(f"synthetic id block of {width} exhausted for owner {owner_id}")
    return owner_id * width + k


def _ein_prefixes() -> tuple[int, ...]:
    found = []
    for prefix in range(1, EIN_PREFIX_LIMIT):
        try:
            parse_tin(f"{prefix:02d}-1000000", "ein")
        except InvalidTin:
            continue
        found.append(prefix)
    return tuple(found)


class _Affine:
    """A seed-keyed bijection on ``range(modulus)``."""

    def __init__(self, seed: int, label: str, modulus: int) -> None:
        self.modulus = modulus
        a = derive(seed, label, 0) % modulus or 1
        while math.gcd(a, modulus) != 1:
            a += 1
        self.a = a
        self.b = derive(seed, label, 1) % modulus

    def __call__(self, x: int) -> int:
        if not 0 <= x < self.modulus:
            raise OverflowError("synthetic TIN space exhausted")
        return (self.a * x + self.b) % self.modulus


class TinMaker:
    """Unique synthetic TINs for taxpayer ids, per kind, for one seed."""

    def __init__(self, seed: int) -> None:
        self._ein_prefixes = _ein_prefixes()
        self._ssn = _Affine(seed, "ssn", len(SSN_AREAS) * 99 * 9999)
        self._itin = _Affine(seed, "itin", 100 * len(ITIN_MIDDLES) * 9999)
        self._ein = _Affine(seed, "ein", len(self._ein_prefixes) * 10**7)

    def ssn(self, tp_id: int) -> str:
        x = self._ssn(tp_id)
        x, serial = divmod(x, 9999)
        area, group = divmod(x, 99)
        return _checked(f"{SSN_AREAS[area]:03d}{group + 1:02d}{serial + 1:04d}", TinKind.SSN)

    def itin(self, tp_id: int) -> str:
        x = self._itin(tp_id)
        x, serial = divmod(x, 9999)
        area, middle = divmod(x, len(ITIN_MIDDLES))
        digits = f"9{area:02d}{ITIN_MIDDLES[middle]:02d}{serial + 1:04d}"
        return _checked(digits, TinKind.ITIN)

    def ein(self, tp_id: int) -> str:
        prefix, rest = divmod(self._ein(tp_id), 10**7)
        return _checked(f"{self._ein_prefixes[prefix]:02d}{rest:07d}", TinKind.EIN)


def _checked(digits: str, kind: TinKind) -> str:
    tin = parse_tin(digits, kind)
    if tin.is_advertising:
        raise ValueError("synthetic TIN fell in the advertising range")
    return tin.digits


def dln_slot(tp_id: int) -> tuple[int, int, int]:
    """(campus FLC, block, serial) unique per taxpayer below :data:`MAX_TAXPAYER_ID`.

    A DLN is unique when no taxpayer numbers two documents of one kind on the same day (the
    generator keeps each taxpayer's receipt dates distinct) and no two taxpayers share a slot.
    Ten campuses times 100,000 block/serial numbers give one slot per taxpayer id.
    """
    v = tp_id - 1
    if not 0 <= v < MAX_TAXPAYER_ID:
        raise OverflowError("DLN numbering capacity exceeded")
    flc = CAMPUSES[v % len(CAMPUSES)]
    rest = v // len(CAMPUSES)
    return flc, rest // 100, rest % 100


def routing_number(rng: random.Random) -> str:
    """A routing number with a Federal Reserve district symbol (01-12) and a valid ABA check."""
    head = f"{rng.randint(1, 12):02d}{rng.randint(0, 999_999):06d}"
    return validate_routing_number(head + stdnum_rtn.calc_check_digit(head))


def account_number(rng: random.Random) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(9, 12)))


def caf_number(rng: random.Random) -> str:
    """A CAF-shaped number ``NNNN-NNNNNR``; synthetic, never looked up anywhere."""
    return f"{rng.randint(0, 9999):04d}-{rng.randint(0, 99999):05d}R"
