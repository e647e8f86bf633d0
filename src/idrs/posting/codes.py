"""Unpostable codes: why the cycle refused an input, one small documented table.

Why our own numbers: the IRS unpostable codes (UPC, IRM 3.12.179 for IMF, 3.12.279 for BMF)
are not in our reference beyond one example (domain.md §2.3: "mismatch -> unpostable, e.g.
UPC 153 valid name control mismatch"). We keep that number for that meaning and number the
rest in its neighbourhood; every row names its source, and ``[reconstructed]`` marks the
ones that are our model of what the cycle must refuse rather than a cited IRS code.

The order of :data:`CODES` is the order of the checks: an input failing several checks is
reported under the first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnpostableCode:
    code: int
    reason: str  # what the UPTIN screen shows
    source: str


CODES: tuple[UnpostableCode, ...] = (
    UnpostableCode(101, "entity change for a taxpayer not on file", "[reconstructed]"),
    UnpostableCode(
        102, "TC 013 without a valid new name control", "domain.md §2.3 [reconstructed]"
    ),
    UnpostableCode(
        103, "entity change with unreadable or incomplete new values", "[reconstructed]"
    ),
    UnpostableCode(151, "tax module not on file", "[reconstructed]"),
    UnpostableCode(
        152,
        "transaction code not accepted as cycle input (unknown, or an entity TC)",
        "domain.md §2.11, §2.4 [reconstructed]",
    ),
    UnpostableCode(155, "negative amount (the transaction code gives the sign)", "domain.md §2.5"),
    UnpostableCode(
        153, "valid name control mismatch", "domain.md §2.3 (UPC 153, name control check)"
    ),
    UnpostableCode(
        154, "TIN on the input is not the module's taxpayer", "domain.md §2.3 [reconstructed]"
    ),
    UnpostableCode(160, "duplicate: same DLN, TC and module already posted", "[reconstructed]"),
    UnpostableCode(
        161,
        "duplicate return: a TC 150 is already posted (amended returns post as TC 976/977)",
        "domain.md §2.10 -A freeze [reconstructed]",
    ),
    UnpostableCode(
        170,
        "adjustment to a module with no return posted",
        "domain.md §2.5 (an assessment adjusts a posted return) [reconstructed]",
    ),
    UnpostableCode(
        171,
        "reversal with nothing to reverse",
        "idrs.domain.account (a reversal of nothing would go unpostable) [reconstructed]",
    ),
    UnpostableCode(
        172,
        "TC 972 without the action code of the TC 971 it reverses",
        "IRM 5.14.1 exhibit 5.14.1-1 [reconstructed]",
    ),
    UnpostableCode(173, "TC 520 without a closing code", "IRM 5.19.1.11.7 [reconstructed]"),
    UnpostableCode(
        180,
        "refund on a module with a freeze",
        "domain.md §2.10 (freezes block refunds; -R holds credits) [reconstructed]",
    ),
    UnpostableCode(
        181, "refund larger than the module's credit balance", "IRM 21.4 [reconstructed]"
    ),
)

BY_CODE: dict[int, UnpostableCode] = {c.code: c for c in CODES}


def reason(code: int) -> str:
    return BY_CODE[code].reason
