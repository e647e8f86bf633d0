"""Refunds and collection work: RFUND, IAORG, STAUP.

* RFUND: a manual refund (TC 840, doc code 45) of credit on the module; always held for a
  different approver the same day (IRM 21.4.4 manual refunds; ``Gate.approve``).
* IAORG: an installment agreement: the terms are recorded and a TC 971 AC 063 is queued, which
  the cycle posts (status 60, the 0.25% FTP rate). The monthly payment must pay the balance
  within 72 months [verify: the streamlined-agreement limit, IRM 5.14.5].
* STAUP: hold the notice stream of a debit module for 1-15 cycles in a status
  [verify: IRM 2.4.26 gives the statuses and the 15-cycle limit].
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from idrs.commands import fmt
from idrs.commands._common import required_module
from idrs.commands.adjust import (
    amount_field,
    not_controlled_by_another,
    remarks_field,
    render_posted_input,
    tax_class_of,
)
from idrs.commands.registry import Rendered, Request, Spec, Work, register
from idrs.errors import InvalidInput
from idrs.gate import Output
from idrs.store.accounts import pending_of
from idrs.store.work import add_installment, add_notice_hold, add_pending, allocate_dln

DOC_REFUND, DOC_IA = 45, 77
IA_MAX_MONTHS = 72
STAUP_STATUSES = frozenset({21, 22, 23, 24, 26, 58})
STAUP_MAX_CYCLES = 15


def run_rfund(work: Work) -> Output:
    module = required_module(work)
    f = work.request.fields
    cents = amount_field(f)
    remarks = remarks_field(f)
    not_controlled_by_another(work, module)
    going = sum(
        p.amount_cents for p in pending_of(work.conn, module.id) if p.tc in (820, 840) and p.live
    )
    available = -module.balance_cents - going
    if cents > available:
        raise InvalidInput(
            "AMT", f"REFUND EXCEEDS THE CREDIT AVAILABLE ({fmt.amount(max(available, 0))})"
        )
    today = work.today
    dln = allocate_dln(work.conn, today, DOC_REFUND, tax_class_of(work))
    row = add_pending(
        work.conn, module_id=module.id, tc=840, amount_cents=cents, dln=dln,
        transaction_date=today, input_date=today, created_by=work.staff_id,
        created_at=work.clock.now(), detail={"remarks": remarks},
    )  # fmt: skip
    data = {"tc": 840, "amount_cents": cents, "dln": dln}
    return Output(data, rows=1, categories=("module",), needs_approval=True, pending_ids=(row,))


def run_iaorg(work: Work) -> Output:
    module = required_module(work)
    f = work.request.fields
    monthly = amount_field(f)
    day_text = f.get("DAY", "")
    if not day_text.isdigit() or not 1 <= int(day_text) <= 28:
        raise InvalidInput("DAY", "PAYMENT DAY MUST BE 1-28")
    first = fmt.parse_mmddyyyy("FIRST", f.get("FIRST", ""))
    today = work.today
    if not today < first <= today + timedelta(days=60):
        raise InvalidInput("FIRST", "FIRST PAYMENT MUST BE WITHIN THE NEXT 60 DAYS")
    direct = f.get("DD", "N").upper()
    if direct not in ("Y", "N"):
        raise InvalidInput("DD", "DIRECT DEBIT MUST BE Y OR N")
    if module.balance_cents <= 0:
        raise InvalidInput("module", "NO BALANCE DUE ON THIS MODULE")
    if monthly * IA_MAX_MONTHS < module.balance_cents:
        need = -(-module.balance_cents // IA_MAX_MONTHS)
        raise InvalidInput(
            "AMT", f"MUST PAY THE BALANCE IN {IA_MAX_MONTHS} MONTHS: AT LEAST {fmt.amount(need)}"
        )
    not_controlled_by_another(work, module)
    dln = allocate_dln(work.conn, today, DOC_IA, tax_class_of(work))
    add_installment(
        work.conn, module_id=module.id, monthly_cents=monthly, payment_day=int(day_text),
        first_payment_on=first, direct_debit=1 if direct == "Y" else 0, dln=dln,
        created_by=work.staff_id, created_at=work.clock.now(),
    )  # fmt: skip
    add_pending(
        work.conn, module_id=module.id, tc=971, amount_cents=0, dln=dln, transaction_date=today,
        input_date=today, created_by=work.staff_id, created_at=work.clock.now(), action_code=63,
        detail={"remarks": "installment agreement"},
    )  # fmt: skip
    data = {"tc": 971, "action_code": 63, "dln": dln, "monthly_cents": monthly}
    return Output(data, rows=2, categories=("module", "installment"))


def run_staup(work: Work) -> Output:
    module = required_module(work)
    f = work.request.fields
    status_text, cycles_text = f.get("ST", ""), f.get("CYC", "")
    if not status_text.isdigit() or int(status_text) not in STAUP_STATUSES:
        codes = " ".join(str(s) for s in sorted(STAUP_STATUSES))
        raise InvalidInput("ST", f"STATUS MUST BE ONE OF {codes}")
    if not cycles_text.isdigit() or not 1 <= int(cycles_text) <= STAUP_MAX_CYCLES:
        raise InvalidInput("CYC", f"CYCLES MUST BE 1-{STAUP_MAX_CYCLES}")
    if module.balance_cents <= 0:
        raise InvalidInput("module", "NO BALANCE DUE: NO NOTICES TO HOLD")
    not_controlled_by_another(work, module)
    cycles = int(cycles_text)
    until = work.today + timedelta(weeks=cycles)
    add_notice_hold(
        work.conn, module_id=module.id, status_code=int(status_text), cycles=cycles,
        hold_until=until, created_by=work.staff_id, created_at=work.clock.now(),
    )  # fmt: skip
    data = {"status": int(status_text), "cycles": cycles, "hold_until": until.isoformat()}
    return Output(data, rows=1, categories=("module",))


def render_staup(req: Request, d: Mapping[str, Any]) -> Rendered:
    until = fmt.mmddyyyy(date.fromisoformat(d["hold_until"]))
    text = f"STATUS {d['status']:02d} HELD {d['cycles']} CYCLES TO {until}"
    return Rendered([text], f"REQUEST COMPLETED - {text}")


register(Spec("RFUND", "module", run_rfund, render_posted_input, summary="manual refund"))
register(Spec("IAORG", "module", run_iaorg, render_posted_input, summary="installment agreement"))
register(Spec("STAUP", "module", run_staup, render_staup, summary="notice status hold"))
