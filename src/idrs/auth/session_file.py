"""The CLI's session file: one token, mode 0600, so scripts can run commands as a signed-on user.

Why a file: each ``idrs`` command is its own process, so the session must outlive it. The file
holds the bearer token (the database has only its SHA-256), so it is written atomically with
mode 0600 in a 0700 folder, refused if anyone else could read it, and deleted at sign-off or
as soon as the session it names has ended.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

from idrs.auth.passwords import AuthSettings
from idrs.auth.sessions import SessionExpired, SessionInvalid, resume
from idrs.clock import Clock
from idrs.errors import ConfigurationError, IdrsError
from idrs.gate import Session
from idrs.store.keyring import Keyring

FORMAT = "idrs-session-v1"


class NotSignedOn(IdrsError):
    def __init__(self, why: str = "") -> None:
        because = f" ({why})" if why else ""
        super().__init__(
            f"not signed on{because}: run idrs signon USERNAME", field="session", rule="signed on"
        )


@dataclass(frozen=True)
class SessionRecord:
    username: str
    session_id: str
    token: str = field(repr=False)


class CliContext(Protocol):
    """What :func:`load_cli_session` needs (``idrs.cli._context.Context`` has it)."""

    @property
    def engine(self) -> Engine: ...
    @property
    def keyring(self) -> Keyring: ...
    @property
    def clock(self) -> Clock: ...


def write_session_file(path: Path, record: SessionRecord) -> None:
    """Replace the file atomically; the folder is made 0700 if we make it, the file 0600."""
    parent = path.parent
    if not parent.exists():
        parent.mkdir(parents=True, mode=0o700)
        os.chmod(parent, 0o700)  # mkdir's mode is filtered by the umask
    tmp = parent / f".{path.name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump({"format": FORMAT, **record.__dict__}, fh)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_session_file(path: Path) -> SessionRecord | None:
    """The record in ``path``, None if there is none; refuses a file others could read."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    if st.st_mode & 0o077:
        raise ConfigurationError(
            f"IDRS_SESSION_FILE: {path} is open to others (mode {st.st_mode & 0o777:o}); "
            "delete it and sign on again",
            field="IDRS_SESSION_FILE",
            rule="mode 0600",
        )
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise ConfigurationError(
            f"IDRS_SESSION_FILE: {path} belongs to another user",
            field="IDRS_SESSION_FILE",
            rule="owned by you",
        )
    try:
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError("format")
        return SessionRecord(str(data["username"]), str(data["session_id"]), str(data["token"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        path.unlink(missing_ok=True)
        return None


def remove_session_file(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def load_cli_session(ctx: CliContext, settings: AuthSettings | None = None) -> Session:
    """The signed-on session for a CLI command, or :class:`NotSignedOn` saying what to do."""
    cfg = settings or AuthSettings.from_env()
    record = read_session_file(cfg.session_file)
    if record is None:
        raise NotSignedOn()
    try:
        return resume(ctx.engine, ctx.keyring, ctx.clock, record.token, settings=cfg)
    except SessionExpired as exc:
        remove_session_file(cfg.session_file)
        raise NotSignedOn(f"session ended: {exc.rule}") from None
    except SessionInvalid:
        remove_session_file(cfg.session_file)
        raise NotSignedOn("the session has ended") from None
