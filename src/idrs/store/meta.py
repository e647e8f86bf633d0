"""The synthetic flag and the bookkeeping of generator runs (``db_meta``, ``synth_runs``).

Why here: every screen and document must say SYNTHETIC when the database is, so the flag must
be one cheap read (:func:`is_synthetic`); and a half-written population must never look whole,
so a run's progress is a row that advances in the same transaction as each chunk's data
(:func:`advance_run`) and turns ``complete`` only in the last one (:func:`finish_run`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from idrs.errors import IdrsError
from idrs.store.summary import meta_value, set_meta
from idrs.store.tables.meta import synth_runs

RUNNING = "running"
COMPLETE = "complete"


class RunConflict(IdrsError):
    """Another process advanced the same run: two generators on one database."""


@dataclass(frozen=True)
class SynthRun:
    id: int
    seed: int
    version: str
    taxpayers: int
    as_of: date
    chunk_size: int
    chunks_done: int
    status: str
    started_at: datetime
    finished_at: datetime | None

    @property
    def chunks_total(self) -> int:
        return -(-self.taxpayers // self.chunk_size)

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    def describe(self) -> str:
        if self.complete:
            return f"complete ({self.taxpayers:,} taxpayers, seed {self.seed})"
        return (
            f"INCOMPLETE: {self.chunks_done} of {self.chunks_total} chunks written "
            f"({self.taxpayers:,} taxpayers, seed {self.seed}); run the same `idrs synth` "
            "command again to finish it"
        )


def is_synthetic(conn: Connection) -> bool:
    """True when the generator has written (or begun writing) this database."""
    return meta_value(conn, "synthetic") == "true"


def latest_run(conn: Connection) -> SynthRun | None:
    row = conn.execute(select(synth_runs).order_by(synth_runs.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return SynthRun(
        id=row.id,
        seed=row.seed,
        version=row.version,
        taxpayers=row.taxpayers,
        as_of=date.fromisoformat(row.as_of),
        chunk_size=row.chunk_size,
        chunks_done=row.chunks_done,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def population_status(conn: Connection) -> str:
    """One line for status screens: none, complete, or INCOMPLETE with what to do."""
    run = latest_run(conn)
    return "none" if run is None else run.describe()


def start_run(
    conn: Connection,
    *,
    seed: int,
    version: str,
    taxpayers: int,
    as_of: date,
    chunk_size: int,
    now: datetime,
    extra_meta: dict[str, str] | None = None,
) -> SynthRun:
    """Record a new run and flag the database synthetic, in the caller's transaction."""
    run_id = conn.execute(
        insert(synth_runs)
        .values(
            seed=seed,
            version=version,
            taxpayers=taxpayers,
            as_of=as_of.isoformat(),
            chunk_size=chunk_size,
            chunks_done=0,
            status=RUNNING,
            started_at=now,
        )
        .returning(synth_runs.c.id)
    ).scalar_one()
    facts = {
        "synthetic": "true",
        "generator_version": version,
        "seed": str(seed),
        "population": str(taxpayers),
        "as_of": as_of.isoformat(),
        **(extra_meta or {}),
    }
    for key, value in facts.items():
        set_meta(conn, key, value)
    run = latest_run(conn)
    if run is None or run.id != run_id:
        raise RunConflict("synth: another run started at the same time")
    return run


def advance_run(conn: Connection, run_id: int, chunk_index: int) -> None:
    """Mark chunk ``chunk_index`` done; refuses unless exactly the chunks before it are done."""
    result = conn.execute(
        update(synth_runs)
        .where(
            synth_runs.c.id == run_id,
            synth_runs.c.chunks_done == chunk_index,
            synth_runs.c.status == RUNNING,
        )
        .values(chunks_done=chunk_index + 1)
    )
    if result.rowcount != 1:
        raise RunConflict(
            f"synth: chunk {chunk_index} was already written by another process; "
            "run one generator per database"
        )


def finish_run(conn: Connection, run_id: int, now: datetime) -> None:
    result = conn.execute(
        update(synth_runs)
        .where(synth_runs.c.id == run_id, synth_runs.c.status == RUNNING)
        .values(status=COMPLETE, finished_at=now)
    )
    if result.rowcount != 1:
        raise RunConflict("synth: the run was finished by another process")


def taxpayer_count(conn: Connection) -> int:
    from sqlalchemy import func

    from idrs.store.tables.taxpayers import taxpayers

    return int(conn.execute(select(func.count()).select_from(taxpayers)).scalar_one())
