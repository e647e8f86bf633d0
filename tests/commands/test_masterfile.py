"""IMFOL and BMFOL through the gate, on both engines: master-file postings only, never pending."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from idrs.audit.events import decode_leaf
from idrs.audit.tables import audit_entries
from idrs.gate import Refused
from idrs.store.work import add_pending
from tests.access.world import MISSING_TIN, T0, World
from tests.commands.conftest import ALICE_MODULE, WIDGETS_EIN, terminal


def categories(w: World, reference: str) -> list[str]:
    """The data categories the gate recorded for the request with this reference."""
    with w.gate.engine.connect() as conn:
        leaf = conn.execute(
            select(audit_entries.c.leaf).where(audit_entries.c.idx == int(reference))
        ).scalar_one()
    return list(decode_leaf(bytes(leaf))["categories"])


def with_cases(w: World) -> None:
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), WIDGETS_EIN, "EXAM")


def test_imfol_index_lists_modules_with_the_master_file_balance(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with_cases(w)
    got = terminal(w, "ra1").run(f"IMFOL {w.tin('alice')}")
    lines = got.screen.page(1)
    assert lines[1].startswith("XXX-XX-0200  YARR  PAT YARROW")
    assert lines[1].rstrip().endswith("INDEX")
    row = next(x for x in lines if x.startswith("30  202412"))
    assert row.split() == ["30", "202412", "21", "2,000.00", "MF"]
    assert got.data["modules"][0]["balance_cents"] == 200_000  # 4,000 - 1,500 - 500 posted
    assert w.tin("alice") not in got.screen.text(1).splitlines()[1]  # only the echo has it
    assert categories(w, got.reference) == ["entity", "module"]
    assert all(len(x) == 80 for x in lines)


def test_imfolt_shows_posted_transactions_and_never_pending_ones(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with_cases(w)
    with w.gate.engine.begin() as conn:
        add_pending(
            conn, module_id=ALICE_MODULE, tc=290, amount_cents=70_000, dln="28254005000016",
            transaction_date=date(2026, 1, 5), input_date=date(2026, 1, 5), created_by=12,
            created_at=T0,
        )  # fmt: skip
    t = terminal(w, "ra1")
    txmod = t.run(f"TXMODA{w.tin('alice')} 30 202412").screen.text()
    assert "PN  290" in txmod  # the pending adjustment is on IDRS ...
    got = t.run(f"IMFOLT{w.tin('alice')} 30 202412")
    text = got.screen.text()
    assert "290" not in text and "PN " not in text  # ... but not on the master file
    assert "ACCOUNT BALANCE>   2,000.00 " in text
    assert "150 05192025      4,000.00     202520    28211-139-12345-5" in text
    assert "806 04152025      1,500.00-    202520    28211-139-12345-5" in text
    assert "STATUS-21" in text
    assert [p["tc"] for p in got.data["posted"]] == [610, 806, 150]


def test_imfole_and_imfols(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with_cases(w)
    t = terminal(w, "ra1")
    e = t.run(f"IMFOLE{w.tin('alice')}")
    text = e.screen.text()
    assert "NAME-  PAT YARROW" in text and "ADDR-  20 OAK AVE" in text
    assert "BIRTH-DT-01011980" in text and "FR-1040" in text
    assert categories(w, e.reference) == ["entity"]
    s = t.run(f"IMFOLS{w.tin('alice')} 30 202412")
    body = s.screen.page(1)[1:5]
    assert body[2].split() == ["21", "06232025", "20252505"]  # newest first
    assert body[3].split() == ["10", "05192025", "20252005"]


def test_bmfol_index_module_and_entity(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with_cases(w)
    t = terminal(w, "ra1")
    i = t.run(f"BMFOL {WIDGETS_EIN}")
    text = i.screen.text()
    assert "XX-XXX4567  SAMP  SAMPLE WIDGETS LLC" in text
    assert "LAST PERIOD SATISFIED 01-202412 02-202412" in text
    assert [(m["mft"], m["balance_cents"]) for m in i.data["modules"]] == [(1, 0), (2, 500_000)]
    assert WIDGETS_EIN not in "\n".join(i.screen.page(1)[1:])
    m = t.run(f"BMFOLT{WIDGETS_EIN} 01 202412").screen.text()
    assert "650 12152024     10,000.00-" in m and "150 02032025     10,000.00 " in m
    assert "ACCOUNT BALANCE>       0.00 " in m
    e = t.run(f"BMFOLE{WIDGETS_EIN}").screen.text()
    assert "NAME-  SAMPLE WIDGETS LLC" in e and "BIRTH-DT" not in e


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("IMFOL {ein}", "TIN: IMFOL IS FOR SSN/ITIN ACCOUNTS - USE BMFOL FOR AN EIN"),
        ("BMFOL {ssn}", "TIN: BMFOL IS FOR EIN ACCOUNTS - USE IMFOL FOR AN SSN/ITIN"),
        ("IMFOLT{ssn}", "TAX_PERIOD: IMFOLT NEEDS MFT AND TAX PERIOD"),
        ("IMFOLS{ssn}", "TAX_PERIOD: IMFOLS NEEDS MFT AND TAX PERIOD"),
        ("IMFOLT{ssn} 30", "TAX_PERIOD: MFT AND TAX PERIOD REQUIRED"),
        ("IMFOLT{ssn} 01 202412", "MFT 01 IS NOT ON THE IMF"),
        ("BMFOLT{ein} 30 202412", "MFT 30 IS NOT ON THE BMF"),
        ("IMFOLX{ssn}", "IMFOL DOES NOT TAKE DEFINER X"),
        ("IMFOLE{ssn} EXTRA", "COMMAND: UNEXPECTED OPERAND EXTRA"),
    ],
)
def test_bad_input_is_one_line_naming_the_rule(world, line, message) -> None:  # type: ignore[no-untyped-def]
    w = world
    with_cases(w)
    shown = terminal(w, "ra1").screen(line.format(ssn=w.tin("alice"), ein=WIDGETS_EIN))
    assert not shown.ok
    assert shown.screen.page(1)[23].rstrip() == message
    assert all(x.strip() == "" for x in shown.screen.page(1)[1:23])


def test_a_module_not_on_file_is_no_data(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with_cases(w)
    shown = terminal(w, "ra1").run(f"IMFOLT{w.tin('alice')} 30 202312")
    assert shown.screen.page(1)[23].rstrip() == "NO DATA AVAILABLE"


@pytest.mark.parametrize("line", ["IMFOL {ssn}", "IMFOLT{ssn} 30 202412", "BMFOL {ein}"])
def test_without_a_grant_is_a_security_violation(world, line) -> None:  # type: ignore[no-untyped-def]
    w = world
    text = line.format(ssn=w.tin("alice"), ein=WIDGETS_EIN)
    with pytest.raises(Refused):
        terminal(w, "ra1").run(text)
    shown = terminal(w, "ra1").screen(text)
    assert shown.screen.page(1)[23].startswith("SECURITY VIOLATION - REFERENCE ")
    assert shown.data == {"error": shown.screen.page(1)[23].rstrip()}
    missing = terminal(w, "ra1").screen(f"IMFOL {MISSING_TIN}")  # not on file: same answer
    assert missing.screen.page(1)[23].startswith("SECURITY VIOLATION - REFERENCE ")
