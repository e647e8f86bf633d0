"""IMFOL and BMFOL: read-only views of the master file (screens.md §7, §8; IRM 2.3.51, 2.3.59).

Why separate from TXMOD/SUMRY: the master-file views show what has *posted*, nothing else.
IMFOL "does not show pending transactions, IDRS control bases, history items, unpostables"
(IRM 2.3.51), so these commands never read pending rows or cases, and the balance shown is
the sum of the posted transactions (the MF account balance), not the IDRS module balance.

Definers (screens.md §7; `I`, `T`, `E`, `S` are [reconstructed] there):

* ``I`` index (the default): every module of the account with status, MF balance, freezes.
  BMFOLI adds the filing requirements and the last period satisfied per MFT (IRM 2.3.59).
* ``T`` tax module: needs MFT and tax period; module header and the posted transactions.
* ``E`` entity: name, address, entity dates and filing requirements.
* ``S`` status history of one module: needs MFT and tax period.

IMFOL is for individual accounts (SSN or ITIN) and BMFOL for EIN accounts: the wrong file is
a line-24 error naming that rule. The MFT of a ``T``/``S`` request must belong to the same file.
Everything in the modules' location column reads ``MF``: the synthetic data has no retention
modules (those would need IMFOR/BMFOR to restore).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from idrs.commands import fmt
from idrs.commands._common import (
    NO_DATA,
    accruals,
    entity_data,
    iso,
    signed,
    the_entity,
    the_module,
)
from idrs.commands.fmt import iso_day as _day
from idrs.commands.module import freezes_of
from idrs.commands.registry import Rendered, Request, Spec, Work, register
from idrs.domain.account import module_balance
from idrs.domain.mft import mft as lookup_mft
from idrs.errors import InvalidInput
from idrs.gate import Output
from idrs.store.accounts import status_history
from idrs.store.taxpayers import Entity, Module, PostedTransaction, modules_of, postings_of

DEFINERS = "ITES"  # the first is the default
INDIVIDUAL_TINS = ("SSN", "ITIN")
RULES = {
    "IMF": ("IMFOL", "IMFOL IS FOR SSN/ITIN ACCOUNTS - USE BMFOL FOR AN EIN"),
    "BMF": ("BMFOL", "BMFOL IS FOR EIN ACCOUNTS - USE IMFOL FOR AN SSN/ITIN"),
}


def _right_file(entity: Entity, master_file: str) -> None:
    """Refuse an account that lives on the other master file (IRM 2.3.51 / 2.3.59)."""
    individual = entity.tin_kind in INDIVIDUAL_TINS
    if individual != (master_file == "IMF"):
        raise InvalidInput("TIN", RULES[master_file][1])


def _module_key(work: Work, master_file: str) -> tuple[int, int]:
    """MFT and tax period of a ``T``/``S`` request, on the right master file."""
    req = work.request
    code = RULES[master_file][0]
    if req.mft is None or req.period is None:
        raise InvalidInput("tax_period", f"{code}{req.definer} NEEDS MFT AND TAX PERIOD")
    if _file_of(req.mft) != master_file:
        raise InvalidInput("MFT", f"MFT {fmt.mft(req.mft)} IS NOT ON THE {master_file}")
    return req.mft, req.period


def _file_of(mft: int) -> str:
    try:
        return lookup_mft(mft).master_file
    except InvalidInput:
        return ""


def _mf_balance(postings: list[PostedTransaction]) -> int:
    return module_balance((p.tc, p.amount_cents) for p in postings)


def _header(entity: Entity) -> dict[str, Any]:
    return {"tin": entity.tin_masked, "name_control": entity.name_control,
            "name": entity.name_line1}  # fmt: skip


# -- run ----------------------------------------------------------------------------------
def _run(work: Work, master_file: str) -> Output:
    entity = the_entity(work)
    _right_file(entity, master_file)
    definer = work.request.definer
    if work.request.args:
        raise InvalidInput("command", f"UNEXPECTED OPERAND {work.request.args[0]}")
    if definer == "E":
        shown = {**entity_data(entity), "fiscal_year_month": entity.fiscal_year_month}
        out = {"definer": "E", "master_file": master_file, "entity": shown}
        return Output(out, rows=1, categories=("entity",))
    if definer == "I":
        return _index(work, entity, master_file)
    _module_key(work, master_file)
    module = the_module(work)
    if module is None:
        return Output({"definer": definer, "found": False}, rows=1, categories=("entity",))
    if definer == "T":
        return _tax_module(work, entity, module)
    history = status_history(work.conn, module.id)
    data: dict[str, Any] = {
        "definer": "S",
        "found": True,
        "header": _header(entity),
        "mft": module.mft,
        "period": module.tax_period,
        "status": [[module.status_code, iso(module.status_date), None]]
        if not history
        else [[s.status_code, iso(s.status_date), s.cycle] for s in history],
    }
    return Output(data, rows=2 + len(history), categories=("entity", "module"))


def _index(work: Work, entity: Entity, master_file: str) -> Output:
    items: list[dict[str, Any]] = []
    satisfied: dict[str, int] = {}
    read = 1
    for m in modules_of(work.conn, entity.id):
        if _file_of(m.mft) != master_file:
            continue
        postings = postings_of(work.conn, m.id)
        read += 1 + len(postings)
        if any(p.tc == 150 for p in postings):
            satisfied[fmt.mft(m.mft)] = max(m.tax_period, satisfied.get(fmt.mft(m.mft), 0))
        items.append(
            {"mft": m.mft, "period": m.tax_period, "status": m.status_code,
             "balance_cents": _mf_balance(postings), "freezes": freezes_of(postings),
             "location": "MF"}
        )  # fmt: skip
    items.sort(key=lambda i: (i["mft"], -i["period"]))
    data = {
        "definer": "I",
        "master_file": master_file,
        "header": _header(entity),
        "filing_requirements": entity.filing_requirements,
        "last_satisfied": dict(sorted(satisfied.items())),
        "modules": items,
    }
    return Output(data, rows=read, categories=("entity", "module"))


def _tax_module(work: Work, entity: Entity, module: Module) -> Output:
    postings = postings_of(work.conn, module.id)
    returns = [p for p in postings if p.tc == 150]
    data = {
        "definer": "T",
        "found": True,
        "header": _header(entity),
        "mft": module.mft,
        "period": module.tax_period,
        "balance_cents": _mf_balance(postings),
        "accrued_interest_cents": accruals(module, postings, work.today)["interest_cents"],
        "return_cycle": returns[0].cycle if returns else None,
        "return_filed_date": iso(module.return_filed_date),
        "ased": iso(module.ased),
        "csed": iso(module.csed),
        "status": module.status_code,
        "status_date": iso(module.status_date),
        "freezes": freezes_of(postings),
        "last_cycle": max((p.cycle for p in postings), default=None),
        "posted": [
            {"tc": p.tc, "date": iso(p.transaction_date), "amount_cents": signed(p),
             "cycle": p.cycle, "dln": p.dln, "action_code": p.action_code,
             "reason_code": p.reason_code}
            for p in postings
        ],
    }  # fmt: skip
    return Output(data, rows=2 + len(postings), categories=("entity", "module"))


def run_imfol(work: Work) -> Output:
    return _run(work, "IMF")


def run_bmfol(work: Work) -> Output:
    return _run(work, "BMF")


# -- render -------------------------------------------------------------------------------
def _title(h: Mapping[str, Any], what: str) -> str:
    return f"{h['tin']}  {h['name_control']:<4}  {h['name'][:44]:<44}  {what}".rstrip()


def render(req: Request, d: Mapping[str, Any]) -> Rendered:
    if d["definer"] == "E":
        return _render_entity(d)
    if d["definer"] == "I":
        return _render_index(d)
    if not d["found"]:
        return Rendered([], NO_DATA)
    if d["definer"] == "T":
        return _render_module(d)
    h = d["header"]
    body = [
        f"{h['tin']}  {h['name_control']:<4}  {fmt.mft(d['mft'])} {fmt.period(d['period'])}"
        "   STATUS HISTORY",
        "STATUS  DATE      CYCLE",
    ]
    for status, day, cycle in d["status"]:
        body.append(f"{status:02d}      {_day(day)}  {'' if cycle is None else cycle}".rstrip())
    return Rendered(body)


def _render_index(d: Mapping[str, Any]) -> Rendered:
    body = [_title(d["header"], "INDEX")]
    if d["master_file"] == "BMF":
        satisfied = " ".join(f"{m}-{fmt.period(p)}" for m, p in d["last_satisfied"].items())
        body.append(f"FR: {d['filing_requirements']:<24} LAST PERIOD SATISFIED {satisfied}")
    body.append("MFT PERIOD  STATUS         BALANCE   FREEZES   LOCATION")
    for m in d["modules"]:
        body.append(
            f"{fmt.mft(m['mft'])}  {fmt.period(m['period'])}  {m['status']:02d}{'':6}"
            f"{fmt.amount(m['balance_cents'], 14)}   {' '.join(m['freezes']):<9} {m['location']}"
        )
    return Rendered(body, "" if d["modules"] else NO_DATA)


def _render_module(d: Mapping[str, Any]) -> Rendered:
    h = d["header"]
    cycle = "" if d["return_cycle"] is None else str(d["return_cycle"])
    last = "" if d["last_cycle"] is None else str(d["last_cycle"])
    body = [
        f"{h['tin']}  {h['name_control']:<4}  {fmt.mft(d['mft'])} {fmt.period(d['period'])}"
        f"   ACCOUNT BALANCE>{fmt.amount(d['balance_cents'], 12)}"
        f"  ACCR-INT>{fmt.amount(d['accrued_interest_cents'], 10)}",
        f"CYCLE-{cycle:<8}  RET-DT-{_day(d['return_filed_date']):<8}  ASED-{_day(d['ased']):<8}"
        f"  CSED-{_day(d['csed']):<8} STATUS-{d['status']:02d} {_day(d['status_date'])}",
        f"FREEZES- {' '.join(d['freezes']):<16} LAST-CYC-{last}",
        "TC  DATE          AMOUNT       CYCLE     DLN                 CODES",
    ]
    for p in d["posted"]:
        codes = ""
        if p["action_code"] is not None:
            codes += f"AC-{p['action_code']:03d} "
        if p["reason_code"] is not None:
            codes += f"RSN-{p['reason_code']:03d}"
        body.append(
            f"{fmt.tc(p['tc'])} {_day(p['date'])}{fmt.amount(p['amount_cents'], 15)}    "
            f"{p['cycle']:<8}  {fmt.dln(p['dln']):<20}{codes}".rstrip()
        )
    return Rendered(body)


def _render_entity(d: Mapping[str, Any]) -> Rendered:
    e = d["entity"]
    body = [
        f"{e['tin']}  {e['name_control']:<4}  ENTITY  {e['entity_kind'].upper():<12}"
        f"  ESTABLISHED-{_day(e['established_on'])}",
        f"NAME-  {e['name']}",
    ]
    if e["name2"]:
        body.append(f"       {e['name2']}")
    body.append(f"ADDR-  {e['street']}")
    body.append(f"       {e['city']} {e['state']} {e['zip']}".rstrip())
    if d["master_file"] == "IMF":
        body.append(f"BIRTH-DT-{_day(e['birth_date']):<8}  DEATH-DT-{_day(e['death_date'])}")
    body.append(f"FR-{e['filing_requirements']:<24}  FYM-{e['fiscal_year_month']:02d}")
    return Rendered(body)


register(Spec("IMFOL", "tin+module?", run_imfol, render, DEFINERS, "IMF master-file view"))
register(Spec("BMFOL", "tin+module?", run_bmfol, render, DEFINERS, "BMF master-file view"))
