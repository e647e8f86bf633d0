"""The CLI's session file (0600 in a 0700 folder) and the signon/whoami/staff/signoff commands."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from idrs.auth.passwords import totp_code
from idrs.auth.session_file import (
    NotSignedOn,
    SessionRecord,
    read_session_file,
    write_session_file,
)
from idrs.auth.staff_admin import bootstrap_security_officer
from idrs.cli.auth import register
from idrs.clock import Clock
from idrs.errors import ConfigurationError, IdrsError
from idrs.store.keyring import Keyring
from tests.access.world import NY
from tests.auth.helpers import cheap, tags
from tests.conftest import TestDb


def test_the_file_is_private_and_refused_when_it_is_not(tmp_path: Path) -> None:
    path = tmp_path / "home" / ".idrs" / "session"
    write_session_file(path, SessionRecord("ra1", "abc", "tok-1"))
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    write_session_file(path, SessionRecord("ra1", "def", "tok-2"))  # replaced, still private
    assert path.stat().st_mode & 0o777 == 0o600
    record = read_session_file(path)
    assert record is not None and record.token == "tok-2" and "tok-2" not in repr(record)
    path.chmod(0o640)
    with pytest.raises(ConfigurationError) as err:
        read_session_file(path)
    assert err.value.field == "IDRS_SESSION_FILE"
    path.chmod(0o600)
    path.write_text("not json")
    assert read_session_file(path) is None and not path.exists()
    assert read_session_file(path) is None


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_cli_sign_on_whoami_administer_and_sign_off(
    db: TestDb, keyring: Keyring, keyring_file: Path, tmp_path: Path
) -> None:
    _, password, secret = bootstrap_security_officer(
        db.engine, keyring, Clock(NY), settings=cheap()
    )
    session_file = tmp_path / "s" / "session"
    env = {"IDRS_DATABASE_URL": db.url, "IDRS_KEYRING": str(keyring_file),
           "IDRS_SESSION_FILE": str(session_file)}  # fmt: skip
    runner, app = CliRunner(), _app()

    def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), input=stdin, env=env)

    code = totp_code(secret, int(time.time()))
    first = run("signon", "sec0", "--password-stdin", stdin=f"{password}\n{code}\n")
    assert isinstance(first.exception, IdrsError) and "PASSWORD EXPIRED" in str(first.exception)
    new = "the officer's own passphrase"
    done = run("signon", "sec0", "--password-stdin", stdin=f"{password}\n{code}\n{new}\n")
    assert done.exit_code == 0, done.output
    assert "SIGN ON COMPLETED" in done.output and "UNIT ISO" in done.output
    assert session_file.stat().st_mode & 0o777 == 0o600
    assert password not in done.output and new not in done.output

    who = run("whoami")
    assert who.exit_code == 0 and "sec0" in who.output and "security_officer" in who.output
    made = run("staff", "create", "--username", "newcsr", "--employee-number", "0190000009",
               "--unit", "ISO", "--role", "customer_service")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "ONE-TIME PASSWORD:" in made.output and "otpauth://" in made.output
    proposed = run("staff", "propose", "--username", "sec1", "--employee-number", "0190000010",
                   "--unit", "ISO", "--role", "security_officer")  # fmt: skip
    assert proposed.exit_code == 0 and "idrs staff approve 1" in proposed.output
    mine = run("staff", "approve", "1")
    assert isinstance(mine.exception, IdrsError) and "proposer" in str(mine.exception)
    assert run("staff", "approve", "1", "--operator").exit_code == 0
    refused = run("staff", "reset", "sec0")
    assert isinstance(refused.exception, IdrsError)

    assert run("signoff").exit_code == 0 and not session_file.exists()
    after = run("whoami")
    assert isinstance(after.exception, NotSignedOn)
    assert "run idrs signon USERNAME" in str(after.exception)
    assert run("signoff").output.strip() == "Not signed on."
    log = tags(db.engine, keyring)
    assert log.count("auth:session:signon") == 1 and log.count("auth:session:signoff") == 1


def test_a_wrong_code_on_the_cli_gives_the_generic_refusal(
    db: TestDb, keyring: Keyring, keyring_file: Path, tmp_path: Path
) -> None:
    _, password, secret = bootstrap_security_officer(
        db.engine, keyring, Clock(NY), settings=cheap()
    )
    wrong = f"{(int(totp_code(secret, int(time.time()))) + 1) % 1_000_000:06d}"
    env = {"IDRS_DATABASE_URL": db.url, "IDRS_KEYRING": str(keyring_file),
           "IDRS_SESSION_FILE": str(tmp_path / "session")}  # fmt: skip
    result = CliRunner().invoke(
        _app(), ["signon", "sec0", "--password-stdin"], input=f"{password}\n{wrong}\n", env=env
    )
    assert str(result.exception).startswith("INVALID PASSWORD")
    assert not (tmp_path / "session").exists()
