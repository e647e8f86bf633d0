"""Exports in ``idrs-audit-export-v1`` verify offline, and any edit to one is caught."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from idrs.audit.checkpoints import checkpoint_now, verifier_for
from idrs.audit.events import AuditError, Tag, system_event
from idrs.audit.export import export_to_file, write_export
from idrs.audit.log import append_many
from idrs.audit.verify import verify_export
from idrs.clock import FixedClock
from idrs.errors import InvalidInput
from idrs.store.keyring import Keyring
from tests.conftest import TestDb

AT = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)


def _grow(db: TestDb, keyring: Keyring, witness: Path, size: int) -> None:
    with db.engine.begin() as conn:
        start = conn.exec_driver_sql("SELECT count(*) FROM audit_entries").scalar_one()
        events = [system_event(Tag.BATCH_JOB_RUN, {"n": i}, at=AT) for i in range(start, size)]
        append_many(conn, events, keyring=keyring)
    checkpoint_now(db.engine, keyring, FixedClock(ZoneInfo("UTC"), AT), witness)


def test_export_round_trip_with_consistency(db: TestDb, keyring: Keyring, tmp_path: Path) -> None:
    witness = tmp_path / "w.txt"
    _grow(db, keyring, witness, 10)
    _grow(db, keyring, witness, 27)
    with db.engine.connect() as conn:
        buf = io.StringIO()
        summary = write_export(conn, keyring.log_name, buf, first=3, consistency_from=10)
    assert (summary.first, summary.end, summary.checkpoint_size) == (3, 27, 27)
    lines = buf.getvalue().splitlines()
    assert json.loads(lines[0])["format"] == "idrs-audit-export-v1"
    assert len(lines) == 1 + 24 + 1
    report = verify_export(lines, verifier_for(keyring))
    assert report.ok, [str(p) for p in report.problems]
    assert (report.entries, report.previous_size) == (24, 10)

    # change one entry's bytes: its proof no longer verifies, and only its own
    entry = json.loads(lines[5])
    leaf = base64.b64decode(entry["entry"]).replace(b'"n":', b'"n":9')
    entry["entry"] = base64.b64encode(leaf).decode()
    tampered = [*lines[:5], json.dumps(entry), *lines[6:]]
    bad = verify_export(tampered, verifier_for(keyring))
    assert [p.index for p in bad.problems] == [entry["index"]]
    # drop a line: the gap is reported
    gap = verify_export([*lines[:5], *lines[6:]], verifier_for(keyring))
    assert not gap.ok
    # another log's key does not accept it
    assert not verify_export(lines, verifier_for(Keyring.generate())).ok


def test_export_to_file_is_atomic_and_checks_ranges(
    db: TestDb, keyring: Keyring, tmp_path: Path
) -> None:
    out = tmp_path / "x" / "export.jsonl"
    with db.engine.connect() as conn, pytest.raises(AuditError, match="no checkpoint"):
        export_to_file(conn, keyring.log_name, out)
    assert not out.exists() and list(out.parent.iterdir()) == []
    _grow(db, keyring, tmp_path / "w.txt", 5)
    with db.engine.begin() as conn:  # entries after the checkpoint cannot be exported yet
        append_many(conn, [system_event(Tag.BATCH_JOB_RUN, {"n": 5}, at=AT)], keyring=keyring)
    with db.engine.connect() as conn:
        for kwargs in ({"end": 6}, {"first": 4, "end": 3}, {"consistency_from": 3}):
            with pytest.raises(InvalidInput):
                export_to_file(conn, keyring.log_name, out, **kwargs)  # type: ignore[arg-type]
        summary = export_to_file(conn, keyring.log_name, out)
    assert (summary.first, summary.end) == (0, 5)
    with out.open("rb") as fh:
        assert verify_export(fh, verifier_for(keyring)).ok
    assert [p.name for p in out.parent.iterdir()] == ["export.jsonl"]
