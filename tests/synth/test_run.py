"""Writing a population: chunked transactions, crash and resume, the synthetic flag, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Connection, func, select

from idrs.audit.tables import audit_entries
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.meta import is_synthetic, latest_run, population_status
from idrs.store.population import dump_population
from idrs.store.summary import meta_value
from idrs.store.tables.meta import synth_runs
from idrs.store.tables.taxpayers import addresses, taxpayers
from idrs.synth.generator import VERSION, SynthRefused, run

AS_OF = date(2026, 5, 1)
N = 60


class Crash(RuntimeError):
    pass


def _crash_in(chunk: int):  # type: ignore[no-untyped-def]
    def hook(conn: Connection, k: int) -> None:
        if k == chunk:
            raise Crash(f"simulated crash while writing chunk {k}")

    return hook


def _run(db, keyring: Keyring, chunk_size: int, **kw):  # type: ignore[no-untyped-def]
    return run(
        db.engine, keyring, taxpayers=N, seed=7, as_of=AS_OF, today=AS_OF,
        chunk_size=chunk_size, **kw,
    )  # fmt: skip


def _dump(db, keyring: Keyring) -> dict:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        return dump_population(conn, Vault(keyring))


def test_a_crash_rolls_back_only_the_chunk_in_flight(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Crash):
        _run(db, keyring, 7, on_chunk=_crash_in(4))
    with db.engine.connect() as conn:
        half = latest_run(conn)
        assert half is not None and half.status == "running" and half.chunks_done == 4
        assert "INCOMPLETE" in population_status(conn)
        assert is_synthetic(conn)
        last = conn.execute(select(func.max(taxpayers.c.id))).scalar_one()
    assert last is not None and 4 * 7 <= last <= 4 * 7 + 4  # whole households only

    resumed = _run(db, keyring, 25)  # a resume keeps the run's own chunk size (7)
    assert resumed.outcome == "resumed" and resumed.run.complete
    assert resumed.chunks_written == 9 - 4
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(taxpayers)).scalar_one() == N


def test_chunking_does_not_change_what_is_written(db, keyring: Keyring, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from idrs.store.engine import make_engine
    from idrs.store.migrate import upgrade

    with pytest.raises(Crash):
        _run(db, keyring, 7, on_chunk=_crash_in(2))
    _run(db, keyring, 7)
    resumed = _dump(db, keyring)

    if db.backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'second.db'}"
    else:
        url = _second_pg_database(db.url)
    engine = make_engine(url)
    try:
        upgrade(engine)
        run(engine, keyring, taxpayers=N, seed=7, as_of=AS_OF, today=AS_OF, chunk_size=25)
        with engine.connect() as conn:
            straight = dump_population(conn, Vault(keyring))
    finally:
        engine.dispose()
        if db.backend != "sqlite":
            _drop_pg_database(url)
    assert resumed.keys() == straight.keys()
    for table in resumed:
        assert resumed[table] == straight[table], table


def _second_pg_database(url: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from idrs.store.engine import make_engine

    parsed = make_url(url)
    name = f"{parsed.database}_b"
    admin = make_engine(
        parsed.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(False)


def _drop_pg_database(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from idrs.store.engine import make_engine

    parsed = make_url(url)
    admin = make_engine(
        parsed.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def test_flags_and_bookkeeping(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        assert not is_synthetic(conn) and population_status(conn) == "none"
    result = _run(db, keyring, 25)
    assert result.outcome == "created" and result.run.complete
    with db.engine.connect() as conn:
        assert is_synthetic(conn)
        assert meta_value(conn, "synthetic") == "true"
        assert meta_value(conn, "seed") == "7"
        assert meta_value(conn, "population") == str(N)
        assert meta_value(conn, "generator_version") == VERSION
        row = conn.execute(select(synth_runs)).one()
        assert (row.status, row.chunks_done, row.chunk_size) == ("complete", 3, 25)
        assert population_status(conn).startswith("complete")
        events = conn.execute(select(func.count()).select_from(audit_entries)).scalar_one()
    assert events == 2  # start and completion, each in its own transaction


def test_rerun_is_a_no_op_and_a_different_population_is_refused(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    _run(db, keyring, 25)
    again = _run(db, keyring, 10)
    assert again.outcome == "already complete" and again.rows_written == 0
    with pytest.raises(SynthRefused, match="already holds a complete"):
        run(db.engine, keyring, taxpayers=N, seed=8, as_of=None, today=AS_OF)
    with pytest.raises(SynthRefused, match="already holds a complete"):
        run(db.engine, keyring, taxpayers=N, seed=7, as_of=date(2026, 5, 2), today=AS_OF)
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(synth_runs)).scalar_one() == 1


def test_an_unfinished_run_is_only_resumed_by_the_same_command(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Crash):
        _run(db, keyring, 25, on_chunk=_crash_in(1))
    with pytest.raises(SynthRefused, match="unfinished population"):
        run(db.engine, keyring, taxpayers=N + 1, seed=7, as_of=None, today=AS_OF)
    done = run(db.engine, keyring, taxpayers=N, seed=7, as_of=None, today=date(2030, 1, 1))
    assert done.outcome == "resumed" and done.run.as_of == AS_OF


def test_refuses_a_database_with_taxpayers_it_did_not_write(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    from idrs.store.population import write_batch
    from idrs.synth.context import Context, SynthConfig
    from idrs.synth.generator import generate_chunk
    from idrs.synth.layout import plans

    ctx = Context(SynthConfig(N, 3, AS_OF))
    batch = generate_chunk(ctx, list(plans(3, N))[:1])
    with db.engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)
    with pytest.raises(SynthRefused, match="no generator run"):
        _run(db, keyring, 25)
    with db.engine.connect() as conn:
        assert latest_run(conn) is None and not is_synthetic(conn)


def test_no_plaintext_identifier_reaches_the_database_file(db, keyring: Keyring, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.engine import make_url

    from idrs.store.taxpayers import get_entity

    _run(db, keyring, 25)
    vault = Vault(keyring)
    with db.engine.connect() as conn:
        dump = dump_population(conn, vault)
        entity = get_entity(conn, vault, 1)
    assert entity.name_line1 and entity.address is not None
    tcols = [c.name for c in taxpayers.c]
    acols = [c.name for c in addresses.c]
    tins = [row[tcols.index("tin_enc")] for row in dump["taxpayers"]]
    names = [row[tcols.index("name_line1_enc")] for row in dump["taxpayers"]]
    streets = [row[acols.index("street_enc")] for row in dump["addresses"]]
    cities = [row[acols.index("city_enc")] for row in dump["addresses"]]
    needles = [*tins[:15], *names[:15], *streets[:15], *[c for c in cities[:15] if len(c) >= 8]]
    needles += [t[:3] + "-" + t[3:5] + "-" + t[5:] for t in tins[:15]]
    needles += [w for n in names[:30] for w in n.split() if len(w) >= 6]  # longer surnames
    assert len(needles) > 50
    if db.backend != "sqlite":
        return  # the raw-file check needs the file; PostgreSQL stores the same ciphertext
    db.engine.dispose()
    path = make_url(db.url).database
    assert path is not None
    raw = b""
    for suffix in ("", "-wal"):
        try:
            with open(path + suffix, "rb") as fh:
                raw += fh.read()
        except FileNotFoundError:
            continue
    assert len(raw) > 100_000
    for needle in needles:
        assert needle.encode() not in raw, needle
        assert needle.upper().encode() not in raw, needle
