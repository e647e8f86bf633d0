"""Database-wide facts: the synthetic flag, data keys, and generator runs."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from idrs.store.base import UtcDateTime, metadata

# key/value facts about this database: "synthetic" = "true" is set by the generator and shown
# on every screen and document.
db_meta = Table(
    "db_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Envelope encryption: each data key is wrapped by the keyring's master key. ``reserved`` counts
# encryptions handed out in blocks so no key passes the NIST SP 800-38D limit of 2**32.
data_keys = Table(
    "data_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("purpose", String(64), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("reserved", BigInteger, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("purpose", "generation"),
)

synth_runs = Table(
    "synth_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seed", BigInteger, nullable=False),
    Column("version", String(32), nullable=False),
    Column("taxpayers", Integer, nullable=False),
    Column("as_of", String(10), nullable=False),
    Column("chunk_size", Integer, nullable=False),
    Column("chunks_done", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)
