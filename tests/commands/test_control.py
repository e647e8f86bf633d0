"""ACTON: control bases are cases; opening one grants, closing one ends the grant."""

from __future__ import annotations

import pytest

from idrs.gate import Refused
from tests.commands.conftest import terminal


def test_a_manager_opens_a_control_base_and_the_assignee_gets_the_case(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.open_contact(w.staff("mgr1"), w.tin("alice"), "taxpayer wrote in, letter on file")
    with pytest.raises(Refused):
        terminal(w, "ra2").run(f"TXMODA{w.tin('alice')} 30 202412")
    got = terminal(w, "mgr1").run(
        f"ACTON {w.tin('alice')} 30 202412 CATEGORY>XRET ASSIGN-TO>ra2 ACTIVITY>AMENDRET "
        "RCVD-DT>01022026"
    )
    [control] = got.data["controls"]
    assert (control["category"], control["status"], control["assignee"]) == ("XRET", "A", 21)
    assert control["activity"] == "AMENDRET" and control["received_on"] == "2026-01-02"
    terminal(w, "ra2").run(f"TXMODA{w.tin('alice')} 30 202412")  # now permitted
    closed = terminal(w, "ra2").run(f"ACTON {w.tin('alice')} CTRL>{control['id']} STATUS>C")
    assert closed.data["controls"][0]["status"] == "C"
    with pytest.raises(Refused):  # the case grant ended with the control base
        terminal(w, "ra2").run(f"TXMODA{w.tin('alice')} 30 202412")


def test_only_a_manager_opens_one_and_never_for_a_conflict(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("alice"), "EXAM")
    shown = terminal(w, "ra2").screen(f"ACTON {w.tin('alice')} CATEGORY>XRET ASSIGN-TO>ra1")
    assert "MANAGER" in shown.screen.page(1)[23].upper()
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("ra1_spouse"), "EXAM")
    w.gov.open_contact(w.staff("mgr1"), w.tin("ra1_spouse"), "taxpayer wrote in, letter on file")
    conflict = terminal(w, "mgr1").screen(
        f"ACTON {w.tin('ra1_spouse')} CATEGORY>XRET ASSIGN-TO>ra1"
    )
    assert not conflict.ok


def test_history_items(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    t = terminal(w, "ra1")
    assert (
        "HIST: A HISTORY ITEM IS 3-60"
        in t.screen(f"ACTON {w.tin('alice')} HIST>X").screen.page(1)[23]
    )
    got = t.run(f"ACTON {w.tin('alice')} HIST>'CALLED TP, LEFT MESSAGE'")
    assert got.data["history"][0][2] == "CALLED TP, LEFT MESSAGE"
    assert "CALLED TP, LEFT MESSAGE" in t.run(f"ENMOD {w.tin('alice')}").screen.text()


def test_only_the_assignee_updates_a_control_base(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    case_id, _ = w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("alice"), "EXAM")
    line = f"ACTON {w.tin('alice')} CTRL>{case_id} STATUS>S ACTIVITY>WAITDOCS"
    other = terminal(w, "ra2").screen(line)
    assert "ONLY THE ASSIGNED EMPLOYEE" in other.screen.page(1)[23]
    done = terminal(w, "ra1").run(line)
    [mine] = [c for c in done.data["controls"] if c["id"] == case_id]
    assert (mine["status"], mine["activity"]) == ("S", "WAITDOCS")
    assert (
        "STATUS: MUST BE A, B, M, S OR C"
        in terminal(w, "ra1")
        .screen(f"ACTON {w.tin('alice')} CTRL>{case_id} STATUS>Z")
        .screen.page(1)[23]
    )
