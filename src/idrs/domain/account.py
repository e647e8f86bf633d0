"""Module balance, freezes and status derived from posted transactions.

Why: IDRS shows a module's balance, freezes and status (TXMOD, SUMRY), but all three follow from
the posted TCs (domain.md §2.5, §2.10: "freezes are derived from posted TCs + indicators").
Deriving them in one pure function keeps batch jobs and screens consistent.

Balance (§2.5): Σ debit amounts − Σ credit amounts of posted money TCs, in cents. Amounts are
entered non-negative; the TC's :class:`~idrs.domain.tc.BalanceEffect` gives the sign.
Non-financial TCs contribute nothing. A positive balance is a debit module (balance due), a
negative one a credit module (overpayment).

Freezes and flags: an unreversed posting keeps whatever its TC ``sets`` (see
:mod:`idrs.domain.tc`); a non-financial reversal code (421, 471, 521, 531, 571, 972 ...)
cancels the latest unreversed posting it reverses (972 only a 971 with the same action code).
A reversal with nothing to reverse is ignored (in IDRS it would go unpostable). Postings are
applied in ``posted`` date order; postings on the same date keep their given order.

Status (§2.9; most codes there are [uncertain] — see the reference's §7 item 1). Our rules, in
order:

* balance > 0: 72 if an unreversed TC 520 has a bankruptcy closing code (IRM 5.19.1.11.7);
  else 53 if TC 530 is unreversed (IRM 21.3.12); else 60 if TC 971 AC 063 is unreversed
  (IRM 5.19.1.11.7); else 21 (balance due; the notice statuses 19-26, 48, 56, 58 need the notice
  stream and come later).
* balance ≤ 0 and a return filed (TC 150): 12 if the balance was positive at the end of an
  earlier posting date ("full paid", training quiz), else 10 (filed, no balance due)
  [10 uncertain].
* no return filed: 02 while a TDI (TC 141/142, or inquiry 140) is open and not satisfied by a
  TC 59X [uncertain], else 06 (not filed) [uncertain].

Collection statuses 53/60/72 apply only while there is a balance due: a paid module reads 12
even if the TC 520/530 stays unreversed (the freeze letter stays in ``freezes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from idrs.domain.tc import (
    BANKRUPTCY_CLOSING_CODES,
    TC971_ACTION_SETS,
    BalanceEffect,
    TransactionCode,
    transaction_code,
)
from idrs.errors import InvalidInput

_MONEY_FLAGS = frozenset({"return_filed", "assessment_date"})
_TDI_OPEN = frozenset({"tdi", "delinquency_inquiry"})
_STATUS_PRIORITY = (72, 53, 60)


def _signed(tc: TransactionCode, amount_cents: int) -> int:
    if amount_cents < 0:
        raise InvalidInput("amount", "amount must not be negative (the TC gives the sign)")
    return tc.effect.sign * amount_cents


def module_balance(postings: Iterable[tuple[int, int]]) -> int:
    """Σ debits − Σ credits in cents for ``(tc, amount_cents)`` pairs."""
    return sum(_signed(transaction_code(tc), amount) for tc, amount in postings)


@dataclass(frozen=True)
class Posting:
    """One posted transaction on a module. ``posted`` is its 23C/transaction date."""

    tc: int
    amount_cents: int
    posted: date
    action_code: int | None = None
    closing_code: int | None = None


@dataclass(frozen=True)
class ModuleState:
    """What the postings add up to."""

    balance: int
    freezes: frozenset[str]
    indicators: frozenset[str]
    return_filed: bool
    assessment_date: date | None
    status: int

    @property
    def notice_hold(self) -> bool:
        """TC 470 unreversed: collection notices are held."""
        return "notice_hold" in self.indicators

    @property
    def is_credit(self) -> bool:
        return self.balance < 0


def _sets_for(tc: TransactionCode, posting: Posting) -> tuple[str, ...]:
    if tc.code == 520:
        if posting.closing_code is None:
            raise InvalidInput("closing_code", "TC 520 needs a closing code")
        if posting.closing_code in BANKRUPTCY_CLOSING_CODES:
            return ("-V", "status:72")
        return ("-W",)
    if tc.code == 971:
        return TC971_ACTION_SETS.get(posting.action_code or -1, ())
    return tuple(item for item in tc.sets if item not in _MONEY_FLAGS)


def _reverse(
    active: list[tuple[Posting, tuple[str, ...]]], tc: TransactionCode, p: Posting
) -> None:
    for index in range(len(active) - 1, -1, -1):
        target = active[index][0]
        if target.tc not in tc.reverses:
            continue
        if tc.code == 972 and p.action_code is not None and target.action_code != p.action_code:
            continue
        del active[index]
        return


def derive_state(postings: Iterable[Posting]) -> ModuleState:
    """Balance, freezes, flags, return/assessment facts and status of one module."""
    ordered = sorted(postings, key=lambda p: p.posted)
    balance = 0
    ever_due = False
    assessment_date: date | None = None
    active: list[tuple[Posting, tuple[str, ...]]] = []
    for i, posting in enumerate(ordered):
        tc = transaction_code(posting.tc)
        balance += _signed(tc, posting.amount_cents)
        if tc.code == 150 and assessment_date is None:
            assessment_date = posting.posted
        if tc.effect is BalanceEffect.NONE:
            if tc.reverses:
                _reverse(active, tc, posting)
            else:
                sets = _sets_for(tc, posting)
                if sets:
                    active.append((posting, sets))
        last_of_day = i + 1 == len(ordered) or ordered[i + 1].posted != posting.posted
        if last_of_day and balance > 0:
            ever_due = True

    flags = [item for _, sets in active for item in sets]
    freezes = frozenset(f for f in flags if f.startswith("-") or f.endswith("-"))
    statuses = {int(f.split(":")[1]) for f in flags if f.startswith("status:")}
    tdi_flags = [f for f in flags if f in _TDI_OPEN or f == "tdi_closed"]
    tdi_open = bool(tdi_flags) and tdi_flags[-1] != "tdi_closed"
    indicators = frozenset(
        f for f in flags if f not in freezes and not f.startswith("status:") and f != "tdi_closed"
    )
    if not tdi_open:
        indicators -= _TDI_OPEN
    return_filed = assessment_date is not None

    if balance > 0:
        status = next((s for s in _STATUS_PRIORITY if s in statuses), 21)
    elif return_filed:
        status = 12 if ever_due else 10
    else:
        status = 2 if tdi_open else 6
    return ModuleState(balance, freezes, indicators, return_filed, assessment_date, status)
