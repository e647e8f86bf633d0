"""Module research: SUMRY (every module of a TIN), TXMOD (one module), INTST (accruals).

Layouts follow screens.md §3, §4 and §11 ([reconstructed] there). Freezes and status come from
the posted transactions through the domain core (``derive_state``), the same rules the
posting cycle applies; accruals are display only and never stored (IRM 2.3.29).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from idrs.commands import fmt
from idrs.commands._common import (
    NO_DATA,
    accruals,
    entity_data,
    iso,
    the_entity,
    the_module,
)
from idrs.commands.registry import Rendered, Request, Spec, Work, register
from idrs.domain.account import Posting, derive_state
from idrs.errors import InvalidInput
from idrs.gate import Output
from idrs.store.accounts import controls_of, holds_of, pending_of, status_history
from idrs.store.taxpayers import Module, PostedTransaction, modules_of, postings_of


def freezes_of(postings: list[PostedTransaction]) -> list[str]:
    state = derive_state(
        Posting(p.tc, p.amount_cents, p.transaction_date, p.action_code,
                p.reason_code if p.tc == 520 else None)
        for p in postings
    )  # fmt: skip
    return sorted(state.freezes)


def _module_data(m: Module) -> dict[str, Any]:
    return {
        "module_id": m.id,
        "mft": m.mft,
        "period": m.tax_period,
        "status": m.status_code,
        "status_date": iso(m.status_date),
        "balance_cents": m.balance_cents,
        "filing_status": m.filing_status,
        "return_due_date": iso(m.return_due_date),
        "return_filed_date": iso(m.return_filed_date),
        "assessed_on": iso(m.assessed_on),
        "ased": iso(m.ased),
        "csed": iso(m.csed),
        "rsed": iso(m.rsed),
        "joint": m.secondary_taxpayer_id is not None,
    }


def _posted(p: PostedTransaction) -> dict[str, Any]:
    return {
        "tc": p.tc,
        "date": iso(p.transaction_date),
        "amount_cents": p.amount_cents,
        "cycle": p.cycle,
        "dln": p.dln,
        "action_code": p.action_code,
        "reason_code": p.reason_code,
    }


# -- SUMRY --------------------------------------------------------------------------------
def run_sumry(work: Work) -> Output:
    entity = the_entity(work)
    modules = modules_of(work.conn, entity.id)
    controls = {c.module_id: c for c in controls_of(work.conn, entity.id) if c.status != "C"}
    items = []
    for m in modules:
        pending = [p for p in pending_of(work.conn, m.id) if p.live]
        c = controls.get(m.id)
        items.append(
            {
                **_module_data(m),
                "freezes": freezes_of(postings_of(work.conn, m.id)),
                "pending": len(pending),
                "control": None if c is None else f"{c.category} {c.status} {c.assignee_id}",
            }
        )
    data = {"entity": entity_data(entity), "modules": items}
    return Output(data, rows=1 + len(items), categories=("entity", "module"))


def render_sumry(req: Request, d: Mapping[str, Any]) -> Rendered:
    e = d["entity"]
    body = [
        f"{e['tin']}  {e['name_control']:<4}  {e['name']}",
        f"    {e['street']} {e['city']} {e['state']} {e['zip']}".rstrip(),
    ]
    for m in d["modules"]:
        body.append(
            f"{fmt.mft(m['mft'])} {fmt.period(m['period'])}  ST-{m['status']:02d} "
            f"{fmt.mmddyyyy(date.fromisoformat(m['status_date']))}  CTRL-{m['control'] or ''}"
        )
        body.append(
            f"           MOD-BAL>{fmt.amount(m['balance_cents'], 16)}  "
            f"FRZ-{' '.join(m['freezes']):<12} PN-{m['pending']}"
        )
    return Rendered(body, "" if d["modules"] else NO_DATA)


# -- TXMOD --------------------------------------------------------------------------------
def run_txmod(work: Work) -> Output:
    entity = the_entity(work)
    module = the_module(work)
    if module is None:
        return Output({"found": False}, rows=0, categories=("entity",))
    postings = postings_of(work.conn, module.id)
    pending = pending_of(work.conn, module.id)
    control = next(
        (c for c in controls_of(work.conn, entity.id)
         if c.module_id in (module.id, None) and c.status != "C"),
        None,
    )  # fmt: skip
    data = {
        "found": True,
        "entity": entity_data(entity),
        "module": _module_data(module),
        "freezes": freezes_of(postings),
        "accruals": accruals(module, postings, work.today),
        "status_history": [
            [s.status_code, iso(s.status_date), s.cycle]
            for s in status_history(work.conn, module.id)
        ],
        "control": None
        if control is None
        else {
            "id": control.id,
            "category": control.category,
            "status": control.status,
            "assignee": control.assignee_id,
        },
        "holds": [
            [h.status_code, iso(h.hold_until)] for h in holds_of(work.conn, module.id, work.today)
        ],
        "pending": [
            {
                "status": p.status,
                "tc": p.tc,
                "amount_cents": p.amount_cents,
                "input_date": iso(p.input_date),
                "dln": p.dln,
                "reason_code": p.reason_code,
                "action_code": p.action_code,
            }
            for p in pending
        ],
        "posted": [_posted(p) for p in postings],
    }
    return Output(data, rows=1 + len(postings) + len(pending), categories=("entity", "module"))


def render_txmod(req: Request, d: Mapping[str, Any]) -> Rendered:
    if not d.get("found"):
        return Rendered([], NO_DATA)
    e, m, a = d["entity"], d["module"], d["accruals"]
    iso_day = fmt.iso_day
    body = [
        f"{e['tin']}  {e['name_control']:<4} {fmt.mft(m['mft'])} {fmt.period(m['period'])}"
        f"{'':14}MOD-BAL>{fmt.amount(m['balance_cents'], 16)}",
        f"{e['name']} {e['name2']}".strip()[:50].ljust(50)
        + f"{'JOINT' if m['joint'] else '':6} FS-{m['filing_status'] or ''}",
        f"{e['street']} {e['city']} {e['state']} {e['zip']}".strip(),
        f"RET-RCVD-DT-{iso_day(m['return_filed_date'])}  ASED-{iso_day(m['ased'])}  "
        f"CSED-{iso_day(m['csed'])}  RSED-{iso_day(m['rsed'])}",
        f"ACCRUED-INT>{fmt.amount(a['interest_cents'], 14)}  "
        f"ACCRUED-FTP>{fmt.amount(a['ftp_cents'], 12)}  AS-OF-{iso_day(a['as_of'])}",
        f"STATUS-{m['status']:02d} {iso_day(m['status_date'])}   PRIOR STATUS "
        + " ".join(f"{s:02d} {iso_day(t)}" for s, t, _ in d["status_history"][1:3]),
    ]
    control = d["control"]
    ctrl = "" if control is None else (
        f"{control['category']} {control['status']} {control['assignee']}"
    )  # fmt: skip
    holds = " ".join(f"STAUP-{s:02d} TO {iso_day(u)}" for s, u in d["holds"])
    body.append(f"FREEZE CODES- {' '.join(d['freezes']):<22} CONTROL- {ctrl}  {holds}".rstrip())
    body.append(" PENDING TRANSACTIONS ".center(78, "-"))
    for p in d["pending"]:
        extra = ""
        if p["reason_code"] is not None:
            extra += f"  RSN-{p['reason_code']:03d}"
        if p["action_code"] is not None:
            extra += f"  AC-{p['action_code']:03d}"
        shown = fmt.tc_amount(p["tc"], p["amount_cents"], 14)
        body.append(
            f"{p['status']}  {fmt.tc(p['tc'])} {shown}"
            f"  {iso_day(p['input_date'])}  {fmt.dln(p['dln'])}{extra}"
        )
    if req.definer == "P":  # TXMODP: the pending transactions only
        return Rendered(body)
    body.append(" POSTED TRANSACTIONS ".center(78, "-"))
    body.append("TC  DATE          AMOUNT       CYCLE    DLN")
    for p in d["posted"]:
        codes = ""
        if p["action_code"] is not None:
            codes += f"  AC-{p['action_code']:03d}"
        if p["reason_code"] is not None:
            codes += f"  RSN-{p['reason_code']:03d}"
        body.append(
            f"{fmt.tc(p['tc'])} {iso_day(p['date'])}"
            f"{fmt.tc_amount(p['tc'], p['amount_cents'], 15)}  {p['cycle']:8d} "
            f"{fmt.dln(p['dln'])}{codes}"
        )
    return Rendered(body)


# -- INTST --------------------------------------------------------------------------------
def run_intst(work: Work) -> Output:
    entity = the_entity(work)
    module = the_module(work)
    if module is None:
        return Output({"found": False}, rows=0, categories=("module",))
    to = work.today
    if work.request.args:
        to = fmt.parse_mmddyyyy("date", work.request.args[0])
        if to < work.today:
            raise InvalidInput("date", "INTEREST DATE MUST NOT BE BEFORE TODAY")
    postings = postings_of(work.conn, module.id)
    acc = accruals(module, postings, to)
    data = {
        "found": True,
        "entity": entity_data(entity),
        "module": _module_data(module),
        "accruals": acc,
        "total_cents": module.balance_cents + acc["interest_cents"] + acc["ftp_cents"],
    }
    return Output(data, rows=1 + len(postings), categories=("module",))


def render_intst(req: Request, d: Mapping[str, Any]) -> Rendered:
    if not d.get("found"):
        return Rendered([], NO_DATA)
    e, m, a = d["entity"], d["module"], d["accruals"]
    iso_day = fmt.iso_day
    body = [
        f"{e['tin']}  {e['name_control']:<4} {fmt.mft(m['mft'])} {fmt.period(m['period'])}"
        f"   INTEREST TO DATE> {iso_day(a['as_of'])}   STATUS-{m['status']:02d}",
        f"MODULE BALANCE>{fmt.amount(m['balance_cents'], 16)}",
        f"ACCRUED INTEREST>{fmt.amount(a['interest_cents'], 14)}      "
        f"ACCRUED FTP PENALTY>{fmt.amount(a['ftp_cents'], 14)}",
        f"FTP START DATE> {iso_day(m['return_due_date'])}   NO. OF MONTHS> {a['ftp_months']:02d}",
        "INTEREST COMPUTATION:  FROM      TO        RATE",
    ]
    for first, last, rate in a["rates"]:
        body.append(f"{'':22}{iso_day(first)}  {iso_day(last)}  {rate:>5}")
    body.append(f"TOTAL BALANCE DUE TO {iso_day(a['as_of'])}>{fmt.amount(d['total_cents'], 20)}")
    return Rendered(body)


register(Spec("SUMRY", "tin", run_sumry, render_sumry, summary="all modules of a TIN"))
register(Spec("TXMOD", "module", run_txmod, render_txmod, "AP", "one tax module"))
register(Spec("INTST", "module", run_intst, render_intst, "D", "accruals to a date"))
