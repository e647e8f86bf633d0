"""Entity research and changes: INOLE, ENMOD, NAMES, ENREQ, INCHG (screens.md §5, §6, §15).

INCHG never changes the entity: it queues a TC 013 (name) or 014 (address) that the next
posting cycle applies (IRM 2.4.9; Doc 6209 for the TCs). NAMES follows the access rules for
name search: only under an open contact or case, results limited to masked TIN, name and
city/state, nothing opened by it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from idrs.commands import fmt
from idrs.commands._common import entity_data, iso, the_entity
from idrs.commands.fmt import iso_day as _day
from idrs.commands.registry import Rendered, Request, Spec, Work, register
from idrs.domain.name_control import name_control
from idrs.errors import IdrsError, InvalidInput
from idrs.gate import Output
from idrs.store.accounts import (
    address_history,
    history_of,
    pending_entity_of,
    search_names,
)
from idrs.store.taxpayers import links_of, modules_of
from idrs.store.work import add_entity_change, allocate_dln

DOC_CODE_ENTITY = 63  # IDRS entity changes (the DLN example in screens.md §15: 28263-...)
_STATE = re.compile(r"[A-Z]{2}")
_ZIP = re.compile(r"\d{5}(\d{4})?")
_ADDRESS_TEXT = re.compile(r"[A-Z0-9 #&'./,-]{1,35}")
_NAME_TEXT = re.compile(r"[A-Z &'.,-]{2,35}")


# -- INOLE --------------------------------------------------------------------------------
def run_inole(work: Work) -> Output:
    entity = the_entity(work)
    modules = modules_of(work.conn, entity.id)
    links = links_of(work.conn, entity.id)
    data = {
        "entity": entity_data(entity),
        "modules": [[m.mft, m.tax_period] for m in modules],
        "xrefs": [[link.kind, iso(link.valid_from), iso(link.valid_to)] for link in links],
        "file": "BMF" if entity.tin_kind == "EIN" else "IMF",
    }
    return Output(data, rows=1 + len(modules) + len(links), categories=("entity", "address"))


def render_inole(req: Request, d: Mapping[str, Any]) -> Rendered:
    e = d["entity"]
    body = [
        f"TIN-{e['tin']}  VALID  MF-{d['file']}  NC-{e['name_control']}  ACCT-ACTIVE",
        f"NAME-    {e['name']} {e['name2']}".rstrip(),
        f"ADDRESS- {e['street']}  {e['city']} {e['state']} {e['zip']}",
        f"BIRTH-DT-{_day(e['birth_date'])}  DEATH-DT-{_day(e['death_date'])}  "
        f"ESTABLISHED-{_day(e['established_on'])}",
        "XREF- " + "  ".join(f"{k.upper()} {_day(f)}-{_day(t)}" for k, f, t in d["xrefs"]),
    ]
    if req.definer == "T":
        body.append(
            "MODULES ON FILE:  "
            + "   ".join(f"{fmt.mft(m)} {fmt.period(p)}" for m, p in d["modules"])
        )
    return Rendered(body)


# -- ENMOD --------------------------------------------------------------------------------
def run_enmod(work: Work) -> Output:
    entity = the_entity(work)
    pending = pending_entity_of(work.conn, work.vault, entity.id)
    history = history_of(work.conn, work.vault, entity.id)
    earlier = address_history(work.conn, work.vault, entity.id)
    data = {
        "entity": entity_data(entity),
        "prior_addresses": [[text, iso(until)] for text, until in earlier],
        "pending": [
            {
                "tc": p.tc,
                "status": p.status,
                "input_date": iso(p.input_date),
                "dln": p.dln,
                "name_control": p.name_control,
                "change": p.change,
            }
            for p in pending
        ],
        "history": [[iso(h.entered_on), h.staff_id, h.text] for h in history],
    }
    rows = 1 + len(pending) + len(history) + len(earlier)
    return Output(data, rows=rows, categories=("entity", "address"))


def render_enmod(req: Request, d: Mapping[str, Any]) -> Rendered:
    e = d["entity"]
    body = [
        f"{e['tin']}  {e['name_control']:<4}  NAME LINES:",
        f"  {e['name']}",
    ]
    if e["name2"]:
        body.append(f"  {e['name2']}")
    body += [
        f"  {e['street']}",
        f"  {e['city']} {e['state']} {e['zip']}",
        f"ENTITY DATA: FR-{e['filing_requirements']}  BIRTH-DT-{_day(e['birth_date'])}  "
        f"DEATH-DT-{_day(e['death_date'])}",
        "PRIOR ADDRESSES",
    ]
    body += [f"  {text[:60]}  TO {_day(until)}" for text, until in d["prior_addresses"]]
    body.append("PENDING ENTITY TRANSACTIONS")
    for p in d["pending"]:
        what = " ".join(f"{k.upper()}>{v}" for k, v in sorted(p["change"].items()))
        body.append(
            f"  {p['status']} {fmt.tc(p['tc'])} {_day(p['input_date'])} {fmt.dln(p['dln'])}  {what}"
        )
    body.append("HISTORY ITEMS")
    body += [f"  {_day(day)} {staff:010d} {text}" for day, staff, text in d["history"]]
    return Rendered(body)


# -- NAMES --------------------------------------------------------------------------------
def run_names(work: Work) -> Output:
    args = work.request.args
    if not args:
        raise InvalidInput("name", "NAME REQUIRED")
    surname = args[0]
    zip_code = args[1] if len(args) > 1 else None
    if zip_code is not None and not _ZIP.fullmatch(zip_code):
        raise InvalidInput("zip", "ZIP MUST BE 5 OR 9 DIGITS")
    business = work.request.code == "NAMEE"
    hits = search_names(work.conn, work.vault, surname, zip_code, business=business)
    data = {"hits": [[h.tin_masked, h.name, h.city, h.state] for h in hits]}
    return Output(data, rows=len(hits), categories=("search",))


def render_names(req: Request, d: Mapping[str, Any]) -> Rendered:
    body = ["TIN           NAME                                 CITY/STATE"]
    body += [f"{tin:<13} {name[:36]:<36} {city} {state}" for tin, name, city, state in d["hits"]]
    return Rendered(body, "" if d["hits"] else "NO DATA AVAILABLE FOR THIS NAME")


# -- ENREQ / INCHG ------------------------------------------------------------------------
def run_enreq(work: Work) -> Output:
    entity = the_entity(work)
    return Output({"entity": entity_data(entity)}, rows=1, categories=("entity", "address"))


def render_enreq(req: Request, d: Mapping[str, Any]) -> Rendered:
    e = d["entity"]
    fields = {
        "TC": "014",
        "NAME-LINE": e["name"].upper(),
        "STREET": e["street"].upper(),
        "CITY": e["city"].upper(),
        "ST": e["state"],
        "ZIP": e["zip"],
        "REMARKS": "",
    }
    body = [
        f"INCHG {req.tin}  {e['name_control']}",
        *(f"{k}>{v}" for k, v in fields.items()),
    ]
    return Rendered(body, "ENTER CHANGES AND TRANSMIT AS INCHG", {"CODE": "INCHG", **fields})


def _text_field(fields: Mapping[str, str], name: str, pattern: re.Pattern[str], rule: str) -> str:
    value = " ".join(fields.get(name, "").upper().split())
    if not pattern.fullmatch(value):
        raise InvalidInput(name, rule)
    return value


def run_inchg(work: Work) -> Output:
    entity = the_entity(work)
    f = work.request.fields
    tc_text = f.get("TC", "")
    if tc_text not in ("013", "13", "014", "14"):
        raise InvalidInput("TC", "TC MUST BE 013 (NAME) OR 014 (ADDRESS)")
    tc = int(tc_text)
    remarks = f.get("REMARKS", "").strip()
    if not remarks:
        raise InvalidInput("REMARKS", "REMARKS REQUIRED: SAY WHY THE ENTITY CHANGES")
    new_control = None
    if tc == 14:
        change: dict[str, str | None] = {
            "street": _text_field(
                f, "STREET", _ADDRESS_TEXT, "1-35 LETTERS, DIGITS OR # & ' . , -"
            ),
            "city": _text_field(f, "CITY", _NAME_TEXT, "2-35 LETTERS"),
            "state": _text_field(f, "ST", _STATE, "2-LETTER STATE CODE"),
            "zip": _text_field(f, "ZIP", _ZIP, "5 OR 9 DIGITS"),
        }
    else:
        name = _text_field(f, "NAME-LINE", _NAME_TEXT, "2-35 LETTERS, BLANKS OR & ' . , -")
        try:
            kind = "business" if entity.entity_kind != "individual" else "individual"
            new_control = name_control(name, kind)
        except IdrsError as exc:
            raise InvalidInput("NAME-LINE", f"NO NAME CONTROL: {exc.rule or exc.message}") from None
        # the surname feeds the name-search index when the cycle posts the change
        surname = name.split()[-1] if kind == "individual" else None
        change = {"name_line1": name, "surname": surname}
    change["remarks"] = remarks
    today = work.today
    tax_class = 3 if entity.tin_kind == "EIN" else 2
    dln = allocate_dln(work.conn, today, DOC_CODE_ENTITY, tax_class)
    add_entity_change(
        work.conn, work.vault, taxpayer_id=entity.id, tc=tc, dln=dln, change=change,
        name_control=new_control, day=today, created_by=work.staff_id,
        created_at=work.clock.now(),
    )  # fmt: skip
    data = {"tc": tc, "dln": dln, "name_control": new_control, "input_date": today.isoformat()}
    return Output(data, rows=1, categories=("entity", "address"))


def render_inchg(req: Request, d: Mapping[str, Any]) -> Rendered:
    nc = f"  NM-CTRL>{d['name_control']}" if d["name_control"] else ""
    return Rendered(
        [f"PN {fmt.tc(d['tc'])} {fmt.dln(d['dln'])}{nc}"],
        f"REQUEST COMPLETED - PN {fmt.tc(d['tc'])}  {fmt.dln(d['dln'])}",
    )


register(Spec("INOLE", "tin", run_inole, render_inole, "ST", "national entity profile"))
register(Spec("NAMEE", "search", run_names, render_names, summary="name search (BMF)"))
register(Spec("ENMOD", "tin", run_enmod, render_enmod, summary="entity with history"))
register(Spec("NAMES", "search", run_names, render_names, summary="name search (IMF)"))
register(Spec("ENREQ", "tin", run_enreq, render_enreq, summary="entity change request"))
register(Spec("INCHG", "tin", run_inchg, render_inchg, summary="name or address change"))
