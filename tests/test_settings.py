"""Settings read once from the environment; bad values name the variable."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from idrs.errors import ConfigurationError, InvalidInput
from idrs.settings import Settings


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s.database_url == "sqlite:///var/idrs.db"
    assert s.keyring_path == Path("var/keyring.json")
    assert s.timezone == "America/New_York"
    assert s.as_of is None


def test_as_of_date_is_noon_agency_time() -> None:
    s = Settings.from_env({"IDRS_AS_OF": "2026-03-10"})
    # 12:00 in New York on 10 March 2026 is 16:00 UTC (EDT began 8 March)
    assert s.as_of == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)


def test_bad_timezone_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="IDRS_TIMEZONE"):
        Settings.from_env({"IDRS_TIMEZONE": "Mars/Olympus"})


def test_bad_as_of_names_the_field() -> None:
    with pytest.raises(InvalidInput, match="as_of"):
        Settings.from_env({"IDRS_AS_OF": "yesterday"})


@pytest.mark.parametrize("raw", ["ninety", "0", "-3"])
def test_bad_recertify_days(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="IDRS_RECERTIFY_DAYS"):
        Settings.from_env({"IDRS_RECERTIFY_DAYS": raw})


def test_repr_hides_nothing_secret() -> None:
    # settings hold no secrets (keys live in the keyring file); the path is shown, not its content
    assert "keyring" in repr(Settings())
