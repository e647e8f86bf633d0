"""The issue's whole flow: research under a case, adjust, approval, posting cycle, new balance.

Real database (both engines), real gate, real job runner; every step leaves an audit entry.
"""

from __future__ import annotations

from sqlalchemy import select

from idrs.audit.events import decode_leaf
from idrs.audit.tables import audit_entries
from idrs.commands.run import Terminal
from idrs.settings import Settings
from tests.commands.conftest import terminal
from tests.posting.helpers import run_cycle


def _commands_audited(w) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with w.gate.engine.connect() as conn:
        leaves = conn.execute(select(audit_entries.c.leaf).order_by(audit_entries.c.idx)).all()
    out = []
    for (leaf,) in leaves:
        event = decode_leaf(bytes(leaf))
        if event.get("command"):
            out.append((event["command"], event.get("decision") or event.get("outcome")))
    return out


def test_research_adjust_approve_post_and_see_the_new_balance(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.grant_service(w.staff("sec1"), w.staff("svc_posting"), "posting", days=365)
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("appr1"), w.tin("alice"), "REVIEW")
    ra1 = Terminal(w.gate, w.session("ra1"), Settings(approval_threshold_cents=100_000))
    tin = w.tin("alice")

    before = ra1.run(f"TXMODA{tin} 30 202412")
    assert before.data["module"]["balance_cents"] == 200_000
    template = ra1.run(f"REQ54 {tin} 30 202412")
    assert template.fields["CODE"] == "ADJ54"
    held = ra1.run(f"ADJ54 {tin} 30 202412 TC>290 AMT>1,000.00 RSN-CDS>051 REMARKS>'AUDIT ADJ'")
    assert held.approval_request is not None
    ra1.run(
        f"INCHG {tin} TC>014 STREET>'5 New Rd' CITY>Springfield ST>VA ZIP>22151 REMARKS>'TP CALL'"
    )

    first = run_cycle(w)  # the held adjustment waits; the address change posts
    assert terminal(w, "ra1").run(f"ENMOD {tin}").data["entity"]["street"] == "5 NEW RD"
    assert ra1.run(f"TXMODA{tin} 30 202412").data["module"]["balance_cents"] == 200_000
    assert first.totals is not None

    w.gate.approve(w.session("appr1"), held.approval_request)
    from idrs.domain.periods import Cycle

    run_cycle(w, Cycle.parse("20260203"))
    after = ra1.run(f"TXMODA{tin} 30 202412")
    assert after.data["module"]["balance_cents"] == 300_000
    assert after.data["pending"] == []
    posted = [p for p in after.data["posted"] if p["tc"] == 290]
    assert [p["amount_cents"] for p in posted] == [100_000]
    assert "MOD-BAL>       3,000.00" in after.screen.text()

    run_cycle(w, Cycle.parse("20260203"))  # again: nothing posts twice
    assert ra1.run(f"TXMODA{tin} 30 202412").data["module"]["balance_cents"] == 300_000

    audited = _commands_audited(w)
    for code in ("TXMOD", "REQ54", "ADJ54", "INCHG", "REFAP", "ENMOD"):
        assert any(c == code for c, _ in audited), code


def test_an_input_the_cycle_refuses_is_shown_by_uptin(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.grant_service(w.staff("sec1"), w.staff("svc_posting"), "posting", days=365)
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("carol"), "EXAM")
    ra1 = terminal(w, "ra1")
    tin = w.tin("carol")  # her 2023 module has no return posted
    ra1.run(f"ADJ54 {tin} 30 202312 TC>290 AMT>50.00 RSN-CDS>051 REMARKS>'AUDIT ADJ'")
    assert ra1.run(f"UPTIN {tin}").screen.page(1)[23] == "NO UNPOSTABLES FOR THIS TIN".ljust(80)
    run_cycle(w)
    shown = ra1.run(f"UPTIN {tin}")
    [item] = shown.data["unpostables"]
    assert (item["tc"], item["amount_cents"], item["mft"], item["period"]) == (
        290,
        5_000,
        30,
        202312,
    )
    assert item["code"] == 170
    assert "170" in shown.screen.text()
    assert ra1.run(f"TXMODA{tin} 30 202312").data["pending"][0]["status"] == "UP"
