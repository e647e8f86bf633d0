"""``idrs audit``: what it prints can be checked by the offline verifier, on both engines."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from idrs.audit import verify as offline
from idrs.audit.checkpoint import open_checkpoint, parse_verifier_key
from idrs.audit.events import AuditError, Tag, system_event
from idrs.audit.log import append_many
from idrs.audit.merkle import verify_consistency
from idrs.cli.audit import AuditVerifyFailed, app
from idrs.errors import InvalidInput
from idrs.store.keyring import Keyring
from tests.cli.helpers import oversight_session
from tests.conftest import TestDb

AT = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
Run = Callable[..., Result]


@pytest.fixture
def cli(db: TestDb, keyring: Keyring, keyring_file: Path, tmp_path: Path) -> Run:
    runner = CliRunner()
    env = {
        "IDRS_DATABASE_URL": db.url,
        "IDRS_KEYRING": str(keyring_file),
        "IDRS_CHECKPOINT_FILE": str(tmp_path / "witness.txt"),
        "IDRS_SESSION_FILE": str(tmp_path / "session" / "file"),
    }

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args), env=env, catch_exceptions=True)

    with db.engine.begin() as conn:
        events = [system_event(Tag.BATCH_JOB_RUN, {"n": i}, at=AT) for i in range(13)]
        append_many(conn, events, keyring=keyring)
    oversight_session(db.engine, keyring, Path(env["IDRS_SESSION_FILE"]))
    return run


def test_key_checkpoint_prove_and_offline_verify(cli: Run, tmp_path: Path) -> None:
    key = cli("key")
    assert key.exit_code == 0, key.output
    verifier = parse_verifier_key(key.stdout)
    (tmp_path / "key.txt").write_text(key.stdout)

    cp = cli("checkpoint")
    assert cp.exit_code == 0, cp.output
    # 13 events, the officer's sign-on, and each command's own oversight entry
    size = open_checkpoint(cp.stdout, verifier).size
    assert size > 13
    assert (tmp_path / "witness.txt").read_text() == cp.stdout

    proof = cli(
        "prove",
        "--index",
        "5",
        "--entry-out",
        str(tmp_path / "entry.bin"),
        "--checkpoint-out",
        str(tmp_path / "cp.txt"),
    )
    assert proof.exit_code == 0, proof.output
    doc = json.loads(proof.stdout)
    assert (doc["index"], doc["tree_size"]) == (5, size)
    (tmp_path / "proof.json").write_text(proof.stdout)
    args = ["proof", "--key", str(tmp_path / "key.txt"), "--checkpoint", str(tmp_path / "cp.txt")]
    args += ["--entry", str(tmp_path / "entry.bin"), "--proof", str(tmp_path / "proof.json")]
    assert offline.main([*args, "--index", "5"]) == 0
    assert offline.main([*args, "--index", "6"]) == 1  # the wrong entry position fails


def test_consistency_and_export_verify_offline(cli: Run, tmp_path: Path) -> None:
    verifier = parse_verifier_key(cli("key").stdout)
    first = open_checkpoint(cli("checkpoint").stdout, verifier)
    cons = cli("consistency", "--from", "4", "--to", str(first.size))
    assert cons.exit_code == 0, cons.output
    doc = json.loads(cons.stdout)
    assert doc["from_size"] == 4 and doc["tree_size"] == first.size
    out = tmp_path / "export.jsonl"
    res = cli("export", "--from", "2", "--to", str(first.size), "--out", str(out))
    assert res.exit_code == 0, res.output
    with out.open("rb") as fh:
        report = offline.verify_export(fh, verifier)
    assert report.ok and report.entries == first.size - 2
    # the export itself, and each question, were audited: new entries after the checkpoint
    second = open_checkpoint(cli("checkpoint").stdout, verifier)
    assert second.size > first.size
    cons = json.loads(cli("consistency", "--from", str(first.size)).stdout)
    hashes = [bytes.fromhex(h) for h in cons["hashes"]]
    verify_consistency(first.size, second.size, hashes, first.root_hash, second.root_hash)


def test_verify_passes_then_fails_after_tampering(cli: Run, db: TestDb) -> None:
    assert cli("checkpoint").exit_code == 0
    ok = cli("verify")
    assert ok.exit_code == 0, ok.output
    assert re.search(r"OK: \d+ entries", ok.stdout), ok.stdout
    with db.engine.begin() as conn:
        if db.backend == "sqlite":
            conn.execute(text("DROP TRIGGER audit_entries_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER ALL"))
        conn.execute(
            text("UPDATE audit_entries SET leaf_hash = :h WHERE idx = 7"), {"h": b"x" * 32}
        )
    bad = cli("verify")
    assert isinstance(bad.exception, AuditVerifyFailed)
    assert "first affected index 7" in bad.exception.message
    assert "index 7" in bad.stdout


def test_only_oversight_roles_read_the_log(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "session" / "file").unlink()
    res = cli("verify")
    from idrs.auth.session_file import NotSignedOn

    assert isinstance(res.exception, NotSignedOn), res.output
    assert cli("key").exit_code == 0  # the public key is public


def test_operator_errors_are_idrs_errors(cli: Run) -> None:
    res = cli("prove", "--index", "3")
    assert isinstance(res.exception, AuditError) and "no checkpoint" in res.exception.message
    assert cli("checkpoint").exit_code == 0
    res = cli("prove", "--index", "99")
    assert isinstance(res.exception, AuditError)
    res = cli("consistency", "--from", "20", "--to", "13")
    assert isinstance(res.exception, InvalidInput)
    res = cli("prove", "--index", "2", "--size", "40")
    assert isinstance(res.exception, InvalidInput)
