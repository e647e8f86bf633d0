"""One-time credentials for the demo staff of a synthetic database.

A training database needs people to sign on as; the first security officer (``sec0``, made
by ``idrs init``) issues each demo staff member a one-time password and TOTP secret through the
ordinary, audited reset path. They are written to a file readable only by its owner (mode 0600,
under ``var/``, outside git) for the person running the demo; every password must be changed at
first sign-on.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine

from idrs.auth.passwords import AuthSettings
from idrs.auth.staff_admin import StaffAdmin
from idrs.clock import Clock
from idrs.store import governance as rows
from idrs.store.keyring import Keyring


def issue_demo_credentials(
    engine: Engine, keyring: Keyring, clock: Clock, path: Path, notes: tuple[str, ...] = ()
) -> int:
    with engine.connect() as conn:
        people = [
            p
            for p in rows.staff_with_units(conn)
            if p.employment_type != "service" and p.username != "sec0"
        ]
        issuer = rows.staff_id_for_username(conn, "sec0")
    if issuer is None:
        from idrs.errors import IdrsError

        raise IdrsError("demo: no sec0 to issue credentials (was the database made by idrs init?)")
    admin = StaffAdmin(engine, keyring, clock, AuthSettings.from_env())
    lines = ["username     one-time password          TOTP secret"]
    for person in people:
        issued = admin.reset_credentials(issuer, person.id)
        lines.append(f"{person.username:<12} {issued.password:<26} {issued.totp_secret}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join([*lines, *notes]) + "\n")
    os.chmod(path, 0o600)
    return len(people)
