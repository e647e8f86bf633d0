"""The terminal's side of the system: sign-on, one command at a time, sign-off.

Why the session is resumed before every command: the gate refuses a session past its
``expires_at``, and only :func:`idrs.auth.sessions.resume` restarts the idle clock and
notices a session that lapsed or was ended elsewhere (a reset, a separation). A lapsed one
sends the terminal back to SINON rather than refusing every command after it.

The token stays in memory when the terminal signs on itself; a session taken over from
``idrs signon`` is the CLI's, so signing off here also deletes the CLI's session file.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import Engine

from idrs.auth.passwords import AuthSettings
from idrs.auth.session_file import read_session_file, remove_session_file
from idrs.auth.sessions import SessionExpired, SessionInvalid, resume, sign_off, sign_on
from idrs.clock import Clock
from idrs.commands.run import Result, Terminal
from idrs.gate import Gate, Session
from idrs.settings import Settings
from idrs.store.governance import employee_number_and_unit
from idrs.store.keyring import Keyring
from idrs.terminal.state import SessionEnded


class Host:
    def __init__(
        self,
        engine: Engine,
        keyring: Keyring,
        clock: Clock,
        settings: Settings,
        auth: AuthSettings,
        terminal_name: str = "TERM",
    ) -> None:
        self.engine, self.keyring, self.clock = engine, keyring, clock
        self.settings, self.auth, self.terminal_name = settings, auth, terminal_name
        self.gate = Gate(engine, keyring, clock)
        self._token: str | None = None
        self._terminal: Terminal | None = None
        self._from_cli_file = False
        self.greeting = ""

    @property
    def signed_on(self) -> bool:
        return self._token is not None

    def take_over_cli_session(self) -> bool:
        """Use the session ``idrs signon`` left, if it is still live; True if there was one."""
        record = read_session_file(self.auth.session_file)
        if record is None:
            return False
        try:
            session = resume(
                self.engine, self.keyring, self.clock, record.token, settings=self.auth
            )
        except (SessionExpired, SessionInvalid):
            remove_session_file(self.auth.session_file)
            return False
        self._start(session, record.token)
        self._from_cli_file = True
        self.greeting = f"SESSION RESUMED - {self._who(session)}"
        return True

    def sign_on(self, username: str, password: str, code: str, new_password: str | None) -> str:
        session, token = sign_on(
            self.engine, self.keyring, self.clock, username, password, code,
            self.terminal_name, new_password=new_password, settings=self.auth,
        )  # fmt: skip
        self._start(session, token)
        self._from_cli_file = False
        return f"SIGN ON COMPLETED - {self._who(session)}"

    def run(self, line: str) -> Result:
        if self._token is None or self._terminal is None:
            raise SessionEnded("NOT SIGNED ON - SIGN ON", field="session", rule="signed on")
        try:
            session = resume(self.engine, self.keyring, self.clock, self._token, settings=self.auth)
        except (SessionExpired, SessionInvalid) as exc:
            self._forget()
            why = (exc.rule or "ended").upper()
            raise SessionEnded(f"SESSION ENDED ({why}) - SIGN ON AGAIN", field="session",
                               rule=exc.rule) from None  # fmt: skip
        self._terminal.session = session
        return self._terminal.screen(line)

    def sign_off(self) -> str:
        token = self._token
        if token is not None:
            # a session that lapsed or was ended elsewhere has nothing left to end
            with contextlib.suppress(SessionInvalid):
                sign_off(self.engine, self.keyring, self.clock, token, settings=self.auth)
        self._forget()
        return "SIGN OFF COMPLETED"

    def _start(self, session: Session, token: str) -> None:
        self._token = token
        self._terminal = Terminal(self.gate, session, self.settings)

    def _forget(self) -> None:
        if self._from_cli_file:
            remove_session_file(self.auth.session_file)
        self._token, self._terminal, self._from_cli_file = None, None, False

    def _who(self, session: Session) -> str:
        with self.engine.connect() as conn:
            number, unit = employee_number_and_unit(conn, session.staff_id)
        when = self.clock.now().astimezone(self.clock.zone).strftime("%m%d%Y %H:%M")
        return f"{number} - UNIT {unit} - {when}"
