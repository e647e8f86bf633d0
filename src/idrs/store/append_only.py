"""Append-only tables: the database itself refuses UPDATE and DELETE.

Ledgers (posted transactions, status history) and the audit log must never change in place.
Triggers enforce it on both engines, so a stray ORM call, a console session or a buggy job
cannot rewrite history; only a superuser dropping the trigger could, and that is itself a
schema change. Any migration that rebuilds one of these tables must call :func:`install`
again (SQLite drops triggers with the table).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

APPEND_ONLY_TABLES = ("posted_transactions", "module_status_history")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION idrs_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def install(conn: Connection, table: str) -> None:
    """Create the refuse-UPDATE/DELETE triggers for ``table`` (idempotent)."""
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} "
                    f"BEFORE {op} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
                )
            )
        return
    conn.execute(text(_PG_FUNCTION))
    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
    conn.execute(
        text(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION idrs_refuse_change()"
        )
    )
    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"))
    conn.execute(
        text(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION idrs_refuse_change()"
        )
    )
