"""Shared checks and auditing for the governance services.

Every change runs in one transaction through :meth:`ServiceBase._attempt`; a refused change
rolls back whole and leaves only its own audit entry (outcome ``error``, field and rule).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from idrs.access.errors import GovernanceError
from idrs.audit.events import Event, Outcome, Tag
from idrs.audit.log import append
from idrs.clock import Clock, micros
from idrs.domain.tin import parse_tin
from idrs.errors import IdrsError
from idrs.store import governance as rows
from idrs.store.access_facts import principal_facts
from idrs.store.keyring import Keyring
from idrs.store.lookup import module_id_for, taxpayer_id_for_tin

T = TypeVar("T")
NO_TAXPAYER_GRANTS = frozenset({"operator", "security_officer"})
_WORD = re.compile(r"[A-Za-z]{2,}")


def check_justification(text: str) -> str:
    """A real sentence: at least 8 words of letters, 5 of them different, 40 characters."""
    words = _WORD.findall(text or "")
    if len(text.strip()) < 40 or len(words) < 8 or len({w.lower() for w in words}) < 5:
        raise GovernanceError(
            "justification",
            "must be a written sentence of at least 8 words saying why this access is needed",
        )
    return text.strip()


@dataclass
class ServiceBase:
    engine: Engine
    keyring: Keyring
    clock: Clock

    # -- shared checks ------------------------------------------------------------------
    def _attempt(self, actor: int, tag: Tag, work: Callable[[Connection], T]) -> T:
        try:
            with self.engine.begin() as conn:
                return work(conn)
        except IdrsError as exc:
            with self.engine.begin() as conn:
                self._audit(
                    conn, tag, actor, None, None,
                    {"field": exc.field or "", "rule": exc.rule or exc.message},
                    outcome=Outcome.ERROR,
                )  # fmt: skip
            raise

    def _audit(
        self,
        conn: Connection,
        tag: Tag,
        actor: int,
        taxpayer_id: int | None,
        grant_id: int | None,
        detail: dict[str, Any],
        *,
        sealed: dict[str, Any] | None = None,
        outcome: Outcome = Outcome.OK,
    ) -> int:
        event = Event(
            tag=tag,
            at=micros(self.clock.now()),
            actor=f"staff:{actor}",
            taxpayer=None if taxpayer_id is None else f"taxpayer:{taxpayer_id}",
            grant_id=None if grant_id is None else str(grant_id),
            outcome=outcome,
            detail={k: v for k, v in detail.items() if v is not None},
            sealed=sealed,
        )
        return append(conn, event, keyring=self.keyring)

    def _taxpayer(self, conn: Connection, tin: str) -> int:
        parsed = parse_tin(tin)
        taxpayer_id = taxpayer_id_for_tin(conn, self.keyring, parsed.digits)
        if taxpayer_id is None:
            raise GovernanceError("tin", "no taxpayer with this TIN is on file")
        return taxpayer_id

    def _module(
        self, conn: Connection, taxpayer_id: int, mft: int | None, period: int | None
    ) -> int | None:
        if mft is None and period is None:
            return None
        if mft is None or period is None:
            raise GovernanceError("module", "give both MFT and tax period, or neither")
        module_id = module_id_for(conn, taxpayer_id, mft, period)
        if module_id is None:
            raise GovernanceError("module", "no such module for this taxpayer")
        return module_id

    def _require_role(self, conn: Connection, staff_id: int, role: str, field: str) -> None:
        self._require_any_role(conn, staff_id, {role}, field)

    def _require_any_role(
        self, conn: Connection, staff_id: int, roles: set[str], field: str
    ) -> None:
        row = rows.staff_row(conn, staff_id)
        if row is None or row.status != "active":
            raise GovernanceError(field, "not an active staff member")
        if not roles & rows.roles_of(conn, staff_id):
            raise GovernanceError(field, f"needs the {' or '.join(sorted(roles))} role")

    def _not_self(self, granter: int, holder: int) -> None:
        if granter == holder:
            raise GovernanceError("holder", "nobody grants anything to themselves")

    def _may_hold_grants(self, conn: Connection, staff_id: int) -> None:
        row = rows.staff_row(conn, staff_id)
        if row is None:
            raise GovernanceError("holder", "not a staff member on file")
        if row.status != "active":
            raise GovernanceError("holder", f"is {row.status}")
        if row.employment_type == "service":
            raise GovernanceError("holder", "service principals hold only service grants")
        if NO_TAXPAYER_GRANTS & rows.roles_of(conn, staff_id):
            raise GovernanceError(
                "holder", "operators and security officers never hold taxpayer grants"
            )

    def _no_conflict(self, conn: Connection, staff_id: int, taxpayer_id: int) -> None:
        p = principal_facts(conn, staff_id)
        if taxpayer_id == p.own_taxpayer_id:
            raise GovernanceError("assignee", "has a conflict with this taxpayer (own account)")
        for ids, what in ((p.spouse_ids, "spouse or former spouse"),
                          (p.household_ids, "same household"),
                          (p.covered_ids, "declared covered relationship")):  # fmt: skip
            if taxpayer_id in ids:
                raise GovernanceError("assignee", f"has a conflict with this taxpayer ({what})")
