"""ACTON: display, open, update and close control bases, and enter history items.

A control base is the access model's *case*: opening one assigns it to an employee and gives
them the case grant (``Governance.assign_case_in``: only a manager, never to themselves, never
to someone with a conflict), all inside the gate's transaction. Closing it (STATUS>C) ends the
case grants at once. Layout: screens.md §12 [reconstructed]. Forms of the line:

* ``ACTON tin [mft period]`` shows the control bases and history items;
* ``... HIST>text`` adds a history item (a dated note, encrypted, append-only);
* ``... CATEGORY>XRET ASSIGN-TO>username [ACTIVITY>text] [RCVD-DT>MMDDYYYY]`` opens one;
* ``... CTRL>n STATUS>A|B|M|S|C [ACTIVITY>text]`` updates or closes control base n.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from idrs.access.governance import Governance
from idrs.commands import fmt
from idrs.commands._common import entity_data, iso, the_entity
from idrs.commands.registry import Rendered, Request, Spec, Work, register
from idrs.errors import InvalidInput
from idrs.gate import Output
from idrs.store.accounts import controls_of, history_of
from idrs.store.governance import staff_id_for_username
from idrs.store.work import add_history_item, set_control_fields, update_control

STATUSES = ("A", "B", "M", "S", "C")


def _activity(fields: Mapping[str, str]) -> str | None:
    text = fields.get("ACTIVITY")
    if text is None:
        return None
    text = text.strip().upper()
    if not 1 <= len(text) <= 10 or not text.replace("-", "").isalnum():
        raise InvalidInput("ACTIVITY", "1-10 LETTERS OR DIGITS")
    return text


def run_acton(work: Work) -> Output:
    entity = the_entity(work)
    f = work.request.fields
    module_id = work.resolved.module_id
    done = ""
    rows = 0
    if "HIST" in f:
        text = " ".join(f["HIST"].split())
        if not 3 <= len(text) <= 60:
            raise InvalidInput("HIST", "A HISTORY ITEM IS 3-60 CHARACTERS")
        add_history_item(
            work.conn, work.vault, taxpayer_id=entity.id, module_id=module_id,
            staff_id=work.staff_id, day=work.today, text=text.upper(), created_at=work.clock.now(),
        )  # fmt: skip
        done, rows = "HISTORY ITEM ADDED", 1
    elif "CATEGORY" in f:
        done, rows = _open(work, entity.id, module_id), 2
    elif "CTRL" in f:
        done, rows = _update(work, entity.id), 1
    elif f:
        raise InvalidInput("ACTON", "GIVE HIST>, CATEGORY> AND ASSIGN-TO>, OR CTRL> AND STATUS>")
    controls = controls_of(work.conn, entity.id)
    history = history_of(work.conn, work.vault, entity.id)
    data = {
        "entity": entity_data(entity),
        "done": done,
        "controls": [
            {
                "id": c.id,
                "status": c.status,
                "category": c.category,
                "activity": c.activity,
                "assignee": c.assignee_id,
                "received_on": iso(c.received_on),
                "opened": c.opened_at.date().isoformat(),
                "dln": c.control_dln,
            }
            for c in controls
        ],
        "history": [[iso(h.entered_on), h.staff_id, h.text] for h in history],
    }
    return Output(data, rows=rows + len(controls) + len(history), categories=("controls",))


def _open(work: Work, taxpayer_id: int, module_id: int | None) -> str:
    f = work.request.fields
    category = f["CATEGORY"].strip().upper()
    if not 1 <= len(category) <= 4 or not category.isalnum():
        raise InvalidInput("CATEGORY", "A CATEGORY CODE OF 1-4 LETTERS OR DIGITS (E.G. XRET)")
    username = f.get("ASSIGN-TO", "").strip().lower()
    assignee = staff_id_for_username(work.conn, username) if username else None
    if assignee is None:
        raise InvalidInput("ASSIGN-TO", "NOT AN EMPLOYEE ON FILE")
    received = fmt.parse_mmddyyyy("RCVD-DT", f["RCVD-DT"]) if f.get("RCVD-DT") else None
    if received is not None and received > work.today:
        raise InvalidInput("RCVD-DT", "MUST NOT BE IN THE FUTURE")
    gov = Governance(work.conn.engine, work.keyring, work.clock)
    case_id, _grant = gov.assign_case_in(
        work.conn, work.staff_id, assignee, taxpayer_id, module_id, category
    )
    set_control_fields(
        work.conn, case_id, activity=_activity(f), received_on=received, control_dln=None
    )
    return f"CONTROL BASE {case_id} OPENED"


def _update(work: Work, taxpayer_id: int) -> str:
    f = work.request.fields
    try:
        case_id = int(f["CTRL"])
    except ValueError:
        raise InvalidInput("CTRL", "A CONTROL BASE NUMBER") from None
    control = next((c for c in controls_of(work.conn, taxpayer_id) if c.id == case_id), None)
    if control is None or control.status == "C":
        raise InvalidInput("CTRL", "NO OPEN CONTROL BASE WITH THAT NUMBER ON THIS ACCOUNT")
    status = f.get("STATUS", "").strip().upper() or None
    if status is not None and status not in STATUSES:
        raise InvalidInput("STATUS", "MUST BE A, B, M, S OR C")
    if status == "C":
        gov = Governance(work.conn.engine, work.keyring, work.clock)
        gov.close_case_in(work.conn, work.staff_id, case_id)
        update_control(work.conn, case_id, status=None, activity=_activity(f))
        return f"CONTROL BASE {case_id} CLOSED"
    if control.assignee_id != work.staff_id:
        raise InvalidInput("CTRL", "ONLY THE ASSIGNED EMPLOYEE UPDATES A CONTROL BASE")
    update_control(work.conn, case_id, status=status, activity=_activity(f))
    return f"CONTROL BASE {case_id} UPDATED"


def render_acton(req: Request, d: Mapping[str, Any]) -> Rendered:
    e = d["entity"]
    day = fmt.iso_day
    body = [
        f"{e['tin']}  {e['name_control']:<4}  {e['name']}",
        "CONTROL BASES",
        "NO     STATUS CAT   ACTIVITY    ASSIGNED-TO  RCVD-DT   CTRL-DATE",
    ]
    for c in d["controls"]:
        body.append(
            f"{c['id']:<6} {c['status']:<6} {c['category']:<5} {c['activity'] or '':<11} "
            f"{c['assignee']:010d}   {day(c['received_on']):<8}  {day(c['opened'])}"
        )
    body.append("HISTORY ITEMS")
    body += [f"{day(when)} {who:010d} {text}" for when, who, text in d["history"]]
    return Rendered(body, f"REQUEST COMPLETED - {d['done']}" if d["done"] else "")


register(Spec("ACTON", "tin+module?", run_acton, render_acton, summary="control bases"))
