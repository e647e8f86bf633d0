"""Money: integer cents everywhere, formatted only at the edges.

Why integer cents: binary floats cannot represent most cent amounts, and a tax account must
reconcile to the cent (DESIGN.md: "Money is integer cents (``int``) ... Rates are ``Decimal``").
Computations that produce fractions of a cent (interest, penalties) work in :class:`Decimal`
and convert back with :func:`round_half_up`.

Rounding: we round to the nearest cent with halves rounded *up* (away from zero for negative
values, i.e. :data:`decimal.ROUND_HALF_UP`), the ordinary commercial rule and the one the IRS
uses when it states amounts to the cent. The reference notes (domain.md §4, §6.3) do not name
a rounding rule explicitly; the §6.3 vectors are consistent with it. **[verify]**

Display follows IDRS screen style (domain.md §1.4): thousands separators, always two decimals,
and credits (negative amounts) with a *trailing* minus sign: ``1,234.00-``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from idrs.errors import InvalidInput

__all__ = ["format_cents", "parse_amount", "round_half_up"]

# Sign may lead or trail (not both); "$" optional; commas only in correct 3-digit groups.
_AMOUNT = re.compile(
    r"(?P<lead>-)?\s*\$?\s*"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    r"(?:\.(?P<frac>[0-9]+))?"
    r"\s*(?P<trail>-)?"
)
_MAX_TEXT = 40  # longer input is garbage, and keeps int() far from its digit limit


def round_half_up(cents: Decimal) -> int:
    """Round a Decimal amount *in cents* to whole cents, halves away from zero.

    ``round_half_up(Decimal("72500.5")) == 72501``; ``round_half_up(Decimal("-0.5")) == -1``.
    """
    return int(cents.to_integral_value(rounding=ROUND_HALF_UP))


def format_cents(cents: int, *, credit_minus: bool = True) -> str:
    """Format integer cents IDRS-style: ``123456 -> "1,234.56"``.

    Negative amounts (credits) get a trailing minus (``"1,234.56-"``) unless
    ``credit_minus=False``, which gives a leading minus (``"-1,234.56"``).
    """
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"format_cents expects int cents, got {type(cents).__name__}")
    dollars, rem = divmod(abs(cents), 100)
    body = f"{dollars:,}.{rem:02d}"
    if cents >= 0:
        return body
    return f"{body}-" if credit_minus else f"-{body}"


def parse_amount(text: str, *, field: str = "amount", max_cents: int = 10**13) -> int:
    """Parse a typed money amount into integer cents.

    Accepts ``1234``, ``1,234.56``, ``1234.5``, ``-12.00``, ``12.00-`` (IDRS credit style),
    ``$1,234.56`` and surrounding blanks. Raises :class:`InvalidInput` naming ``field`` and the
    rule broken: not an amount, more than 2 decimal places, or absolute value above
    ``max_cents`` (inclusive bound).
    """
    raw = text.strip() if isinstance(text, str) else ""
    match = _AMOUNT.fullmatch(raw) if len(raw) <= _MAX_TEXT else None
    if match is None or (match["lead"] and match["trail"]):
        raise InvalidInput(field, "must be an amount like 1,234.56 or 1,234.56-", text)
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise InvalidInput(field, "at most 2 decimal places (whole cents)", text)
    cents = int(match["int"].replace(",", "")) * 100 + int(frac.ljust(2, "0"))
    if match["lead"] or match["trail"]:
        cents = -cents
    if abs(cents) > max_cents:
        raise InvalidInput(
            field, f"must be between -{format_cents(max_cents)} and {format_cents(max_cents)}", text
        )
    return cents
