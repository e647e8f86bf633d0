"""Transaction codes (TCs): what each posting means and how it moves the module balance.

Why: a tax module is the list of its posted TCs (domain.md §2.5); the balance, freezes and
status are all derived from them (:mod:`idrs.domain.account`). This module is the single table
of TC meaning, balance effect (debit increases the balance due, credit reduces it, none is
non-financial), what each code reverses or abates, and which module fields or freezes it sets.

Data: ``data/transaction_codes.csv`` holds every code of domain.md §2.11 (ranges expanded, e.g.
590-599) plus the entity TCs of §2.4. Columns: ``reverses`` and ``sets`` are ``;``-separated;
``source`` is a list of keys into :data:`SOURCES`; ``uncertain`` = 1 marks rows whose meaning
or reversal link the reference does not pin down (e.g. the individual 59X meanings, 281/287,
the -Y/-Z freezes, which abatements 295/299 cover).

``sets`` vocabulary: freeze letters (``-L``, ``-R``, ``-A``, ``-Y``, ``-Z``, ``-V``, ``-W``;
§2.10), ``status:NN`` (collection status while the code is unreversed; §2.9), and plain module
flags (``return_filed``, ``assessment_date``, ``notice_hold``, ``lien``, ``tdi``, ...). TC 520
sets -V (and status 72) or -W depending on its closing code; TC 971 sets according to its action
code (:data:`TC971_ACTION_SETS`). A code with ``reverses`` releases what the reversed posting set.
"""

from __future__ import annotations

import csv
import enum
import functools
import io
from dataclasses import dataclass
from importlib import resources

from idrs.errors import InvalidInput


class BalanceEffect(enum.Enum):
    """How a TC's amount moves the module balance (domain.md §2.5, §2.11 Dr/Cr column)."""

    DEBIT = "Dr"
    CREDIT = "Cr"
    NONE = "-"

    @property
    def sign(self) -> int:
        return {"Dr": 1, "Cr": -1, "-": 0}[self.value]


SOURCES: dict[str, str] = {
    "6209": "Doc 6209 §8A TC list as published by taxproreport.com (domain.md §2.11)",
    "s6166": "section6166.com (TC 150, 290, 291, 340, 610, 670)",
    "irm2158": "IRM 21.5.8 exhibit (TC reversals)",
    "irm214": "IRM 21.4 (TC 840 manual refund vs TC 846 generated refund)",
    "irm5141": "IRM 5.14.1 exhibit 5.14.1-1 (TC 971 AC 043/063)",
    "entity": "domain.md §2.4 (entity TCs)",
    "freeze": "domain.md §2.10 (freeze codes)",
    "gk": "general knowledge of Doc 6209, not in the reference [uncertain]",
}

KINDS = frozenset(
    {
        "entity",
        "assessment",
        "penalty",
        "interest",
        "fee",
        "payment",
        "credit",
        "transfer",
        "refund",
        "writeoff",
        "indicator",
        "status",
    }
)


@dataclass(frozen=True)
class TransactionCode:
    """One transaction code from the catalogue."""

    code: int
    description: str
    effect: BalanceEffect
    kind: str
    reverses: tuple[int, ...]
    sets: tuple[str, ...]
    source: str
    uncertain: bool = False

    def __str__(self) -> str:
        return f"{self.code:03d}"


# TC 971 action codes (domain.md §2.11, IRM 5.14.1 exhibit 5.14.1-1, §2.10 for AC 087).
TC971_ACTION_CODES: dict[int, str] = {
    10: "amended/duplicate return (-A freeze)",
    13: "duplicate return forwarded to Examination",
    43: "pending installment agreement",
    63: "installment agreement established (0.25% FTP rate)",
    87: "disaster indicator (-O freeze)",
    114: "IRC 965 amount",
    163: "installment agreement termination-related [uncertain]",
    275: "collection due process hearing request [uncertain: from memory]",
}

# What an unreversed TC 971 sets, by action code (§2.10 -A and -O; §2.9 status 60).
TC971_ACTION_SETS: dict[int, tuple[str, ...]] = {
    10: ("-A",),
    43: ("ia_pending",),
    63: ("installment_agreement", "status:60"),
    87: ("-O",),
}

# TC 520 closing codes that mean bankruptcy (-V, status 72); others are litigation (-W).
# IRM 5.19.1.11.7 (2008), domain.md §2.10.
BANKRUPTCY_CLOSING_CODES = frozenset([*range(60, 68), 81, 83, *range(85, 90)])


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


@functools.cache
def catalogue() -> dict[int, TransactionCode]:
    """Every TC we know, keyed by number (loaded once from the packaged CSV)."""
    path = resources.files("idrs.domain").joinpath("data/transaction_codes.csv")
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    table: dict[int, TransactionCode] = {}
    for row in rows:
        tc = TransactionCode(
            code=int(row["code"]),
            description=row["description"],
            effect=BalanceEffect[row["effect"]],
            kind=row["kind"],
            reverses=tuple(int(c) for c in _split(row["reverses"])),
            sets=_split(row["sets"]),
            source="; ".join(SOURCES[key] for key in _split(row["source"])),
            uncertain=row["uncertain"] == "1",
        )
        if tc.code in table or tc.kind not in KINDS:
            raise ValueError(f"transaction_codes.csv: bad row for TC {tc.code}")
        table[tc.code] = tc
    return table


def transaction_code(code: int | str) -> TransactionCode:
    """Look up a TC by number (``150``) or text (``'150'``, ``'011'``)."""
    if isinstance(code, bool):
        raise InvalidInput("tc", "unknown transaction code", code)
    if isinstance(code, str):
        raw = code.strip()
        if not (1 <= len(raw) <= 3 and raw.isdigit() and raw.isascii()):
            raise InvalidInput("tc", "unknown transaction code", code)
        number = int(raw)
    else:
        number = code
    found = catalogue().get(number)
    if found is None:
        raise InvalidInput("tc", "unknown transaction code", code)
    return found
