"""``idrs init``: keyring 0600, schema at head, idempotent with --if-missing, never re-keys."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from idrs.store.engine import make_engine
from idrs.store.migrate import current_revision, head_revision
from tests.cli.helpers import run_idrs


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "IDRS_DATABASE_URL": url,
        "IDRS_KEYRING": str(tmp_path / "keys" / "keyring.json"),
        "IDRS_CHECKPOINT_FILE": str(tmp_path / "checkpoint.txt"),
    }


def test_init_creates_keyring_and_schema(empty_db: str, tmp_path: Path) -> None:
    env = _env(empty_db, tmp_path)
    done = run_idrs("init", env=env)
    assert done.returncode == 0, done.stderr
    keyring = Path(env["IDRS_KEYRING"])
    assert keyring.stat().st_mode & 0o777 == 0o600
    engine = make_engine(empty_db)
    assert current_revision(engine) == head_revision()
    from idrs.audit.tables import audit_entries

    with engine.connect() as conn:
        tags = conn.execute(select(audit_entries.c.tag).order_by(audit_entries.c.idx)).scalars()
        # the init run is the audit log's first entry; then the first security officer
        assert list(tags) == ["system:db:init", "access:staff:create", "auth:credential:issue"]
    engine.dispose()
    # the one-time credential is shown once, on this run only
    assert "sec0" in done.stdout and "one-time password" in done.stdout

    again = run_idrs("init", env=env)
    assert again.returncode == 2
    assert "already initialised" in again.stderr
    assert "Traceback" not in again.stderr
    quiet = run_idrs("init", "--if-missing", env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert "one-time password" not in quiet.stdout


def test_init_refuses_to_rekey_an_existing_database(empty_db: str, tmp_path: Path) -> None:
    env = _env(empty_db, tmp_path)
    assert run_idrs("init", env=env).returncode == 0
    Path(env["IDRS_KEYRING"]).unlink()
    done = run_idrs("init", "--if-missing", env=env)
    assert done.returncode == 2
    assert "keyring" in done.stderr and "missing" in done.stderr
    assert not Path(env["IDRS_KEYRING"]).exists()


def test_init_with_a_bad_url_names_the_setting(tmp_path: Path) -> None:
    done = run_idrs("init", env=_env("mysql://nowhere/x", tmp_path))
    assert done.returncode == 2
    assert "IDRS_DATABASE_URL" in done.stderr
    assert "Traceback" not in done.stderr
