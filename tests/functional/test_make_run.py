"""Smoke test of what ``make run`` sets up, run through the Makefile itself (small population)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _make(target: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IDRS_DATABASE_URL": f"sqlite:///{tmp_path / 'idrs.db'}",
        "IDRS_KEYRING": str(tmp_path / "keyring.json"),
        "IDRS_CHECKPOINT_FILE": str(tmp_path / "checkpoint.txt"),
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), target, "TAXPAYERS=40", "SEED=7"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_make_run_sets_up_a_synthetic_database_and_is_idempotent(tmp_path: Path) -> None:
    first = _make("run", tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "SYNTHETIC" in first.stdout
    assert (tmp_path / "keyring.json").stat().st_mode & 0o777 == 0o600
    assert "Taxpayers:" in first.stdout
    # demo staff are listed for the person who just ran it
    assert "sec1" in first.stdout
    # the demo file (printed by welcome) names the one account ra1's demo grant opens
    assert re.search(r"ra1 holds the demo EXAM case on TIN \d{3}-\d{2}-\d{4}", first.stdout)
    second = _make("run", tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "already" in (second.stdout + second.stderr).lower()
