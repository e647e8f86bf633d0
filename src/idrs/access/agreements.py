"""Written agreements for details: terms (default 120 days, renewable), members,
acknowledgements, and the detail grants that never outlive or leave their agreement."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Connection

from idrs.access._service import ServiceBase
from idrs.access.errors import GovernanceError
from idrs.audit.events import Tag
from idrs.store import governance as rows
from idrs.store.access_facts import day_start

DETAIL_DEFAULT_DAYS = 120


class Agreements(ServiceBase):
    # -- agreements and details -----------------------------------------------------------
    def create_agreement(
        self,
        by: int,
        *,
        name: str,
        parties: str,
        legal_authority: str,
        purpose: str,
        starts_on: date,
        commands: list[str],
        categories: list[str],
        members: list[int],
        taxpayer_tins: list[str] = (),  # type: ignore[assignment]
        case_types: list[str] = (),  # type: ignore[assignment]
        days: int = DETAIL_DEFAULT_DAYS,
    ) -> int:
        def work(conn: Connection) -> int:
            self._require_role(conn, by, "manager", "created by")
            fields = {"name": name, "parties": parties, "legal_authority": legal_authority}
            for fld, value in {**fields, "purpose": purpose}.items():
                if not value or not value.strip():
                    raise GovernanceError(fld, "must be filled in")
            if not 1 <= days <= 366:
                raise GovernanceError("days", "an agreement's term is 1 to 366 days")
            if not commands or not categories:
                raise GovernanceError("commands", "name the permitted command codes and categories")
            if not taxpayer_tins and not case_types:
                raise GovernanceError("scope", "name the taxpayers or case types in scope")
            ids = [self._taxpayer(conn, t) for t in taxpayer_tins]
            agreement_id = rows.insert_agreement(
                conn,
                taxpayer_ids=ids,
                member_ids=list(members),
                name=name.strip(),
                parties=parties.strip(),
                legal_authority=legal_authority.strip(),
                purpose=purpose.strip(),
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=days - 1),
                commands=" ".join(sorted({c.upper() for c in commands})),
                categories=" ".join(sorted(set(categories))),
                case_types=" ".join(sorted({c.upper() for c in case_types})),
                created_by=by,
                created_at=self.clock.now(),
            )
            self._audit(
                conn, Tag.ACCESS_AGREEMENT_CREATE, by, None, None,
                {"agreement_id": agreement_id, "days": days, "members": len(set(members))},
            )  # fmt: skip
            return agreement_id

        return self._attempt(by, Tag.ACCESS_AGREEMENT_CREATE, work)

    def renew_agreement(self, by: int, agreement_id: int, days: int = DETAIL_DEFAULT_DAYS) -> date:
        def work(conn: Connection) -> date:
            self._require_role(conn, by, "manager", "renewed by")
            last = rows.agreement_last_day(conn, agreement_id)
            if last is None:
                raise GovernanceError("agreement", f"agreement {agreement_id} is not on file")
            if not 1 <= days <= 366:
                raise GovernanceError("days", "a renewal is 1 to 366 days")
            today = self.clock.today()
            base = max(last, today - timedelta(days=1))
            new_last = base + timedelta(days=days)
            rows.insert_renewal(
                conn, agreement_id=agreement_id, ends_on=new_last, renewed_by=by,
                renewed_at=self.clock.now(),
            )  # fmt: skip
            self._audit(
                conn, Tag.ACCESS_AGREEMENT_RENEW, by, None, None,
                {"agreement_id": agreement_id, "ends_on": new_last.isoformat()},
            )  # fmt: skip
            return new_last

        return self._attempt(by, Tag.ACCESS_AGREEMENT_RENEW, work)

    def acknowledge(self, staff_id: int, kind: str, agreement_id: int | None = None) -> None:
        def work(conn: Connection) -> None:
            if kind not in ("confidentiality", "6103n", "agreement"):
                raise GovernanceError("kind", "confidentiality, 6103n or agreement")
            member = agreement_id is not None and rows.is_agreement_member(
                conn, agreement_id, staff_id
            )
            if kind == "agreement" and not member:
                raise GovernanceError("agreement", "the signer is not named in that agreement")
            rows.insert_acknowledgement(
                conn, staff_id=staff_id, kind=kind, agreement_id=agreement_id,
                signed_at=self.clock.now(),
            )  # fmt: skip
            self._audit(
                conn, Tag.ACCESS_ACKNOWLEDGEMENT_SIGN, staff_id, None, None,
                {"kind": kind, "agreement_id": agreement_id},
            )  # fmt: skip

        self._attempt(staff_id, Tag.ACCESS_ACKNOWLEDGEMENT_SIGN, work)

    def grant_detail(
        self, by: int, detailee_id: int, tin: str, agreement_id: int, days: int | None = None
    ) -> int:
        """A detailee's grant on one taxpayer, never outliving or leaving its agreement."""

        def work(conn: Connection) -> int:
            self._require_role(conn, by, "manager", "granted by")
            self._not_self(by, detailee_id)
            self._may_hold_grants(conn, detailee_id)
            last = rows.agreement_last_day(conn, agreement_id)
            agreement = rows.agreement_row(conn, agreement_id)
            if last is None or agreement is None:
                raise GovernanceError("agreement", f"agreement {agreement_id} is not on file")
            if not rows.is_agreement_member(conn, agreement_id, detailee_id):
                raise GovernanceError("detailee", "not named in the agreement")
            taxpayer_id = self._taxpayer(conn, tin)
            self._no_conflict(conn, detailee_id, taxpayer_id)
            today = self.clock.today()
            start_day = max(today, agreement.starts_on)
            if start_day > last:
                raise GovernanceError("agreement", f"agreement {agreement_id} has ended")
            end_day = last if days is None else min(last, start_day + timedelta(days=days - 1))
            if days is not None and days < 1:
                raise GovernanceError("days", "a detail grant lasts at least one day")
            zone = self.clock.zone
            now = self.clock.now()
            grant_id = rows.insert_grant(
                conn,
                kind="detail",
                holder_id=detailee_id,
                taxpayer_id=taxpayer_id,
                starts_at=max(now, day_start(start_day, zone)),
                ends_at=day_start(end_day + timedelta(days=1), zone),
                granted_by=by,
                reason=f"detail under agreement {agreement_id}",
                agreement_id=agreement_id,
                created_at=now,
            )
            self._audit(
                conn, Tag.ACCESS_GRANT_CREATE, by, taxpayer_id, grant_id,
                {"kind": "detail", "agreement_id": agreement_id, "holder": f"staff:{detailee_id}"},
            )  # fmt: skip
            return grant_id

        return self._attempt(by, Tag.ACCESS_GRANT_CREATE, work)
