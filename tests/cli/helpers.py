"""Run the real ``idrs`` console script in a subprocess, as a person would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

IDRS = str(Path(sys.executable).with_name("idrs"))


def run_idrs(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [IDRS, *args], env=full, capture_output=True, text=True, timeout=timeout, check=False
    )


def oversight_session(engine, keyring, session_file: Path) -> None:  # type: ignore[no-untyped-def]
    """Bootstrap a security officer, sign on (real clock, as the CLI runs) and write the
    session file a CLI command will read."""
    from zoneinfo import ZoneInfo

    from argon2 import profiles

    from idrs.auth.passwords import AuthSettings, totp_code
    from idrs.auth.session_file import SessionRecord, write_session_file
    from idrs.auth.sessions import sign_on
    from idrs.auth.staff_admin import bootstrap_security_officer
    from idrs.clock import Clock

    clock = Clock(ZoneInfo("America/New_York"))
    cfg = AuthSettings(argon2=profiles.CHEAPEST)
    _, password, secret = bootstrap_security_officer(engine, keyring, clock, settings=cfg)
    code = totp_code(secret, int(clock.now().timestamp()))
    session, token = sign_on(
        engine, keyring, clock, "sec0", password, code, "T01",
        new_password="a long enough passphrase", settings=cfg,
    )  # fmt: skip
    write_session_file(session_file, SessionRecord("sec0", session.session_id, token))
