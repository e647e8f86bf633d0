"""Questions oversight asks: who can open this account now, what could this user open, why was
this request refused; and the queue of alerts (break-glass) awaiting review.

Only security officers and oversight reviewers may ask; each question is itself an audit entry
in the same transaction as the read that answers it, and a refused question is audited too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from idrs.access._service import ServiceBase
from idrs.access.catalogue import command
from idrs.access.decide import decide
from idrs.access.errors import GovernanceError
from idrs.access.slice import build_slice
from idrs.audit.events import Tag, decode_leaf, unseal
from idrs.audit.tables import audit_entries, audit_sealed
from idrs.store import governance as rows
from idrs.store.access_facts import principal_facts
from idrs.store.crypto import Vault
from idrs.store.taxpayer_facts import masked_tin

OVERSIGHT_ROLES = {"security_officer", "oversight_reviewer"}


@dataclass(frozen=True)
class Holder:
    username: str
    grant_id: int
    kind: str
    ends: datetime
    opens_now: bool
    why: str


@dataclass(frozen=True)
class Explanation:
    reference: int
    tag: str
    decision: str | None
    command: str | None
    at_micros: int
    grant_id: str | None
    reasons: list[tuple[str, str]]


@dataclass(frozen=True)
class Alert:
    id: int
    kind: str
    username: str
    grant_id: int | None
    audit_index: int | None
    summary: str
    created_at: datetime


class Oversight(ServiceBase):
    def who_can(self, asker: int, tin: str, code: str = "TXMOD") -> tuple[str, list[Holder]]:
        """Every live grant on the account, and whether it would open it right now."""
        cmd = command(code)

        def work(conn: Connection) -> tuple[str, list[Holder]]:
            self._require_any_role(conn, asker, OVERSIGHT_ROLES, "asked by")
            taxpayer_id = self._taxpayer(conn, tin)
            now = self.clock.now()
            out = []
            for g in rows.live_grants_on(conn, taxpayer_id, now):
                principal = principal_facts(conn, g.holder_id)
                decision = decide(
                    build_slice(conn, principal, cmd, taxpayer_id, None, now, self.clock.zone)
                )
                why = "; ".join(r.text for r in decision.reasons)
                out.append(Holder(g.username, g.id, g.kind, g.ends_at, decision.permitted, why))
            detail = {"question": "who-can", "command": cmd.code, "answers": len(out)}
            self._audit(conn, Tag.OVERSIGHT_ACCESS_QUERY, asker, taxpayer_id, None, detail)
            return masked_tin(conn, Vault(self.keyring), taxpayer_id), out

        return self._attempt(asker, Tag.OVERSIGHT_ACCESS_QUERY, work)

    def what_can(self, asker: int, username: str) -> list[tuple[int, str, str, datetime]]:
        """The user's live grants: (grant id, kind, masked TIN or job, ends)."""

        def work(conn: Connection) -> list[tuple[int, str, str, datetime]]:
            self._require_any_role(conn, asker, OVERSIGHT_ROLES, "asked by")
            staff_id = rows.staff_id_for_username(conn, username)
            if staff_id is None:
                raise GovernanceError("username", "no such staff member")
            vault = Vault(self.keyring)
            out = []
            for g in rows.live_grants_of(conn, staff_id, self.clock.now()):
                what = (
                    f"job {g.job}" if g.taxpayer_id is None
                    else masked_tin(conn, vault, g.taxpayer_id)
                )  # fmt: skip
                out.append((g.id, g.kind, what, g.ends_at))
            self._audit(conn, Tag.OVERSIGHT_ACCESS_QUERY, asker, None, None,
                        {"question": "what-can", "about": f"staff:{staff_id}"})  # fmt: skip
            return out

        return self._attempt(asker, Tag.OVERSIGHT_ACCESS_QUERY, work)

    def explain(self, asker: int, reference: str) -> Explanation:
        """The full reasons behind one recorded decision (a refusal's reference number)."""

        def work(conn: Connection) -> Explanation:
            self._require_any_role(conn, asker, OVERSIGHT_ROLES, "asked by")
            if not reference.strip().isdigit():
                raise GovernanceError("reference", "a reference is the number a refusal showed")
            index = int(reference)
            row = conn.execute(
                select(audit_entries.c.leaf).where(audit_entries.c.idx == index)
            ).first()
            if row is None:
                raise GovernanceError("reference", "no audit entry has this reference")
            leaf = decode_leaf(row.leaf)
            blob = conn.execute(
                select(audit_sealed.c.blob).where(audit_sealed.c.idx == index)
            ).scalar_one_or_none()
            sealed = unseal(self.keyring, blob) if blob is not None else {}
            self._audit(conn, Tag.OVERSIGHT_ACCESS_EXPLAIN, asker, None, None,
                        {"reference": index})  # fmt: skip
            return Explanation(
                reference=index,
                tag=leaf["tag"],
                decision=leaf.get("decision"),
                command=leaf.get("command"),
                at_micros=leaf["at"],
                grant_id=leaf.get("grant_id"),
                reasons=[(str(p), str(t)) for p, t in sealed.get("reasons", [])],
            )

        return self._attempt(asker, Tag.OVERSIGHT_ACCESS_EXPLAIN, work)

    def alerts(self, asker: int) -> list[Alert]:
        def work(conn: Connection) -> list[Alert]:
            self._require_any_role(conn, asker, OVERSIGHT_ROLES, "asked by")
            found = [
                Alert(a.id, a.kind, a.username, a.grant_id, a.audit_index, a.summary, a.created_at)
                for a in rows.open_alerts(conn)
            ]
            self._audit(conn, Tag.OVERSIGHT_ACCESS_QUERY, asker, None, None,
                        {"question": "alerts", "answers": len(found)})  # fmt: skip
            return found

        return self._attempt(asker, Tag.OVERSIGHT_ACCESS_QUERY, work)

    def review(self, asker: int, alert_id: int, outcome: str) -> None:
        """Close an alert with a written outcome (the mandatory break-glass review)."""

        def work(conn: Connection) -> None:
            self._require_any_role(conn, asker, OVERSIGHT_ROLES, "reviewed by")
            if len((outcome or "").split()) < 3:
                raise GovernanceError("outcome", "write what the review found (a sentence)")
            if not rows.review_alert(conn, alert_id, asker, self.clock.now(), outcome.strip()):
                raise GovernanceError("alert", f"alert {alert_id} is not open")
            self._audit(conn, Tag.OVERSIGHT_ALERT_REVIEW, asker, None, None,
                        {"alert": alert_id}, sealed={"outcome": outcome.strip()})  # fmt: skip

        self._attempt(asker, Tag.OVERSIGHT_ALERT_REVIEW, work)

    def authorise(self, asker: int, question: str) -> None:
        """Let a security officer or oversight reviewer read the audit log itself; audited."""

        def work(conn: Connection) -> None:
            self._require_any_role(conn, asker, OVERSIGHT_ROLES, "asked by")
            self._audit(conn, Tag.OVERSIGHT_ACCESS_QUERY, asker, None, None,
                        {"question": f"audit {question}"})  # fmt: skip

        self._attempt(asker, Tag.OVERSIGHT_ACCESS_QUERY, work)
