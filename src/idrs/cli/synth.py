"""``idrs synth``: generate (or finish) the synthetic population, with a progress bar.

Every option arrives as text and is checked here, so a bad value is one line naming the option
and its rule (exit 2 from the root CLI) and nothing is written: the database is not even
opened until all options pass. The database must already be initialised (``idrs init``
creates the keyring and the schema).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from idrs.cli._context import Context, context
from idrs.errors import IdrsError, InvalidInput
from idrs.store.engine import make_engine
from idrs.store.keyring import Keyring
from idrs.store.meta import SynthRun
from idrs.store.migrate import current_revision, head_revision
from idrs.store.summary import keyring_fingerprint, meta_value
from idrs.synth.context import SynthConfig
from idrs.synth.generator import (
    CHUNK_RULE,
    SEED_RULE,
    TAXPAYERS_RULE,
    RunResult,
    check_config,
    run,
)

SYNTHETIC_BANNER = "SYNTHETIC DATA - NOT REAL TAXPAYER INFORMATION"
_WHOLE = re.compile(r"[0-9]{1,19}")
out = Console(highlight=False, soft_wrap=True)  # a message is one line: no wrapping
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _whole(option: str, raw: str, rule: str) -> int:
    text = raw.strip()
    if not _WHOLE.fullmatch(text):
        raise InvalidInput(option, rule, raw)
    return int(text)


def _date(option: str, raw: str) -> date:
    text = raw.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(option, "must be a date YYYY-MM-DD", raw) from None


def parse_options(
    taxpayers: str, seed: str, as_of: str | None, chunk_size: str | None, today: date
) -> tuple[SynthConfig, bool]:
    """The checked configuration, and whether --as-of was given (nothing touched yet)."""
    config = SynthConfig(
        taxpayers=_whole("--taxpayers", taxpayers, TAXPAYERS_RULE),
        seed=_whole("--seed", seed, SEED_RULE),
        as_of=today if as_of is None else _date("--as-of", as_of),
        chunk_size=1000 if chunk_size is None else _whole("--chunk-size", chunk_size, CHUNK_RULE),
    )
    check_config(config)
    return config, as_of is not None


def _open(ctx: Context, db: str | None) -> Engine:
    url = db or ctx.settings.database_url
    option = "--db" if db else "IDRS_DATABASE_URL"
    try:
        parsed = make_url(url)
    except Exception:  # sqlalchemy raises ArgumentError
        raise InvalidInput(
            option, "must be a database URL (sqlite:///path or postgresql://...)"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise InvalidInput(option, f"must be a sqlite or postgresql URL (not {backend!r})")
    if backend == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).exists():
            raise IdrsError(
                f"{option}: no database at {url!r}; run `idrs init` first (it creates the "
                "keyring and the schema)"
            )
    engine = ctx.engine if db is None else make_engine(db)
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        raise IdrsError(f"{option}: cannot connect to the database ({reason})") from None
    if revision != head_revision():
        raise IdrsError(f"{option}: the database is not initialised; run `idrs init` first")
    return engine


def _check_keyring(engine: Engine, keyring: Keyring) -> None:
    with engine.connect() as conn:
        stored = meta_value(conn, "keyring_fingerprint")
    if stored is not None and stored != keyring_fingerprint(keyring):
        raise IdrsError("synth: this database was created with another keyring (IDRS_KEYRING)")


def synth(
    taxpayers: str = typer.Option(..., "--taxpayers", help="Population size (taxpayers)."),
    seed: str = typer.Option(..., "--seed", help="Random seed: same seed, same population."),
    db: str | None = typer.Option(None, "--db", help="Database URL (default IDRS_DATABASE_URL)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Business date YYYY-MM-DD."),
    chunk_size: str | None = typer.Option(
        None, "--chunk-size", help="Taxpayers per transaction (default 1000)."
    ),
) -> None:
    """Generate a SYNTHETIC population (resumes an interrupted run; a no-op once complete)."""
    ctx = context()
    config, as_of_given = parse_options(taxpayers, seed, as_of, chunk_size, ctx.clock.today())
    keyring = ctx.keyring
    engine = _open(ctx, db)
    _check_keyring(engine, keyring)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("synthetic chunks", total=None)

        def announce(synth_run: SynthRun, outcome: str) -> None:
            out.print(f"[bold yellow]{SYNTHETIC_BANNER}[/]")
            bar.update(task, total=synth_run.chunks_total, completed=synth_run.chunks_done)
            if outcome == "resumed":
                note = ""
                if chunk_size is not None and config.chunk_size != synth_run.chunk_size:
                    note = f" (keeping the run's chunk size {synth_run.chunk_size})"
                out.print(
                    f"Resuming the unfinished run at chunk {synth_run.chunks_done + 1} of "
                    f"{synth_run.chunks_total}{note}."
                )

        try:
            result = run(
                engine,
                keyring,
                taxpayers=config.taxpayers,
                seed=config.seed,
                as_of=config.as_of if as_of_given else None,
                today=config.as_of,
                chunk_size=config.chunk_size,
                announce=announce,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except KeyboardInterrupt:
            done = int(bar.tasks[0].completed)
            raise IdrsError(
                f"synth: interrupted; {done} chunk(s) are written and the population is "
                "INCOMPLETE; run the same command again to resume"
            ) from None
    _report(result)


def _report(result: RunResult) -> None:
    r = result.run
    what = f"{r.taxpayers:,} taxpayers, seed {r.seed}, as of {r.as_of}, generator {r.version}"
    if result.outcome == "already complete":
        out.print(f"SYNTHETIC population already complete ({what}); nothing to do.")
        return
    rate = r.taxpayers / result.seconds if result.seconds and result.outcome == "created" else 0
    speed = f", {rate:,.0f} taxpayers/s" if rate else ""
    out.print(
        f"SYNTHETIC population complete ({what}): {result.rows_written:,} rows in "
        f"{result.seconds:,.1f} s{speed}."
    )


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)
