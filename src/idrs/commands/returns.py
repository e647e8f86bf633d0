"""Return research: RTVUE, BRTVU (returns as filed), IRPTR (information returns), IADIS
(installment agreement), DDBKD (dependents).

Why these read only what they show: each code's data categories in the access catalogue
(``return``, ``info_returns``, ``module installment``, ``dependents``) are what its output
carries, so a screen does not borrow the entity's address or another category's data. The
masked TIN and name control on line 2 are the key the operator typed, as on TXMOD line 2.

* RTVUE / BRTVU (screens.md §9; IRM 2.3.52, 2.3.57): the return as transcribed or e-filed,
  never adjusted. Keyed by TIN + MFT + period; ``SM`` (the default) is the summary screen,
  ``DC`` lists every transcribed line [reconstructed]. The return file keeps the current and
  three prior processing years: an older return, or none, is ``RECORD NOT FOUND``.
* IRPTR (screens.md §10; IRM 2.3.35 Exhibit 2.3.35-14): one document per page. Definer ``O``
  (payee online, the default), ``N`` next and ``P`` previous page from the 4-digit page typed
  last; ``P`` on the first page is refused. Line 2 and 3 use the IRM's positions; the TIN
  type at position 41 is shown as ``SSN``/``ITIN``/``EIN`` [reconstructed: IRM uses a code].
  The payee's address is not shown: we do not keep the payer's copy of it, and the entity
  address belongs to another category.
* IADIS [reconstructed layout]: the terms IAORG stored, with the module's status (60 once the
  TC 971 AC 063 has posted) and balance.
* DDBKD [reconstructed layout]: the taxpayer's dependent links, ended ones with their end date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from idrs.commands import fmt
from idrs.commands._common import NO_DATA, iso, the_entity, the_module
from idrs.commands.fmt import iso_day as _day
from idrs.commands.registry import Rendered, Request, Spec, Work, register
from idrs.domain.mft import mft as lookup_mft
from idrs.errors import InvalidInput
from idrs.gate import Output
from idrs.store.accounts import installment_of
from idrs.store.returns_read import dependents_of, filed_return_of, information_returns_of
from idrs.store.taxpayers import Entity

RECORD_NOT_FOUND = "RECORD NOT FOUND"  # IRM 2.3.52
IRTF_YEARS = 3  # prior processing years the return file keeps besides the current one
INDIVIDUAL_TINS = ("SSN", "ITIN")
RETURN_SCREENS = ("SM", "DC")  # the first is the default
LABELS = {
    "wages": "WAGES",
    "interest": "TAXABLE INT",
    "dividends": "DIVIDENDS",
    "other_income": "OTHER INCOME",
    "gross_receipts": "GROSS RECEIPTS",
    "total_revenue": "TOTAL REVENUE",
    "total_expenses": "TOTAL EXPENSES",
    "agi": "ADJUSTED GROSS INCOME",
    "taxable_income": "TAXABLE INCOME",
    "total_tax": "TOTAL TAX",
    "withholding": "WITHHOLDING",
    "deposits": "DEPOSITS",
    "estimated_payments": "EST TAX PMTS",
    "refundable_credits": "REFUNDABLE CREDITS",
}
BALANCE_LINES = ("balance_due", "overpayment")
INFO_LABELS = {
    "W-2": "WAGES, TIPS, OTHER COMP",
    "1099-INT": "INTEREST INCOME",
    "1099-DIV": "ORDINARY DIVIDENDS",
    "1099-NEC": "NONEMPLOYEE COMPENSATION",
    "1099-MISC": "OTHER INCOME",
    "1099-B": "PROCEEDS",
    "1099-R": "GROSS DISTRIBUTION",
    "SSA-1099": "NET BENEFITS PAID",
}


def _key(entity: Entity) -> dict[str, str]:
    return {"tin": entity.tin_masked, "name_control": entity.name_control}


def _individual_only(entity: Entity, code: str, other: str) -> None:
    if entity.tin_kind not in INDIVIDUAL_TINS:
        raise InvalidInput("TIN", f"{code} IS FOR SSN/ITIN ACCOUNTS - USE {other} FOR AN EIN")


# -- RTVUE / BRTVU ------------------------------------------------------------------------
def _run_return(work: Work, master_file: str) -> Output:
    req = work.request
    entity = the_entity(work)
    if master_file == "IMF":
        _individual_only(entity, "RTVUE", "BRTVU")
    elif entity.tin_kind in INDIVIDUAL_TINS:
        raise InvalidInput("TIN", "BRTVU IS FOR EIN ACCOUNTS - USE RTVUE FOR AN SSN/ITIN")
    assert req.mft is not None  # "module" commands always carry MFT and period
    if lookup_mft(req.mft).master_file != master_file:
        raise InvalidInput("MFT", f"MFT {fmt.mft(req.mft)} IS NOT ON THE {master_file}")
    screen = req.args[0].upper() if req.args else RETURN_SCREENS[0]
    if screen not in RETURN_SCREENS or len(req.args) > 1:
        raise InvalidInput("definer", f"{req.code} DEFINER MUST BE SM OR DC")
    module = the_module(work)
    filed = None if module is None else filed_return_of(work.conn, module.id)
    if filed is None or filed.received_on.year < work.today.year - IRTF_YEARS:
        return Output({"found": False}, rows=1, categories=("return",))
    data = {
        "found": True,
        "screen": screen,
        "key": _key(entity),
        "form": filed.form,
        "mft": req.mft,
        "period": req.period,
        "dln": filed.dln,
        "received_on": iso(filed.received_on),
        "filing_status": filed.filing_status,
        "lines": [[name, cents] for name, cents in filed.lines],
    }
    return Output(data, rows=1 + len(filed.lines), categories=("return",))


def run_rtvue(work: Work) -> Output:
    return _run_return(work, "IMF")


def run_brtvu(work: Work) -> Output:
    return _run_return(work, "BMF")


def _label(line: str) -> str:
    return line.upper().replace("_", " ")


def _cell(label: str, cents: int) -> str:
    return f"{label + '>':<22}{fmt.amount(cents, 16)}"


def render_return(req: Request, d: Mapping[str, Any]) -> Rendered:
    if not d["found"]:
        return Rendered([], RECORD_NOT_FOUND)
    k, lines = d["key"], dict(d["lines"])
    body = [
        f"{k['tin']}  {k['name_control']:<4}  {d['form']:<5} {fmt.period(d['period'])}  "
        f"DLN-{fmt.dln(d['dln'])}  RCVD-DT-{_day(d['received_on'])}  {d['screen']}",
    ]
    if d["screen"] == "DC":
        body.append("LINE                              AMOUNT")
        body.extend(f"{_label(name):<24}{fmt.amount(cents, 16)}" for name, cents in d["lines"])
    else:
        fs = "" if d["filing_status"] is None else str(d["filing_status"])
        body.append(f"FILING STATUS> {fs:<2}  SOURCE> RETURN AS FILED")
        cells = [_cell(label, lines[name]) for name, label in LABELS.items() if name in lines]
        cells += [
            _cell(_label(name), cents)
            for name, cents in d["lines"]
            if name not in LABELS and name not in BALANCE_LINES
        ]
        due = lines.get("balance_due", 0) - lines.get("overpayment", 0)
        cells.append(_cell("BAL DUE/OVERPAYMENT", due))
        body.extend(" ".join(cells[i : i + 2]).rstrip() for i in range(0, len(cells), 2))
    body.append(f"FORMS PRESENT: F{d['form']}   (DEFINERS: SM  DC)")
    return Rendered(body)


# -- IRPTR --------------------------------------------------------------------------------
def _page(req: Request) -> int:
    if len(req.args) > 2:
        raise InvalidInput("command", f"UNEXPECTED OPERAND {req.args[2]}")
    typed = req.args[1] if len(req.args) > 1 else "0001"
    if len(typed) != 4 or not typed.isdigit() or int(typed) == 0:
        raise InvalidInput("page", "PAGE MUST BE 4 DIGITS, 0001-9999")
    page = int(typed)
    if req.definer == "N":
        return page + 1
    if req.definer == "P":
        if page == 1:
            raise InvalidInput("definer", "DEFINER P IS INVALID ON THE FIRST PAGE")
        return page - 1
    return page


def run_irptr(work: Work) -> Output:
    req = work.request
    if not req.args:
        raise InvalidInput("tax_year", "TAX YEAR REQUIRED (YYYY)")
    year = req.args[0]
    if len(year) != 4 or not year.isdigit() or not 1900 < int(year) <= work.today.year:
        raise InvalidInput("tax_year", "TAX YEAR MUST BE YYYY, NOT AFTER THIS YEAR")
    page = _page(req)
    entity = the_entity(work)
    docs = information_returns_of(work.conn, work.vault, entity.id, int(year))
    if not docs:
        return Output({"found": False}, rows=1, categories=("info_returns",))
    if page > len(docs):
        raise InvalidInput("page", f"PAGE {page:04d} IS PAST THE LAST PAGE {len(docs):04d}")
    doc = docs[page - 1]
    data = {
        "found": True,
        "key": _key(entity),
        "payee_name": entity.name_line1,
        "tin_kind": entity.tin_kind,
        "tax_year": int(year),
        "page": page,
        "pages": len(docs),
        "document": {
            "form": doc.form,
            "received_on": iso(doc.received_on),
            "amount_cents": doc.amount_cents,
            "withheld_cents": doc.withheld_cents,
            "payer_tin": None if doc.payer is None else doc.payer.tin_masked,
            "payer_name": None if doc.payer is None else doc.payer.name,
        },
    }
    return Output(data, rows=1 + len(docs), categories=("info_returns",))


def render_irptr(req: Request, d: Mapping[str, Any]) -> Rendered:
    if not d["found"]:
        return Rendered([], NO_DATA)
    doc, k = d["document"], d["key"]
    pages = "****" if d["pages"] > 9999 else f"{d['pages']:04d}"
    on_file = date.fromisoformat(doc["received_on"]).strftime("%m-%d-%Y")
    payer = (
        "PAYER TIN> NOT ON FILE"
        if doc["payer_tin"] is None
        else f"PAYER TIN> {doc['payer_tin']:<14} PAYER NAME> {doc['payer_name']}"
    )
    body = [
        # IRM 2.3.35: request TIN pos 7, TIN type 41, doc code 59, page 68, max page 76
        f"{'':6}{k['tin']:<34}{d['tin_kind']:<18}00{'':7}{d['page']:04d}{'':4}{pages}",
        # document type pos 17, on-file date pos 41
        f"{'':16}{doc['form']:<24}{on_file}",
        f"TAX YEAR> {d['tax_year']}",
        payer,
        f"PAYEE NC> {k['name_control']:<6} PAYEE NAME> {d['payee_name']}",
        f"{INFO_LABELS.get(doc['form'], 'AMOUNT') + '>':<30}{fmt.amount(doc['amount_cents'], 16)}",
        f"{'FEDERAL INCOME TAX WITHHELD>':<30}{fmt.amount(doc['withheld_cents'], 16)}",
    ]
    message = f"MORE - PAGE {d['page'] + 1:04d} (DEFINER N)" if d["page"] < d["pages"] else ""
    return Rendered(body, message)


# -- IADIS --------------------------------------------------------------------------------
def run_iadis(work: Work) -> Output:
    entity = the_entity(work)
    module = the_module(work)
    agreement = None if module is None else installment_of(work.conn, module.id)
    if module is None or agreement is None:
        return Output({"found": False}, rows=1, categories=("module", "installment"))
    monthly = agreement.monthly_cents
    data = {
        "found": True,
        "key": _key(entity),
        "mft": module.mft,
        "period": module.tax_period,
        "status": module.status_code,
        "status_date": iso(module.status_date),
        "balance_cents": module.balance_cents,
        "ia_indicator": module.installment_agreement,
        "monthly_cents": monthly,
        "payment_day": agreement.payment_day,
        "first_payment_on": iso(agreement.first_payment_on),
        "direct_debit": agreement.direct_debit,
        "dln": agreement.dln,
        "input_on": iso(agreement.created_at.date()),
        "payments_left": max(0, -(-module.balance_cents // monthly)),
    }
    return Output(data, rows=2, categories=("module", "installment"))


def render_iadis(req: Request, d: Mapping[str, Any]) -> Rendered:
    if not d["found"]:
        return Rendered([], NO_DATA)
    k = d["key"]
    body = [
        f"{k['tin']}  {k['name_control']:<4}  {fmt.mft(d['mft'])} {fmt.period(d['period'])}"
        f"   INSTALLMENT AGREEMENT   STATUS-{d['status']:02d} {_day(d['status_date'])}",
        f"MODULE BALANCE>{fmt.amount(d['balance_cents'], 16)}   "
        f"IA-IND-{1 if d['ia_indicator'] else 0}",
        f"MONTHLY PAYMENT>{fmt.amount(d['monthly_cents'], 15)}   "
        f"PAYMENT DAY> {d['payment_day']:02d}   FIRST PAYMENT> {_day(d['first_payment_on'])}",
        f"DIRECT DEBIT> {'Y' if d['direct_debit'] else 'N'}   AGREEMENT DLN> {fmt.dln(d['dln'])}"
        f"   INPUT-DT> {_day(d['input_on'])}",
        f"EST-PMTS-LEFT> {d['payments_left']}   (MODULE BALANCE / MONTHLY PAYMENT, NO ACCRUALS)",
    ]
    return Rendered(body)


# -- DDBKD --------------------------------------------------------------------------------
def run_ddbkd(work: Work) -> Output:
    entity = the_entity(work)
    _individual_only(entity, "DDBKD", "BMFOL")
    if work.request.args:
        raise InvalidInput("command", f"UNEXPECTED OPERAND {work.request.args[0]}")
    found = dependents_of(work.conn, work.vault, entity.id)
    data = {
        "key": _key(entity),
        "dependents": [
            {"tin": d.person.tin_masked, "name_control": d.person.name_control,
             "name": d.person.name, "from": iso(d.valid_from), "to": iso(d.valid_to)}
            for d in found
        ],
    }  # fmt: skip
    return Output(data, rows=1 + len(found), categories=("dependents",))


def render_ddbkd(req: Request, d: Mapping[str, Any]) -> Rendered:
    k = d["key"]
    body = [
        f"{k['tin']}  {k['name_control']:<4}  DEPENDENTS",
        "TIN          NC    NAME                                FROM      TO",
    ]
    for p in d["dependents"]:
        body.append(
            f"{p['tin']:<11}  {p['name_control']:<4}  {p['name'][:34]:<34}  "
            f"{_day(p['from'])}  {_day(p['to'])}".rstrip()
        )
    return Rendered(body, "" if d["dependents"] else NO_DATA)


register(Spec("RTVUE", "module", run_rtvue, render_return, "", "individual return as filed"))
register(Spec("BRTVU", "module", run_brtvu, render_return, "", "business return as filed"))
register(Spec("IRPTR", "tin", run_irptr, render_irptr, "ONP", "information returns"))
register(Spec("IADIS", "module", run_iadis, render_iadis, "", "installment agreement"))
register(Spec("DDBKD", "tin", run_ddbkd, render_ddbkd, "", "dependents"))
