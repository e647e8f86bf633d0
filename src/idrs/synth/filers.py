"""Form 1040 modules of a household: who files which year, what they report, what posts.

Per year and filing unit (a married couple files jointly on the primary's module with the
spouse as secondary; former spouses jointly before the divorce year and singly after): the
return reports the unit's information returns (an underreporter leaves one out), the domain's
due date and a received date give the DLN and the 23C date, and the postings are TC 150 (tax),
806 (withholding), 766 (refundable credits), then by the household's behaviour 610 (paid with
the return), 670 (paid later), 971 AC 063 plus monthly 670s (installment agreement), nothing
(balance left unpaid), or 846 (refund of an overpayment). A non-filer's missing years get no
module at all: IDRS opens one only when a delinquency action posts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from idrs.domain.mft import return_due_date
from idrs.domain.periods import TaxPeriod, roll_forward
from idrs.domain.statutes import add_months
from idrs.store.records import Batch
from idrs.synth.accounts import ModuleBuilder, dln
from idrs.synth.context import Context
from idrs.synth.entities import Ids
from idrs.synth.income import HEAD, JOINT, SINGLE, compute_1040

if TYPE_CHECKING:
    from idrs.synth.individuals import Member

PAYS = (("unpaid", 0.05), ("later", 0.06), ("installment", 0.05))


@dataclass(frozen=True)
class Behaviour:
    pays: str  # return | unpaid | later | installment (when a balance is due)
    stops_filing: int | None  # first tax year not filed (non-filer from then on)
    late_share: float  # chance a year's return is filed late
    underreports: int | None  # the tax year in which one information return is left out

    @classmethod
    def draw(cls, rng: random.Random, years: tuple[int, ...], *, compliant: bool) -> Behaviour:
        u, pays, acc = rng.random(), "return", 0.0
        for name, share in PAYS:
            acc += share
            if u < acc:
                pays = name
                break
        stops = rng.choice(years) if years and rng.random() < 0.04 else None
        late = 0.3 if rng.random() < 0.08 else 0.0
        under = rng.choice(years) if years and rng.random() < 0.06 else None
        if compliant:
            return cls("return", None, 0.0, None)
        return cls(pays, stops, late, under)


@dataclass
class Household:
    structure: str
    primary: Member
    partner: Member | None  # spouse or former spouse
    children: list[Member]
    divorced: date | None


def file_returns(
    ctx: Context, rng: random.Random, out: Batch, ids: Ids, house: Household, how: Behaviour
) -> None:
    received_days: dict[int, set[date]] = {}
    for year in ctx.years_1040:
        if how.stops_filing is not None and year >= how.stops_filing:
            break
        for owner, partner, status, deps in _units(house, year):
            members = [owner] if partner is None else [owner, partner]
            if any(m.death is not None and m.death.year <= year for m in members):
                continue
            _file_one(ctx, rng, out, ids, year, owner, partner, status, deps, how, received_days)


def _units(house: Household, year: int) -> list[tuple[Member, Member | None, int, int]]:
    kids = sum(1 for c in house.children if c.birth.year <= year)
    p, s = house.primary, house.partner
    if house.structure == "mfj" and s is not None:
        return [(p, s, JOINT, kids)]
    if house.structure == "former" and s is not None and house.divorced is not None:
        if year < house.divorced.year:
            return [(p, s, JOINT, 0)]
        return [(p, None, SINGLE, 0), (s, None, SINGLE, 0)]
    if house.structure == "hoh" and kids:
        return [(p, None, HEAD, kids)]
    return [(p, None, SINGLE, 0)]


def _reported(members: list[Member], year: int, underreport: bool) -> dict[str, int]:
    totals = {"W-2": 0, "W-2 withheld": 0, "1099-NEC": 0, "1099-INT": 0, "1099-DIV": 0, "SSA": 0}
    for m in members:
        for form, items in m.info.get(year, {}).items():
            key = "SSA" if form == "SSA-1099" else form
            totals[key] += sum(a for a, _ in items)
            totals["W-2 withheld"] += sum(w for _, w in items)
    if underreport:
        omit = max(("1099-NEC", "1099-INT", "1099-DIV"), key=lambda k: totals[k])
        if totals[omit]:
            totals[omit] = 0
        else:
            totals["W-2"] = totals["W-2"] * 3 // 4
    return totals


def _received(rng: random.Random, due: date, year: int, late: bool, used: set[date]) -> date:
    if late:
        day = due + timedelta(days=rng.randint(20, 240))
    else:
        day = max(date(year + 1, 1, 20), due - timedelta(days=rng.randint(0, 80)))
    while day in used:  # one return per taxpayer per day keeps DLNs unique
        day += timedelta(days=1)
    used.add(day)
    return day


def _file_one(
    ctx: Context,
    rng: random.Random,
    out: Batch,
    ids: Ids,
    year: int,
    owner: Member,
    partner: Member | None,
    status: int,
    dependents: int,
    how: Behaviour,
    received_days: dict[int, set[date]],
) -> None:
    period = TaxPeriod(year, 12)
    due = return_due_date(30, period)
    members = [owner] if partner is None else [owner, partner]
    totals = _reported(members, year, how.underreports == year)
    computed = compute_1040(
        status=status,
        dependents=dependents,
        wages=totals["W-2"],
        interest=totals["1099-INT"],
        dividends=totals["1099-DIV"],
        self_employment=totals["1099-NEC"],
        social_security=totals["SSA"],
        withholding=totals["W-2 withheld"],
    )
    late = rng.random() < how.late_share
    received = _received(rng, due, year, late, received_days.setdefault(owner.taxpayer_id, set()))
    assessed = roll_forward(received + timedelta(days=rng.randint(10, 35)))
    if assessed > ctx.as_of:
        return  # still in processing on the as-of date
    module = ModuleBuilder(
        module_id=ids.next("module", owner.taxpayer_id),
        owner_id=owner.taxpayer_id,
        mft=30,
        tax_period=int(str(period)),
        due=due,
        as_of=ctx.as_of,
        secondary_id=None if partner is None else partner.taxpayer_id,
        filing_status=status,
    )
    digits = dln(owner.taxpayer_id, "1040", received)
    module.post(150, computed.total_tax, received, assessed, digits)
    if computed.withholding:
        module.post(806, computed.withholding, due, assessed, digits)
    if computed.refundable:
        module.post(766, computed.refundable, due, assessed, digits)
    balance = computed.balance
    if balance < 0:
        module.post(846, -balance, assessed, assessed, digits)
    elif balance > 0:
        _settle(rng, module, owner.taxpayer_id, how.pays, balance, received, assessed, digits)
    module.emit(out, form="1040", received=received, dln_digits=digits, lines=computed.lines)


def _settle(
    rng: random.Random,
    module: ModuleBuilder,
    owner: int,
    pays: str,
    balance: int,
    received: date,
    assessed: date,
    digits: str,
) -> None:
    if pays == "return":
        module.post(610, balance, received, assessed, digits)
    elif pays == "later":
        day = roll_forward(assessed + timedelta(days=rng.randint(20, 200)))
        module.post(670, balance, day, day, dln(owner, "payment_imf", day))
    elif pays == "installment":
        start = roll_forward(assessed + timedelta(days=rng.randint(30, 90)))
        if not module.post(971, 0, start, start, dln(owner, "misc", start), action_code=63):
            return
        months = rng.randint(12, 48)
        monthly = -(-balance // months)
        remaining = balance
        for k in range(1, months + 1):
            day = roll_forward(add_months(start, k))
            amount = min(monthly, remaining)
            if amount <= 0 or not module.post(
                670, amount, day, day, dln(owner, "payment_imf", day)
            ):
                break
            remaining -= amount
