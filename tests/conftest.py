"""Shared test set-up.

* Hypothesis profiles: ``ci`` keeps property tests bounded.
* ``db``: a fresh, migrated database per test on **both** SQLite and PostgreSQL. Each engine
  is migrated once per worker into a template (a file for SQLite, a template database for
  PostgreSQL) and copied per test, because append-only tables refuse DELETE and TRUNCATE.
  PostgreSQL comes from ``scripts/with-postgres.sh`` (``make test``), which sets
  ``IDRS_TEST_PG_URL``; without it the PostgreSQL half fails loudly rather than skipping.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from idrs.store.engine import make_engine
from idrs.store.keyring import Keyring
from idrs.store.migrate import upgrade

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


@dataclass
class TestDb:
    backend: str
    url: str
    engine: Engine

    __test__ = False  # not a test class


def _pg_admin_url() -> str:
    url = os.environ.get("IDRS_TEST_PG_URL")
    if not url:
        pytest.fail(
            "IDRS_TEST_PG_URL is not set: run the suite with `make test` (it starts PostgreSQL)"
        )
    return url


def _pg_url(admin_url: str, dbname: str) -> str:
    return make_url(admin_url).set(database=dbname).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def worker(request: pytest.FixtureRequest) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(worker: str) -> Iterator[str]:
    admin = make_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"idrs_tmpl_{worker}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_pg_url(_pg_admin_url(), name))
    upgrade(engine)
    engine.dispose()
    yield name
    admin.dispose()


def _fresh_sqlite(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "idrs.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, worker: str) -> Iterator[TestDb]:
    """A fresh migrated database; the test runs once per backend."""
    backend = request.param
    if backend == "sqlite":
        url = _fresh_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
        engine = make_engine(url)
        yield TestDb(backend, url, engine)
        engine.dispose()
        return
    template = request.getfixturevalue("pg_template")
    name = f"idrs_t_{worker}_{next(_counter)}"
    admin = make_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = _pg_url(_pg_admin_url(), name)
    engine = make_engine(url)
    try:
        yield TestDb(backend, url, engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def keyring() -> Keyring:
    return Keyring.generate()


@pytest.fixture
def keyring_file(tmp_path: Path, keyring: Keyring) -> Path:
    from idrs.store.keyring import save_keyring

    path = tmp_path / "keyring.json"
    save_keyring(keyring, path)
    return path


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path, worker: str) -> Iterator[str]:
    """The URL of an empty database (no schema), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"idrs_e_{worker}_{next(_counter)}"
    admin = make_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(_pg_admin_url(), name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
