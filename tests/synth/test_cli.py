"""``idrs synth`` as a person uses it: clear one-line refusals, nothing written, SYNTHETIC."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from idrs.cli import synth as synth_cli
from idrs.errors import IdrsError, InvalidInput
from idrs.store.engine import make_engine
from idrs.store.meta import latest_run
from idrs.store.migrate import upgrade
from idrs.store.tables.taxpayers import taxpayers
from tests.cli.helpers import run_idrs

app = typer.Typer()
synth_cli.register(app)
app.command("noop")(lambda: None)  # a second command keeps `synth` a named subcommand


@pytest.fixture
def env(tmp_path: Path, keyring_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "idrs.db"
    monkeypatch.setenv("IDRS_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("IDRS_KEYRING", str(keyring_file))
    monkeypatch.setenv("IDRS_AS_OF", "2026-05-01")
    return db


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["synth", *args])


@pytest.mark.parametrize(
    ("args", "option", "rule"),
    [
        (["--taxpayers", "0", "--seed", "1"], "--taxpayers", "whole number from 20"),
        (["--taxpayers", "-5", "--seed", "1"], "--taxpayers", "whole number from 20"),
        (["--taxpayers", "2.5", "--seed", "1"], "--taxpayers", "whole number"),
        (["--taxpayers", "1000001", "--seed", "1"], "--taxpayers", "1,000,000"),
        (["--taxpayers", "40", "--seed", "abc"], "--seed", "whole number from 0"),
        (["--taxpayers", "40", "--seed", str(2**60)], "--seed", "whole number from 0"),
        (["--taxpayers", "40", "--seed", "1", "--as-of", "2026-02-30"], "--as-of", "YYYY-MM-DD"),
        (["--taxpayers", "40", "--seed", "1", "--as-of", "2019-12-31"], "--as-of", "from 2020"),
        (["--taxpayers", "40", "--seed", "1", "--chunk-size", "0"], "--chunk-size", "from 1"),
        (
            ["--taxpayers", "40", "--seed", "1", "--db", "mysql://h/d"],
            "--db",
            "sqlite or postgresql",
        ),
        (["--taxpayers", "40", "--seed", "1", "--db", "no url"], "--db", "database URL"),
    ],
)
def test_bad_options_name_the_option_and_write_nothing(
    env: Path, args: list[str], option: str, rule: str
) -> None:
    result = _invoke(*args)
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidInput)
    assert result.exception.message.startswith(f"{option}: ")
    assert rule in result.exception.message
    assert not env.exists()  # the database was never opened


def test_missing_database_and_missing_keyring_say_run_init(
    env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = _invoke("--taxpayers", "40", "--seed", "1")
    assert isinstance(result.exception, IdrsError)
    assert "idrs init" in result.exception.message
    assert not env.exists()
    monkeypatch.setenv("IDRS_KEYRING", str(tmp_path / "absent.json"))
    result = _invoke("--taxpayers", "40", "--seed", "1")
    assert isinstance(result.exception, IdrsError)
    assert "idrs init" in result.exception.message


def test_generates_says_synthetic_and_is_idempotent(env: Path) -> None:
    engine = make_engine(f"sqlite:///{env}")
    upgrade(engine)
    first = _invoke("--taxpayers", "40", "--seed", "3", "--chunk-size", "15")
    assert first.exit_code == 0, first.output
    assert "SYNTHETIC" in first.output
    assert "40 taxpayers, seed 3, as of 2026-05-01" in first.output
    second = _invoke("--taxpayers", "40", "--seed", "3")
    assert second.exit_code == 0 and "already complete" in second.output
    refused = _invoke("--taxpayers", "41", "--seed", "3")
    assert isinstance(refused.exception, IdrsError)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(taxpayers)).scalar_one() == 40
        run = latest_run(conn)
        assert run is not None and run.complete and run.chunk_size == 15
    engine.dispose()


def test_the_installed_command_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {
        "IDRS_DATABASE_URL": f"sqlite:///{tmp_path / 'idrs.db'}",
        "IDRS_KEYRING": str(tmp_path / "keyring.json"),
        "IDRS_CHECKPOINT_FILE": str(tmp_path / "checkpoint.txt"),
    }
    bad = run_idrs("synth", "--taxpayers", "many", "--seed", "1", env=env)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: --taxpayers: must be a whole number from 20 to 1,000,000 (got 'many')"
    ]
    assert not (tmp_path / "idrs.db").exists()
