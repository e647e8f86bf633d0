"""One frozen settings object, read once from the environment at start-up.

Modelled on Starlette's ``Config``: typed values, secrets never printed. Every component takes a
``Settings`` (or the piece it needs) rather than reading ``os.environ`` itself, so tests and
batch runs can build their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from idrs.errors import ConfigurationError

DEFAULT_DATABASE_URL = "sqlite:///var/idrs.db"
DEFAULT_KEYRING = "var/keyring.json"
DEFAULT_CHECKPOINT = "var/checkpoint.txt"
DEFAULT_TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class Settings:
    """Typed settings. ``as_of`` pins the business clock (ISO date or date-time), else real time."""

    database_url: str = DEFAULT_DATABASE_URL
    keyring_path: Path = Path(DEFAULT_KEYRING)
    checkpoint_path: Path = Path(DEFAULT_CHECKPOINT)
    timezone: str = DEFAULT_TIMEZONE
    as_of: datetime | None = None
    recertify_days: int = 90
    # maker-checker: an adjustment or credit transfer of this many cents or more waits for an
    # approver (refunds and penalty abatements always do); [verify] the agency's figure
    approval_threshold_cents: int = 1_000_000
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(
                f"IDRS_TIMEZONE: not a known IANA time zone (got {self.timezone!r})",
                field="IDRS_TIMEZONE",
                rule="IANA time zone",
            ) from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        tz = env.get("IDRS_TIMEZONE", DEFAULT_TIMEZONE)
        return cls(
            database_url=env.get("IDRS_DATABASE_URL", DEFAULT_DATABASE_URL),
            keyring_path=Path(env.get("IDRS_KEYRING", DEFAULT_KEYRING)),
            checkpoint_path=Path(env.get("IDRS_CHECKPOINT_FILE", DEFAULT_CHECKPOINT)),
            timezone=tz,
            as_of=_parse_as_of(env.get("IDRS_AS_OF"), tz),
            recertify_days=positive_int(env, "IDRS_RECERTIFY_DAYS", 90),
            approval_threshold_cents=positive_int(env, "IDRS_APPROVAL_THRESHOLD_CENTS", 1_000_000),
        )


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    """A positive whole number from ``env[name]``, else ``default``; a bad value names ``name``."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(
            f"{name}: must be a whole number (got {raw!r})", field=name, rule="integer"
        ) from exc
    if value <= 0:
        raise ConfigurationError(f"{name}: must be positive (got {raw!r})", field=name, rule="> 0")
    return value


def _parse_as_of(raw: str | None, tz: str) -> datetime | None:
    if raw is None or raw == "":
        return None
    from idrs.clock import parse_as_of

    return parse_as_of(raw, ZoneInfo(tz))
