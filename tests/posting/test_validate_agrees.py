"""The one-pass validate reports exactly what the per-code reference reports: the same inputs
unpostable, under the same (first failing) code, and the same rows marked 'UP'.

Generated pending input covers every code the module checks raise: duplicates of the ledger,
second and third returns, adjustments with and without a (valid) pending return, reversals
with and without a target (posted or pending, same-day, 971 action codes), refunds against
freezes and balances, name control and TIN mismatches (joint module), negative amounts,
entity TCs, inputs dated after the posting date, 'AP' rows and inputs already unpostable.
Each example runs both versions in transactions that are rolled back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from idrs.store.posting.validate import validate
from idrs.store.tables.modules import (
    module_freezes,
    pending_transactions,
    posted_transactions,
    tax_modules,
)
from idrs.store.tables.posting import unpostables
from idrs.store.tables.taxpayers import taxpayers
from tests.access.world import build_world
from tests.posting import reference_validate

MODULES = [2001, 2011, 2021]  # few, so inputs meet on a module (2011 is joint)
TCS = [150, 150, 290, 291, 300, 471, 470, 971, 972, 520, 521, 846, 840, 670, 610, 570, 571,
       13, 999, 150, 290]  # fmt: skip
CYCLE, POSTING = 20260202, date(2026, 1, 5)
NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)

item = st.fixed_dictionaries(
    {
        "module": st.sampled_from(MODULES),
        "tc": st.sampled_from(TCS),
        "amount": st.sampled_from([0, 500, 20_000, -1]),
        "ac": st.sampled_from([None, 43, 63, 10]),
        "rc": st.sampled_from([None, 81]),
        "nc": st.sampled_from([None, None, "own", "XXXX"]),
        "tin": st.sampled_from([None, None, "own", "secondary", "stranger"]),
        "day": st.integers(-3, 2),  # relative to the posting date
        "status": st.sampled_from(["PN", "PN", "PN", "AP"]),
        "posted": st.sampled_from([False, False, False, True]),  # also in the ledger: 160
        "already": st.sampled_from([False] * 9 + [True]),  # an old unpostable row
    }
)
ledger = st.lists(
    st.tuples(st.sampled_from(MODULES), st.sampled_from([150, 470, 971, 520, 670, 290])),
    max_size=4,
)
freezes = st.lists(st.sampled_from(MODULES), max_size=2)


def _people(conn: Connection) -> dict[int, tuple[int, int | None]]:
    rows = conn.execute(select(tax_modules.c.id, tax_modules.c.taxpayer_id,
                               tax_modules.c.secondary_taxpayer_id))  # fmt: skip
    return {r.id: (r.taxpayer_id, r.secondary_taxpayer_id) for r in rows}


def _load(conn: Connection, items: list[dict[str, Any]], posted: list[Any], frozen: list[int]):  # type: ignore[no-untyped-def]
    people = _people(conn)
    tp = {r.id: r for r in conn.execute(select(taxpayers.c.id, taxpayers.c.name_control,
                                                taxpayers.c.tin_index))}  # fmt: skip
    base = 1000  # every example's rows are rolled back
    ledger_rows = []
    for k, (module, tc) in enumerate(posted):
        ledger_rows.append(_posted(base + 900 + k, module, tc, f"{base:08d}9{k:05d}"))
    for k, it in enumerate(items):
        primary, secondary = people[it["module"]]
        tin = {
            None: None, "own": tp[primary].tin_index, "stranger": b"s" * 16,
            "secondary": tp[secondary].tin_index if secondary else b"t" * 16,
        }[it["tin"]]  # fmt: skip
        nc = {None: None, "own": tp[primary].name_control, "XXXX": "XXXX"}[it["nc"]]
        day = POSTING + timedelta(days=it["day"])
        dln = f"{base:08d}{k:06d}"
        conn.execute(
            insert(pending_transactions).values(
                id=base + k, module_id=it["module"], tc=it["tc"], amount_cents=it["amount"],
                dln=dln, status=it["status"], transaction_date=day, input_date=day,
                action_code=it["ac"], reason_code=it["rc"], source="test",
                tin_index=tin, name_control=nc, created_at=NOW,
            )
        )  # fmt: skip
        if it["posted"]:
            ledger_rows.append(_posted(base + 800 + k, it["module"], it["tc"], dln))
        if it["already"]:
            conn.execute(
                insert(unpostables).values(
                    source="txn", pending_id=base + k, taxpayer_id=primary,
                    module_id=it["module"], tc=it["tc"], amount_cents=it["amount"], dln=dln,
                    code=155, reason="old", cycle=CYCLE - 1, input_date=day, created_at=NOW,
                )
            )  # fmt: skip
    if ledger_rows:
        conn.execute(insert(posted_transactions), ledger_rows)
    for k, module in enumerate(frozen):
        conn.execute(
            insert(module_freezes).values(
                id=base + k, module_id=module, code="-A", set_on=POSTING - timedelta(days=9)
            )
        )


def _posted(pid: int, module: int, tc: int, dln: str) -> dict[str, Any]:
    day = POSTING - timedelta(days=20)
    return {
        "id": pid, "module_id": module, "tc": tc, "amount_cents": 1_000 if tc != 470 else 0,
        "dln": dln, "cycle": CYCLE - 7, "transaction_date": day, "posted_on": day,
        "action_code": 63 if tc == 971 else None, "reason_code": None, "created_at": NOW,
    }  # fmt: skip


def _outcome(engine, fn, items, posted, frozen):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            _load(conn, items, posted, frozen)
            counts = fn(conn, CYCLE, POSTING, NOW)
            got = conn.execute(
                select(unpostables.c.pending_id, unpostables.c.code, unpostables.c.reason,
                       unpostables.c.taxpayer_id).where(unpostables.c.cycle == CYCLE)
            ).all()  # fmt: skip
            status = conn.execute(
                select(pending_transactions.c.id, pending_transactions.c.status)
            ).all()
            return counts, sorted(tuple(r) for r in got), sorted(tuple(r) for r in status)
        finally:
            trans.rollback()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(item, min_size=1, max_size=12), ledger, freezes)
def test_one_pass_agrees_with_reference(db, keyring, items, posted, frozen) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        if conn.execute(select(tax_modules.c.id).where(tax_modules.c.id == 2001)).first() is None:
            conn.close()
            build_world(db.engine, keyring)
    want = _outcome(db.engine, reference_validate.validate, items, posted, frozen)
    got = _outcome(db.engine, validate, items, posted, frozen)
    assert got == want
