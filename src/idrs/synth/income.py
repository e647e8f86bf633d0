"""Synthetic incomes and a deliberately simplified individual income tax.

Why simplified: the population needs plausible amounts (refunds for most, balances due for
some) so that notices, collection and underreporter matching have something to find. It does
not need the tax law: one bracket table and one standard deduction (the 2023 figures) apply
to every year, credits are two rough rules, and every amount is integer cents. Nothing here
is a domain rule; docs/SYNTHETIC.md lists the distributions.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

SINGLE, JOINT, HEAD = 1, 2, 4
STANDARD_DEDUCTION = {SINGLE: 1_385_000, JOINT: 2_770_000, HEAD: 2_080_000}
_BRACKETS_DOLLARS = {
    SINGLE: (11_000, 44_725, 95_375, 182_100, 231_250, 578_125),
    JOINT: (22_000, 89_450, 190_750, 364_200, 462_500, 693_750),
    HEAD: (15_700, 59_850, 95_350, 182_100, 231_250, 578_100),
}
_RATES = (10, 12, 22, 24, 32, 35, 37)
GROWTH = 1.03  # nominal growth of every income per year from 2019


@dataclass(frozen=True, slots=True)
class Earner:
    """One adult's income sources: yearly base amounts in cents (0 = none)."""

    taxpayer_id: int
    wages: int
    self_employment: int
    interest: int
    dividends: int
    social_security: int  # from the year the person turns 66
    withholding_rate: float
    birth_year: int
    employer_id: int | None  # W-2 payer (a business of the population), None = not on file
    second_job: bool


def lognormal_cents(rng: random.Random, median_dollars: float, sigma: float, cap: float) -> int:
    return int(min(rng.lognormvariate(math.log(median_dollars), sigma), cap) * 100)


def draw_earner(
    rng: random.Random,
    taxpayer_id: int,
    birth_year: int,
    as_of_year: int,
    employers: tuple[int, ...],
    *,
    works: float,
    withholding: tuple[float, float],
    staff: bool = False,
) -> Earner:
    """Income sources of one adult (draw order fixed: the household stream depends on it)."""
    age = as_of_year - birth_year
    employed = rng.random() < (0.0 if age >= 67 else works)
    wages = lognormal_cents(rng, 48_000, 0.6, 600_000) if employed else 0
    if staff:
        wages = rng.randint(55_000, 160_000) * 100
    se = lognormal_cents(rng, 30_000, 0.8, 400_000) if rng.random() < 0.08 else 0
    interest = lognormal_cents(rng, 300, 1.2, 50_000) if rng.random() < 0.35 else 0
    dividends = lognormal_cents(rng, 1_200, 1.3, 200_000) if rng.random() < 0.18 else 0
    ssa = rng.randint(14_000, 36_000) * 100
    rate = rng.uniform(*withholding)
    employer = None if staff or not employers else rng.choice(employers)
    second = rng.random() < 0.10
    return Earner(
        taxpayer_id, wages, se, interest, dividends, ssa, rate, birth_year, employer, second
    )


def yearly(base: int, year: int, rng: random.Random) -> int:
    """``base`` grown to ``year`` with ±10% noise, in cents."""
    return int(base * GROWTH ** (year - 2019) * rng.uniform(0.9, 1.1))


def income_tax(taxable_cents: int, status: int) -> int:
    """Bracket tax on taxable income, cents (2023 brackets for every year)."""
    tax, lower = 0, 0
    bounds: tuple[int | None, ...] = (*(b * 100 for b in _BRACKETS_DOLLARS[status]), None)
    for upper, rate in zip(bounds, _RATES, strict=True):
        top = taxable_cents if upper is None else min(taxable_cents, upper)
        if top <= lower:
            break
        tax += (top - lower) * rate // 100
        if upper is None:
            break
        lower = upper
    return tax


def self_employment_tax(net_cents: int) -> int:
    return net_cents * 9235 // 10000 * 153 // 1000


@dataclass(frozen=True, slots=True)
class Computation:
    lines: dict[str, int]
    total_tax: int
    withholding: int
    refundable: int

    @property
    def balance(self) -> int:
        """Positive: balance due; negative: overpayment."""
        return self.total_tax - self.withholding - self.refundable


def compute_1040(
    *,
    status: int,
    dependents: int,
    wages: int,
    interest: int,
    dividends: int,
    self_employment: int,
    social_security: int,
    withholding: int,
) -> Computation:
    """The return's lines from reported amounts (nonzero income lines, then the totals)."""
    other = self_employment + social_security // 2
    agi = wages + interest + dividends + other
    taxable = max(0, agi - STANDARD_DEDUCTION[status])
    child_credit = 200_000 * dependents if agi < 20_000_000 else 0
    tax = max(0, income_tax(taxable, status) - child_credit)
    tax += self_employment_tax(self_employment)
    refundable = 150_000 * dependents if 0 < agi < 7_500_000 else 0
    if wages + self_employment > 0 and agi < 2_500_000:
        refundable += 80_000
    lines = {
        "wages": wages,
        "interest": interest,
        "dividends": dividends,
        "other_income": other,
    }
    lines = {k: v for k, v in lines.items() if v}
    lines.update(agi=agi, taxable_income=taxable, total_tax=tax)
    if withholding:
        lines["withholding"] = withholding
    if refundable:
        lines["refundable_credits"] = refundable
    computed = Computation(lines, tax, withholding, refundable)
    if computed.balance > 0:
        lines["balance_due"] = computed.balance
    elif computed.balance < 0:
        lines["overpayment"] = -computed.balance
    return computed
