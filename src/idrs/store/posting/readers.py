"""Read what a posting cycle left behind: unpostables per taxpayer, a cycle's totals.

Why here: the UPTIN screen (unpostables research) and the cycle summary read these rows;
they live in ``idrs.store`` like every other query on taxpayer data, and callers reach them
through the gate or the job runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from idrs.store.tables.modules import posted_transactions, tax_modules
from idrs.store.tables.posting import cycle_runs, unpostables


@dataclass(frozen=True)
class Unpostable:
    """One input the cycle refused, as UPTIN shows it."""

    module_id: int | None
    tc: int
    amount_cents: int
    dln: str
    code: int
    reason: str
    cycle: int
    input_date: date


def unpostables_for(conn: Connection, taxpayer_id: int) -> list[Unpostable]:
    """Every unpostable of one taxpayer, oldest cycle first."""
    rows = conn.execute(
        select(unpostables)
        .where(unpostables.c.taxpayer_id == taxpayer_id)
        .order_by(unpostables.c.cycle, unpostables.c.dln, unpostables.c.tc, unpostables.c.id)
    )
    return [_unpostable(r) for r in rows]


def unpostables_in_cycle(
    conn: Connection, cycle: int, source: str | None = None
) -> list[Unpostable]:
    """A cycle's unpostables; ``source`` 'txn' or 'entity' narrows to one pending table."""
    query = select(unpostables).where(unpostables.c.cycle == cycle)
    if source is not None:
        query = query.where(unpostables.c.source == source)
    rows = conn.execute(query.order_by(unpostables.c.dln, unpostables.c.tc, unpostables.c.id))
    return [_unpostable(r) for r in rows]


def taxpayers_with_unpostables(conn: Connection, cycle: int) -> tuple[int, ...]:
    rows = conn.execute(
        select(unpostables.c.taxpayer_id)
        .where(unpostables.c.cycle == cycle, unpostables.c.taxpayer_id.is_not(None))
        .distinct()
    )
    return tuple(int(t) for t in rows.scalars())


def taxpayers_posted(conn: Connection, cycle: int) -> tuple[int, ...]:
    """Owners of the modules the cycle posted to (the batch audit entry commits to them)."""
    p, m = posted_transactions, tax_modules
    rows = conn.execute(
        select(m.c.taxpayer_id)
        .where(m.c.id.in_(select(p.c.module_id).where(p.c.cycle == cycle)))
        .distinct()
    )
    return tuple(int(t) for t in rows.scalars())


def _unpostable(r: object) -> Unpostable:
    return Unpostable(
        module_id=r.module_id,  # type: ignore[attr-defined]
        tc=r.tc,  # type: ignore[attr-defined]
        amount_cents=r.amount_cents,  # type: ignore[attr-defined]
        dln=r.dln,  # type: ignore[attr-defined]
        code=r.code,  # type: ignore[attr-defined]
        reason=r.reason,  # type: ignore[attr-defined]
        cycle=r.cycle,  # type: ignore[attr-defined]
        input_date=r.input_date,  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class CycleTotals:
    """What a cycle posted and refused, read back from the database (so a resumed run
    reports the same totals as an uninterrupted one)."""

    cycle: int
    posted_by_tc: dict[int, int]
    unpostable_by_code: dict[int, int]
    modules_changed: int
    refunds: int
    refund_cents: int
    finished: bool


def cycle_totals(conn: Connection, cycle: int) -> CycleTotals:
    p = posted_transactions
    by_tc = {
        int(tc): int(n)
        for tc, n in conn.execute(
            select(p.c.tc, func.count()).where(p.c.cycle == cycle).group_by(p.c.tc)
        )
    }
    by_code = {
        int(code): int(n)
        for code, n in conn.execute(
            select(unpostables.c.code, func.count())
            .where(unpostables.c.cycle == cycle)
            .group_by(unpostables.c.code)
        )
    }
    modules = conn.execute(
        select(func.count(func.distinct(p.c.module_id))).where(p.c.cycle == cycle)
    ).scalar_one()
    refunds, cents = conn.execute(
        select(func.count(), func.coalesce(func.sum(p.c.amount_cents), 0)).where(
            p.c.cycle == cycle, p.c.tc == 846
        )
    ).one()
    finished = conn.execute(
        select(cycle_runs.c.finished_at).where(cycle_runs.c.cycle == cycle)
    ).scalar_one_or_none()
    return CycleTotals(
        cycle, by_tc, by_code, int(modules), int(refunds), int(cents), finished is not None
    )


def cycle_totals_empty(cycle: int) -> CycleTotals:
    return CycleTotals(cycle, {}, {}, 0, 0, 0, False)
