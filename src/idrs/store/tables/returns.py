"""Filed returns (header and line items) and information returns (W-2, 1099s, SSA-1099)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from idrs.store.base import metadata

INFO_RETURN_FORMS = (
    "W-2",
    "1099-INT",
    "1099-DIV",
    "1099-NEC",
    "1099-MISC",
    "1099-B",
    "1099-R",
    "SSA-1099",
)

filed_returns = Table(
    "filed_returns",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id"), nullable=False, index=True),
    Column("dln", String(14), nullable=False),
    Column("form", String(8), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("filing_status", SmallInteger),
    UniqueConstraint("dln", name="uq_filed_returns_dln"),
)

return_lines = Table(
    "return_lines",
    metadata,
    Column("return_id", BigInteger, ForeignKey("filed_returns.id"), primary_key=True),
    Column("line", String(32), primary_key=True),
    Column("amount_cents", BigInteger, nullable=False),
)

information_returns = Table(
    "information_returns",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("payee_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("payer_id", BigInteger, ForeignKey("taxpayers.id")),
    Column("form", String(10), nullable=False),
    Column("tax_year", SmallInteger, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("withheld_cents", BigInteger, nullable=False, default=0),
    Column("received_on", Date, nullable=False),
    Column("detail", Text),
    CheckConstraint(
        "form IN ('W-2','1099-INT','1099-DIV','1099-NEC','1099-MISC','1099-B','1099-R','SSA-1099')",
        name="info_form",
    ),
)
