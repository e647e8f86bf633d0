"""Tax modules, their status and freeze history, pending and posted transactions.

Posted transactions are a ledger: append-only, enforced by triggers on both engines (see
``idrs.store.append_only``). A correction is a reversal, a new row pointing at the old one.
Pending transactions wait in their own table until a posting cycle takes them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from idrs.store.base import UtcDateTime, metadata

tax_modules = Table(
    "tax_modules",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    # owned by the primary TIN; a joint module is cross-referenced from the secondary spouse
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False),
    Column("secondary_taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), index=True),
    Column("mft", SmallInteger, nullable=False),
    Column("tax_period", Integer, nullable=False),
    Column("plan_number", SmallInteger, nullable=False, default=0),
    Column("filing_status", SmallInteger),
    Column("status_code", SmallInteger, nullable=False),
    Column("status_date", Date, nullable=False),
    Column("balance_cents", BigInteger, nullable=False, default=0),
    Column("return_due_date", Date, nullable=False),
    Column("return_filed_date", Date),
    Column("assessed_on", Date),
    Column("ased", Date),
    Column("csed", Date),
    Column("rsed", Date),
    Column("installment_agreement", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("taxpayer_id", "mft", "tax_period", "plan_number", name="uq_module_key"),
)

module_status_history = Table(
    "module_status_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id"), nullable=False, index=True),
    Column("status_code", SmallInteger, nullable=False),
    Column("status_date", Date, nullable=False),
    Column("cycle", Integer),
)

module_freezes = Table(
    "module_freezes",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id"), nullable=False, index=True),
    Column("code", String(3), nullable=False),
    Column("set_on", Date, nullable=False),
    Column("set_by_tc", SmallInteger),
    Column("released_on", Date),
    Column("released_by_tc", SmallInteger),
)

pending_transactions = Table(
    "pending_transactions",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id"), nullable=False, index=True),
    Column("tc", SmallInteger, nullable=False),
    Column("amount_cents", BigInteger, nullable=False, default=0),
    Column("dln", String(14), nullable=False),
    # PN pending, AP adjustment pending approval, CU unpostable, RS resequenced (IRM 4.4.8)
    Column("status", String(2), nullable=False, default="PN"),
    Column("transaction_date", Date, nullable=False),
    Column("input_date", Date, nullable=False),
    Column("action_code", SmallInteger),
    Column("reason_code", SmallInteger),
    Column("source", String(16), nullable=False),
    Column("created_by", BigInteger),
    Column("approved_by", BigInteger),
    # set while an AP row waits for maker-checker approval; approval turns it into PN
    Column("approval_request_id", BigInteger, ForeignKey("approval_requests.id")),
    Column("detail", Text),
    # what the input document carried, checked by the posting cycle when present: the blind
    # index of its TIN (as crypto.blind_index("tin", ...)) and its name control
    Column("tin_index", LargeBinary(16)),
    Column("name_control", String(4)),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("dln", "tc", "module_id", name="uq_pending_dln_tc_module"),
)
Index("ix_pending_transactions_status", pending_transactions.c.status)

posted_transactions = Table(
    "posted_transactions",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id"), nullable=False, index=True),
    Column("tc", SmallInteger, nullable=False),
    Column("amount_cents", BigInteger, nullable=False, default=0),
    Column("dln", String(14), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("transaction_date", Date, nullable=False),
    Column("posted_on", Date, nullable=False),
    Column("action_code", SmallInteger),
    Column("reason_code", SmallInteger),
    Column("reverses_id", BigInteger, ForeignKey("posted_transactions.id")),
    Column("pending_id", BigInteger),
    Column("created_at", UtcDateTime, nullable=False),
    # idempotency key of posting: a cycle run twice posts nothing twice
    UniqueConstraint("dln", "tc", "module_id", name="uq_posted_dln_tc_module"),
)
