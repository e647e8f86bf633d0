"""``idrs cmd``: one command as the signed-on user; the screen or JSON; exit 3 on a refusal
(generic text only), 2 on bad input (the line-24 message), 4 when not signed on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from idrs.auth.session_file import SessionRecord, write_session_file
from idrs.store.keyring import Keyring
from tests.auth.helpers import AuthWorld, auth_world
from tests.cli.helpers import run_idrs
from tests.conftest import TestDb

MODULE = "30 202412"


@pytest.fixture
def aw(db: TestDb, keyring: Keyring) -> AuthWorld:
    return auth_world(db.engine, keyring)


def _signed_on(aw: AuthWorld, db: TestDb, keyring_file: Path, tmp: Path, name: str) -> dict:
    """Sign ``name`` on and return the environment an ``idrs`` process needs to act as them."""
    password, secret = aw.ready(name)
    session, token = aw.sign_on(name, password, secret)
    session_file = tmp / name / "session"
    write_session_file(session_file, SessionRecord(name, session.session_id, token))
    return {
        "IDRS_DATABASE_URL": db.url,
        "IDRS_KEYRING": str(keyring_file),
        "IDRS_SESSION_FILE": str(session_file),
        "IDRS_AS_OF": aw.clock.now().isoformat(),  # the world's fixed clock
    }


def test_txmod_screen_and_json_under_a_case(
    aw: AuthWorld, db: TestDb, keyring_file: Path, tmp_path: Path
) -> None:
    w = aw.world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    env = _signed_on(aw, db, keyring_file, tmp_path, "ra1")
    line = f"TXMODA{w.tin('alice')} {MODULE}"

    done = run_idrs("cmd", line, "--purpose", "exam case", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 24
    assert lines[0].startswith(line) and "PAGE NO-0001" in lines[0]
    assert "MOD-BAL>" in lines[1]

    as_json = run_idrs("cmd", line, "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    got = json.loads(as_json.stdout)
    assert re.fullmatch(r"\d{10}", got["reference"])
    assert got["data"]["module"]["period"] == 202412
    assert got["approval_request"] is None and got["ok"] is True and "message" in got

    beyond = run_idrs("cmd", line, "--page", "2", env=env)
    assert beyond.returncode == 2 and "PAGE" in beyond.stderr


def test_refusal_bad_input_and_not_signed_on(
    aw: AuthWorld, db: TestDb, keyring_file: Path, tmp_path: Path
) -> None:
    w = aw.world
    env = _signed_on(aw, db, keyring_file, tmp_path, "exec1")  # no grant on alice

    refused = run_idrs("cmd", f"TXMODA{w.tin('alice')} {MODULE}", env=env)
    assert refused.returncode == 3
    assert refused.stdout == ""
    assert re.fullmatch(r"SECURITY VIOLATION - REFERENCE \d{10}\n", refused.stderr)

    bad = run_idrs("cmd", f"TXMODA802-22-020 {MODULE}", "--json", env=env)
    assert bad.returncode == 2
    message = bad.stderr.strip()
    assert message.startswith("TIN: ") and "DIGITS" in message  # the field and the rule
    assert "Traceback" not in bad.stderr
    assert json.loads(bad.stdout)["message"] == message

    gone = {**env, "IDRS_SESSION_FILE": str(tmp_path / "nobody" / "session")}
    off = run_idrs("cmd", f"SUMRY {w.tin('alice')}", env=gone)
    assert off.returncode == 4
    assert "not signed on" in off.stderr and "idrs signon" in off.stderr


def test_the_whole_flow_with_idrs_cmd_and_idrs_cycle_run(
    aw: AuthWorld, db: TestDb, keyring_file: Path, tmp_path: Path
) -> None:
    """Research under a case, adjust, have it approved, run a cycle, see the new balance."""
    from tests.commands.conftest import add_alice_return

    w = aw.world
    add_alice_return(db.engine, w.keyring)  # a posted return: adjustments need one
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("appr1"), w.tin("alice"), "REVIEW")
    w.gov.grant_service(w.staff("sec1"), w.staff("svc_posting"), "posting", days=365)
    hold_all = {"IDRS_APPROVAL_THRESHOLD_CENTS": "5000"}
    ra1 = {**_signed_on(aw, db, keyring_file, tmp_path, "ra1"), **hold_all}
    appr1 = _signed_on(aw, db, keyring_file, tmp_path, "appr1")
    ops1 = _signed_on(aw, db, keyring_file, tmp_path, "ops1")
    tin = w.tin("alice")

    research = run_idrs("cmd", f"TXMODA{tin} {MODULE}", "--json", env=ra1)
    assert json.loads(research.stdout)["data"]["module"]["balance_cents"] == 200_000
    adj = run_idrs(
        "cmd", f"ADJ54 {tin} {MODULE} TC>290 AMT>100.00 RSN-CDS>051 REMARKS>'EXAM ADJ'",
        "--json", env=ra1,
    )  # fmt: skip
    assert adj.returncode == 0, adj.stderr
    request = json.loads(adj.stdout)["approval_request"]
    assert request is not None

    own = run_idrs("cmd", f"REFAP {request}", env=ra1)  # never the maker
    assert own.returncode == 3
    approved = run_idrs("cmd", f"REFAP {request}", env=appr1)
    assert approved.returncode == 0, approved.stderr

    refused = run_idrs("cycle", "run", "--cycle", "20260202", env=ra1)
    assert refused.returncode != 0
    cycle = run_idrs("cycle", "run", "--cycle", "20260202", env=ops1)
    assert cycle.returncode == 0, cycle.stderr + cycle.stdout

    after = json.loads(run_idrs("cmd", f"TXMODA{tin} {MODULE}", "--json", env=ra1).stdout)
    assert after["data"]["module"]["balance_cents"] == 210_000
    assert [p["tc"] for p in after["data"]["posted"] if p["tc"] == 290] == [290]
    assert after["data"]["pending"] == []
