"""Kill a real cycle (SIGKILL) at every stage boundary and at seeded statement counts, then
run it again: the ledger, modules, history, freezes and unpostables equal an uninterrupted
run's. Audit entries of the killed attempt remain (not compared)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select, text
from sqlalchemy.engine import make_url

from idrs.store.engine import make_engine
from idrs.store.tables.modules import (
    module_freezes,
    module_status_history,
    pending_transactions,
    posted_transactions,
    tax_modules,
)
from idrs.store.tables.posting import unpostables
from tests.posting.helpers import pending, posting_world, run_cycle

ROOT = Path(__file__).resolve().parents[2]
POINTS = ["before:entity", "after:entity", "after:validate", "after:post", "after:settle"]


def _scenario(engine: Engine) -> None:
    with engine.begin() as conn:
        pending(conn, 2001, 150, 100_00)
        pending(conn, 2001, 670, 30_00)
        pending(conn, 2001, 570)
        pending(conn, 2011, 150, 10_00)
        pending(conn, 2011, 610, 50_00)
        pending(conn, 2021, 290, 5_00)
        pending(conn, 2031, 471)
        pending(conn, 2041, 971, action_code=63)


def _snapshot(engine: Engine) -> dict[str, list[Any]]:
    def rows(table, *skip: str) -> list[Any]:  # type: ignore[no-untyped-def]
        cols = [c for c in table.c if c.name not in skip]
        return [tuple(r) for r in engine.connect().execute(select(*cols).order_by(*cols))]

    return {
        "posted": rows(posted_transactions, "created_at"),
        "modules": rows(tax_modules),
        "history": rows(module_status_history),
        "freezes": rows(module_freezes),
        "pending": rows(pending_transactions),
        "unpostables": rows(unpostables, "id"),
    }


@contextmanager
def _clone(db, tmp_path: Path, name: str) -> Iterator[tuple[str, Engine]]:  # type: ignore[no-untyped-def]
    if db.backend == "sqlite":
        path = tmp_path / f"{name}.db"
        shutil.copyfile(make_url(db.url).database, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield url, engine
        engine.dispose()
        return
    admin = make_engine(os.environ["IDRS_TEST_PG_URL"], isolation_level="AUTOCOMMIT")
    source = make_url(db.url).database
    target = f"{source}_{name}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    url = make_url(db.url).set(database=target).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
        admin.dispose()


def test_killed_cycle_resumes_to_the_same_result(db, keyring, keyring_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = posting_world(db.engine, keyring)
    _scenario(db.engine)
    db.engine.dispose()  # PostgreSQL copies a template only when nobody is connected
    with _clone(db, tmp_path, "ref") as (_, engine):
        world.gate.engine = engine
        seen = [0]

        def count(*_: object) -> None:
            seen[0] += 1

        event.listen(engine, "before_cursor_execute", count)
        run_cycle(world)
        event.remove(engine, "before_cursor_execute", count)
        expected = _snapshot(engine)
    assert expected["posted"] and expected["unpostables"]
    # statement counts inside the cycle's run (however many statements the stages take)
    rng = random.Random(20260202)
    points = POINTS + [f"statement:{rng.randint(5, seen[0] - 1)}" for _ in range(3)]
    for i, point in enumerate(points):
        with _clone(db, tmp_path, f"k{i}") as (url, engine):
            child = subprocess.run(
                [sys.executable, "-m", "tests.posting._child", url, str(keyring_file),
                 str(world.staff("ops1"))],
                cwd=ROOT, env={**os.environ, "IDRS_TEST_CRASH": point},
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
            assert child.returncode == -signal.SIGKILL, (point, child.stderr[-2000:])
            world.gate.engine = engine
            run_cycle(world)
            assert _snapshot(engine) == expected, point
