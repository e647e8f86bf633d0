"""Appending to the audit log inside the caller's transaction, and group commit.

Why inside the caller's transaction: the gate's rule is "no audit record, no data". The entry
and the full-subtree hashes it completes are written on the caller's connection, so the
command's writes and its audit entry commit together or not at all; a rollback leaves no
entry and no node, and the next append reuses the index.

Why a lock: leaf indexes must be dense and the new nodes depend on the current right edge of
the tree, so appends to the log are serialised. PostgreSQL takes a transaction-scoped
advisory lock (released at commit or rollback; nothing to UPDATE, so every audit table stays
append-only). SQLite has one writer at a time; a no-op DELETE makes the transaction take the
writer lock before we read the tree size (Python's sqlite3 opens the transaction only at the
first write, so reads before it would otherwise be unlocked and could be stale).

Why group commit: a durable commit costs an fsync. :class:`GroupCommitter` lets many threads
hand events to one writer that commits whatever has queued up in one transaction and only
then gives each caller its index — throughput scales with load, and no caller is told an
entry exists before it is durable.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from idrs.audit.encoding import Encoded, encode
from idrs.audit.events import Event
from idrs.audit.merkle import node_hash
from idrs.audit.store_proofs import AuditStoreError, fetch_nodes, frontier_keys
from idrs.store.keyring import Keyring

# pg_advisory_xact_lock key for "the audit log" (one log per database): b"idrsaudt" as int64.
PG_LOCK_KEY = int.from_bytes(b"idrsaudt", "big", signed=True)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_log = logging.getLogger(__name__)


_PG_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_SQLITE_LOCK = "DELETE FROM audit_checkpoints WHERE 0 = 1"  # any write takes the writer lock
_TREE_SIZE = "SELECT max(idx) FROM audit_entries"


def lock_log(conn: Connection) -> None:
    """Serialise with every other appender until this transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"k": PG_LOCK_KEY})
    else:  # SQLite: any write statement takes the database's single writer lock
        conn.exec_driver_sql(_SQLITE_LOCK)


@contextmanager
def _driver_cursor(conn: Connection, what: str) -> Iterator[Any]:
    """A cursor of the driver's own connection (same transaction), its errors raised as the
    SQLAlchemy exceptions an ``execute`` would raise (IntegrityError...)."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        yield cursor
    except dbapi_error as exc:
        raise DBAPIError.instance(what, None, exc, dbapi_error, dialect=conn.dialect) from exc
    finally:
        cursor.close()


def append(conn: Connection, event: Event, *, keyring: Keyring) -> int:
    """Add ``event`` to the log in ``conn``'s open transaction; returns its leaf index."""
    return append_encoded(conn, [encode(event, keyring)])


def append_many(conn: Connection, events: Sequence[Event], *, keyring: Keyring) -> list[int]:
    """Add several events in order in ``conn``'s open transaction; returns their indexes."""
    encoded = [encode(e, keyring) for e in events]
    first = append_encoded(conn, encoded)
    return list(range(first, first + len(encoded)))


def append_encoded(conn: Connection, encoded: Sequence[Encoded]) -> int:
    """Store already-encoded entries and the subtrees they complete; returns the first index.

    The lock, the size and the inserts go straight to the driver on the caller's connection:
    SQLAlchemy's per-statement work cost more than these statements themselves.
    """
    postgres = conn.dialect.name == "postgresql"
    with _driver_cursor(conn, "audit append: lock and size") as cursor:
        if postgres:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_KEY,))
        else:
            cursor.execute(_SQLITE_LOCK)
        cursor.execute(_TREE_SIZE)
        top = cursor.fetchone()[0]
    size = 0 if top is None else int(top) + 1
    if not encoded:
        return size
    keys = frontier_keys(size)
    found = fetch_nodes(conn, keys)
    if len(found) != len(keys):
        gone = sorted(set(keys) - found.keys())
        raise AuditStoreError(
            f"audit: right-edge nodes {gone} missing at size {size}; run `idrs audit verify`"
        )
    stack = [(level, idx, found[(level, idx)]) for level, idx in keys]
    sqlite = conn.dialect.name == "sqlite"
    entries, nodes, sealed = [], [], []
    for offset, enc in enumerate(encoded):
        index = size + offset
        when = _EPOCH + timedelta(microseconds=enc.at)
        entries.append(
            (
                index,
                enc.leaf,
                enc.leaf_hash,
                enc.tag,
                when.strftime(_SQLITE_TIME) if sqlite else when,
                enc.actor,
                enc.taxpayer,
            )
        )
        if enc.sealed is not None:
            sealed.append((index, enc.sealed))
        level, idx, digest = 0, index, enc.leaf_hash
        nodes.append((0, index, digest))
        while stack and stack[-1][0] == level:
            _, left_idx, left = stack.pop()
            level, idx, digest = level + 1, left_idx >> 1, node_hash(left, digest)
            nodes.append((level, idx, digest))
        stack.append((level, idx, digest))
    _insert_rows(conn, "audit_entries", _ENTRY_COLUMNS, entries)
    _insert_rows(conn, "audit_sealed", ("idx", "blob"), sealed)
    _insert_rows(conn, "audit_nodes", ("level", "idx", "hash"), nodes)
    return size


# The hot path bypasses SQLAlchemy's parameter handling, which cost more than the inserts:
# batches go to PostgreSQL as a binary COPY on the caller's connection (same transaction),
# everything else through the driver's executemany. The time format is SQLAlchemy's for
# SQLite DateTime, so ``audit_entries.c.recorded_at`` reads back as usual.
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
_ENTRY_COLUMNS = ("idx", "leaf", "leaf_hash", "tag", "recorded_at", "actor", "taxpayer")
_COPY_FROM = 50  # rows; below this a plain executemany is quicker than starting a COPY
_PG_TYPES = {
    "audit_entries": ("int8", "bytea", "bytea", "varchar", "timestamptz", "bytea", "bytea"),
    "audit_sealed": ("int8", "bytea"),
    "audit_nodes": ("int2", "int8", "bytea"),
}


def _insert_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
    pg_types: Sequence[str] | None = None,
) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql" and len(rows) >= _COPY_FROM:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        dbapi_error = conn.dialect.loaded_dbapi.Error
        try:
            with cursor.copy(sql) as copy:
                copy.set_types(list(pg_types or _PG_TYPES[table]))
                for row in rows:
                    copy.write_row(row)
        except dbapi_error as exc:  # raise what a SQLAlchemy execute would (IntegrityError...)
            raise DBAPIError.instance(sql, None, exc, dbapi_error, dialect=conn.dialect) from exc
        finally:
            cursor.close()
        return
    marks = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    with _driver_cursor(conn, sql) as cursor:
        cursor.executemany(sql, rows)


class GroupCommitter:
    """One writer thread that commits queued appends from many threads in one transaction.

    ``append(event)`` blocks until the transaction holding the entry has committed and then
    returns its index; if that commit fails, every caller in the batch gets the exception.
    ``after_commit(size)`` (e.g. a checkpoint policy) runs on the writer thread after each
    commit. Use as a context manager, or call :meth:`close`.

    Events are validated when they are built (in the caller's thread) and encoded here, on
    the writer thread: callers then only wait, instead of competing for the GIL with a writer
    that releases it for every row it hands to the database (a convoy that halved throughput).
    """

    def __init__(
        self,
        engine: Engine,
        keyring: Keyring,
        *,
        max_batch: int = 2000,
        after_commit: Callable[[int], None] | None = None,
    ) -> None:
        self.engine = engine
        self.keyring = keyring
        self.max_batch = max_batch
        self.after_commit = after_commit
        self._queue: queue.SimpleQueue[tuple[Event, Future[int]] | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="audit-group-commit", daemon=True)
        self._thread.start()

    def submit(self, event: Event) -> Future[int]:
        """Queue ``event``; the future resolves to its index once it is durably committed."""
        if self._closed:
            raise RuntimeError("GroupCommitter is closed")
        if not isinstance(event, Event):
            raise TypeError(f"GroupCommitter.submit needs an Event, got {type(event).__name__}")
        fut: Future[int] = Future()
        self._queue.put((event, fut))
        return fut

    def append(self, event: Event, timeout: float | None = None) -> int:
        """Append ``event`` and return its index once it is durably committed."""
        return self.submit(event).result(timeout)

    def close(self) -> None:
        """Commit what is queued, then stop the writer thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()

    def __enter__(self) -> GroupCommitter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is None:
                break
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list[tuple[Event, Future[int]]]) -> None:
        encoded: list[Encoded] = []
        waiting: list[Future[int]] = []
        for event, fut in batch:
            try:
                encoded.append(encode(event, self.keyring))
            except Exception as exc:  # this caller's event only; the others go ahead
                fut.set_exception(exc)
            else:
                waiting.append(fut)
        if not encoded:
            return
        try:
            with self.engine.begin() as conn:
                first = append_encoded(conn, encoded)
        except BaseException as exc:  # every waiting caller must hear about it
            for fut in waiting:
                fut.set_exception(exc)
            return
        for offset, fut in enumerate(waiting):
            fut.set_result(first + offset)
        if self.after_commit is not None:
            try:
                self.after_commit(first + len(encoded))
            except Exception:  # a failed checkpoint must not stop the log; verify will show it
                _log.exception("audit: after-commit hook failed at size %d", first + len(encoded))
