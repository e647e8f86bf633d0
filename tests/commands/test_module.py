"""SUMRY, TXMOD and INTST through the gate, on both engines."""

from __future__ import annotations

import pytest

from idrs.gate import Refused
from tests.commands.conftest import terminal


def test_txmod_shows_the_module_under_a_case(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    got = terminal(w, "ra1").run(f"TXMODA{w.tin('alice')} 30 202412")
    text = got.screen.text()
    lines = text.splitlines()
    assert lines[1].split("MOD-BAL>")[1].strip() == "2,000.00"
    assert "150 05192025      4,000.00 " in text
    assert "806 04152025      1,500.00-" in text
    assert "CONTROL- EXAM A 12" in text
    assert got.data["module"]["balance_cents"] == 200_000
    assert got.data["accruals"]["interest_cents"] > 0
    assert len(got.screen.page(1)) == 24 and all(len(x) == 80 for x in got.screen.page(1))


def test_txmod_without_a_grant_is_a_security_violation(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with pytest.raises(Refused):
        terminal(w, "exec1").run(f"TXMODA{w.tin('alice')} 30 202412")
    shown = terminal(w, "exec1").screen(f"TXMODA{w.tin('alice')} 30 202412")
    assert not shown.ok
    assert shown.screen.page(1)[23].startswith("SECURITY VIOLATION - REFERENCE ")


def test_sumry_and_intst(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    t = terminal(w, "ra1")
    s = t.run(f"SUMRY {w.tin('alice')}")
    assert [m["period"] for m in s.data["modules"]] == [202412]
    i = t.run(f"INTST {w.tin('alice')} 30 202412 03012026")
    assert i.data["total_cents"] > 200_000
    assert "TOTAL BALANCE DUE TO 03012026>" in i.screen.text()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("TXMODA{tin} 3 202412", "MFT WHEN PRESENT MUST HAVE 2 CHARACTERS"),
        ("TXMODA{tin} 30 202413", "TAX_PERIOD: MONTH MUST BE 01-12"),
        ("TXMODZ{tin} 30 202412", "TXMOD DOES NOT TAKE DEFINER Z"),
        ("TXMOX {tin} 30 202412", "INVALID COMMAND CODE"),
        ("TXMODA123-45-678 30 202412", "TIN"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(world, line, message) -> None:  # type: ignore[no-untyped-def]
    w = world
    shown = terminal(w, "ra1").screen(line.format(tin=w.tin("alice")))
    assert not shown.ok
    assert message in shown.screen.page(1)[23]


def test_txmodp_shows_pending_only(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    t = terminal(w, "ra1")
    t.run(f"ADJ54 {w.tin('alice')} 30 202412 TC>290 AMT>5 RSN-CDS>051 REMARKS>'EXAM ADJ'")
    text = t.run(f"TXMODP{w.tin('alice')} 30 202412").screen.text()
    assert "PN  290" in text and "POSTED TRANSACTIONS" not in text
    full = t.run(f"TXMODA{w.tin('alice')} 30 202412").screen.text()
    assert "POSTED TRANSACTIONS" in full
    assert (
        "DOES NOT TAKE DEFINER C"
        in t.screen(f"TXMODC{w.tin('alice')} 30 202412").screen.page(1)[23]
    )
