"""The audit log's tables, all append-only (triggers refuse UPDATE, DELETE and TRUNCATE).

``audit_entries``
    One row per leaf; ``idx`` is the leaf index from 0 (named ``idx`` because ``index`` is
    reserved in SQL). ``leaf`` is the exact canonical-JSON bytes that were hashed. ``actor``,
    ``taxpayer`` and ``tag`` are copies of leaf fields (raw 32-byte commitments) so oversight
    can find "every look at this taxpayer" by index rather than by scanning leaves.
``audit_sealed``
    Encrypted reviewer detail for the entries that have any; the leaf holds its SHA-256.
``audit_nodes``
    The hash of every *full* subtree: (level, idx) covers leaves [idx·2^level, (idx+1)·2^level).
    Level 0 repeats each leaf hash, so proofs read one table and a rewritten entry row is
    caught at its own index rather than at its pair's.
``audit_checkpoints``
    Every signed tree head issued, keyed by tree size.

Why full-subtree rows rather than 256-wide tiles (tlog-tiles): a full subtree's hash never
changes once its last leaf is appended, so each row is written once and never updated — the
natural fit for an append-only table. Tiles are ideal as immutable *files* behind a CDN, but
in a database a partial tile would have to be rewritten (or re-inserted at every width) as it
fills. An append writes on average two node rows; an inclusion or consistency proof needs at
most ~2·log2(n) of them, fetched by primary key in one query, so proofs never touch leaves.
The same rows can be packed into tiles on export if a tlog-tiles mirror is ever wanted.

SQLite details that matter for speed: the integer keys are ``INTEGER`` there (still 64-bit),
which makes them the rowid itself rather than a second index to maintain on every append,
and ``audit_nodes`` is a ``WITHOUT ROWID`` table, so a node is one B-tree probe, not two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
)

from idrs.store.base import UtcDateTime, metadata

AUDIT_TABLES = ("audit_entries", "audit_sealed", "audit_nodes", "audit_checkpoints")
# BIGINT everywhere; INTEGER on SQLite, where only that spelling makes a key the rowid.
RowKey = BigInteger().with_variant(Integer(), "sqlite")

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("idx", RowKey, primary_key=True, autoincrement=False),
    Column("leaf", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("tag", String(64), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor", LargeBinary(32), nullable=False),
    Column("taxpayer", LargeBinary(32), nullable=True),
    Index("ix_audit_entries_actor", "actor"),
    Index("ix_audit_entries_taxpayer", "taxpayer"),
)

audit_sealed = Table(
    "audit_sealed",
    metadata,
    Column("idx", RowKey, ForeignKey("audit_entries.idx"), primary_key=True, autoincrement=False),
    Column("blob", LargeBinary, nullable=False),
)

audit_nodes = Table(
    "audit_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("size", RowKey, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
)
