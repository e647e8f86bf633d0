"""Staff administration by security officers: create accounts, reset and unlock credentials.

Why this shape (IRM 10.8.34 / IRM 2.12.2 roles: the Unit Security Representative adds users
and resets passwords, and must not manage their own profile):

* Only an active security officer acts, never on their own account, and every change and every
  refusal is an audit entry (one transaction per change, as in ``idrs.access``).
* A security officer account is created by two different security officers: one proposes, a
  second approves. The first one of all is bootstrapped once, by the operator at ``idrs init``,
  and the operator stands in as the second person only while fewer than two exist. An officer
  whose current credential the proposer issued (a reset) cannot approve: the proposer could
  be signed on as them.
* An issued credential (new account or reset) is a random one-time password and a fresh TOTP
  secret, returned once to the caller to hand over; the password must be changed at first
  sign-on. Nothing of either is logged: the audit entry names the staff member only.
* The Argon2 hash is computed before the transaction opens, so the audit log's writer lock is
  never held for the length of a hash.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Connection

from idrs.access._service import ServiceBase
from idrs.access.errors import GovernanceError
from idrs.audit.events import Event, Outcome, Tag
from idrs.audit.log import append, lock_log
from idrs.auth.passwords import (
    AuthSettings,
    hash_password,
    new_totp_secret,
    one_time_password,
    provisioning_uri,
)
from idrs.auth.sessions import end_sessions_of
from idrs.auth.tables import TOTP_PURPOSE, staff_credentials, staff_proposals
from idrs.clock import Clock, micros
from idrs.errors import IdrsError
from idrs.store import governance as rows
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.tables.staff import ROLES, staff, staff_roles, units

SO = "security_officer"
EMPLOYMENT_TYPES = ("employee", "contractor", "detailee")
_USERNAME = re.compile(r"[a-z][a-z0-9-]{1,31}")
_EMPLOYEE_NUMBER = re.compile(r"\d{10}")


@dataclass(frozen=True)
class StaffSpec:
    """A new staff member as a security officer describes them (unit by code, manager by name)."""

    username: str
    employee_number: str
    employment_type: str
    unit: str
    roles: tuple[str, ...]
    manager: str | None = None
    own_tin: str | None = None  # their own taxpayer record, if they have one on file


@dataclass(frozen=True)
class IssuedCredential:
    """Shown once to the security officer, who hands it over; never stored in clear."""

    staff_id: int
    username: str
    password: str = field(repr=False)
    totp_secret: str = field(repr=False)

    @property
    def provisioning_uri(self) -> str:
        return provisioning_uri(self.totp_secret, self.username)


@dataclass(frozen=True)
class _New:
    username: str
    employee_number: str
    employment_type: str
    unit_id: int
    manager_id: int | None
    taxpayer_id: int | None
    roles: tuple[str, ...]


@dataclass
class StaffAdmin(ServiceBase):
    settings: AuthSettings = field(default_factory=AuthSettings)

    def create_staff(self, by: int, spec: StaffSpec) -> IssuedCredential:
        """Create an account (not a security officer: see :meth:`propose_staff`)."""
        issue = self._prepare(spec.username)

        def work(conn: Connection) -> IssuedCredential:
            self._require_role(conn, by, SO, "created by")
            if SO in spec.roles:
                raise GovernanceError(
                    "roles", "a security officer needs two: propose_staff, then a second approves"
                )
            return self._create(conn, by, self._resolve(conn, by, spec), issue)

        return self._attempt(by, Tag.ACCESS_STAFF_CREATE, work)

    def propose_staff(self, by: int, spec: StaffSpec) -> int:
        """Record a pending account that a second security officer must approve; its id."""

        def work(conn: Connection) -> int:
            self._require_role(conn, by, SO, "proposed by")
            new = self._resolve(conn, by, spec)
            proposal_id = int(
                conn.execute(
                    insert(staff_proposals)
                    .values(
                        username=new.username, employee_number=new.employee_number,
                        employment_type=new.employment_type, unit_id=new.unit_id,
                        manager_id=new.manager_id, taxpayer_id=new.taxpayer_id,
                        roles=",".join(new.roles), proposed_by=by, proposed_at=self.clock.now(),
                        status="pending",
                    )
                    .returning(staff_proposals.c.id)
                ).scalar_one()
            )  # fmt: skip
            self._audit(conn, Tag.ACCESS_STAFF_PROPOSE, by, new.taxpayer_id, None,
                        {"proposal": proposal_id, "roles": list(new.roles)},
                        sealed=_who(new))  # fmt: skip
            return proposal_id

        return self._attempt(by, Tag.ACCESS_STAFF_PROPOSE, work)

    def approve_proposal(self, by: int, proposal_id: int) -> IssuedCredential:
        """A second security officer approves: the account is created and a credential issued."""
        issue = self._prepare(self._proposed_username(proposal_id))

        def work(conn: Connection) -> IssuedCredential:
            self._require_role(conn, by, SO, "approved by")
            return self._approve(conn, by, proposal_id, issue)

        return self._attempt(by, Tag.ACCESS_STAFF_APPROVE, work)

    def approve_as_operator(self, proposal_id: int) -> IssuedCredential:
        """The operator stands in as second person while fewer than two security officers exist.

        Without this the first security officer (bootstrapped alone) could never be joined by a
        second one; the operator who bootstrapped is the other person, and only until then.
        """
        issue = self._prepare(self._proposed_username(proposal_id))

        def work(conn: Connection) -> IssuedCredential:
            if len(_security_officers(conn)) >= 2:
                raise GovernanceError(
                    "approved by", "two security officers exist: one of them must approve"
                )
            return self._approve(conn, None, proposal_id, issue)

        return _operator_attempt(
            self.engine, self.keyring, self.clock, work, Tag.ACCESS_STAFF_APPROVE
        )

    def _approve(
        self, conn: Connection, by: int | None, proposal_id: int, issue: tuple[str, str, str]
    ) -> IssuedCredential:
        p = _proposal(conn, proposal_id)
        if p is None or p.status != "pending":
            raise GovernanceError("proposal", "no pending proposal with this number")
        if p.proposed_by == by:
            raise GovernanceError("approved by", "the proposer cannot approve their own proposal")
        issued_by = conn.execute(
            select(staff_credentials.c.issued_by).where(staff_credentials.c.staff_id == by)
        ).scalar()
        if by is not None and issued_by == p.proposed_by:
            raise GovernanceError("approved by", "holds a credential the proposer issued")
        self._require_role(conn, p.proposed_by, SO, "proposed by")
        new = _New(p.username, p.employee_number, p.employment_type, p.unit_id,
                   p.manager_id, p.taxpayer_id, tuple(p.roles.split(",")))  # fmt: skip
        self._check(conn, p.proposed_by if by is None else by, new, ignore_proposal=proposal_id)
        detail = {"proposal": proposal_id, "proposed_by": f"staff:{p.proposed_by}"}
        if by is None:
            _operator_audit(conn, self.keyring, self.clock, Tag.ACCESS_STAFF_APPROVE, detail)
        else:
            self._audit(conn, Tag.ACCESS_STAFF_APPROVE, by, new.taxpayer_id, None, detail)
        created = self._create(conn, by, new, issue)
        conn.execute(
            update(staff_proposals)
            .where(staff_proposals.c.id == proposal_id)
            .values(status="approved", decided_by=by, decided_at=self.clock.now(),
                    staff_id=created.staff_id)
        )  # fmt: skip
        return created

    def _proposed_username(self, proposal_id: int) -> str:
        with self.engine.connect() as conn:
            p = _proposal(conn, proposal_id)
        return "" if p is None else str(p.username)

    def reset_credentials(self, by: int, staff_id: int) -> IssuedCredential:
        """A new one-time password and TOTP secret; unlocks, and ends the person's sessions."""
        with self.engine.connect() as conn:
            person = rows.staff_row(conn, staff_id)
        issue = self._prepare(person.username if person is not None else "")

        def work(conn: Connection) -> IssuedCredential:
            self._require_role(conn, by, SO, "reset by")
            self._not_self(by, staff_id)
            row = rows.staff_row(conn, staff_id)
            if row is None or row.status == "separated":
                raise GovernanceError("staff", "not an active or suspended staff member")
            if row.employment_type == "service":
                raise GovernanceError("staff", "service principals have no credentials")
            conn.execute(staff_credentials.delete().where(staff_credentials.c.staff_id == staff_id))
            cred = self._issue(conn, staff_id, row.username, by, issue)
            ended = end_sessions_of(conn, staff_id, self.clock.now())
            self._audit(conn, Tag.AUTH_CREDENTIAL_RESET, by, None, None,
                        {"staff": f"staff:{staff_id}", "sessions_ended": ended})  # fmt: skip
            return cred

        return self._attempt(by, Tag.AUTH_CREDENTIAL_RESET, work)

    def unlock(self, by: int, staff_id: int) -> None:
        """Clear a lock-out (the password stays as it was)."""

        def work(conn: Connection) -> None:
            self._require_role(conn, by, SO, "unlocked by")
            self._not_self(by, staff_id)
            c = staff_credentials.c
            done = conn.execute(
                update(staff_credentials)
                .where(c.staff_id == staff_id, c.locked_at.is_not(None))
                .values(locked_at=None, failed_attempts=0)
            )
            if done.rowcount != 1:
                raise GovernanceError("staff", "has no locked credential")
            self._audit(conn, Tag.AUTH_CREDENTIAL_UNLOCK, by, None, None,
                        {"staff": f"staff:{staff_id}"})  # fmt: skip

        self._attempt(by, Tag.AUTH_CREDENTIAL_UNLOCK, work)

    # -- shared steps -----------------------------------------------------------------------
    def _prepare(self, username: str) -> tuple[str, str, str]:
        password = one_time_password(username, self.settings)
        return password, hash_password(password, self.settings), new_totp_secret()

    def _resolve(self, conn: Connection, by: int, spec: StaffSpec) -> _New:
        if not isinstance(spec.username, str) or not _USERNAME.fullmatch(spec.username):
            raise GovernanceError("username", "2-32 lower-case letters, digits or -, from a letter")
        if not _EMPLOYEE_NUMBER.fullmatch(spec.employee_number or ""):
            raise GovernanceError("employee_number", "must be 10 digits")
        if spec.employment_type not in EMPLOYMENT_TYPES:
            raise GovernanceError(
                "employment_type", f"must be one of {', '.join(EMPLOYMENT_TYPES)}"
            )
        roles = tuple(sorted(set(spec.roles)))
        bad = [r for r in roles if r not in ROLES or r == "service"]
        if not roles or bad:
            allowed = ", ".join(r for r in ROLES if r != "service")
            raise GovernanceError("roles", f"give one or more of {allowed}")
        unit_id = conn.execute(select(units.c.id).where(units.c.code == spec.unit)).scalar()
        if unit_id is None:
            raise GovernanceError("unit", "no unit with this code")
        manager_id = None
        if spec.manager:
            manager_id = rows.staff_id_for_username(conn, spec.manager)
            if manager_id is None:
                raise GovernanceError("manager", "no staff member with this username")
        taxpayer_id = None if not spec.own_tin else self._taxpayer(conn, spec.own_tin)
        new = _New(spec.username, spec.employee_number, spec.employment_type, unit_id,
                   manager_id, taxpayer_id, roles)  # fmt: skip
        self._check(conn, by, new)
        return new

    def _check(self, conn: Connection, by: int, new: _New, ignore_proposal: int = 0) -> None:
        s, p = staff.c, staff_proposals.c
        for name, value in (("username", new.username), ("employee_number", new.employee_number)):
            taken = (
                conn.execute(select(s.id).where(s[name] == value)).first()
                or conn.execute(
                    select(p.id).where(
                        p[name] == value, p.status == "pending", p.id != ignore_proposal
                    )
                ).first()
            )
            if taken is not None:
                raise GovernanceError(name, "already in use")
        if new.manager_id is not None:
            manager = rows.staff_row(conn, new.manager_id)
            if manager is None or manager.status != "active":
                raise GovernanceError("manager", "not an active staff member")
        if new.taxpayer_id is not None:
            actor = rows.staff_row(conn, by)
            if actor is not None and actor.taxpayer_id == new.taxpayer_id:
                raise GovernanceError("own_tin", "nobody creates an account for themselves")
            if conn.execute(select(s.id).where(s.taxpayer_id == new.taxpayer_id)).first():
                raise GovernanceError("own_tin", "already linked to another staff member")

    def _create(
        self, conn: Connection, by: int | None, new: _New, issue: tuple[str, str, str]
    ) -> IssuedCredential:
        lock_log(conn)  # we append below anyway; holding the log's lock also serialises new ids
        staff_id = _next_id(conn, staff.c.id)
        now = self.clock.now()
        conn.execute(
            insert(staff).values(
                id=staff_id, taxpayer_id=new.taxpayer_id, username=new.username,
                employee_number=new.employee_number, employment_type=new.employment_type,
                unit_id=new.unit_id, manager_id=new.manager_id, clearance="none",
                status="active", created_at=now,
            )
        )  # fmt: skip
        conn.execute(insert(staff_roles), [{"staff_id": staff_id, "role": r} for r in new.roles])
        detail = {"staff": f"staff:{staff_id}", "roles": list(new.roles),
                  "employment_type": new.employment_type}  # fmt: skip
        if by is None:
            _operator_audit(conn, self.keyring, self.clock, Tag.ACCESS_STAFF_CREATE,
                            {**detail, "bootstrap": True}, sealed=_who(new))  # fmt: skip
        else:
            self._audit(conn, Tag.ACCESS_STAFF_CREATE, by, new.taxpayer_id, None, detail,
                        sealed=_who(new))  # fmt: skip
        return self._issue(conn, staff_id, new.username, by, issue)

    def _issue(
        self, conn: Connection, staff_id: int, username: str, by: int | None,
        issue: tuple[str, str, str],
    ) -> IssuedCredential:  # fmt: skip
        password, password_hash, secret = issue
        conn.execute(
            insert(staff_credentials).values(
                staff_id=staff_id, password_hash=password_hash,
                totp_secret_enc=Vault(self.keyring).encrypt(conn, TOTP_PURPOSE, secret, staff_id),
                totp_last_step=None, must_change=True, failed_attempts=0,
                issued_at=self.clock.now(), issued_by=by,
            )
        )  # fmt: skip
        detail = {"staff": f"staff:{staff_id}", "must_change": True}
        if by is None:
            _operator_audit(conn, self.keyring, self.clock, Tag.AUTH_CREDENTIAL_ISSUE, detail)
        else:
            self._audit(conn, Tag.AUTH_CREDENTIAL_ISSUE, by, None, None, detail)
        return IssuedCredential(staff_id, username, password, secret)


def bootstrap_security_officer(
    engine: Engine,
    keyring: Keyring,
    clock: Clock,
    username: str = "sec0",
    *,
    settings: AuthSettings | None = None,
) -> tuple[int, str, str]:
    """The first security officer (unit ISO, made if missing): (staff id, password, secret).

    Refused, and the refusal audited, once any security officer who is not separated exists.
    Prints nothing: the caller shows the one-time credential once.
    """
    admin = StaffAdmin(engine, keyring, clock, settings or AuthSettings())
    issue = admin._prepare(username)

    def work(conn: Connection) -> IssuedCredential:
        if _security_officers(conn):
            raise GovernanceError(
                "security_officer", "one already exists: they create further accounts"
            )
        if not _USERNAME.fullmatch(username):
            raise GovernanceError("username", "2-32 lower-case letters, digits or -, from a letter")
        lock_log(conn)
        unit_id = conn.execute(select(units.c.id).where(units.c.code == "ISO")).scalar()
        if unit_id is None:
            unit_id = _next_id(conn, units.c.id, ADMIN_UNIT_FLOOR)
            conn.execute(insert(units).values(id=unit_id, code="ISO", name="Information Security"))
        new = _New(username, _free_employee_number(conn), "employee", unit_id, None, None, (SO,))
        admin._check(conn, 0, new)
        return admin._create(conn, None, new, issue)

    cred = _operator_attempt(engine, keyring, clock, work, Tag.ACCESS_STAFF_CREATE)
    return cred.staff_id, cred.password, cred.totp_secret


def _operator_attempt(
    engine: Engine,
    keyring: Keyring,
    clock: Clock,
    work: Callable[[Connection], IssuedCredential],
    tag: Tag,
) -> IssuedCredential:
    try:
        with engine.begin() as conn:
            return work(conn)
    except IdrsError as exc:
        with engine.begin() as conn:
            _operator_audit(conn, keyring, clock, tag,
                            {"field": exc.field or "", "rule": exc.rule or exc.message},
                            outcome=Outcome.ERROR)  # fmt: skip
        raise


def _operator_audit(
    conn: Connection,
    keyring: Keyring,
    clock: Clock,
    tag: Tag,
    detail: dict[str, Any],
    *,
    sealed: dict[str, Any] | None = None,
    outcome: Outcome = Outcome.OK,
) -> None:
    event = Event(tag=tag, at=micros(clock.now()), actor="operator", outcome=outcome,
                  detail=detail, sealed=sealed)  # fmt: skip
    append(conn, event, keyring=keyring)


def _security_officers(conn: Connection) -> list[int]:
    """Security officers who are not separated (a suspended one may return)."""
    return list(
        conn.execute(
            select(staff.c.id)
            .join(staff_roles, staff_roles.c.staff_id == staff.c.id)
            .where(staff_roles.c.role == SO, staff.c.status != "separated")
        ).scalars()
    )


def _who(new: _New) -> dict[str, Any]:
    return {"username": new.username, "employee_number": new.employee_number}


def _proposal(conn: Connection, proposal_id: int) -> Any:
    return conn.execute(select(staff_proposals).where(staff_proposals.c.id == proposal_id)).first()


# Accounts made here number from a range the synthetic generator never uses (its staff are
# 1..999 and its units 1..99), so a database bootstrapped by `idrs init` can still be populated.
ADMIN_ID_FLOOR = 1_000_000
ADMIN_UNIT_FLOOR = 1_000


def _next_id(conn: Connection, column: Any, floor: int = ADMIN_ID_FLOOR) -> int:
    top = int(conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one())
    return max(top + 1, floor)


def _free_employee_number(conn: Connection) -> str:
    while True:
        candidate = f"{secrets.randbelow(10**10):010d}"
        if conn.execute(select(staff.c.id).where(staff.c.employee_number == candidate)).first():
            continue  # pragma: no cover - one chance in ten billion per staff member
        return candidate
