"""Small helpers for the posting SQL: typed text statements on both engines.

Why: dates bound to raw ``text()`` would go through the sqlite3 default adapter (deprecated);
binding them as ``Date`` lets SQLAlchemy render them the way the ``Date`` columns store them
on each engine, so comparisons with stored dates work the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import BigInteger, Date, Integer, LargeBinary, String, bindparam, text
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.elements import TextClause

from idrs.store.base import UtcDateTime

_TYPES = {
    "c": Integer(),
    "d": Date(),
    "nd": Date(),
    "now": UtcDateTime(),
    "code": Integer(),
    "reason": String(),
    "tin_index": LargeBinary(),
    "n": BigInteger(),
}


def _names(sql: str) -> set[str]:
    return set(re.findall(r"(?<![:\w]):(\w+)", sql))


def stmt(sql: str, **types: Any) -> TextClause:
    clause = text(sql)
    names = _names(sql)
    binds = [
        bindparam(name, type_=types.get(name, _TYPES[name]))
        for name in (*_TYPES, *types)
        if name in names
    ]
    return clause.bindparams(*binds)


def run(conn: Connection, sql: str, **params: Any) -> int:
    """Execute one statement; returns its row count (-1 when the driver cannot tell)."""
    names = _names(sql)
    used = {k: v for k, v in params.items() if k in names}
    result: CursorResult[Any] = conn.execute(stmt(sql), used)
    return result.rowcount
