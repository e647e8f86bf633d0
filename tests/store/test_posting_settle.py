"""The set-based recompute agrees with derive_state (the canonical rule) on any postings.

Postings are written straight into the ledger (no validation), so reversals of nothing,
same-day pushes and pops, 971/972 action codes and 520 closing codes all reach the SQL.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from idrs.domain.statutes import ased, csed, rsed
from idrs.store.posting.settle import settle
from idrs.store.records import Batch, TaxpayerRec
from idrs.store.tables.modules import posted_transactions, tax_modules
from tests.posting.helpers import derived, module_row, open_freezes

CODES = [150, 290, 291, 160, 161, 610, 670, 611, 846, 840, 470, 471, 420, 421, 570, 571,
         520, 521, 530, 531, 141, 590, 592, 971, 972, 976, 480, 481, 482, 914]  # fmt: skip
NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)
_module_ids = itertools.count(50_000)
_posting_ids = itertools.count(10_000_000)

posting = st.tuples(
    st.sampled_from(CODES),
    st.integers(0, 50_000),
    st.integers(0, 6),  # day offset
    st.sampled_from([10, 43, 63, 87, 13]),  # action code (971/972)
    st.sampled_from([60, 81, 70, 76]),  # closing code (520)
)


def _setup(engine, keyring) -> None:  # type: ignore[no-untyped-def]
    from idrs.store.crypto import Vault
    from idrs.store.population import write_batch

    batch = Batch()
    batch.taxpayers.append(
        TaxpayerRec(
            id=1, entity_kind="individual", tin_kind="SSN", tin="801110999",
            name_control="TEST", name_line1="Pat Test", name_line2=None, surname="Test",
            birth_date=None, death_date=None, filing_requirements="1040",
            established_on=date(2000, 1, 1), created_at=NOW,
        )
    )  # fmt: skip
    with engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(posting, min_size=1, max_size=14))
def test_sql_state_agrees_with_derive_state(db, keyring, items) -> None:  # type: ignore[no-untyped-def]
    if not _has_tp_engine(db.engine):
        _setup(db.engine, keyring)
    mid = next(_module_ids)
    cycle = 20260202 + mid  # a cycle number of its own, so only this module is touched
    base = date(2025, 5, 1)
    with db.engine.begin() as conn:
        conn.execute(
            insert(tax_modules).values(
                id=mid, taxpayer_id=1, mft=30, tax_period=202412, plan_number=mid % 30000,
                status_code=6, status_date=base, balance_cents=0,
                return_due_date=date(2025, 4, 15), installment_agreement=False, created_at=NOW,
            )
        )  # fmt: skip
        rows = []
        for k, (tc, amount, off, ac, cc) in enumerate(items):
            money = tc not in (470, 471, 420, 421, 570, 571, 520, 521, 530, 531, 141, 590,
                               592, 971, 972, 976, 480, 481, 482, 914)  # fmt: skip
            rows.append(
                {
                    "id": next(_posting_ids), "module_id": mid, "tc": tc,
                    "amount_cents": amount if money else 0, "dln": f"{mid:08d}{k:06d}",
                    "cycle": cycle, "transaction_date": base + timedelta(days=off),
                    "posted_on": base + timedelta(days=off),
                    "action_code": ac if tc in (971, 972) else None,
                    "reason_code": cc if tc == 520 else None, "created_at": NOW,
                }
            )  # fmt: skip
        conn.execute(insert(posted_transactions), rows)
        settle(conn, cycle, base + timedelta(days=7), NOW)
    with db.engine.connect() as conn:
        want = derived(conn, mid)
        got = module_row(conn, mid)
        assert got.balance_cents == want.balance
        assert got.status_code == want.status
        assert open_freezes(conn, mid) == want.freezes
        assert got.installment_agreement == ("installment_agreement" in want.indicators)
        if want.return_filed:
            filed = min(r["transaction_date"] for r in rows if r["tc"] == 150)
            paid = [r["transaction_date"] for r in rows if r["tc"] in (610, 670)]
            assert got.assessed_on == want.assessment_date
            assert got.ased == ased(date(2025, 4, 15), filed)
            assert got.csed == csed(want.assessment_date)
            assert got.rsed == rsed(filed, date(2025, 4, 15), max(paid) if paid else None)


def _has_tp_engine(engine) -> bool:  # type: ignore[no-untyped-def]
    from idrs.store.tables.taxpayers import taxpayers

    with engine.connect() as conn:
        return conn.execute(select(taxpayers.c.id).where(taxpayers.c.id == 1)).first() is not None
