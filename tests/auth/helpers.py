"""A world with credentials: the access test world plus sign-on, with cheap Argon2 parameters.

Argon2 at the library's production parameters takes ~0.3 s a hash; tests use argon2-cffi's
``CHEAPEST`` profile, passed explicitly (production code never reads it from anywhere).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import profiles
from sqlalchemy import Engine, select

from idrs.audit.encoding import unseal
from idrs.audit.events import decode_leaf
from idrs.audit.tables import audit_entries, audit_sealed
from idrs.auth.passwords import AuthSettings, totp_code
from idrs.auth.sessions import sign_on
from idrs.auth.staff_admin import IssuedCredential, StaffAdmin
from idrs.gate import Session
from idrs.store.keyring import Keyring
from tests.access.world import World, build_world

SEC1 = 17  # the world's security officer


def cheap(tmp: Path | None = None, **kw: Any) -> AuthSettings:
    extra: dict[str, Any] = {"argon2": profiles.CHEAPEST}
    if tmp is not None:
        extra["session_file"] = tmp / "idrs" / "session"
    return AuthSettings(**{**extra, **kw})


@dataclass
class AuthWorld:
    world: World
    engine: Engine
    keyring: Keyring
    cfg: AuthSettings
    admin: StaffAdmin

    @property
    def clock(self):  # type: ignore[no-untyped-def]
        return self.world.clock

    def code(self, secret: str) -> str:
        return totp_code(secret, int(self.clock.now().timestamp()))

    def issue(self, name: str) -> IssuedCredential:
        """A fresh one-time credential for a world member, issued by sec1."""
        return self.admin.reset_credentials(SEC1, self.world.staff(name))

    def sign_on(self, username: str, password: str, secret: str, **kw: Any) -> tuple[Session, str]:
        self.clock.advance(seconds=31)  # a TOTP code is good once: move to the next step
        return sign_on(self.engine, self.keyring, self.clock, username, password,
                       self.code(secret), "T01", settings=self.cfg, **kw)  # fmt: skip

    def ready(self, name: str, password: str = "a long enough passphrase") -> tuple[str, str]:
        """Issue a credential and change it at first sign-on; returns (password, secret)."""
        cred = self.issue(name)
        self.sign_on(cred.username, cred.password, cred.totp_secret, new_password=password)
        return password, cred.totp_secret


def auth_world(engine: Engine, keyring: Keyring, tmp: Path | None = None) -> AuthWorld:
    world = build_world(engine, keyring)
    cfg = cheap(tmp)
    return AuthWorld(world, engine, keyring, cfg, StaffAdmin(engine, keyring, world.clock, cfg))


@dataclass(frozen=True)
class Entry:
    tag: str
    leaf: bytes
    body: dict[str, Any]
    sealed: dict[str, Any] | None


def audit_log(engine: Engine, keyring: Keyring) -> list[Entry]:
    with engine.connect() as conn:
        sealed = dict(conn.execute(select(audit_sealed.c.idx, audit_sealed.c.blob)).all())
        rows = conn.execute(select(audit_entries).order_by(audit_entries.c.idx)).all()
    out = []
    for row in rows:
        blob = sealed.get(row.idx)
        out.append(
            Entry(row.tag, bytes(row.leaf), decode_leaf(bytes(row.leaf)),
                  None if blob is None else unseal(keyring, bytes(blob)))
        )  # fmt: skip
    return out


def tags(engine: Engine, keyring: Keyring) -> list[str]:
    return [e.tag for e in audit_log(engine, keyring)]


def dumps(entries: list[Entry]) -> bytes:
    return b"\n".join(e.leaf for e in entries) + json.dumps([e.body for e in entries]).encode()
