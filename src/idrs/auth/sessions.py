"""Sign on, resume, sign off: how a person becomes the ``Session`` the gate trusts.

Why it works this way:

* **One answer for every refusal.** Unknown user, wrong password, wrong or reused TOTP code,
  locked, suspended or separated: the person sees ``INVALID PASSWORD`` and nothing else, so the
  screen is no oracle for which usernames exist or which factor was wrong. The audit entry
  says why (reason in clear; which factor, and for an unknown user the name typed, only in the
  entry's sealed detail). The password is checked even for unknown or locked users, so the
  time taken does not tell either.
* **Lock-out** after ``lockout_attempts`` consecutive wrong passwords or codes (an atomic
  counter, so parallel guesses cannot slip past the limit); only a security officer unlocks.
* **Tokens** are 256-bit random strings held by the client; the database keeps their SHA-256
  only, so a copy of the sessions table signs nobody on.
* **Two limits** per session: idle (no use for ``idle_minutes``) and absolute (``max_hours``
  after sign-on). The ``Session`` handed to the gate expires at the earlier of the two.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.engine import Connection, Row

from idrs.audit.events import Event, Outcome, Tag
from idrs.audit.log import append_many
from idrs.auth.passwords import (
    AuthSettings,
    PasswordRejected,
    check_password,
    hash_password,
    needs_rehash,
    totp_step,
    verify_password,
)
from idrs.auth.tables import TOTP_PURPOSE, sessions, staff_credentials
from idrs.clock import Clock, micros
from idrs.errors import IdrsError, InvalidInput
from idrs.gate import Session
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.tables.staff import staff

REFUSED = "INVALID PASSWORD"
_TERMINAL = re.compile(r"[A-Za-z][A-Za-z0-9_.:/@#-]{0,31}")


class SignOnRefused(IdrsError):
    """The one sign-on refusal, whatever the reason."""

    def __init__(self) -> None:
        super().__init__(
            f"{REFUSED} - check the username, password and code; repeated failures lock the "
            "profile, and only a security officer can unlock it",
            field="password",
            rule="credentials not accepted",
        )


class PasswordChangeRequired(IdrsError):
    """The password was issued by a security officer (or reset) and must be replaced now."""

    def __init__(self) -> None:
        super().__init__(
            "PASSWORD EXPIRED - this one-time password must be changed: sign on again giving a "
            "new password",
            field="new_password",
            rule="required after an issued password",
        )


class SessionExpired(IdrsError):
    def __init__(self, why: str) -> None:
        super().__init__(
            f"session ended ({why}): run idrs signon USERNAME", field="session", rule=why
        )


class SessionInvalid(IdrsError):
    def __init__(self) -> None:
        super().__init__(
            "not signed on (no such session, or it has ended): run idrs signon USERNAME",
            field="session",
            rule="unknown or ended session",
        )


@dataclass(frozen=True)
class _Who:
    staff_id: int
    username: str
    status: str
    password_hash: str
    totp_secret: str = ""
    totp_last_step: int | None = None
    must_change: bool = False
    locked: bool = False


# -- sign on ----------------------------------------------------------------------------------
def sign_on(
    engine: Engine,
    keyring: Keyring,
    clock: Clock,
    username: str,
    password: str,
    totp_code: str,
    terminal: str,
    *,
    new_password: str | None = None,
    settings: AuthSettings | None = None,
) -> tuple[Session, str]:
    """Check both factors and open a session; returns it and its token (shown to nobody else).

    ``new_password`` replaces the password once both factors pass (required when the current
    one was issued). Raises :class:`SignOnRefused` or :class:`PasswordChangeRequired`.
    """
    if not isinstance(terminal, str) or not _TERMINAL.fullmatch(terminal):
        raise InvalidInput("terminal", "must be a letter then up to 31 letters, digits, _.:/@#-")
    attempt = _Attempt(engine, keyring, clock, settings or AuthSettings(), terminal)
    return attempt.run((username or "").strip().lower(), password or "", totp_code, new_password)


@dataclass(frozen=True)
class _Attempt:
    engine: Engine
    keyring: Keyring
    clock: Clock
    cfg: AuthSettings
    terminal: str

    def run(
        self, name: str, password: str, code: str, new_password: str | None
    ) -> tuple[Session, str]:
        with self.engine.connect() as conn:
            who = _lookup(conn, self.keyring, name)
        # the hash is checked whoever it is, so a refusal takes as long as a good password
        good = verify_password(who.password_hash if who else None, password, self.cfg)
        if who is None:
            self.refuse(None, name, "unknown_user")
        step = totp_step(
            who.totp_secret, code, int(self.clock.now().timestamp()), who.totp_last_step
        )
        if who.status != "active" or who.locked:
            self.refuse(who, name, "inactive" if who.status != "active" else "locked")
        if not good or step is None:
            self.refuse(who, name, "bad_credentials", "password" if not good else "totp")
        if who.must_change and new_password is None:
            self.audit_alone(Tag.AUTH_SESSION_FAIL, who, {"reason": "password_change_required"})
            raise PasswordChangeRequired()
        return self.open(who, step, self.changes(who, password, new_password))

    def changes(self, who: _Who, password: str, new_password: str | None) -> dict[str, Any]:
        """Column values for a new password (checked) or a rehash under current parameters."""
        if new_password is None:
            if needs_rehash(who.password_hash, self.cfg):
                return {"password_hash": hash_password(password, self.cfg)}
            return {}
        try:
            check_password(new_password, who.username, self.cfg, field="new_password")
            if new_password == password:
                raise PasswordRejected("new_password", "must differ from the current password")
        except PasswordRejected as exc:
            self.audit_alone(
                Tag.AUTH_CREDENTIAL_CHANGE, who, {"field": exc.field, "rule": exc.rule}
            )
            raise
        return {
            "password_hash": hash_password(new_password, self.cfg),
            "must_change": False,
            "changed_at": self.clock.now(),
        }

    def open(self, who: _Who, step: int, changes: dict[str, Any]) -> tuple[Session, str]:
        now = self.clock.now()
        token, session_id = secrets.token_urlsafe(32), secrets.token_hex(8)
        absolute = now + timedelta(hours=self.cfg.max_hours)
        c = staff_credentials.c
        with self.engine.begin() as conn:
            done = conn.execute(
                update(staff_credentials)
                .where(c.staff_id == who.staff_id, c.locked_at.is_(None))
                .where(or_(c.totp_last_step.is_(None), c.totp_last_step < step))
                .values(failed_attempts=0, totp_last_step=step, **changes)
            )
            raced = done.rowcount != 1
            if not raced:
                conn.execute(
                    insert(sessions).values(
                        session_id=session_id, token_hash=_digest(token), staff_id=who.staff_id,
                        terminal=self.terminal, created_at=now, last_seen_at=now,
                        expires_at=absolute,
                    )
                )  # fmt: skip
                actor, events = f"staff:{who.staff_id}", []
                if "must_change" in changes:
                    events.append(self.event(Tag.AUTH_CREDENTIAL_CHANGE, actor))
                events.append(self.event(Tag.AUTH_SESSION_SIGNON, actor, session=session_id))
                append_many(conn, events, keyring=self.keyring)
        if raced:  # the same code used twice at once, or locked meanwhile: the second one loses
            self.refuse(who, who.username, "bad_credentials", "totp")
        expires = min(absolute, now + timedelta(minutes=self.cfg.idle_minutes))
        return Session(who.staff_id, session_id, self.terminal, expires), token

    def refuse(
        self, who: _Who | None, attempted: str, reason: str, factor: str | None = None
    ) -> NoReturn:
        """Count a wrong factor, lock at the limit, audit, and give the one refusal.

        The refusal is raised after the transaction commits (inside it would roll back the entry).
        """
        if who is None:  # what was typed may be a mistyped password: sealed, never in clear
            typed = {"username": attempted[:64]}
            event = self.event(Tag.AUTH_SESSION_FAIL, "unknown", outcome=Outcome.ERROR,
                               detail={"reason": reason}, sealed=typed)  # fmt: skip
            with self.engine.begin() as conn:
                append_many(conn, [event], keyring=self.keyring)
            raise SignOnRefused()
        with self.engine.begin() as conn:
            c, actor, failures = staff_credentials.c, f"staff:{who.staff_id}", None
            if factor is not None:
                failures = conn.execute(
                    update(staff_credentials)
                    .where(c.staff_id == who.staff_id)
                    .values(failed_attempts=c.failed_attempts + 1)
                    .returning(c.failed_attempts)
                ).scalar_one()
            sealed = None if factor is None else {"factor": factor}
            events = [self.event(Tag.AUTH_SESSION_FAIL, actor, outcome=Outcome.ERROR,
                                 detail={"reason": reason, "failures": failures},
                                 sealed=sealed)]  # fmt: skip
            if failures is not None and failures >= self.cfg.lockout_attempts:
                locked = conn.execute(
                    update(staff_credentials)
                    .where(c.staff_id == who.staff_id, c.locked_at.is_(None))
                    .values(locked_at=self.clock.now())
                    .returning(c.staff_id)
                ).first()
                if locked is not None:
                    events.append(
                        self.event(Tag.AUTH_SESSION_LOCK, actor, detail={"failures": failures})
                    )
            append_many(conn, events, keyring=self.keyring)
        raise SignOnRefused()

    def event(self, tag: Tag, actor: str, **kw: Any) -> Event:
        return _event(tag, self.clock, actor, terminal=self.terminal, **kw)

    def audit_alone(self, tag: Tag, who: _Who, detail: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            event = self.event(tag, f"staff:{who.staff_id}", outcome=Outcome.ERROR, detail=detail)
            append_many(conn, [event], keyring=self.keyring)


def _lookup(conn: Connection, keyring: Keyring, name: str) -> _Who | None:
    if not name:
        return None
    row = conn.execute(
        select(staff.c.id, staff.c.username, staff.c.status, staff_credentials)
        .join(staff_credentials, staff_credentials.c.staff_id == staff.c.id)
        .where(staff.c.username == name)
    ).first()
    if row is None:
        return None
    secret = Vault(keyring).decrypt_text(conn, TOTP_PURPOSE, row.totp_secret_enc, row.id)
    return _Who(row.id, row.username, row.status, row.password_hash, secret,
                row.totp_last_step, bool(row.must_change), row.locked_at is not None)  # fmt: skip


# -- resume, sign off, expire -----------------------------------------------------------------
def resume(
    engine: Engine,
    keyring: Keyring,
    clock: Clock,
    token: str,
    *,
    settings: AuthSettings | None = None,
) -> Session:
    """The live session for ``token``, its idle clock restarted; ends and audits a lapsed one."""
    cfg = settings or AuthSettings()
    now = clock.now()
    with engine.begin() as conn:
        row = _open_row(conn, token)
        if row is None:
            raise SessionInvalid()
        why = _lapsed(row, now, cfg)
        if why is None:
            conn.execute(update(sessions).where(sessions.c.id == row.id).values(last_seen_at=now))
            expires = min(row.expires_at, now + timedelta(minutes=cfg.idle_minutes))
            return Session(row.staff_id, row.session_id, row.terminal, expires)
        _end(conn, keyring, clock, row, why)
    raise SessionExpired(_WHY[why])


def sign_off(
    engine: Engine,
    keyring: Keyring,
    clock: Clock,
    token: str,
    *,
    settings: AuthSettings | None = None,
) -> None:
    """End the session for ``token`` (a lapsed one is recorded as lapsed, not signed off)."""
    cfg = settings or AuthSettings()
    with engine.begin() as conn:
        row = _open_row(conn, token)
        if row is None:
            raise SessionInvalid()
        _end(conn, keyring, clock, row, _lapsed(row, clock.now(), cfg) or "signoff")


def expire_lapsed(
    engine: Engine, keyring: Keyring, clock: Clock, *, settings: AuthSettings | None = None
) -> int:
    """End (and audit) every open session past either limit; returns how many (a batch sweep)."""
    cfg = settings or AuthSettings()
    now = clock.now()
    with engine.begin() as conn:
        rows = conn.execute(
            _open_query().where(
                or_(
                    sessions.c.expires_at <= now,
                    sessions.c.last_seen_at <= now - timedelta(minutes=cfg.idle_minutes),
                    staff.c.status != "active",
                )
            )
        ).all()
        for row in rows:
            _end(conn, keyring, clock, row, _lapsed(row, now, cfg) or "revoked")
    return len(rows)


def end_sessions_of(conn: Connection, staff_id: int, at: datetime) -> int:
    """Revoke every open session of ``staff_id`` (credentials reset); the caller audits it."""
    done = conn.execute(
        update(sessions)
        .where(sessions.c.staff_id == staff_id, sessions.c.ended_at.is_(None))
        .values(ended_at=at, end_reason="revoked")
    )
    return int(done.rowcount)


_WHY = {
    "idle": "idle too long",
    "lifetime": "maximum session length reached",
    "revoked": "profile no longer active",
}


def _open_query() -> Any:
    return (
        select(sessions, staff.c.status)
        .join(staff, staff.c.id == sessions.c.staff_id)
        .where(sessions.c.ended_at.is_(None))
    )


def _open_row(conn: Connection, token: str) -> Row[Any] | None:
    if not isinstance(token, str) or not token:
        return None
    return conn.execute(_open_query().where(sessions.c.token_hash == _digest(token))).first()


def _lapsed(row: Row[Any], now: datetime, cfg: AuthSettings) -> str | None:
    if now >= row.expires_at:
        return "lifetime"
    if now >= row.last_seen_at + timedelta(minutes=cfg.idle_minutes):
        return "idle"
    if row.status != "active":
        return "revoked"
    return None


def _end(conn: Connection, keyring: Keyring, clock: Clock, row: Row[Any], why: str) -> None:
    done = conn.execute(
        update(sessions)
        .where(sessions.c.id == row.id, sessions.c.ended_at.is_(None))
        .values(ended_at=clock.now(), end_reason=why)
    )
    if done.rowcount != 1:  # someone else ended it first, and audited it
        return
    tag = Tag.AUTH_SESSION_SIGNOFF if why == "signoff" else Tag.AUTH_SESSION_EXPIRE
    detail = {} if why == "signoff" else {"reason": why}
    event = _event(tag, clock, f"staff:{row.staff_id}", session=row.session_id,
                   terminal=row.terminal, detail=detail)  # fmt: skip
    append_many(conn, [event], keyring=keyring)


# -- helpers ----------------------------------------------------------------------------------
def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _event(
    tag: Tag,
    clock: Clock,
    actor: str,
    *,
    session: str | None = None,
    terminal: str | None = None,
    outcome: Outcome = Outcome.OK,
    detail: dict[str, Any] | None = None,
    sealed: dict[str, Any] | None = None,
) -> Event:
    detail = {k: v for k, v in (detail or {}).items() if v is not None}
    return Event(tag=tag, at=micros(clock.now()), actor=actor, outcome=outcome, session=session,
                 terminal=terminal, detail=detail, sealed=sealed)  # fmt: skip
