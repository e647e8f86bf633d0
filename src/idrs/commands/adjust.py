"""Adjustments and miscellaneous transactions: REQ54/ADJ54, REQ77/FRM77, CRDTR.

Each input creates pending transactions with a new DLN (doc code 54, 77 or 24) and posts
nothing: the posting cycle does (IRM 2.4.16, 2.4.19; screens.md §14, §16). Rules checked
before anything is written, each a one-line error naming the field:

* the TC must be one the input screen takes, with the amount rules of its kind;
* a reason code (3 digits) and remarks are required on ADJ54 (remarks stay with the audit);
* an abatement may not exceed what is assessed and not already abated (pending included);
* a credit transfer may not move more than the module's available credit (pending included);
* a module under another employee's open control base is theirs to adjust.

Penalty and interest abatements, and any amount at or above the approval threshold
(a setting), wait for a different approver (maker-checker, see ``Gate.approve``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from idrs.commands import fmt
from idrs.commands._common import entity_data, required_module, the_entity
from idrs.commands.registry import Rendered, Request, Spec, Work, register
from idrs.domain.money import parse_amount
from idrs.domain.tc import TC971_ACTION_CODES, transaction_code
from idrs.errors import InvalidInput
from idrs.gate import Output
from idrs.store.accounts import controls_of, pending_of
from idrs.store.lookup import module_id_for
from idrs.store.taxpayers import Module, postings_of
from idrs.store.work import add_pending, allocate_dln

# ADJ54: tax (29X), penalties (16X, 17X, 27X), interest (34X), credits (80X) (IRM 2.4.16)
ADJ54_TCS = frozenset({290, 291, 160, 161, 170, 171, 270, 271, 340, 341, 806, 807})
ABATEMENTS = frozenset({161, 171, 271, 341})  # always maker-checker
# FRM77 (IRM 2.4.19 exhibits): claims pending, credit freeze, miscellaneous 971/972
FRM77_TCS = frozenset({470, 471, 570, 571, 971, 972})
MAX_CENTS = 10**11  # 1,000,000,000.00: a larger figure on one input is a typing error
DOC_ADJ54, DOC_FRM77, DOC_CRDTR = 54, 77, 24


def tax_class_of(work: Work) -> int:
    return 3 if work.resolved.tin is not None and work.resolved.tin.kind == "EIN" else 2


def not_controlled_by_another(work: Work, module: Module) -> None:
    for c in controls_of(work.conn, module.taxpayer_id):
        if c.status != "C" and c.module_id == module.id and c.assignee_id != work.staff_id:
            raise InvalidInput(
                "module", f"MODULE UNDER OPEN CONTROL BASE OF EMPLOYEE {c.assignee_id:010d}"
            )


def amount_field(fields: Mapping[str, str], name: str = "AMT") -> int:
    raw = fields.get(name, "")
    if not raw:
        raise InvalidInput(name, "AMOUNT REQUIRED")
    cents = parse_amount(raw, field=name, max_cents=MAX_CENTS)
    if cents <= 0:
        raise InvalidInput(name, "AMOUNT MUST BE POSITIVE (THE TC GIVES THE SIGN)")
    return cents


def _tc(fields: Mapping[str, str], allowed: frozenset[int]) -> int:
    raw = fields.get("TC", "")
    if not (raw.isdigit() and len(raw) <= 3) or int(raw) not in allowed:
        codes = " ".join(f"{c:03d}" for c in sorted(allowed))
        raise InvalidInput("TC", f"TC MUST BE ONE OF {codes}")
    return int(raw)


def _code(fields: Mapping[str, str], name: str, required: bool) -> int | None:
    raw = fields.get(name, "")
    if not raw:
        if required:
            raise InvalidInput(name, "REQUIRED (3 DIGITS)")
        return None
    if not (raw.isdigit() and len(raw) <= 3):
        raise InvalidInput(name, "MUST BE 3 DIGITS")
    return int(raw)


def remarks_field(fields: Mapping[str, str]) -> str:
    text = " ".join(fields.get("REMARKS", "").split())
    if len(text) < 3:
        raise InvalidInput("REMARKS", "REMARKS REQUIRED: SAY WHY")
    if len(text) > 60:
        raise InvalidInput("REMARKS", "AT MOST 60 CHARACTERS")
    return text


def _abatable(work: Work, module: Module, tc: int) -> int:
    """What is assessed by the TCs this abatement reverses, less abatements posted or pending."""
    reversed_codes = set(transaction_code(tc).reverses)
    moves = [(p.tc, p.amount_cents) for p in postings_of(work.conn, module.id)]
    moves += [(p.tc, p.amount_cents) for p in pending_of(work.conn, module.id) if p.live]
    assessed = sum(a for c, a in moves if c in reversed_codes)
    abated = sum(a for c, a in moves if c == tc)
    return assessed - abated


# -- REQ54 / ADJ54 ------------------------------------------------------------------------
def _template(work: Work, code: str, fields: dict[str, str]) -> Output:
    entity = the_entity(work)
    module = required_module(work)
    data = {
        "entity": entity_data(entity),
        "code": code,
        "mft": module.mft,
        "period": module.tax_period,
        "balance_cents": module.balance_cents,
        "fields": fields,
    }
    return Output(data, rows=1, categories=("module",))


def run_req54(work: Work) -> Output:
    return _template(work, "ADJ54", {"TC": "", "AMT": "", "RSN-CDS": "", "REMARKS": ""})


def run_req77(work: Work) -> Output:
    return _template(work, "FRM77", {"TC": "", "AC": "", "REMARKS": ""})


def render_template(req: Request, d: Mapping[str, Any]) -> Rendered:
    e = d["entity"]
    head = (
        f"{d['code']} {req.tin} {fmt.mft(d['mft'])} {fmt.period(d['period'])} {e['name_control']}"
    )
    body = [
        head,
        f"MOD-BAL>{fmt.amount(d['balance_cents'], 16)}",
        "  ".join(f"{k}>{v}" for k, v in d["fields"].items()),
        "",
        "NAME CONTROL VERIFIED - ENTER FIELDS AND TRANSMIT",
    ]
    fields = {"CODE": d["code"], **d["fields"]}
    return Rendered(body, f"ENTER {d['code']} FIELDS AND TRANSMIT", fields)


def run_adj54(work: Work) -> Output:
    module = required_module(work)
    f = work.request.fields
    tc = _tc(f, ADJ54_TCS)
    cents = amount_field(f)
    reason = _code(f, "RSN-CDS", required=True)
    remarks = remarks_field(f)
    not_controlled_by_another(work, module)
    if transaction_code(tc).reverses and cents > _abatable(work, module, tc):
        raise InvalidInput("AMT", f"TC {tc:03d} EXCEEDS THE AMOUNT ASSESSED AND NOT YET ABATED")
    today = work.today
    dln = allocate_dln(work.conn, today, DOC_ADJ54, tax_class_of(work))
    row = add_pending(
        work.conn, module_id=module.id, tc=tc, amount_cents=cents, dln=dln,
        transaction_date=today, input_date=today, created_by=work.staff_id,
        created_at=work.clock.now(), reason_code=reason, detail={"remarks": remarks},
    )  # fmt: skip
    held = tc in ABATEMENTS or cents >= work.settings.approval_threshold_cents
    data = {"tc": tc, "amount_cents": cents, "dln": dln, "reason_code": reason}
    return Output(data, rows=1, categories=("module",), needs_approval=held, pending_ids=(row,))


def render_posted_input(req: Request, d: Mapping[str, Any]) -> Rendered:
    amount = "" if "amount_cents" not in d else fmt.tc_amount(d["tc"], d["amount_cents"])
    ac = f" AC{d['action_code']:03d}" if d.get("action_code") is not None else ""
    text = f"PN {fmt.tc(d['tc'])} {amount}{ac}  {fmt.dln(d['dln'])}".replace("  ", " ", 1)
    return Rendered([text], f"REQUEST COMPLETED - {text}")


# -- FRM77 --------------------------------------------------------------------------------
def run_frm77(work: Work) -> Output:
    module = required_module(work)
    f = work.request.fields
    tc = _tc(f, FRM77_TCS)
    action = _code(f, "AC", required=tc in (971, 972))
    if tc == 971 and action not in TC971_ACTION_CODES:
        codes = " ".join(f"{c:03d}" for c in sorted(TC971_ACTION_CODES))
        raise InvalidInput("AC", f"TC 971 ACTION CODE MUST BE ONE OF {codes}")
    remarks = remarks_field(f)
    not_controlled_by_another(work, module)
    today = work.today
    dln = allocate_dln(work.conn, today, DOC_FRM77, tax_class_of(work))
    add_pending(
        work.conn, module_id=module.id, tc=tc, amount_cents=0, dln=dln, transaction_date=today,
        input_date=today, created_by=work.staff_id, created_at=work.clock.now(),
        action_code=action, detail={"remarks": remarks},
    )  # fmt: skip
    return Output({"tc": tc, "action_code": action, "dln": dln}, rows=1, categories=("module",))


# -- CRDTR --------------------------------------------------------------------------------
def run_crdtr(work: Work) -> Output:
    """Move credit from this module to another of the same taxpayer: TC 820 debits the
    source, TC 700 credits the target, one DLN (doc code 24)."""
    module = required_module(work)
    f = work.request.fields
    cents = amount_field(f)
    remarks = remarks_field(f)
    try:
        to_mft = int(f.get("TO-MFT", ""))
        to_period = int(f.get("TO-PRD", ""))
    except ValueError:
        raise InvalidInput("TO-MFT", "TO-MFT AND TO-PRD (YYYYMM) REQUIRED") from None
    target = module_id_for(work.conn, module.taxpayer_id, to_mft, to_period)
    if target is None or target == module.id:
        raise InvalidInput("TO-PRD", "NO OTHER MODULE ON FILE FOR THAT MFT AND PERIOD")
    not_controlled_by_another(work, module)
    pending_out = sum(
        p.amount_cents for p in pending_of(work.conn, module.id) if p.tc == 820 and p.live
    )
    available = -module.balance_cents - pending_out
    if cents > available:
        shown = fmt.amount(max(available, 0))
        raise InvalidInput("AMT", f"TRANSFER WOULD OVERDRAW THE MODULE (CREDIT AVAILABLE {shown})")
    today = work.today
    dln = allocate_dln(work.conn, today, DOC_CRDTR, tax_class_of(work))
    common = {
        "amount_cents": cents, "dln": dln, "transaction_date": today, "input_date": today,
        "created_by": work.staff_id, "created_at": work.clock.now(),
        "detail": {"remarks": remarks},
    }  # fmt: skip
    out_id = add_pending(work.conn, module_id=module.id, tc=820, **common)  # type: ignore[arg-type]
    in_id = add_pending(work.conn, module_id=target, tc=700, **common)  # type: ignore[arg-type]
    held = cents >= work.settings.approval_threshold_cents
    data = {"tc": 820, "amount_cents": cents, "dln": dln, "to": [to_mft, to_period]}
    return Output(
        data, rows=2, categories=("module",), needs_approval=held, pending_ids=(out_id, in_id)
    )


register(Spec("REQ54", "module", run_req54, render_template, summary="adjustment screen"))
register(Spec("ADJ54", "module", run_adj54, render_posted_input, summary="adjustment"))
register(Spec("REQ77", "module", run_req77, render_template, summary="FRM77 screen"))
register(Spec("FRM77", "module", run_frm77, render_posted_input, summary="misc transaction"))
register(Spec("CRDTR", "module", run_crdtr, render_posted_input, summary="credit transfer"))
