"""UPTIN: the unpostables of a TIN, as the posting cycle recorded them (IRM 3.12.179 for the
unpostable program; the codes are ours, see ``idrs.posting.codes``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from idrs.commands import fmt
from idrs.commands._common import entity_data, the_entity
from idrs.commands.registry import Rendered, Request, Spec, Work, register
from idrs.gate import Output
from idrs.store.posting.readers import unpostables_for
from idrs.store.taxpayers import modules_of


def run_uptin(work: Work) -> Output:
    entity = the_entity(work)
    keys = {m.id: (m.mft, m.tax_period) for m in modules_of(work.conn, entity.id)}
    items = [
        {
            "mft": keys.get(u.module_id, (None, None))[0] if u.module_id else None,
            "period": keys.get(u.module_id, (None, None))[1] if u.module_id else None,
            "tc": u.tc,
            "amount_cents": u.amount_cents,
            "dln": u.dln,
            "code": u.code,
            "reason": u.reason,
            "cycle": u.cycle,
            "input_date": u.input_date.isoformat(),
        }
        for u in unpostables_for(work.conn, entity.id)
    ]
    return Output({"entity": entity_data(entity), "unpostables": items}, rows=1 + len(items))


def render_uptin(req: Request, d: Mapping[str, Any]) -> Rendered:
    e = d["entity"]
    body = [
        f"{e['tin']}  {e['name_control']:<4}  {e['name']}",
        "MFT PERIOD  TC         AMOUNT  CYCLE     DLN                UP-CD INPUT-DT",
    ]
    for u in d["unpostables"]:
        key = (
            f"{fmt.mft(u['mft'])}  {fmt.period(u['period'])}" if u["mft"] is not None else " " * 10
        )
        shown = fmt.tc_amount(u["tc"], u["amount_cents"], 15)
        body.append(
            f"{key}  {fmt.tc(u['tc'])}{shown}  {u['cycle']:8d}"
            f"  {fmt.dln(u['dln']):<18} {u['code']:>5} {fmt.iso_day(u['input_date'])}"
        )
        body.append(f"      {u['reason'][:72]}")
    return Rendered(body, "" if d["unpostables"] else "NO UNPOSTABLES FOR THIS TIN")


register(Spec("UPTIN", "tin", run_uptin, render_uptin, summary="unpostables of a TIN"))
