"""Engines from a URL: the embedded SQLite default or PostgreSQL.

SQLite gets WAL, foreign keys and a busy timeout on every connection; PostgreSQL uses psycopg 3.
``sqlite:///relative/path`` is resolved against the working directory and its folder created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from idrs.errors import ConfigurationError


def normalise_url(url: str) -> str:
    """Map ``postgresql://`` to the psycopg 3 driver; leave everything else alone."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the pragmas and pool this project relies on."""
    try:
        parsed = make_url(normalise_url(url))
    except Exception as exc:  # sqlalchemy raises ArgumentError for malformed URLs
        raise ConfigurationError(
            f"IDRS_DATABASE_URL: not a database URL (got {url!r})",
            field="IDRS_DATABASE_URL",
            rule="SQLAlchemy URL",
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    raise ConfigurationError(
        f"IDRS_DATABASE_URL: unsupported database {backend!r} (use sqlite or postgresql)",
        field="IDRS_DATABASE_URL",
        rule="sqlite or postgresql",
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
