"""The ``cycle_runs`` row: when a cycle started, how often, the last stage committed.

Why: the stages are idempotent, so a resumed run simply runs them all again; this row is
what the operator sees ("resuming cycle 20260202, attempt 2, last committed: post") and
what tells a finished cycle from an interrupted one. Each stage updates it inside its own
transaction, so it never claims a stage that did not commit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from idrs.store.tables.posting import cycle_runs


def begin_run(
    conn: Connection, cycle: int, posting_date: date, started_by: int, now: datetime
) -> tuple[int, str | None]:
    """Record a start; returns (attempt number, last stage committed by an earlier attempt)."""
    row = conn.execute(select(cycle_runs).where(cycle_runs.c.cycle == cycle)).first()
    if row is None:
        conn.execute(
            insert(cycle_runs).values(
                cycle=cycle, posting_date=posting_date, started_by=started_by,
                started_at=now, attempts=1, last_stage=None, finished_at=None,
            )
        )  # fmt: skip
        return 1, None
    conn.execute(
        update(cycle_runs)
        .where(cycle_runs.c.cycle == cycle)
        .values(attempts=row.attempts + 1, finished_at=None)
    )
    return row.attempts + 1, row.last_stage


def stage_done(conn: Connection, cycle: int, stage: str) -> None:
    conn.execute(update(cycle_runs).where(cycle_runs.c.cycle == cycle).values(last_stage=stage))


def finish_run(conn: Connection, cycle: int, now: datetime) -> None:
    conn.execute(
        update(cycle_runs)
        .where(cycle_runs.c.cycle == cycle)
        .values(finished_at=now, last_stage="done")
    )
