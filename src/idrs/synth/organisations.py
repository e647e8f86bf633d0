"""Businesses (941 quarterly, 1120 annual) and exempt organisations (990).

A business has an EIN, employees, and one module per quarter (MFT 01) funded by monthly
federal tax deposits (TC 650) before its 941 posts (TC 150); a short depositor ends the
quarter owing and pays with the return, later, or not at all. Its 1120 (MFT 02) is funded by
four estimated-tax deposits and ends in a refund (TC 846) or a balance. An exempt organisation
files a 990 (MFT 67) with no tax; some years are missing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from idrs.domain.mft import return_due_date
from idrs.domain.name_control import name_control
from idrs.domain.periods import TaxPeriod, roll_forward
from idrs.store.records import Batch, TaxpayerRec
from idrs.synth import names
from idrs.synth.accounts import ModuleBuilder, dln, noon
from idrs.synth.context import Context
from idrs.synth.entities import Ids, add_address, add_authorization, add_bank_accounts, random_day
from idrs.synth.income import GROWTH, lognormal_cents
from idrs.synth.layout import Plan
from idrs.synth.rng import stream

FTD_SHARE_OF_WAGES = 2765  # per 10,000: social security + Medicare (15.3%) + withholding (12.35%)
EMPLOYER_SHARE = 0.45  # businesses with employees (941 filers); the rest file only the 1120
SMALL_QUARTER = 250_000  # under $2,500 a quarter a 941 may be paid with the return, no deposits


def name_key(line: str) -> str:
    """The word a business is searched by: the first one that is not an article."""
    words = [w for w in line.replace("&", " ").split() if w not in ("THE", "A", "AN")]
    return words[0] if words else line


def _organisation(
    ctx: Context, rng: random.Random, plan: Plan, out: Batch, ids: Ids, kind: str, name: str,
    requirements: str,
) -> tuple[int, date]:  # fmt: skip
    tp = plan.start + 1
    established = random_day(rng, date(1985, 1, 1), ctx.as_of - timedelta(days=400))
    line = name.upper()
    out.taxpayers.append(
        TaxpayerRec(
            id=tp,
            entity_kind=kind,
            tin_kind="EIN",
            tin=ctx.tins.ein(tp),
            name_control=name_control(line, "business"),
            name_line1=line,
            name_line2=None,
            surname=name_key(line),  # indexed (keyed hash) for NAMEE, like a surname for NAMES
            birth_date=None,
            death_date=None,
            filing_requirements=requirements,
            established_on=established,
            created_at=noon(established),
        )
    )
    moved = random_day(rng, established, ctx.as_of)
    if moved > established and rng.random() < 0.2:
        add_address(out, ids, tp, names.address(rng), None, established, moved - timedelta(1))
        add_address(out, ids, tp, names.address(rng), None, moved)
    else:
        add_address(out, ids, tp, names.address(rng), None, established)
    return tp, established


def _received(rng: random.Random, due: date, late: bool, early_days: int, used: set[date]) -> date:
    day = (
        due + timedelta(days=rng.randint(15, 150))
        if late
        else due - timedelta(days=rng.randint(0, early_days))
    )
    while day in used:
        day += timedelta(days=1)
    used.add(day)
    return day


def _settle(
    rng: random.Random, m: ModuleBuilder, tp: int, doc: str, balance: int, received: date,
    assessed: date, digits: str,
) -> None:  # fmt: skip
    if balance < 0:
        m.post(846, -balance, assessed, assessed, digits)
        return
    if balance == 0:
        return
    u = rng.random()
    if u < 0.5:
        m.post(610, balance, received, assessed, digits)
    elif u < 0.8:
        day = roll_forward(assessed + timedelta(days=rng.randint(20, 150)))
        m.post(670, balance, day, day, dln(tp, doc, day))


def business(ctx: Context, plan: Plan, out: Batch, ids: Ids) -> None:
    rng = stream(ctx.seed, "household", plan.start)
    name, employer = names.company(rng), rng.random() < EMPLOYER_SHARE
    requirements = "941,1120" if employer else "1120"
    tp, established = _organisation(ctx, rng, plan, out, ids, "business", name, requirements)
    if rng.random() < 0.4:
        add_bank_accounts(out, ids, rng, tp, max(established, date(2005, 1, 1)), ctx.as_of)
    if rng.random() < 0.12:
        mft = 1 if rng.random() < 0.5 else 2
        add_authorization(out, ids, rng, tp, mft, ctx.first_year, ctx.as_of)
    employees = max(1, min(500, int(rng.lognormvariate(1.8, 1.0))))
    short = rng.random() < 0.10
    late = 0.3 if rng.random() < 0.05 else 0.0
    used: set[date] = set()
    for year in range(ctx.first_year, ctx.as_of.year + 1):
        for month in (3, 6, 9, 12) if employer else ():
            _quarter(ctx, rng, out, ids, tp, established, TaxPeriod(year, month), employees,
                     short, late, used)  # fmt: skip
        _annual(ctx, rng, out, ids, tp, established, year, short, late, used)


def _quarter(
    ctx: Context, rng: random.Random, out: Batch, ids: Ids, tp: int, established: date,
    period: TaxPeriod, employees: int, short: bool, late: float, used: set[date],
) -> None:  # fmt: skip
    due = return_due_date(1, period)
    if period.end_date < established or due >= ctx.as_of:
        return
    wages = int(employees * rng.randint(7_000, 18_000) * 100 * GROWTH ** (period.year - 2019))
    liability = wages * FTD_SHARE_OF_WAGES // 10_000
    deposited = liability if not short else int(liability * rng.uniform(0.6, 0.95))
    if liability < SMALL_QUARTER:
        deposited = 0
    received = _received(rng, due, rng.random() < late, 25, used)
    assessed = roll_forward(received + timedelta(days=rng.randint(7, 28)))
    if assessed > ctx.as_of:
        return
    m = ModuleBuilder(ids.next("module", tp), tp, 1, int(str(period)), due, ctx.as_of)
    for i in range(3):  # monthly depositor: the 15th of the month after each month
        month_index = period.year * 12 + period.month - 2 + i  # 0-based: the month after i
        paid = roll_forward(date(month_index // 12, month_index % 12 + 1, 15))
        amount = deposited // 3 if i < 2 else deposited - 2 * (deposited // 3)
        if amount:
            posted = roll_forward(paid + timedelta(days=2))
            m.post(650, amount, paid, posted, dln(tp, "ftd941", paid))
    digits = dln(tp, "941", received)
    m.post(150, liability, received, assessed, digits)
    balance = liability - deposited
    if balance and deposited == 0 and not short:
        m.post(610, balance, received, assessed, digits)
    else:
        _settle(rng, m, tp, "payment_bmf1", balance, received, assessed, digits)
    lines = {"wages": wages, "total_tax": liability}
    if deposited:
        lines["deposits"] = deposited
    if balance:
        lines["balance_due"] = balance
    m.emit(out, form="941", received=received, dln_digits=digits, lines=lines)


def _annual(
    ctx: Context, rng: random.Random, out: Batch, ids: Ids, tp: int, established: date,
    year: int, short: bool, late: float, used: set[date],
) -> None:  # fmt: skip
    period = TaxPeriod(year, 12)
    due = return_due_date(2, period)
    if period.end_date < established or due >= ctx.as_of:
        return
    profit = lognormal_cents(rng, 90_000, 1.1, 50_000_000)
    if rng.random() < 0.25:
        profit = -profit // 3
    tax = max(0, profit) * 21 // 100
    estimates = int(tax * (rng.uniform(0.3, 0.7) if short else rng.uniform(0.7, 1.3)))
    received = _received(rng, due, rng.random() < late, 60, used)
    assessed = roll_forward(received + timedelta(days=rng.randint(10, 40)))
    if assessed > ctx.as_of:
        return
    m = ModuleBuilder(ids.next("module", tp), tp, 2, int(str(period)), due, ctx.as_of)
    for i, (month, day) in enumerate(((4, 15), (6, 15), (9, 15), (12, 15))):
        paid = roll_forward(date(year, month, day))
        amount = estimates // 4 if i < 3 else estimates - 3 * (estimates // 4)
        if amount:
            m.post(
                650, amount, paid, roll_forward(paid + timedelta(days=2)), dln(tp, "ftd1120", paid)
            )
    digits = dln(tp, "1120", received)
    m.post(150, tax, received, assessed, digits)
    balance = tax - estimates
    _settle(rng, m, tp, "payment_bmf3", balance, received, assessed, digits)
    lines = {
        "gross_receipts": abs(profit) * rng.randint(3, 8),
        "taxable_income": max(0, profit),
        "total_tax": tax,
        "estimated_payments": estimates,
    }
    if balance > 0:
        lines["balance_due"] = balance
    elif balance < 0:
        lines["overpayment"] = -balance
    m.emit(out, form="1120", received=received, dln_digits=digits, lines=lines)


def exempt_org(ctx: Context, plan: Plan, out: Batch, ids: Ids) -> None:
    rng = stream(ctx.seed, "household", plan.start)
    name = names.exempt_org(rng)
    tp, established = _organisation(ctx, rng, plan, out, ids, "exempt_org", name, "990")
    if rng.random() < 0.2:
        add_bank_accounts(out, ids, rng, tp, max(established, date(2005, 1, 1)), ctx.as_of)
    late = 0.3 if rng.random() < 0.10 else 0.0
    stops = rng.random() < 0.03
    used: set[date] = set()
    revenue = lognormal_cents(rng, 150_000, 1.3, 500_000_000)
    for year in range(ctx.first_year, ctx.as_of.year):
        period = TaxPeriod(year, 12)
        due = return_due_date(67, period)
        skip = rng.random() < 0.08
        if period.end_date < established or due >= ctx.as_of or skip:
            continue
        if stops and year > ctx.first_year + 1:
            break
        received = _received(rng, due, rng.random() < late, 90, used)
        assessed = roll_forward(received + timedelta(days=rng.randint(10, 40)))
        if assessed > ctx.as_of:
            continue
        m = ModuleBuilder(ids.next("module", tp), tp, 67, int(str(period)), due, ctx.as_of)
        digits = dln(tp, "990", received)
        m.post(150, 0, received, assessed, digits)
        total = int(revenue * GROWTH ** (year - 2019) * rng.uniform(0.8, 1.2))
        lines = {
            "gross_receipts": total,
            "total_revenue": total,
            "total_expenses": int(total * rng.uniform(0.85, 1.05)),
        }
        m.emit(out, form="990", received=received, dln_digits=digits, lines=lines)
