"""A posting world: the access tests' small world, a posting service grant, pending input."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from idrs.domain.account import Posting, derive_state
from idrs.domain.periods import Cycle
from idrs.posting.runner import CycleReport, CycleRunner
from idrs.store.tables.modules import (
    module_freezes,
    pending_transactions,
    posted_transactions,
    tax_modules,
)
from tests.access.world import World, build_world

CYCLE = Cycle.parse("20260202")  # posts Monday 5 January 2026 (the world's "today")
_ids = itertools.count(1)


def posting_world(engine: Engine, keyring: Any) -> World:
    w = build_world(engine, keyring)
    w.gov.grant_service(w.staff("sec1"), w.staff("svc_posting"), "posting", days=365)
    return w


def run_cycle(w: World, cycle: Cycle = CYCLE) -> CycleReport:
    return CycleRunner(w.gate.engine, w.keyring, w.clock).run(
        started_by=w.staff("ops1"), cycle=cycle
    )


def pending(
    conn: Connection,
    module_id: int,
    tc: int,
    amount: int = 0,
    *,
    day: date = date(2026, 1, 2),
    status: str = "PN",
    dln: str | None = None,
    action_code: int | None = None,
    reason_code: int | None = None,
    name_control: str | None = None,
    tin_index: bytes | None = None,
) -> int:
    pid = conn.execute(
        select(pending_transactions.c.id).order_by(pending_transactions.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    pid = (pid or 0) + 1
    conn.execute(
        insert(pending_transactions).values(
            id=pid, module_id=module_id, tc=tc, amount_cents=amount,
            dln=dln or f"2821826{next(_ids) % 10_000_000:07d}", status=status,
            transaction_date=day, input_date=day, action_code=action_code,
            reason_code=reason_code, source="test", name_control=name_control,
            tin_index=tin_index, created_at=datetime(2026, 1, 2, 12, tzinfo=UTC),
        )
    )  # fmt: skip
    return pid


def module_row(conn: Connection, module_id: int) -> Any:
    return conn.execute(select(tax_modules).where(tax_modules.c.id == module_id)).one()


def derived(conn: Connection, module_id: int) -> Any:
    """derive_state over the module's posted transactions, in (posted, id) order."""
    rows = conn.execute(
        select(posted_transactions)
        .where(posted_transactions.c.module_id == module_id)
        .order_by(posted_transactions.c.posted_on, posted_transactions.c.id)
    ).all()
    return derive_state(
        Posting(r.tc, r.amount_cents, r.posted_on, r.action_code, r.reason_code) for r in rows
    )


def open_freezes(conn: Connection, module_id: int) -> frozenset[str]:
    return frozenset(
        conn.execute(
            select(module_freezes.c.code).where(
                module_freezes.c.module_id == module_id, module_freezes.c.released_on.is_(None)
            )
        ).scalars()
    )
