"""Granting and ending access: cases, contacts, details under agreements, break-glass, service.

Every change is checked here, written and audited in one transaction; a refused change writes
nothing but its own audit entry (outcome ``error``, the field and rule in the detail). Terms are
whole days in the agency's time zone, inclusive of the last day; contact and break-glass grants
run in hours and minutes. Nobody grants anything to themselves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from idrs.access._service import check_justification
from idrs.access.agreements import Agreements
from idrs.access.errors import GovernanceError
from idrs.audit.events import Tag
from idrs.store import governance as rows

CASE_CAP = timedelta(days=365)
CONTACT_MAX = timedelta(hours=4)
BREAK_GLASS_MAX = timedelta(hours=1)
DETAIL_DEFAULT_DAYS = 120


class Governance(Agreements):
    """Every way access is granted and ended; see the module docstring."""

    # -- cases --------------------------------------------------------------------------
    def assign_case(
        self,
        manager_id: int,
        assignee_id: int,
        tin: str,
        category: str,
        *,
        mft: int | None = None,
        tax_period: int | None = None,
    ) -> tuple[int, int]:
        """Open a case (control base) and the case grant it carries. Returns (case, grant)."""

        def work(conn: Connection) -> tuple[int, int]:
            taxpayer_id = self._taxpayer(conn, tin)
            module_id = self._module(conn, taxpayer_id, mft, tax_period)
            return self.assign_case_in(
                conn, manager_id, assignee_id, taxpayer_id, module_id, category
            )

        return self._attempt(manager_id, Tag.ACCESS_CASE_ASSIGN, work)

    def assign_case_in(
        self,
        conn: Connection,
        manager_id: int,
        assignee_id: int,
        taxpayer_id: int,
        module_id: int | None,
        category: str,
    ) -> tuple[int, int]:
        """:meth:`assign_case` inside the caller's transaction (ACTON runs it in the gate's)."""
        self._require_role(conn, manager_id, "manager", "manager")
        self._not_self(manager_id, assignee_id)
        self._may_hold_grants(conn, assignee_id)
        self._no_conflict(conn, assignee_id, taxpayer_id)
        if not category or not category.isalnum() or len(category) > 16:
            raise GovernanceError("category", "a case category of up to 16 letters/digits")
        now = self.clock.now()
        case_id = rows.insert_case(
            conn,
            taxpayer_id=taxpayer_id,
            module_id=module_id,
            category=category.upper(),
            assignee_id=assignee_id,
            opened_by=manager_id,
            opened_at=now,
        )
        grant_id = rows.insert_grant(
            conn,
            kind="case",
            holder_id=assignee_id,
            taxpayer_id=taxpayer_id,
            module_id=None,
            starts_at=now,
            ends_at=now + CASE_CAP,
            granted_by=manager_id,
            reason=f"case {case_id} ({category.upper()})",
            case_id=case_id,
            case_type=category.upper(),
            created_at=now,
        )
        self._audit(
            conn, Tag.ACCESS_CASE_ASSIGN, manager_id, taxpayer_id, grant_id,
            {"case_id": case_id, "assignee": f"staff:{assignee_id}", "kind": "case"},
        )  # fmt: skip
        return case_id, grant_id

    def close_case(self, by: int, case_id: int) -> None:
        self._attempt(by, Tag.ACCESS_CASE_CLOSE, lambda conn: self.close_case_in(conn, by, case_id))

    def close_case_in(self, conn: Connection, by: int, case_id: int) -> None:
        """Close a case and end its grants, inside the caller's transaction."""
        case = rows.case_row(conn, case_id)
        if case is None or case.closed_at is not None:
            raise GovernanceError("case", f"case {case_id} is not open")
        if by not in (case.assignee_id, case.opened_by):
            self._require_role(conn, by, "manager", "closed by")
        now = self.clock.now()
        rows.close_case_row(conn, case_id, now)
        ids = rows.live_grant_ids(conn, now, case_id=case_id)
        rows.revoke_grants(conn, ids, at=now, by=by, reason=f"case {case_id} closed")
        self._audit(
            conn, Tag.ACCESS_CASE_CLOSE, by, case.taxpayer_id, None,
            {"case_id": case_id, "revoked": len(ids)},
        )  # fmt: skip

    # -- contacts -----------------------------------------------------------------------
    def open_contact(
        self,
        assistor_id: int,
        tin: str,
        authentication: str,
        *,
        caller: str = "taxpayer",
        hours: float = 2,
    ) -> int:
        """A contact the taxpayer (or their authorised representative) initiated."""

        def work(conn: Connection) -> int:
            self._may_hold_grants(conn, assistor_id)
            taxpayer_id = self._taxpayer(conn, tin)
            if caller not in ("taxpayer", "representative"):
                raise GovernanceError("caller", "must be taxpayer or representative")
            if caller == "representative" and not rows_has_authorization(conn, taxpayer_id):
                raise GovernanceError(
                    "caller", "no Form 2848 or 8821 on file for this taxpayer's representative"
                )
            method = (authentication or "").strip()
            if len(method) < 8:
                raise GovernanceError(
                    "authentication", "record how the caller was authenticated (a few words)"
                )
            term = timedelta(hours=hours)
            if term <= timedelta(0) or term > CONTACT_MAX:
                raise GovernanceError(
                    "hours", "a contact grant lasts more than 0 and at most 4 hours"
                )
            now = self.clock.now()
            grant_id = rows.insert_grant(
                conn,
                kind="contact",
                holder_id=assistor_id,
                taxpayer_id=taxpayer_id,
                starts_at=now,
                ends_at=now + term,
                granted_by=None,  # the system, on a recorded authentication
                reason=f"{caller}-initiated contact",
                contact_authentication=method[:64],
                created_at=now,
            )
            self._audit(
                conn, Tag.ACCESS_GRANT_CREATE, assistor_id, taxpayer_id, grant_id,
                {"kind": "contact", "caller": caller},
            )  # fmt: skip
            return grant_id

        return self._attempt(assistor_id, Tag.ACCESS_GRANT_CREATE, work)

    # -- break-glass --------------------------------------------------------------------
    def break_glass(self, user_id: int, tin: str, justification: str, minutes: int = 60) -> int:
        def work(conn: Connection) -> int:
            self._may_hold_grants(conn, user_id)
            text = check_justification(justification)
            if not 0 < minutes <= 60:
                raise GovernanceError(
                    "minutes", "break-glass lasts more than 0 and at most 60 minutes"
                )
            taxpayer_id = self._taxpayer(conn, tin)
            now = self.clock.now()
            grant_id = rows.insert_grant(
                conn,
                kind="break_glass",
                holder_id=user_id,
                taxpayer_id=taxpayer_id,
                starts_at=now,
                ends_at=now + timedelta(minutes=minutes),
                granted_by=None,
                reason=text,
                created_at=now,
            )
            index = self._audit(
                conn, Tag.ACCESS_BREAKGLASS_INVOKE, user_id, taxpayer_id, grant_id,
                {"minutes": minutes}, sealed={"justification": text},
            )  # fmt: skip
            rows.insert_alert(
                conn,
                kind="break_glass",
                staff_id=user_id,
                taxpayer_id=taxpayer_id,
                grant_id=grant_id,
                audit_index=index,
                summary=f"break-glass for {minutes} min: {text[:200]}",
                created_at=now,
                open=True,
            )
            return grant_id

        return self._attempt(user_id, Tag.ACCESS_BREAKGLASS_INVOKE, work)

    # -- service grants -----------------------------------------------------------------
    def grant_service(self, by: int, service_id: int, job: str, days: int = 90) -> int:
        def work(conn: Connection) -> int:
            self._require_role(conn, by, "security_officer", "granted by")
            row = rows.staff_row(conn, service_id)
            if row is None or row.employment_type != "service":
                raise GovernanceError("service", "service grants go to service principals only")
            if not job or not re.fullmatch(r"[a-z][a-z0-9_-]{1,31}", job):
                raise GovernanceError("job", "a job name of lower-case letters, digits, - or _")
            now = self.clock.now()
            grant_id = rows.insert_grant(
                conn, kind="service", holder_id=service_id, taxpayer_id=None,
                starts_at=now, ends_at=now + timedelta(days=days), granted_by=by,
                reason=f"standing grant for job {job}", job=job, recertified_at=now,
                created_at=now,
            )  # fmt: skip
            self._audit(
                conn, Tag.ACCESS_GRANT_CREATE, by, None, grant_id,
                {"kind": "service", "job": job, "holder": f"staff:{service_id}"},
            )  # fmt: skip
            return grant_id

        return self._attempt(by, Tag.ACCESS_GRANT_CREATE, work)

    # -- approvals, revocation, separation --------------------------------------------------
    def approve_second_level(self, approver_id: int, grant_id: int) -> None:
        """Employees' and high-profile accounts need the holder's second-level manager."""

        def work(conn: Connection) -> None:
            grant = rows.grant_row(conn, grant_id)
            if grant is None:
                raise GovernanceError("grant", f"grant {grant_id} is not on file")
            holder = rows.staff_row(conn, grant.holder_id)
            first = None if holder is None else rows.staff_row(conn, holder.manager_id or -1)
            if first is None or first.manager_id != approver_id:
                raise GovernanceError(
                    "approver", "only the holder's second-level manager may approve"
                )
            rows.approve_grant(conn, grant_id, approver_id)
            self._audit(conn, Tag.ACCESS_APPROVAL_APPROVE, approver_id, grant.taxpayer_id,
                        grant_id, {"approval": "second_level"})  # fmt: skip

        self._attempt(approver_id, Tag.ACCESS_APPROVAL_APPROVE, work)

    def revoke(self, by: int, grant_id: int, reason: str) -> None:
        def work(conn: Connection) -> None:
            grant = rows.grant_row(conn, grant_id)
            if grant is None or grant.revoked_at is not None:
                raise GovernanceError("grant", f"grant {grant_id} is not a live grant")
            if by != grant.granted_by:
                self._require_any_role(conn, by, {"manager", "security_officer"}, "revoked by")
            if not reason or not reason.strip():
                raise GovernanceError("reason", "say why the grant is revoked")
            now = self.clock.now()
            rows.revoke_grants(conn, [grant_id], at=now, by=by, reason=reason.strip())
            self._audit(conn, Tag.ACCESS_GRANT_REVOKE, by, grant.taxpayer_id, grant_id,
                        {"count": 1}, sealed={"reason": reason.strip()})  # fmt: skip

        self._attempt(by, Tag.ACCESS_GRANT_REVOKE, work)

    def revoke_bulk(
        self, by: int, reason: str, *, holder_id: int | None = None, kind: str | None = None
    ) -> int:
        def work(conn: Connection) -> int:
            self._require_any_role(conn, by, {"manager", "security_officer"}, "revoked by")
            if holder_id is None and kind is None:
                raise GovernanceError("filter", "name a holder or a grant kind to revoke")
            now = self.clock.now()
            ids = rows.live_grant_ids(conn, now, holder_id=holder_id, kind=kind)
            rows.revoke_grants(conn, ids, at=now, by=by, reason=reason)
            self._audit(conn, Tag.ACCESS_GRANT_REVOKE, by, None, None,
                        {"count": len(ids), "kind": kind}, sealed={"reason": reason})  # fmt: skip
            return len(ids)

        return self._attempt(by, Tag.ACCESS_GRANT_REVOKE, work)

    def separate(self, by: int, staff_id: int) -> int:
        """Revoke every grant at once and return open cases to the person's manager."""

        def work(conn: Connection) -> int:
            self._require_role(conn, by, "security_officer", "separated by")
            self._not_self(by, staff_id)
            person = rows.staff_row(conn, staff_id)
            if person is None or person.status == "separated":
                raise GovernanceError("staff", "not an active or suspended staff member")
            now = self.clock.now()
            rows.set_staff_status(conn, staff_id, "separated", now)
            ids = rows.live_grant_ids(conn, now, holder_id=staff_id)
            rows.revoke_grants(conn, ids, at=now, by=by, reason="separation")
            moved = 0
            for case in rows.open_cases_of(conn, staff_id):
                if person.manager_id is not None:
                    rows.reassign_case(conn, case.id, person.manager_id)
                    moved += 1
            detail = {"staff": f"staff:{staff_id}", "revoked": len(ids), "cases": moved}
            self._audit(conn, Tag.ACCESS_STAFF_SEPARATE, by, None, None, detail)
            return len(ids)

        return self._attempt(by, Tag.ACCESS_STAFF_SEPARATE, work)

    def suspend(self, by: int, staff_id: int) -> None:
        def work(conn: Connection) -> None:
            self._require_role(conn, by, "security_officer", "suspended by")
            self._not_self(by, staff_id)
            if rows.staff_row(conn, staff_id) is None:
                raise GovernanceError("staff", "not on file")
            rows.set_staff_status(conn, staff_id, "suspended", self.clock.now())
            self._audit(conn, Tag.ACCESS_STAFF_SUSPEND, by, None, None,
                        {"staff": f"staff:{staff_id}"})  # fmt: skip

        self._attempt(by, Tag.ACCESS_STAFF_SUSPEND, work)


def rows_has_authorization(conn: Connection, taxpayer_id: int) -> bool:
    from idrs.store.taxpayer_facts import has_authorization

    return has_authorization(conn, taxpayer_id)


def active_at(grant_row: Any, now: datetime) -> bool:
    return grant_row.revoked_at is None and grant_row.starts_at <= now < grant_row.ends_at
