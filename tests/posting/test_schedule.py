"""Offsets before refunds (IRC 6402(a)): a credit pays the taxpayer's other debts first, the rest
is refunded; scheduled once, posted by the next cycle, never for a frozen module."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from idrs.domain.periods import Cycle
from idrs.store.crypto import Vault
from idrs.store.population import write_batch
from idrs.store.records import Batch, ModuleRec
from idrs.store.tables.modules import pending_transactions
from tests.posting.helpers import module_row, pending, posting_world, run_cycle

ALICE_2024, ALICE_2023 = 2001, 2002
NEXT = Cycle.parse("20260203")


@pytest.fixture
def world(db, keyring):  # type: ignore[no-untyped-def]
    w = posting_world(db.engine, keyring)
    batch = Batch()
    batch.modules.append(
        ModuleRec(
            id=ALICE_2023, taxpayer_id=200, secondary_taxpayer_id=None, mft=30,
            tax_period=202312, filing_status=1, status_code=6, status_date=date(2024, 4, 15),
            balance_cents=0, return_due_date=date(2024, 4, 15), return_filed_date=None,
            assessed_on=None, ased=None, csed=None, rsed=None, installment_agreement=False,
            created_at=datetime(2024, 1, 1, tzinfo=UTC),
        )
    )  # fmt: skip
    with db.engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)
    return w


def _generated(conn):  # type: ignore[no-untyped-def]
    p = pending_transactions
    rows = conn.execute(
        select(p.c.module_id, p.c.tc, p.c.amount_cents, p.c.status)
        .where(p.c.source == "cycle")
        .order_by(p.c.tc, p.c.module_id)
    ).all()
    return [tuple(r) for r in rows]


def test_a_credit_pays_other_debts_first_and_the_rest_is_refunded(world, db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        pending(conn, ALICE_2023, 150, 300_00)  # owes 300.00 for 2023
        pending(conn, ALICE_2024, 150, 100_00)  # 2024: tax 100.00 ...
        pending(conn, ALICE_2024, 670, 500_00)  # ... paid 500.00: 400.00 credit
    first = run_cycle(world)
    assert first.totals.posted_by_tc == {150: 2, 670: 1}
    with db.engine.connect() as conn:
        assert module_row(conn, ALICE_2024).balance_cents == -400_00
        assert _generated(conn) == [
            (ALICE_2023, 706, 300_00, "PN"),
            (ALICE_2024, 826, 300_00, "PN"),
            (ALICE_2024, 846, 100_00, "PN"),
        ]
    run_cycle(world)  # the same cycle again schedules nothing more
    with db.engine.connect() as conn:
        assert len(_generated(conn)) == 3

    second = run_cycle(world, NEXT)
    assert second.totals.posted_by_tc == {706: 1, 826: 1, 846: 1}
    with db.engine.connect() as conn:
        assert module_row(conn, ALICE_2024).balance_cents == 0
        assert module_row(conn, ALICE_2023).balance_cents == 0
        assert module_row(conn, ALICE_2023).status_code == 12  # paid by the offset
        assert {r[3] for r in _generated(conn)} == {"PD"}
    run_cycle(world, Cycle.parse("20260204"))  # nothing left to schedule
    with db.engine.connect() as conn:
        assert len(_generated(conn)) == 3


def test_a_frozen_credit_is_neither_offset_nor_refunded(world, db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        pending(conn, ALICE_2024, 150, 100_00)
        pending(conn, ALICE_2024, 670, 500_00)
        pending(conn, ALICE_2024, 570)  # -R: credits held
    run_cycle(world)
    with db.engine.connect() as conn:
        assert module_row(conn, ALICE_2024).balance_cents == -400_00
        assert _generated(conn) == []


def test_less_than_a_dollar_is_not_refunded(world, db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        pending(conn, ALICE_2024, 150, 100_00)
        pending(conn, ALICE_2024, 670, 100_99)
    run_cycle(world)
    with db.engine.connect() as conn:
        assert _generated(conn) == []
