"""Tables of the posting cycle: unpostables, cycle runs, per-cycle module state, date shifts.

Why these: a rejected input must stay visible with its DLN, code and reason until someone
resolves it (UPTIN), so it is a row, not a log line. ``cycle_runs`` says how far each cycle
got, for the operator and for a resumed run. ``cycle_module_state`` holds what the set-based
recompute derived for each touched module, keyed by cycle, so the derivation is one
``INSERT ... SELECT`` that can be inspected after the fact. ``posting_date_shifts`` caches
``idrs.domain.statutes.add_years`` for the few distinct dates a cycle needs, so statute dates
are computed by the domain rule and applied by one set-based ``UPDATE``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)

from idrs.store.base import BigId, UtcDateTime, metadata
from idrs.store.tables.modules import posted_transactions

unpostables = Table(
    "unpostables",
    metadata,
    Column("id", BigId, primary_key=True),
    # which pending table the input came from: 'txn' pending_transactions, 'entity' entity changes
    Column("source", String(8), nullable=False),
    Column("pending_id", BigInteger, nullable=False),
    Column("taxpayer_id", BigInteger, index=True),
    Column("module_id", BigInteger),
    Column("tc", SmallInteger, nullable=False),
    Column("amount_cents", BigInteger, nullable=False, default=0),
    Column("dln", String(14), nullable=False),
    Column("code", SmallInteger, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("cycle", Integer, nullable=False, index=True),
    Column("input_date", Date, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # one unpostable per input: a re-run never records the same rejection twice
    UniqueConstraint("source", "pending_id", name="uq_unpostables_source_pending"),
    CheckConstraint("source IN ('txn','entity')", name="unpostable_source"),
)

cycle_runs = Table(
    "cycle_runs",
    metadata,
    Column("cycle", Integer, primary_key=True, autoincrement=False),
    Column("posting_date", Date, nullable=False),
    Column("started_by", BigInteger, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("last_stage", String(16)),  # the last stage committed
    Column("finished_at", UtcDateTime),
)

cycle_module_state = Table(
    "cycle_module_state",
    metadata,
    Column("cycle", Integer, primary_key=True, autoincrement=False),
    Column("module_id", BigInteger, primary_key=True, autoincrement=False),
    Column("balance_cents", BigInteger, nullable=False),
    Column("return_due_date", Date, nullable=False),
    Column("status_code", SmallInteger),
    Column("ever_due", Boolean),
    Column("return_filed_date", Date),
    Column("assessed_on", Date),
    Column("last_payment_date", Date),
    Column("has_freeze", Boolean),
    Column("installment_agreement", Boolean),
    Column("tdi_open", Boolean),
    Column("status_hold", SmallInteger),  # 72, 53 or 60 when a collection status applies
    Column("ased", Date),
    Column("csed", Date),
    Column("rsed", Date),
)

# the flags each touched module's unreversed postings set (freezes, statuses, indicators)
cycle_module_flags = Table(
    "cycle_module_flags",
    metadata,
    Column("cycle", Integer, primary_key=True, autoincrement=False),
    Column("module_id", BigInteger, primary_key=True, autoincrement=False),
    Column("flag", String(32), primary_key=True),
    Column("kind", String(12), nullable=False),
    Column("set_by_tc", SmallInteger, nullable=False),
    Column("last_pos", Integer, nullable=False),  # order of its latest posting on the module
)

posting_date_shifts = Table(
    "posting_date_shifts",
    metadata,
    Column("base_date", Date, primary_key=True),
    Column("years", SmallInteger, primary_key=True, autoincrement=False),
    Column("shifted", Date, nullable=False),
)

# the recompute finds the modules a cycle touched by the cycle of their postings
Index("ix_posted_transactions_cycle", posted_transactions.c.cycle)
