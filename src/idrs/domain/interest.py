"""Underpayment interest, compounded daily (IRC 6601, 6621, 6622; domain.md §4.1, §6.3).

Why this shape: IRC 6622 compounds interest daily, and the rate changes quarterly (6621), so
the balance is carried forward day by day at that day's rate. We compute it exactly with
:class:`Decimal` (``prec=40`` in a local context, never float) and round once, at the end,
to whole cents (round half up, :func:`idrs.domain.money.round_half_up`).

Rules, as implemented:

* Interest accrues for the days in ``(start, end]``: the start day is excluded, the end day
  included. The IRS counts days from the due date to the payment date (domain.md §6.3), so
  ``start`` is the due date and ``end`` the payment date. "365 days in 2025" (vector A) is
  therefore ``start=2024-12-31, end=2025-12-31``.
* Each day ``d`` uses the annual rate of ``d``'s quarter divided by the number of days in
  ``d``'s year (365, or 366 in a leap year). The 366 divisor is what the reference's vectors
  use and is marked **[leap-year divisor: verify]** there (Rev. Proc. 95-17 tables).
* The balance is multiplied by ``1 + daily rate`` for each day; interest is
  ``round_half_up(compounded - principal)``.
* A day after the last published quarter uses the carried-forward rate; the result is then
  ``provisional`` and says so in ``note``. A day before 2019-01-01 raises (no rate table).

This module computes interest on a fixed principal only; accruals on penalties (6601(e)(2))
and the interest-free period after notice and demand (6601(e)(3)) are the caller's business.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import NamedTuple

from idrs.domain.money import round_half_up
from idrs.domain.rates import RateKind, RateTable, quarter_start, rate_table
from idrs.errors import InvalidInput

__all__ = ["PROVISIONAL_NOTE", "InterestResult", "RateSegment", "interest", "interest_detail"]

PROVISIONAL_NOTE = "computed with a provisional rate"
_PRECISION = 40


class RateSegment(NamedTuple):
    """Days ``first`` .. ``last`` (both inclusive) charged at one annual ``percent``."""

    first: date
    last: date
    percent: Decimal
    provisional: bool


@dataclass(frozen=True, slots=True)
class InterestResult:
    """Interest in cents for ``days`` days, with the rates used and any caveat."""

    cents: int
    days: int
    provisional: bool
    rates: tuple[RateSegment, ...]
    note: str


def _days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def _segments(
    start: date, end: date, table: RateTable, kind: RateKind
) -> list[tuple[RateSegment, int]]:
    """Split ``(start, end]`` at quarter boundaries (so each piece has one rate and one
    days-in-year divisor: quarters never straddle a year), with the day count of each."""
    out: list[tuple[RateSegment, int]] = []
    first = start + timedelta(days=1)
    while first <= end:
        q = quarter_start(first)
        next_q = date(q.year + 1, 1, 1) if q.month == 10 else date(q.year, q.month + 3, 1)
        last = min(end, next_q - timedelta(days=1))
        rate = table.rate_on(first, kind)
        segment = RateSegment(first, last, rate.percent, rate.provisional)
        out.append((segment, (last - first).days + 1))
        first = last + timedelta(days=1)
    return out


def _merge(segments: list[RateSegment]) -> tuple[RateSegment, ...]:
    merged: list[RateSegment] = []
    for seg in segments:
        prev = merged[-1] if merged else None
        if prev and (prev.percent, prev.provisional) == (seg.percent, seg.provisional):
            merged[-1] = prev._replace(last=seg.last)
        else:
            merged.append(seg)
    return tuple(merged)


def interest_detail(
    principal_cents: int,
    start: date,
    end: date,
    *,
    kind: RateKind = "individual",
    table: RateTable | None = None,
) -> InterestResult:
    """Daily-compounded interest on ``principal_cents`` for the days in ``(start, end]``.

    ``kind`` selects the rate (see :mod:`idrs.domain.rates`); ``table`` overrides the packaged
    rate table (tests, what-if). Raises :class:`InvalidInput` if ``end < start``, the principal
    is negative, or a day falls before the rate table.
    """
    if isinstance(principal_cents, bool) or not isinstance(principal_cents, int):
        raise InvalidInput("principal", "must be whole cents (int)", principal_cents)
    if principal_cents < 0:
        raise InvalidInput("principal", "must not be negative", principal_cents)
    if end < start:
        raise InvalidInput("end", "end date must not be before start date", end.isoformat())
    table = rate_table() if table is None else table
    pieces = _segments(start, end, table, kind)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        factor = Decimal(1)
        for seg, days in pieces:
            daily = seg.percent / 100 / _days_in_year(seg.first.year)
            factor *= (1 + daily) ** days
        cents = round_half_up(Decimal(principal_cents) * factor - principal_cents)
    provisional = any(seg.provisional for seg, _ in pieces)
    return InterestResult(
        cents=cents,
        days=(end - start).days,
        provisional=provisional,
        rates=_merge([seg for seg, _ in pieces]),
        note=PROVISIONAL_NOTE if provisional else "",
    )


def interest(principal_cents: int, start: date, end: date) -> int:
    """Interest in cents on ``principal_cents`` for days ``(start, end]``.

    Non-corporate underpayment rate; see :func:`interest_detail` for rules and errors.
    """
    return interest_detail(principal_cents, start, end).cents
