"""RFUND, IAORG and STAUP: the rules, the holds, and same-day approval of refunds."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from idrs.access.errors import GovernanceError
from idrs.store.tables.modules import tax_modules
from idrs.store.tables.work import installment_agreements, notice_holds
from tests.commands.conftest import ALICE_MODULE, pending_rows, terminal


@pytest.fixture
def ra1(world):  # type: ignore[no-untyped-def]
    world.gov.assign_case(world.staff("mgr1"), world.staff("ra1"), world.tin("alice"), "EXAM")
    world.gov.assign_case(world.staff("mgr1"), world.staff("appr1"), world.tin("alice"), "REVIEW")
    return terminal(world, "ra1")


def _set_balance(w, cents: int) -> None:  # type: ignore[no-untyped-def]
    with w.gate.engine.begin() as conn:
        conn.execute(
            update(tax_modules).where(tax_modules.c.id == ALICE_MODULE).values(balance_cents=cents)
        )


def test_refund_only_of_credit_and_always_held(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    line = f"RFUND {w.tin('alice')} 30 202412 AMT>{{amt}} REMARKS>'OVERPAYMENT REFUND'"
    assert (
        "REFUND EXCEEDS THE CREDIT AVAILABLE (0.00)"
        in ra1.screen(line.format(amt=1)).screen.page(1)[23]
    )
    _set_balance(w, -30_000)
    assert "(300.00)" in ra1.screen(line.format(amt="300.01")).screen.page(1)[23]
    got = ra1.run(line.format(amt="300.00"))
    assert got.approval_request is not None
    [row] = pending_rows(w)
    assert (row.tc, row.status) == (840, "AP")


def test_a_refund_is_approved_the_same_day_or_not_at_all(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    _set_balance(w, -30_000)
    got = ra1.run(f"RFUND {w.tin('alice')} 30 202412 AMT>100 REMARKS>'OVERPAYMENT REFUND'")
    w.clock.advance(days=1)
    with pytest.raises(GovernanceError, match="approved the day it was input"):
        w.gate.approve(w.session("appr1"), got.approval_request)
    [row] = pending_rows(w)
    assert row.status == "AP"


def test_installment_agreement_rules(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    base = f"IAORG {w.tin('alice')} 30 202412 "
    bad = ra1.screen(base + "AMT>10 DAY>15 FIRST>02012026")
    assert "MUST PAY THE BALANCE IN 72 MONTHS: AT LEAST 27.78" in bad.screen.page(1)[23]
    assert (
        "PAYMENT DAY MUST BE 1-28"
        in ra1.screen(base + "AMT>100 DAY>30 FIRST>02012026").screen.page(1)[23]
    )
    assert (
        "FIRST PAYMENT MUST BE WITHIN"
        in ra1.screen(base + "AMT>100 DAY>3 FIRST>12012026").screen.page(1)[23]
    )
    ra1.run(base + "AMT>100 DAY>15 FIRST>02012026 DD>Y")
    [row] = pending_rows(w)
    assert (row.tc, row.action_code) == (971, 63)
    with w.gate.engine.connect() as conn:
        ia = conn.execute(
            select(installment_agreements).where(installment_agreements.c.module_id == ALICE_MODULE)
        ).one()
    assert (ia.monthly_cents, ia.payment_day, ia.direct_debit) == (10_000, 15, 1)


def test_staup_holds_notices_on_a_debit_module(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    base = f"STAUP {w.tin('alice')} 30 202412 "
    assert "CYCLES MUST BE 1-15" in ra1.screen(base + "ST>22 CYC>16").screen.page(1)[23]
    assert "ST: STATUS MUST BE ONE OF" in ra1.screen(base + "ST>99 CYC>2").screen.page(1)[23]
    ra1.run(base + "ST>22 CYC>4")
    with w.gate.engine.connect() as conn:
        hold = conn.execute(select(notice_holds)).one()
    assert (hold.status_code, hold.cycles) == (22, 4)
    txmod = ra1.run(f"TXMODA{w.tin('alice')} 30 202412")
    assert txmod.data["holds"] == [[22, hold.hold_until.isoformat()]]
    _set_balance(w, 0)
    assert "NO BALANCE DUE" in ra1.screen(base + "ST>22 CYC>4").screen.page(1)[23]
