"""Generate a population chunk by chunk, each chunk in its own transaction, resumably.

Why this shape: memory must stay flat as N grows, and an interrupted run must neither lose nor
double rows. Households are generated one chunk at a time (:func:`generate_chunk`, pure), and
each chunk's rows are written in one transaction together with ``synth_runs.chunks_done``; so
after a crash the database holds exactly the chunks that say they are done, and running the
same command again continues at the first unfinished chunk, which regenerates the very same
rows (every household has its own random stream and its ids come from its ordinals). The run
stays ``running`` until the final transaction writes the demo staff and marks it
``complete``; both the start and the completion are audit events in those transactions.

The rules for an existing database are deliberately plain (:func:`_decide`): resume an
unfinished run of the same seed, size and generator version; do nothing for a complete one;
refuse anything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from idrs.errors import IdrsError, InvalidInput
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.meta import SynthRun, advance_run, finish_run, latest_run, start_run, taxpayer_count
from idrs.store.population import write_batch
from idrs.store.records import Batch, StaffRec, UnitRec
from idrs.synth.accounts import noon
from idrs.synth.context import Context, SynthConfig
from idrs.synth.entities import Ids
from idrs.synth.identifiers import MAX_TAXPAYER_ID
from idrs.synth.individuals import individual_household
from idrs.synth.layout import Plan, chunk_count, chunks, plans
from idrs.synth.names import FAKER_VERSION
from idrs.synth.organisations import business, exempt_org
from idrs.synth.staff import (
    MIN_TAXPAYERS,
    SERVICES,
    STAFF,
    UNIT_IDS,
    UNITS,
    employee_number,
    staff_id,
)

GENERATOR_VERSION = "1"
VERSION = f"{GENERATOR_VERSION}+faker{FAKER_VERSION}"  # Faker's word lists shape the names
MAX_TAXPAYERS = MAX_TAXPAYER_ID
MAX_CHUNK_SIZE = 100_000
MAX_SEED = 2**53 - 1  # the seed goes into the audit log, whose JSON integers stop here

ChunkHook = Callable[[Connection, int], None]
Progress = Callable[[int, int], None]


class SynthRefused(IdrsError):
    """The database holds something this run must not write over or beside."""


@dataclass(frozen=True)
class RunResult:
    run: SynthRun
    outcome: str  # created | resumed | already complete
    chunks_written: int
    rows_written: int
    seconds: float


TAXPAYERS_RULE = f"must be a whole number from {MIN_TAXPAYERS} to {MAX_TAXPAYERS:,}"
SEED_RULE = f"must be a whole number from 0 to {MAX_SEED}"
CHUNK_RULE = f"must be a whole number from 1 to {MAX_CHUNK_SIZE:,}"
AS_OF_RULE = "must be a date from 2020-01-01 to 2099-12-31"


def check_config(config: SynthConfig) -> None:
    """Refuse sizes, seeds and chunk sizes outside the documented ranges (nothing written).

    The smallest population holds the demo staff's households; the largest is the DLN
    numbering capacity (:data:`idrs.synth.identifiers.MAX_TAXPAYER_ID`).
    """
    if not MIN_TAXPAYERS <= config.taxpayers <= MAX_TAXPAYERS:
        raise InvalidInput("--taxpayers", TAXPAYERS_RULE, config.taxpayers)
    if not 0 <= config.seed <= MAX_SEED:
        raise InvalidInput("--seed", SEED_RULE, config.seed)
    if not 1 <= config.chunk_size <= MAX_CHUNK_SIZE:
        raise InvalidInput("--chunk-size", CHUNK_RULE, config.chunk_size)
    if not date(2020, 1, 1) <= config.as_of <= date(2099, 12, 31):
        raise InvalidInput("--as-of", AS_OF_RULE, config.as_of.isoformat())


# -- pure generation --------------------------------------------------------------------------


def generate_chunk(ctx: Context, households: Iterable[Plan]) -> Batch:
    """Every row of the given households (no I/O)."""
    out, ids = Batch(), Ids()
    for plan in households:
        if plan.kind == "individual":
            individual_household(ctx, plan, out, ids)
        elif plan.kind == "business":
            business(ctx, plan, out, ids)
        else:
            exempt_org(ctx, plan, out, ids)
    return out


def staff_batch(ctx: Context) -> Batch:
    """Units, the demo staff (each the primary of one of the first households) and services."""
    out = Batch(units=[UnitRec(uid, code, name) for uid, code, name in UNITS])
    homes: dict[int, int] = {}
    for plan in plans(ctx.seed, ctx.config.taxpayers):
        if plan.staff is None:
            break
        homes[plan.staff] = plan.start + 1
    since = noon(date(ctx.first_year, 1, 2))
    for i, spec in enumerate((*STAFF, *SERVICES)):
        out.staff.append(
            StaffRec(
                id=staff_id(spec.username),
                taxpayer_id=homes.get(i) if i < len(STAFF) else None,
                username=spec.username,
                employee_number=employee_number(spec.unit, i + 1),
                employment_type=spec.employment_type,
                unit_id=UNIT_IDS[spec.unit],
                manager_id=None if spec.manager is None else staff_id(spec.manager),
                clearance=spec.clearance,
                created_at=since,
                roles=spec.roles,
            )
        )
    return out


def generate(config: SynthConfig, first_chunk: int = 0) -> Iterable[tuple[int, Batch]]:
    """``(chunk index, rows)`` for every chunk from ``first_chunk`` (pure, lazily)."""
    ctx = Context(config)
    for k, households in chunks(config.seed, config.taxpayers, config.chunk_size, first_chunk):
        yield k, generate_chunk(ctx, households)


# -- writing ------------------------------------------------------------------------------------


def run(
    engine: Engine,
    keyring: Keyring,
    *,
    taxpayers: int,
    seed: int,
    as_of: date | None,
    today: date,
    chunk_size: int | None = None,
    progress: Progress | None = None,
    on_chunk: ChunkHook | None = None,
    announce: Callable[[SynthRun, str], None] | None = None,
) -> RunResult:
    """Generate (or resume, or confirm) the population; see the module docstring.

    ``as_of`` None means "the run's own date" when resuming and ``today`` for a new run.
    ``on_chunk(conn, k)`` runs inside chunk ``k``'s transaction before it commits (tests use
    it to simulate a crash); ``progress(done, total)`` after each commit; ``announce(run,
    outcome)`` once the run is decided (created, resumed or already complete).
    """
    started = time.perf_counter()
    with engine.begin() as conn:
        existing = latest_run(conn)
        config, outcome = _decide(conn, existing, taxpayers, seed, as_of, today, chunk_size)
        check_config(config)
        if outcome == "already complete" and existing is not None:
            if announce is not None:
                announce(existing, outcome)
            return RunResult(existing, outcome, 0, 0, time.perf_counter() - started)
        if existing is None:
            existing = start_run(
                conn,
                seed=config.seed,
                version=VERSION,
                taxpayers=config.taxpayers,
                as_of=config.as_of,
                chunk_size=config.chunk_size,
                now=datetime.now(UTC),
                extra_meta={"faker_version": FAKER_VERSION},
            )
            _record_run_event(conn, keyring, "start", existing)
    synth_run = existing
    if announce is not None:
        announce(synth_run, outcome)
    vault = Vault(keyring)  # a fresh vault per run: a failed chunk's key reservations die with it
    ctx = Context(config)
    total = chunk_count(config.taxpayers, config.chunk_size)
    written = rows = 0
    for k, households in chunks(
        config.seed, config.taxpayers, config.chunk_size, synth_run.chunks_done
    ):
        batch = generate_chunk(ctx, households)
        with engine.begin() as conn:
            rows += write_batch(conn, vault, batch)
            advance_run(conn, synth_run.id, k)
            if on_chunk is not None:
                on_chunk(conn, k)
        written += 1
        if progress is not None:
            progress(k + 1, total)
    with engine.begin() as conn:
        rows += write_batch(conn, vault, staff_batch(ctx))
        finish_run(conn, synth_run.id, datetime.now(UTC))
        _record_run_event(conn, keyring, "complete", synth_run)
        done = latest_run(conn)
    if done is None:
        raise SynthRefused("synth: the run disappeared while it was being finished")
    return RunResult(done, outcome, written, rows, time.perf_counter() - started)


def _decide(
    conn: Connection,
    existing: SynthRun | None,
    taxpayers_wanted: int,
    seed: int,
    as_of: date | None,
    today: date,
    chunk_size: int | None,
) -> tuple[SynthConfig, str]:
    if existing is None:
        count = taxpayer_count(conn)
        if count:
            raise SynthRefused(
                f"synth: this database already holds {count:,} taxpayers that no generator run "
                "wrote; generate into an empty database (--db)"
            )
        return SynthConfig(taxpayers_wanted, seed, as_of or today, chunk_size or 1000), "created"
    same = (
        existing.seed == seed
        and existing.taxpayers == taxpayers_wanted
        and (as_of is None or as_of == existing.as_of)
    )
    what = f"seed {existing.seed}, {existing.taxpayers:,} taxpayers, as of {existing.as_of}"
    if not same:
        if existing.complete:
            raise SynthRefused(
                f"synth: this database already holds a complete synthetic population ({what}); "
                "generate a different one into another database (--db)"
            )
        raise SynthRefused(
            f"synth: this database holds an unfinished population ({what}); run "
            f"`idrs synth --taxpayers {existing.taxpayers} --seed {existing.seed}` to finish it, "
            "or use another database (--db)"
        )
    if existing.version != VERSION:
        raise SynthRefused(
            f"synth: the population was written by generator {existing.version}, this is "
            f"{VERSION}; its rows would differ, so use another database (--db)"
        )
    config = SynthConfig(existing.taxpayers, existing.seed, existing.as_of, existing.chunk_size)
    return config, "already complete" if existing.complete else "resumed"


def _record_run_event(conn: Connection, keyring: Keyring, phase: str, synth_run: SynthRun) -> None:
    """Audit the run's start or completion inside the same transaction as its rows."""
    from idrs.audit.events import Tag, system_event
    from idrs.audit.log import append

    detail = {
        "phase": phase,
        "run": synth_run.id,
        "seed": synth_run.seed,
        "taxpayers": synth_run.taxpayers,
        "as_of": synth_run.as_of.isoformat(),
        "version": synth_run.version,
    }
    append(
        conn, system_event(Tag.SYNTH_POPULATION_GENERATE, detail, actor="synth"), keyring=keyring
    )
