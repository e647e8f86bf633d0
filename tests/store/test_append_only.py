"""Posted transactions and status history refuse UPDATE and DELETE at the database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DatabaseError

from idrs.store.tables.modules import posted_transactions, tax_modules
from idrs.store.tables.taxpayers import taxpayers


def _seed(conn) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    conn.execute(
        insert(taxpayers).values(
            id=1,
            entity_kind="individual",
            tin_kind="SSN",
            tin_enc=b"x",
            tin_index=b"i" * 16,
            name_control="SAMP",
            name_line1_enc=b"n",
            established_on=date(2000, 1, 1),
            filing_requirements="1040",
            created_at=now,
        )
    )
    conn.execute(
        insert(tax_modules).values(
            id=1,
            taxpayer_id=1,
            mft=30,
            tax_period=202312,
            status_code=10,
            status_date=date(2024, 4, 15),
            return_due_date=date(2024, 4, 15),
            created_at=now,
        )
    )
    conn.execute(
        insert(posted_transactions).values(
            id=1,
            module_id=1,
            tc=150,
            amount_cents=100_00,
            dln="28211105123454",
            cycle=20241505,
            transaction_date=date(2024, 4, 15),
            posted_on=date(2024, 4, 15),
            created_at=now,
        )
    )


def test_posted_transactions_refuse_update_and_delete(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        _seed(conn)
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(update(posted_transactions).values(amount_cents=1))
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(delete(posted_transactions))
    with db.engine.connect() as conn:
        row = conn.execute(select(posted_transactions.c.amount_cents)).one()
    assert row.amount_cents == 100_00
