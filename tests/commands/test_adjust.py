"""ADJ54, FRM77 and CRDTR: pending input with DLNs, the rules, maker-checker, bad input."""

from __future__ import annotations

import pytest

from idrs.commands.run import Terminal
from idrs.domain.dln import parse_dln
from idrs.errors import InvalidInput
from idrs.gate import Refused
from idrs.settings import Settings
from tests.commands.conftest import last_leaf, pending_rows, terminal

ADJ = "ADJ54 {tin} 30 202412 TC>{tc} AMT>{amt} RSN-CDS>051 REMARKS>'1040X RECEIVED'"


@pytest.fixture
def ra1(world):  # type: ignore[no-untyped-def]
    world.gov.assign_case(world.staff("mgr1"), world.staff("ra1"), world.tin("alice"), "EXAM")
    return terminal(world, "ra1")


def test_adj54_queues_a_pending_transaction_and_posts_nothing(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    got = ra1.run(ADJ.format(tin=w.tin("alice"), tc=290, amt="250.00"))
    assert got.screen.page(1)[23].startswith("REQUEST COMPLETED - PN 290 250.00")
    [row] = pending_rows(w)
    assert (row.tc, row.amount_cents, row.status, row.reason_code) == (290, 25_000, "PN", 51)
    dln = parse_dln(row.dln)
    assert (dln.doc_code, dln.tax_class) == (54, 2)
    txmod = ra1.run(f"TXMODA{w.tin('alice')} 30 202412")
    assert txmod.data["module"]["balance_cents"] == 200_000  # nothing posted
    assert [p["tc"] for p in txmod.data["pending"]] == [290]
    assert b"gate:account:write" in last_leaf(w) or b"TXMOD" in last_leaf(w)


def test_each_input_gets_its_own_dln(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    for _ in range(3):
        ra1.run(ADJ.format(tin=w.tin("alice"), tc=290, amt="1.00"))
    assert len({r.dln for r in pending_rows(w)}) == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("TC>999 AMT>1 RSN-CDS>051 REMARKS>ABC", "TC MUST BE ONE OF"),
        ("TC>290 AMT>-5 RSN-CDS>051 REMARKS>ABC", "AMT: AMOUNT MUST BE POSITIVE"),
        ("TC>290 AMT>1.234 RSN-CDS>051 REMARKS>ABC", "AMT: AT MOST 2 DECIMAL PLACES"),
        ("TC>290 AMT>5 REMARKS>ABC", "RSN-CDS: REQUIRED"),
        ("TC>290 AMT>5 RSN-CDS>051", "REMARKS REQUIRED: SAY WHY"),
        ("TC>291 AMT>4000.01 RSN-CDS>051 REMARKS>ABC", "EXCEEDS THE AMOUNT ASSESSED"),
        ("TC>161 AMT>1 RSN-CDS>051 REMARKS>ABC", "EXCEEDS THE AMOUNT ASSESSED"),
    ],
)
def test_bad_adjustments_write_nothing_and_are_audited(world, ra1, fields, message) -> None:  # type: ignore[no-untyped-def]
    w = world
    shown = ra1.screen(f"ADJ54 {w.tin('alice')} 30 202412 {fields}")
    assert not shown.ok
    assert message in shown.screen.page(1)[23]
    assert pending_rows(w) == []
    leaf = last_leaf(w)
    assert b'"outcome":"error"' in leaf and b"ADJ54" in leaf


def test_abatement_counts_pending_abatements(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    ra1.run(ADJ.format(tin=w.tin("alice"), tc=291, amt="3000.00"))
    with pytest.raises(InvalidInput, match="EXCEEDS"):
        ra1.run(ADJ.format(tin=w.tin("alice"), tc=291, amt="1000.01"))
    ra1.run(ADJ.format(tin=w.tin("alice"), tc=291, amt="1000.00"))


def test_large_adjustment_waits_for_a_different_approver(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    t = Terminal(w.gate, w.session("ra1"), Settings(approval_threshold_cents=100_000))
    got = t.run(ADJ.format(tin=w.tin("alice"), tc=290, amt="1000.00"))
    assert got.approval_request is not None
    assert "HELD FOR APPROVAL" in got.screen.page(1)[23]
    [row] = pending_rows(w)
    assert (row.status, row.approval_request_id) == ("AP", got.approval_request)
    with pytest.raises(Refused):  # the maker never approves
        w.gate.approve(w.session("ra1"), got.approval_request)
    w.gov.assign_case(w.staff("mgr1"), w.staff("appr1"), w.tin("alice"), "REVIEW")
    done = w.gate.approve(w.session("appr1"), got.approval_request)
    assert done.output.data["released"] == 1
    [row] = pending_rows(w)
    assert (row.status, row.approved_by) == ("PN", w.staff("appr1"))


def test_penalty_abatement_is_always_held(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    ra1.run(ADJ.format(tin=w.tin("alice"), tc=160, amt="100.00"))
    held = ra1.run(ADJ.format(tin=w.tin("alice"), tc=161, amt="10.00"))
    assert held.approval_request is not None


def test_a_contact_grant_does_not_permit_adjustments(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.open_contact(w.staff("csr1"), w.tin("alice"), "caller verified by prior notice and DOB")
    csr = terminal(w, "csr1")
    csr.run(f"TXMODA{w.tin('alice')} 30 202412")  # research on the call is fine
    with pytest.raises(Refused):
        csr.run(ADJ.format(tin=w.tin("alice"), tc=290, amt="5.00"))
    assert pending_rows(w) == []


def test_module_under_another_employees_control_base(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM", mft=30,
                      tax_period=202412)  # fmt: skip
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("alice"), "EXAM")
    shown = terminal(w, "ra2").screen(ADJ.format(tin=w.tin("alice"), tc=290, amt="5.00"))
    assert "MODULE UNDER OPEN CONTROL BASE OF EMPLOYEE 0000000012" in shown.screen.page(1)[23]
    assert pending_rows(w) == []


def test_frm77_needs_a_known_action_code_for_971(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    line = f"FRM77 {w.tin('alice')} 30 202412 TC>971 AC>{{ac}} REMARKS>'DUPLICATE FILED'"
    assert (
        "AC: TC 971 ACTION CODE MUST BE ONE OF"
        in ra1.screen(line.format(ac=999)).screen.page(1)[23]
    )
    ra1.run(line.format(ac="010"))
    [row] = pending_rows(w)
    assert (row.tc, row.action_code, parse_dln(row.dln).doc_code) == (971, 10, 77)


def test_credit_transfer_may_not_overdraw(world, ra1) -> None:  # type: ignore[no-untyped-def]
    w = world
    line = (f"CRDTR {w.tin('alice')} 30 202412 AMT>5.00 TO-MFT>30 TO-PRD>202412 "
            "REMARKS>'MOVE CREDIT'")  # fmt: skip
    shown = ra1.screen(line)
    assert "NO OTHER MODULE" in shown.screen.page(1)[23]


def test_refap_on_the_command_line(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("appr1"), w.tin("alice"), "REVIEW")
    held = terminal(w, "ra1").run(ADJ.format(tin=w.tin("alice"), tc=160, amt="10.00"))
    held = terminal(w, "ra1").run(ADJ.format(tin=w.tin("alice"), tc=161, amt="10.00"))
    assert held.approval_request is not None
    appr = terminal(w, "appr1")
    assert "REFAP TAKES THE NUMBER" in appr.screen("REFAP X").screen.page(1)[23]
    denied = terminal(w, "ra1").screen(f"REFAP {held.approval_request}")
    assert denied.screen.page(1)[23].startswith("SECURITY VIOLATION - REFERENCE")
    done = appr.run(f"REFAP {held.approval_request}")
    assert "1 PENDING TRANSACTION(S) RELEASED" in done.screen.page(1)[23]
    assert {r.status for r in pending_rows(w)} == {"PN"}


def test_a_rejected_write_is_nullified_and_never_posts(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("appr1"), w.tin("alice"), "REVIEW")
    ra1 = terminal(w, "ra1")
    ra1.run(ADJ.format(tin=w.tin("alice"), tc=160, amt="10.00"))
    held = ra1.run(ADJ.format(tin=w.tin("alice"), tc=161, amt="10.00"))
    assert "REJECT" in terminal(w, "appr1").screen("REFAP 1 NO").screen.page(1)[23]
    done = terminal(w, "appr1").run(f"REFAP {held.approval_request} REJECT")
    assert "1 PENDING TRANSACTION(S) NULLIFIED" in done.screen.page(1)[23]
    assert [r.status for r in pending_rows(w)] == ["PN", "NU"]
    txmod = ra1.run(f"TXMODP{w.tin('alice')} 30 202412")
    assert "NU  161" in txmod.screen.text()
    again = ra1.run(ADJ.format(tin=w.tin("alice"), tc=161, amt="10.00"))  # NU does not count
    assert again.approval_request is not None
