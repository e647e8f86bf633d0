"""Failure-to-file and failure-to-pay penalties, IRC 6651 (domain.md §4.2, §4.3; vectors §6.3).

Why one module: the two additions interact (6651(c)(1): FTF is reduced by FTP for a month both
apply) and share one month count. Amounts are Decimal cents internally, rounded once to whole
cents (round half up) at the end.

**Month counting** (both penalties; "part of a month counts as a full month"): month ``n``
(n >= 1) covers the days after ``add_months(due, n - 1)`` up to and including
``add_months(due, n)``, with calendar-month arithmetic clamped to the end of the month and
always measured from ``due`` (never chained): due 31 Jan -> month 1 ends 28/29 Feb, month 2
ends 31 Mar. A return filed (or an ``as_of`` date) on or before ``due`` is 0 months late.

**FTF**, 6651(a)(1), (c)(1), (f): ``net_due`` = tax required to be shown less timely payments
and credits (6651(b)(1)). 5% per month, at most 5 months (25%); fraudulent 15%, max 75%.
Each month's FTF is reduced by that month's FTP (never below zero). ``due`` is the filing due
date *including* extensions. Minimum (6651(a) flush): if filed more than 60 days after ``due``,
FTF is at least the lesser of the fixed amount for the calendar year ``due`` falls in or 100%
of ``net_due``. Fixed amounts on file: only the three the reference states ($485 / $510 / $525
for returns due in 2024 / 2025 / 2026). Years before 2024 raise :class:`InvalidInput` (the
reference's "historically $135 (pre-2016)" names no year range); years after 2026 carry $525
forward and the result is ``provisional``. We apply the minimum *after* the 6651(c)(1)
reduction **[verify: order not stated in the reference]**.

**FTP**, 6651(a)(2), (a)(3), (b)(2), (d), (h): 0.5% per month of the unpaid balance at the
*beginning* of the month (tax less payments dated on or before the month's opening boundary
``add_months(due, n - 1)``). ``due`` is the payment due date without extensions ((a)(2)), or
for (a)(3) the date 21 days (10 business days if >= $100,000) after notice and demand. Total
capped at 25% of the tax unpaid at ``due``. Rate per month, in this precedence:

* 0.25% if an installment agreement is in effect on any day of the month and the individual
  filed timely (6651(h); IDRS TC 971 AC 063) **[verify: "any day" reading of "during which";
  precedence over the 1% rate]**;
* 1% if the month's first day is after the day 10 days after the notice of intent to levy
  (6651(d); CP504/LT11);
* otherwise 0.5%.

Reference vector P3 ("filed 3 months late", FTF $135) conflicts with the minimum rule for
almost every due date (3 months late is normally > 60 days); see the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from idrs.domain.money import format_cents, round_half_up
from idrs.domain.statutes import add_months
from idrs.errors import InvalidInput

__all__ = [
    "FTF_MINIMUM",
    "PenaltyResult",
    "ReturnPenalties",
    "ftf_minimum",
    "ftf_penalty",
    "ftp_penalty",
    "months_late",
    "penalties_for_return",
]

#: FTF minimum (cents) by calendar year the return is due, as stated in domain.md §4.2.
FTF_MINIMUM: dict[int, int] = {2024: 48500, 2025: 51000, 2026: 52500}

_FTF_MAX_MONTHS = 5
_MINIMUM_AFTER_DAYS = 60


@dataclass(frozen=True, slots=True)
class PenaltyResult:
    """A penalty in cents.

    ``months``: months (or parts) the penalty accrued. ``monthly[k]`` is month ``k + 1``'s
    unrounded amount in cents after caps/reductions (before the FTF minimum); months not
    listed are zero. ``provisional``: a carried-forward table value was used.
    """

    cents: int
    months: int
    provisional: bool
    notes: tuple[str, ...]
    monthly: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class ReturnPenalties:
    """FTF and FTP for one return, with the 6651(c)(1) reduction applied to ``ftf``."""

    ftf: PenaltyResult
    ftp: PenaltyResult

    @property
    def cents(self) -> int:
        return self.ftf.cents + self.ftp.cents


def months_late(due: date, when: date) -> int:
    """Months or parts of months from ``due`` to ``when`` (0 if ``when <= due``)."""
    if when <= due:
        return 0
    n = max(1, (when.year - due.year) * 12 + when.month - due.month)
    while add_months(due, n) < when:
        n += 1
    while n > 1 and add_months(due, n - 1) >= when:
        n -= 1
    return n


def ftf_minimum(due_year: int) -> tuple[int, bool]:
    """The FTF minimum fixed amount for returns due in ``due_year``: (cents, provisional)."""
    if due_year in FTF_MINIMUM:
        return FTF_MINIMUM[due_year], False
    last = max(FTF_MINIMUM)
    if due_year > last:
        return FTF_MINIMUM[last], True
    raise InvalidInput(
        "due",
        f"no FTF minimum-penalty amount on file before returns due in {min(FTF_MINIMUM)}",
        due_year,
    )


def _check_cents(field: str, cents: int) -> None:
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise InvalidInput(field, "must be whole cents (int)", cents)
    if cents < 0:
        raise InvalidInput(field, "must not be negative", cents)


def ftf_penalty(
    net_due_cents: int,
    due: date,
    filed: date,
    *,
    ftp_monthly_cents: Sequence[int | Decimal] | None = None,
    fraudulent: bool = False,
) -> PenaltyResult:
    """Failure-to-file addition, IRC 6651(a)(1)/(f), see the module docstring.

    ``ftp_monthly_cents[k]`` is the FTP for month ``k + 1`` (same month grid); pass it to
    apply the 6651(c)(1) reduction, or leave it out for the unreduced "FTF only" view.
    """
    _check_cents("net_due", net_due_cents)
    months = months_late(due, filed)
    if months == 0 or net_due_cents == 0:
        why = "return not late" if months == 0 else "nothing due"
        return PenaltyResult(0, 0, False, (f"no FTF: {why}",))
    pct = Decimal(15 if fraudulent else 5)
    ftp = list(ftp_monthly_cents or ())
    counted = min(months, _FTF_MAX_MONTHS)
    monthly = tuple(
        max(Decimal(0), net_due_cents * pct / 100 - Decimal(ftp[k] if k < len(ftp) else 0))
        for k in range(counted)
    )
    cents = round_half_up(sum(monthly, Decimal(0)))
    notes = [f"FTF {pct}% x {counted} month(s) of {format_cents(net_due_cents)}"]
    if ftp:
        notes.append("reduced by FTP for the same months (IRC 6651(c)(1))")
    provisional = False
    if (filed - due).days > _MINIMUM_AFTER_DAYS:
        fixed, provisional = ftf_minimum(due.year)
        floor = min(fixed, net_due_cents)
        if floor > cents:
            cents = floor
            notes.append(
                f"minimum penalty: lesser of {format_cents(fixed)} (returns due in {due.year}) "
                "or 100% of net due (IRC 6651(a), filed > 60 days late)"
            )
            if provisional:
                notes.append(f"minimum carried forward from {max(FTF_MINIMUM)}: provisional")
    return PenaltyResult(cents, counted, provisional, tuple(notes), monthly)


def _ia_in_effect(periods: Sequence[tuple[date, date | None]], first: date, last: date) -> bool:
    return any(start <= last and (end is None or end >= first) for start, end in periods)


def ftp_penalty(
    tax_cents: int,
    due: date,
    as_of: date,
    payments: Sequence[tuple[date, int]] = (),
    installment_periods: Sequence[tuple[date, date | None]] = (),
    levy_notice_date: date | None = None,
    *,
    timely_filed: bool = True,
) -> PenaltyResult:
    """Failure-to-pay addition through ``as_of``, IRC 6651(a)(2)/(a)(3), see module docstring.

    ``payments``: (date, cents) including any made on or before ``due``.
    ``installment_periods``: (start, end or None if still in effect), inclusive dates.
    ``levy_notice_date``: date of the 6331(d) notice of intent to levy (CP504/LT11).
    ``timely_filed``: the individual filed on time (needed for the 0.25% IA rate).
    """
    _check_cents("tax", tax_cents)
    for day, amount in payments:
        _check_cents(f"payment on {day.isoformat()}", amount)
    for start, end in installment_periods:
        if end is not None and end < start:
            raise InvalidInput("installment_periods", "end must not be before start", end)
    paid_by_due = sum(amount for day, amount in payments if day <= due)
    cap = Decimal(max(tax_cents - paid_by_due, 0)) / 4
    levy_day = levy_notice_date + timedelta(days=10) if levy_notice_date else None
    monthly: list[Decimal] = []
    accrued = Decimal(0)
    used = set()
    for n in range(1, months_late(due, as_of) + 1):
        opening = add_months(due, n - 1)
        first, last = opening + timedelta(days=1), add_months(due, n)
        balance = tax_cents - sum(amount for day, amount in payments if day <= opening)
        if balance <= 0 or accrued >= cap:
            break
        if timely_filed and _ia_in_effect(installment_periods, first, last):
            pct = Decimal("0.25")
        elif levy_day is not None and first > levy_day:
            pct = Decimal(1)
        else:
            pct = Decimal("0.5")
        used.add(pct)
        charge = min(balance * pct / 100, cap - accrued)
        monthly.append(charge)
        accrued += charge
    if not monthly:
        return PenaltyResult(0, 0, False, ("no FTP: nothing unpaid after the due date",))
    rates = ", ".join(f"{p}%" for p in sorted(used))
    notes = [f"FTP at {rates} per month on the unpaid balance at the start of each month"]
    if accrued >= cap:
        notes.append(f"capped at 25% ({format_cents(round_half_up(cap))})")
    return PenaltyResult(round_half_up(accrued), len(monthly), False, tuple(notes), tuple(monthly))


def penalties_for_return(
    tax_cents: int,
    due: date,
    filed: date,
    as_of: date,
    payments: Sequence[tuple[date, int]] = (),
    installment_periods: Sequence[tuple[date, date | None]] = (),
    levy_notice_date: date | None = None,
    *,
    fraudulent: bool = False,
) -> ReturnPenalties:
    """FTF and FTP together for a return with no filing extension (one month grid).

    ``tax_cents`` is the tax required to be shown; net due for FTF is it less payments on or
    before ``due``. FTP runs through ``as_of`` (must be on or after ``filed``).
    """
    if as_of < filed:
        raise InvalidInput("as_of", "must not be before the filing date", as_of.isoformat())
    ftp = ftp_penalty(
        tax_cents,
        due,
        as_of,
        payments,
        installment_periods,
        levy_notice_date,
        timely_filed=filed <= due,
    )
    net_due = max(tax_cents - sum(amount for day, amount in payments if day <= due), 0)
    ftf = ftf_penalty(net_due, due, filed, ftp_monthly_cents=ftp.monthly, fraudulent=fraudulent)
    return ReturnPenalties(ftf, ftp)
