"""Assemble one decision's slice from the store: the principal, the target, the few grants and
agreements that could apply. Shared by the gate and by oversight's "who can open this?"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from idrs.access.facts import Command, Principal, Slice
from idrs.store.access_facts import agreement_facts, grant_facts, target_facts


def build_slice(
    conn: Connection,
    principal: Principal,
    command: Command,
    taxpayer_id: int | None,
    module_id: int | None,
    now: datetime,
    zone: ZoneInfo,
    purpose: str = "",
) -> Slice:
    target = target_facts(conn, taxpayer_id, module_id)
    grants = grant_facts(conn, principal.id, target, now, any_taxpayer=command.name_search)
    agreements = agreement_facts(
        conn, {g.agreement_id for g in grants if g.agreement_id is not None}, target, zone
    )
    return Slice(principal, command, target, grants, agreements, now, purpose)
