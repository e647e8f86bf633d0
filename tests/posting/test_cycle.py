"""A posting cycle end to end through the job runner, on both engines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select

from idrs.audit.events import decode_leaf
from idrs.audit.tables import audit_entries
from idrs.jobs import JobRefused
from idrs.posting.runner import CycleRunner
from idrs.store.crypto import Vault, norm_tin
from idrs.store.posting.readers import unpostables_for
from idrs.store.tables.modules import (
    module_status_history,
    pending_transactions,
    posted_transactions,
)
from idrs.store.tables.taxpayers import addresses, taxpayers
from idrs.store.tables.work import pending_entity_changes
from tests.posting.helpers import (
    CYCLE,
    derived,
    module_row,
    open_freezes,
    pending,
    posting_world,
    run_cycle,
)


@pytest.fixture
def world(db, keyring):  # type: ignore[no-untyped-def]
    return posting_world(db.engine, keyring)


def _statuses(conn) -> dict[int, str]:  # type: ignore[no-untyped-def]
    p = pending_transactions
    return {r.id: r.status for r in conn.execute(select(p.c.id, p.c.status))}


def test_posts_recomputes_and_reports_unpostables(world, db, keyring) -> None:  # type: ignore[no-untyped-def]
    w = world
    vault = Vault(keyring)
    with db.engine.begin() as conn:
        ret = pending(conn, 2001, 150, 100_00, name_control="YARR")
        pay = pending(conn, 2001, 670, 30_00)
        frz = pending(conn, 2001, 570)
        adj = pending(conn, 2021, 290, 5_00)  # carol's module has no return: 170
        rev = pending(conn, 2031, 471)  # nothing to reverse: 171
        bad_nc = pending(conn, 2041, 150, 1_00, name_control="XXXX")  # 153
        stranger = vault.blind_index("tin", norm_tin("803330300"))
        bad_tin = pending(conn, 2041, 610, 1_00, tin_index=stranger)  # 154
        waits = pending(conn, 2011, 670, 9_00, status="AP")  # waits for approval
        refund = pending(conn, 2011, 846, 1_00)  # bob/carol: no credit to refund: 181
    report = run_cycle(w)
    assert report.totals.posted_by_tc == {150: 1, 570: 1, 670: 1}
    assert report.totals.unpostable_by_code == {153: 1, 154: 1, 170: 1, 171: 1, 181: 1}
    assert {e.code for e in report.errors} == {153, 154, 170, 171, 181}
    with db.engine.connect() as conn:
        status = _statuses(conn)
        assert [status[i] for i in (ret, pay, frz)] == ["PD", "PD", "PD"]
        assert [status[i] for i in (adj, rev, bad_nc, bad_tin, refund)] == ["UP"] * 5
        assert status[waits] == "AP"
        m = module_row(conn, 2001)
        state = derived(conn, 2001)
        assert (m.balance_cents, m.status_code) == (70_00, 21) == (state.balance, state.status)
        assert open_freezes(conn, 2001) == {"-R"} == state.freezes
        assert m.assessed_on == CYCLE.posting_date and m.csed == date(2036, 1, 5)
        history = conn.execute(
            select(module_status_history.c.status_code, module_status_history.c.cycle).where(
                module_status_history.c.module_id == 2001
            )
        ).all()
        assert [tuple(h) for h in history] == [(21, int(str(CYCLE)))]
        carol = unpostables_for(conn, w.ids["carol"])
        assert [(u.module_id, u.tc, u.code, u.cycle) for u in carol] == [
            (2021, 290, 170, int(str(CYCLE)))
        ]
        assert carol[0].reason == "adjustment to a module with no return posted"


def test_a_cycle_run_twice_posts_nothing_twice(world, db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        pending(conn, 2001, 150, 100_00)
        pending(conn, 2001, 670, 40_00)
    first = run_cycle(world)
    second = run_cycle(world)
    assert first.totals == second.totals
    assert second.attempt == 2
    with db.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(posted_transactions)).scalar_one()
        history = conn.execute(select(func.count()).select_from(module_status_history))
        assert n == 2 and history.scalar_one() == 1
        m = module_row(conn, 2001)
        assert (m.balance_cents, m.status_code) == (60_00, 21)


def test_later_cycle_payment_makes_module_full_paid(world, db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        pending(conn, 2001, 150, 100_00)
    run_cycle(world)
    with db.engine.begin() as conn:
        pending(conn, 2001, 670, 100_00, day=date(2026, 1, 5))
    run_cycle(world, CYCLE.next())
    with db.engine.connect() as conn:
        assert module_row(conn, 2001).status_code == 12
        codes = conn.execute(
            select(module_status_history.c.status_code)
            .where(module_status_history.c.module_id == 2001)
            .order_by(module_status_history.c.id)
        ).scalars()
        assert list(codes) == [21, 12]


def test_entity_changes_post_name_and_address(world, db, keyring) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(keyring)
    alice = world.ids["alice"]
    now = datetime(2026, 1, 2, 12, tzinfo=UTC)

    def change(conn, tc: int, values: dict, nc: str | None = None) -> None:  # type: ignore[no-untyped-def]
        new_id = conn.execute(
            insert(pending_entity_changes).values(
                taxpayer_id=alice, tc=tc, dln=f"2921799900{tc:04d}", status="PN",
                transaction_date=date(2026, 1, 2), input_date=date(2026, 1, 2),
                name_control=nc, change_enc=b"x" * 40, created_by=world.staff("csr1"),
                created_at=now,
            )
        ).inserted_primary_key[0]  # fmt: skip
        blob = vault.encrypt(conn, "pending_entity_changes.change", json.dumps(values), new_id)
        conn.execute(
            pending_entity_changes.update()
            .where(pending_entity_changes.c.id == new_id)
            .values(change_enc=blob)
        )

    with db.engine.begin() as conn:
        change(conn, 13, {"name_line1": "Pat Quince", "surname": "Quince"}, nc="QUIN")
        change(conn, 14, {"street": "5 New Rd", "city": "Fairfax", "state": "VA", "zip": "22030"})
    report = run_cycle(world)
    assert report.errors == []
    with db.engine.connect() as conn:
        tp = conn.execute(select(taxpayers).where(taxpayers.c.id == alice)).one()
        assert tp.name_control == "QUIN"
        assert vault.decrypt_text(conn, "taxpayers.name_line1", tp.name_line1_enc, alice) == (
            "Pat Quince"
        )
        rows = conn.execute(
            select(addresses).where(addresses.c.taxpayer_id == alice).order_by(addresses.c.id)
        ).all()
        assert [r.valid_to for r in rows] == [date(2026, 1, 2), None]
        new = rows[-1]
        assert vault.decrypt_text(conn, "addresses.street", new.street_enc, new.id) == "5 New Rd"
        statuses = conn.execute(select(pending_entity_changes.c.status)).scalars().all()
        assert statuses == ["PD", "PD"]


def test_cycle_is_a_job_of_the_posting_service_and_audited(world, db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        pending(conn, 2001, 150, 100_00)
    runner = CycleRunner(db.engine, world.keyring, world.clock)
    with pytest.raises(JobRefused, match="operator role"):
        runner.run(started_by=world.staff("ra1"), cycle=CYCLE)
    report = runner.run(started_by=world.staff("ops1"), cycle=CYCLE)
    assert report.job is not None
    with db.engine.connect() as conn:
        leaves = [
            decode_leaf(leaf)
            for leaf in conn.execute(
                select(audit_entries.c.leaf).where(
                    audit_entries.c.idx >= report.job.audit_indexes[0]
                )
            ).scalars()
        ]
    assert [leaf["tag"] for leaf in leaves] == ["batch:job:run"] + ["batch:job:batch"] * 5 + [
        "batch:job:run"
    ]
    assert leaves[3]["detail"]["rows"] == 1 and leaves[3]["detail"]["count"] == 1
