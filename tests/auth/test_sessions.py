"""Sign on, lock-out, session limits and what the audit log keeps of it (both engines)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from idrs.access.governance import Governance
from idrs.auth.passwords import PasswordRejected
from idrs.auth.sessions import (
    REFUSED,
    PasswordChangeRequired,
    SessionExpired,
    SessionInvalid,
    SignOnRefused,
    expire_lapsed,
    resume,
    sign_off,
    sign_on,
)
from idrs.auth.tables import sessions, staff_credentials
from idrs.errors import InvalidInput
from idrs.store.keyring import Keyring
from tests.auth.helpers import SEC1, AuthWorld, audit_log, auth_world, cheap, dumps, tags
from tests.conftest import TestDb

PASSWORD = "a long enough passphrase"


@pytest.fixture
def aw(db: TestDb, keyring: Keyring) -> AuthWorld:
    return auth_world(db.engine, keyring)


def _refused(aw: AuthWorld, username: str, password: str, code: str) -> SignOnRefused:
    aw.clock.advance(seconds=31)
    with pytest.raises(SignOnRefused) as err:
        sign_on(aw.engine, aw.keyring, aw.clock, username, password, code, "T01", settings=aw.cfg)
    return err.value


def test_first_sign_on_demands_a_new_password_then_opens_a_session(aw: AuthWorld) -> None:
    cred = aw.issue("ra1")
    with pytest.raises(PasswordChangeRequired):
        aw.sign_on("ra1", cred.password, cred.totp_secret)
    with pytest.raises(PasswordRejected) as err:
        aw.sign_on("ra1", cred.password, cred.totp_secret, new_password="short one")
    assert err.value.field == "new_password"
    with pytest.raises(PasswordRejected, match="username"):
        aw.sign_on("ra1", cred.password, cred.totp_secret, new_password="my name is ra1 okay")
    session, token = aw.sign_on("ra1", cred.password, cred.totp_secret, new_password=PASSWORD)
    assert session.staff_id == aw.world.staff("ra1") and session.terminal == "T01"
    assert session.expires_at == aw.clock.now() + timedelta(minutes=15)
    assert resume(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg) == session
    # the one-time password is gone; the new one works and asks for nothing more
    _refused(aw, "ra1", cred.password, aw.code(cred.totp_secret))
    aw.sign_on("ra1", PASSWORD, cred.totp_secret)
    changes = [e.body["outcome"] for e in audit_log(aw.engine, aw.keyring)
               if e.tag == "auth:credential:change"]  # fmt: skip
    assert changes == ["error", "error", "ok"]  # two refused new passwords, then the change


def test_secrets_are_never_stored_in_clear(aw: AuthWorld) -> None:
    cred = aw.issue("ra1")
    _, token = aw.sign_on("ra1", cred.password, cred.totp_secret, new_password=PASSWORD)
    with aw.engine.connect() as conn:
        row = conn.execute(select(staff_credentials)).one()
        stored_tokens = list(conn.execute(select(sessions.c.token_hash)).scalars())
    assert row.password_hash.startswith("$argon2id$")
    for secret in (PASSWORD, cred.password):
        assert secret not in row.password_hash
    assert cred.totp_secret.encode() not in bytes(row.totp_secret_enc)
    assert stored_tokens == [hashlib.sha256(token.encode()).digest()]


def test_wrong_totp_unknown_user_and_wrong_password_look_the_same(aw: AuthWorld) -> None:
    password, secret = aw.ready("ra1")
    good = aw.code(secret)
    wrong_code = f"{(int(good) + 1) % 1_000_000:06d}"
    messages = {
        str(_refused(aw, "ra1", "not the password at all", aw.code(secret))),
        str(_refused(aw, "ra1", password, wrong_code)),
        str(_refused(aw, "no-such-user", password, aw.code(secret))),
    }
    assert len(messages) == 1 and messages.pop().startswith(REFUSED)


def test_three_failures_lock_until_a_security_officer_unlocks(aw: AuthWorld) -> None:
    password, secret = aw.ready("ra1")
    for _ in range(3):
        _refused(aw, "ra1", "wrong wrong wrong wrong", aw.code(secret))
    # locked: even the right password and code are refused, with the same words
    assert str(_refused(aw, "ra1", password, aw.code(secret))).startswith(REFUSED)
    with aw.engine.connect() as conn:
        row = conn.execute(select(staff_credentials)).one()
    assert row.locked_at is not None and row.failed_attempts == 3
    aw.admin.unlock(SEC1, aw.world.staff("ra1"))
    aw.sign_on("ra1", password, secret)
    log = tags(aw.engine, aw.keyring)
    assert log.count("auth:session:lock") == 1
    assert log.count("auth:credential:unlock") == 1


def test_a_code_is_good_once_and_a_success_resets_the_failure_count(aw: AuthWorld) -> None:
    password, secret = aw.ready("ra1")
    aw.clock.advance(seconds=31)
    code = aw.code(secret)
    sign_on(aw.engine, aw.keyring, aw.clock, "ra1", password, code, "T01", settings=aw.cfg)
    _refused(aw, "ra1", password, code)  # replayed, a step later: a failure like any other
    _refused(aw, "ra1", "wrong wrong wrong wrong", aw.code(secret))
    aw.sign_on("ra1", password, secret)
    for _ in range(2):
        _refused(aw, "ra1", "wrong wrong wrong wrong", aw.code(secret))
    aw.sign_on("ra1", password, secret)  # 2 + 2 failures, never 3 in a row: not locked
    failures = [e.body["detail"]["failures"] for e in audit_log(aw.engine, aw.keyring)
                if e.tag == "auth:session:fail"]  # fmt: skip
    assert failures == [1, 2, 1, 2]


def test_idle_timeout_and_absolute_lifetime(aw: AuthWorld) -> None:
    password, secret = aw.ready("ra1")
    _, token = aw.sign_on("ra1", password, secret)
    aw.clock.advance(minutes=16)
    with pytest.raises(SessionExpired, match="idle"):
        resume(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)
    with pytest.raises(SessionInvalid):  # ended for good
        resume(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)

    _, token = aw.sign_on("ra1", password, secret)
    started = aw.clock.now()
    for _ in range(12 * 60 // 14):  # busy all day: never idle, still cut at 12 hours
        aw.clock.advance(minutes=14)
        session = resume(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)
    # the gate is told the earlier of the two limits: here the absolute one, 6 minutes away
    assert session.expires_at == started + timedelta(hours=12)
    assert session.expires_at < aw.clock.now() + timedelta(minutes=15)
    aw.clock.advance(minutes=14)
    with pytest.raises(SessionExpired, match="maximum"):
        resume(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)
    expired = [e for e in audit_log(aw.engine, aw.keyring) if e.tag == "auth:session:expire"]
    assert [e.body["detail"]["reason"] for e in expired] == ["idle", "lifetime"]


def test_sign_off_ends_the_session(aw: AuthWorld) -> None:
    password, secret = aw.ready("ra1")
    _, token = aw.sign_on("ra1", password, secret)
    sign_off(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)
    with pytest.raises(SessionInvalid):
        resume(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)
    with pytest.raises(SessionInvalid):
        sign_off(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)
    with pytest.raises(SessionInvalid):
        resume(aw.engine, aw.keyring, aw.clock, "made-up-token", settings=aw.cfg)
    assert tags(aw.engine, aw.keyring).count("auth:session:signoff") == 1


@pytest.mark.parametrize("action", ["separate", "suspend"])
def test_separated_or_suspended_staff_cannot_sign_on_and_lose_their_session(
    aw: AuthWorld, action: str
) -> None:
    password, secret = aw.ready("ra1")
    _, token = aw.sign_on("ra1", password, secret)
    gov = Governance(aw.engine, aw.keyring, aw.clock)
    getattr(gov, action)(SEC1, aw.world.staff("ra1"))
    with pytest.raises(SessionExpired, match="no longer active"):
        resume(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)
    _refused(aw, "ra1", password, aw.code(secret))
    fails = [e for e in audit_log(aw.engine, aw.keyring) if e.tag == "auth:session:fail"]
    assert fails[-1].body["detail"]["reason"] == "inactive"


def test_a_sweep_ends_lapsed_sessions(aw: AuthWorld) -> None:
    password, secret = aw.ready("ra1")
    aw.sign_on("ra1", password, secret)
    _, live = aw.sign_on("ra1", password, secret)
    aw.clock.advance(minutes=10)
    resume(aw.engine, aw.keyring, aw.clock, live, settings=aw.cfg)
    aw.clock.advance(minutes=6)
    assert expire_lapsed(aw.engine, aw.keyring, aw.clock, settings=aw.cfg) == 2  # incl. ready's
    resume(aw.engine, aw.keyring, aw.clock, live, settings=aw.cfg)
    assert expire_lapsed(aw.engine, aw.keyring, aw.clock, settings=aw.cfg) == 0


def test_terminal_names_are_checked_before_anything_is_read() -> None:
    nothing: Any = None  # no engine, keyring or clock: the check comes first
    with pytest.raises(InvalidInput) as err:
        sign_on(nothing, nothing, nothing, "ra1", "x", "1", "123456789", settings=cheap())
    assert err.value.field == "terminal"


def test_audit_has_every_outcome_and_no_secret_or_typed_username(aw: AuthWorld) -> None:
    password, secret = aw.ready("ra1")
    aw.clock.advance(seconds=31)
    typed = "Ghost-Of-Nobody"
    codes = [aw.code(secret)]
    _refused(aw, typed, password, codes[-1])
    for _ in range(3):
        codes.append(aw.code(secret))
        _refused(aw, "ra1", "wrong-password-typed-here", codes[-1])
    entries = audit_log(aw.engine, aw.keyring)
    got = [e.tag for e in entries]
    for tag in ("auth:session:signon", "auth:session:fail", "auth:session:lock"):
        assert tag in got
    leaves = dumps(entries)
    for secret_text in (password, "wrong-password-typed-here", secret, typed, typed.lower()):
        assert secret_text.encode() not in leaves
    for code in codes:
        assert code.encode() not in leaves
    unknown = next(e for e in entries if e.body.get("detail", {}).get("reason") == "unknown_user")
    assert unknown.sealed == {"username": typed.lower()}  # only where reviewers can unseal it
    wrong = [e for e in entries if e.sealed == {"factor": "password"}]
    assert [e.body["detail"]["failures"] for e in wrong] == [1, 2, 3]
