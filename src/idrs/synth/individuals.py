"""Individual households: people, their entity rows, links, incomes and information returns.

A household is one primary adult, possibly a spouse (married filing jointly) or a former spouse
(joint returns before a divorce, single after), and dependent children who are taxpayers of
their own (SSN, birth date, no filing requirement). Every draw comes from the household's own
stream, in a fixed order; the 1040s themselves are built by :mod:`idrs.synth.filers`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from idrs.domain.name_control import name_control
from idrs.domain.statutes import add_years
from idrs.store.records import Batch, InfoReturnRec, LinkRec, TaxpayerRec
from idrs.synth import names
from idrs.synth.accounts import noon
from idrs.synth.context import Context
from idrs.synth.entities import Ids, add_address, add_authorization, add_bank_accounts, random_day
from idrs.synth.filers import Behaviour, Household, file_returns
from idrs.synth.income import Earner, draw_earner, yearly
from idrs.synth.layout import HIGH_PROFILE_DEMO, Plan
from idrs.synth.rng import stream
from idrs.synth.staff import STAFF, StaffSpec

AGE_BANDS = ((18, 29, 0.20), (30, 44, 0.27), (45, 64, 0.33), (65, 90, 0.20))
LAST_MARRIAGE = date(2018, 12, 31)  # couples marry before the first tax year we generate


@dataclass
class Member:
    taxpayer_id: int
    person: names.Person
    birth: date
    tin_kind: str = "SSN"
    death: date | None = None
    earner: Earner | None = None
    info: dict[int, dict[str, list[tuple[int, int]]]] = field(default_factory=dict)


def _age(rng: random.Random, minimum: int, *, staff: bool, deceased: bool) -> int:
    if staff:
        return rng.randint(28, 62)
    if deceased:
        return rng.randint(62, 95)
    u, acc = rng.random(), 0.0
    for low, high, share in AGE_BANDS:
        acc += share
        if u < acc:
            return rng.randint(max(low, minimum), max(high, minimum))
    return rng.randint(max(65, minimum), 90)


def _birth(rng: random.Random, as_of: date, age: int) -> date:
    return as_of - timedelta(days=int(age * 365.25) + rng.randint(1, 364))


def individual_household(ctx: Context, plan: Plan, out: Batch, ids: Ids) -> None:
    rng = stream(ctx.seed, "household", plan.start)
    as_of = ctx.as_of
    spec = STAFF[plan.staff] if plan.staff is not None else None
    high_profile = plan.index == HIGH_PROFILE_DEMO or (spec is None and rng.random() < 0.002)
    couple = plan.structure in ("mfj", "former")
    deceased = spec is None and not high_profile and plan.structure == "single"
    deceased = deceased and rng.random() < 0.015
    minimum = 26 if couple or plan.dependents else 18
    primary = Member(plan.start + 1, names.person(rng), date.min)
    primary.birth = _birth(
        rng, as_of, _age(rng, minimum, staff=spec is not None, deceased=deceased)
    )
    if spec is None and rng.random() < 0.02:
        primary.tin_kind = "ITIN"
    if deceased:
        primary.death = random_day(rng, date(2019, 3, 1), as_of - timedelta(days=30))
    adults = [primary]
    if couple:
        same_surname = plan.structure == "mfj" and rng.random() < 0.75
        spouse = Member(
            plan.start + 2,
            names.person(
                rng,
                primary.person.surname if same_surname else None,
                female=not primary.person.female if rng.random() < 0.95 else None,
            ),
            date.min,
        )
        spouse_age = max(minimum, as_of.year - primary.birth.year + rng.randint(-6, 6))
        spouse.birth = _birth(rng, as_of, spouse_age)
        if primary.tin_kind == "ITIN" and rng.random() < 0.5:
            spouse.tin_kind = "ITIN"
        adults.append(spouse)
    children = [
        Member(
            plan.start + len(adults) + 1 + i,
            names.person(rng, primary.person.surname),
            _birth(rng, as_of, rng.randint(0, 16)),
        )
        for i in range(plan.dependents)
    ]

    youngest_adult = max(a.birth for a in adults)
    married = random_day(rng, add_years(youngest_adult, 19), LAST_MARRIAGE) if couple else None
    divorced = None
    if plan.structure == "former":
        divorced = random_day(rng, date(2019, 7, 1), max(date(2019, 7, 2), as_of - timedelta(60)))

    _entities(ctx, rng, out, ids, plan, adults, children, married, divorced, spec, high_profile)
    for i, adult in enumerate(adults):
        adult.earner = draw_earner(
            rng,
            adult.taxpayer_id,
            adult.birth.year,
            as_of.year,
            plan.employers,
            works=0.8 if i == 0 else 0.65,
            withholding=(0.09, 0.17),
            staff=spec is not None and i == 0,
        )
    behaviour = Behaviour.draw(rng, ctx.years_1040, compliant=spec is not None)
    if behaviour.pays != "return":
        for adult in adults:  # under-withheld: these households end up owing
            if adult.earner is not None:
                adult.earner = _underwithheld(adult.earner, rng)
    for adult in adults:
        _information_returns(ctx, rng, out, ids, adult)
    house = Household(plan.structure, primary, adults[1] if couple else None, children, divorced)
    file_returns(ctx, rng, out, ids, house, behaviour)


def _underwithheld(earner: Earner, rng: random.Random) -> Earner:
    return replace(earner, withholding_rate=rng.uniform(0.02, 0.06))


def _entities(
    ctx: Context,
    rng: random.Random,
    out: Batch,
    ids: Ids,
    plan: Plan,
    adults: list[Member],
    children: list[Member],
    married: date | None,
    divorced: date | None,
    spec: StaffSpec | None,
    high_profile: bool,
) -> None:
    as_of = ctx.as_of
    for i, m in enumerate([*adults, *children]):
        is_adult = i < len(adults)
        tin = ctx.tins.itin(m.taxpayer_id) if m.tin_kind == "ITIN" else ctx.tins.ssn(m.taxpayer_id)
        established = max(add_years(m.birth, 18), date(1962, 1, 1)) if is_adult else m.birth
        established = min(established, as_of)
        line = m.person.line
        out.taxpayers.append(
            TaxpayerRec(
                id=m.taxpayer_id,
                entity_kind="individual",
                tin_kind=m.tin_kind,
                tin=tin,
                name_control=name_control(line, "individual"),
                name_line1=line,
                name_line2=None,
                surname=m.person.surname,
                birth_date=m.birth,
                death_date=m.death,
                filing_requirements="1040" if is_adult else "",
                established_on=established,
                created_at=noon(established),
                sensitivity="high_profile" if high_profile and i == 0 else "none",
                employee_flag=spec is not None and i == 0,
            )
        )
    primary = adults[0]
    home = names.address(rng)
    adult_since = add_years(max(a.birth for a in adults), 18)
    moved_in = random_day(rng, max(adult_since, divorced or married or adult_since), as_of)
    previous = names.address(rng) if rng.random() < 0.3 else None
    if plan.structure == "former" and married is not None and divorced is not None:
        marital = names.address(rng)
        for m in adults:
            add_address(out, ids, m.taxpayer_id, marital, m.person.surname, married, divorced)
            add_address(
                out, ids, m.taxpayer_id, names.address(rng), m.person.surname,
                divorced + timedelta(days=1),
            )  # fmt: skip
        _link_pair(out, ids, adults, "former_spouse", married, divorced)
    else:
        left = moved_in - timedelta(days=1)
        if previous is not None and left <= adult_since:
            previous = None
        since = random_day(rng, adult_since, left) if previous is not None else None
        for m in adults:
            if previous is not None and since is not None:
                add_address(out, ids, m.taxpayer_id, previous, m.person.surname, since, left)
            add_address(out, ids, m.taxpayer_id, home, m.person.surname, moved_in)
        if married is not None:
            _link_pair(out, ids, adults, "spouse", married, None)
    for child in children:
        add_address(
            out, ids, child.taxpayer_id, home, child.person.surname, max(child.birth, moved_in)
        )
        parents = adults if plan.structure == "mfj" else [primary]
        for parent in parents:
            out.links.append(
                LinkRec(ids.next("entity", parent.taxpayer_id), parent.taxpayer_id,
                        child.taxpayer_id, "dependent", child.birth)
            )  # fmt: skip
    if spec is not None or rng.random() < 0.65:
        add_bank_accounts(
            out, ids, rng, primary.taxpayer_id, max(adult_since, date(2005, 1, 1)), as_of
        )
    if spec is None and ctx.years_1040 and rng.random() < 0.04:
        add_authorization(out, ids, rng, primary.taxpayer_id, 30, ctx.years_1040[0], as_of)


def _link_pair(
    out: Batch, ids: Ids, pair: list[Member], kind: str, since: date, until: date | None
) -> None:
    a, b = pair
    out.links.append(
        LinkRec(ids.next("entity", a.taxpayer_id), a.taxpayer_id, b.taxpayer_id, kind, since, until)
    )
    out.links.append(
        LinkRec(ids.next("entity", b.taxpayer_id), b.taxpayer_id, a.taxpayer_id, kind, since, until)
    )


def _information_returns(ctx: Context, rng: random.Random, out: Batch, ids: Ids, m: Member) -> None:
    """W-2, 1099-NEC/INT/DIV and SSA-1099 per year; kept on the member for the 1040s."""
    e = m.earner
    if e is None:
        return
    for year in ctx.info_years:
        if year - m.birth.year < 18 or (m.death is not None and year > m.death.year):
            continue
        forms: list[tuple[str, int, int, int | None, date]] = []
        jan31, feb15 = date(year + 1, 1, 31), date(year + 1, 2, 15)
        if e.wages:
            wages = yearly(e.wages, year, rng)
            if e.second_job:
                side = wages // 4
                forms.append(("W-2", side, int(side * e.withholding_rate), None, jan31))
                wages -= side
            forms.append(("W-2", wages, int(wages * e.withholding_rate), e.employer_id, jan31))
        if e.self_employment:
            forms.append(("1099-NEC", yearly(e.self_employment, year, rng), 0, None, jan31))
        if e.interest:
            forms.append(("1099-INT", yearly(e.interest, year, rng), 0, None, feb15))
        if e.dividends:
            forms.append(("1099-DIV", yearly(e.dividends, year, rng), 0, None, feb15))
        if year - m.birth.year >= 66:
            forms.append(("SSA-1099", yearly(e.social_security, year, rng), 0, None, jan31))
        seen = m.info.setdefault(year, {})
        for form, amount, withheld, payer, received in forms:
            if received > ctx.as_of:
                continue
            seen.setdefault(form, []).append((amount, withheld))
            out.information_returns.append(
                InfoReturnRec(
                    ids.next("info", m.taxpayer_id), m.taxpayer_id, payer, form, year,
                    amount, withheld, received,
                )
            )  # fmt: skip
