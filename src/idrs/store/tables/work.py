"""Tables the command codes write: entity changes, history items, holds, agreements, DLNs.

Entity changes (TC 013 name, 014 address) wait in ``pending_entity_changes`` like module
transactions wait in ``pending_transactions``: nothing changes the entity outside a posting
cycle. The new name or address is stored only as ciphertext, as on the entity tables.
History items are free-text notes a person typed about an account (ACTON); they are
append-only and encrypted because people type names and addresses into them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)

from idrs.store.base import BigId, UtcDateTime, metadata

pending_entity_changes = Table(
    "pending_entity_changes",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("tc", SmallInteger, nullable=False),  # 013 name, 014 address
    Column("dln", String(14), nullable=False),
    # PN pending, PD posted (kept for history), UP unpostable
    Column("status", String(2), nullable=False, default="PN"),
    Column("transaction_date", Date, nullable=False),
    Column("input_date", Date, nullable=False),
    Column("name_control", String(4)),  # a TC 013's new name control (clear, like the entity)
    Column("change_enc", LargeBinary, nullable=False),  # JSON of the new values, encrypted
    Column("created_by", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("dln", "tc", "taxpayer_id", name="uq_pending_entity_dln_tc_taxpayer"),
    CheckConstraint("tc IN (13, 14)", name="entity_tc"),
)

history_items = Table(
    "history_items",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id")),
    Column("staff_id", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("entered_on", Date, nullable=False),
    Column("text_enc", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# STAUP: hold or advance the notice stream of one module for a number of cycles
notice_holds = Table(
    "notice_holds",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id"), nullable=False, index=True),
    Column("status_code", SmallInteger, nullable=False),
    Column("cycles", SmallInteger, nullable=False),
    Column("hold_until", Date, nullable=False),
    Column("created_by", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# IAORG: the terms; the module's status 60 comes from the TC 971 AC 063 the cycle posts
installment_agreements = Table(
    "installment_agreements",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id"), nullable=False, index=True),
    Column("monthly_cents", BigInteger, nullable=False),
    Column("payment_day", SmallInteger, nullable=False),
    Column("first_payment_on", Date, nullable=False),
    Column("direct_debit", SmallInteger, nullable=False, default=0),
    Column("dln", String(14), nullable=False),
    Column("created_by", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("monthly_cents > 0", name="ia_amount"),
    CheckConstraint("payment_day BETWEEN 1 AND 28", name="ia_day"),
)

# one counter per numbering day, document code and tax class: block and serial of new DLNs
dln_counters = Table(
    "dln_counters",
    metadata,
    Column("day", Date, primary_key=True),
    Column("doc_code", SmallInteger, primary_key=True),
    Column("tax_class", SmallInteger, primary_key=True),
    Column("next_value", Integer, nullable=False),
)

APPEND_ONLY = ("history_items",)
