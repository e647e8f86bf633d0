"""The terminal as a state machine: keys in, 24 lines of 80 characters and a cursor out.

Why no screen library here: everything the operator can do (type on line 1, transmit, page,
tab through an input screen, sign on and off) is a method, and everything shown is computed
from the state, so tests drive it with real commands against a real database and read the
same 24 lines a person would see. The view only maps keys to these methods.

Rules kept from IDRS (screens.md §1, §2): line 1 keeps what was typed so it can be corrected
and sent again; line 24 carries one message; an input screen (a research result with
``fields``) is overlaid with editable fields, pre-filled, and transmitting it sends
``CODE operands FIELD>value ...``; a failed input transmit keeps the screen and puts the
cursor on the field the message names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

from idrs.auth.sessions import PasswordChangeRequired
from idrs.commands.line import split_line
from idrs.commands.run import Result, error_message
from idrs.commands.screen import BODY_ROWS, COLUMNS, ROWS, fit
from idrs.errors import IdrsError
from idrs.terminal.fields import INPUT_FOR, Field, Place, build_line, overlay, stack

COMMAND_LINE = -1  # focus value: the cursor is on line 1
COMMAND_MAX = 240  # a long input line scrolls sideways on line 1
SIGNON_TITLE = "INTEGRATED DATA RETRIEVAL SYSTEM - SIGN ON".center(COLUMNS).rstrip()
SIGNON_FIRST_ROW = 3  # grid row of the first sign-on field
ASK_SIGNON = "ENTER USERNAME, PASSWORD AND CODE, THEN TRANSMIT"


class Mode(Enum):
    SIGNON = "signon"
    COMMAND = "command"
    OFF = "off"


class SessionEnded(IdrsError):
    """The session lapsed (idle, too long) or was ended elsewhere: the terminal asks for SINON."""


class Host(Protocol):
    """What the machine needs from the system (:class:`idrs.terminal.host.Host` in real use)."""

    @property
    def signed_on(self) -> bool: ...
    @property
    def greeting(self) -> str: ...
    def sign_on(self, username: str, password: str, code: str, new_password: str | None) -> str:
        """Open a session; returns the line-24 text. Raises IdrsError."""
        ...

    def run(self, line: str) -> Result:
        """One command line; errors and refusals come back as a Result. Raises SessionEnded."""
        ...

    def sign_off(self) -> str: ...


@dataclass(frozen=True)
class Spot:
    """An editable area on the grid (0-based row and column); ``index`` -1 is line 1."""

    row: int
    col: int
    width: int
    index: int


class Machine:
    def __init__(self, host: Host) -> None:
        self.host = host
        self.mode = Mode.COMMAND
        self.command = ""
        self.cursor = 0
        self.fields: list[Field] = []
        self.focus = COMMAND_LINE
        self.result: Result | None = None
        self.page = 1
        self.notice = ""  # line 24 when set; else the screen's own message
        self.input_code = ""
        self.input_operands: tuple[str, ...] = ()
        if host.signed_on:
            self.notice = host.greeting
        else:
            self._to_signon(ASK_SIGNON)

    @property
    def done(self) -> bool:
        return self.mode is Mode.OFF

    # -- editing the focused line or field -----------------------------------------------------
    def _text(self) -> str:
        return self.command if self.focus == COMMAND_LINE else self.fields[self.focus].value

    def _set_text(self, value: str) -> None:
        if self.focus == COMMAND_LINE:
            self.command = value
        else:
            self.fields[self.focus].value = value

    def _limit(self) -> int:
        return COMMAND_MAX if self.focus == COMMAND_LINE else self.fields[self.focus].max_length

    def type(self, text: str) -> None:
        """Insert at the cursor; upper case after sign-on (IDRS is upper case only)."""
        if self.done:
            return
        text = "".join(c for c in text if c.isprintable())
        if self.mode is Mode.COMMAND:
            text = text.upper()
        cur = self._text()
        text = text[: max(0, self._limit() - len(cur))]
        self._set_text(cur[: self.cursor] + text + cur[self.cursor :])
        self.cursor += len(text)

    def backspace(self) -> None:
        if self.cursor > 0 and not self.done:
            cur = self._text()
            self._set_text(cur[: self.cursor - 1] + cur[self.cursor :])
            self.cursor -= 1

    def delete(self) -> None:
        if not self.done:
            cur = self._text()
            self._set_text(cur[: self.cursor] + cur[self.cursor + 1 :])

    def erase_to_end(self) -> None:
        """The 3270 ERASE EOF key: clear from the cursor to the end of the field."""
        if not self.done:
            self._set_text(self._text()[: self.cursor])

    def left(self) -> None:
        self.cursor = max(0, self.cursor - 1)

    def right(self) -> None:
        self.cursor = min(len(self._text()), self.cursor + 1)

    def home(self) -> None:
        self.cursor = 0

    def end(self) -> None:
        self.cursor = len(self._text())

    # -- moving between line 1 and the fields --------------------------------------------------
    def _order(self) -> list[int]:
        first = [] if self.mode is Mode.SIGNON else [COMMAND_LINE]
        return [*first, *range(len(self.fields))]

    def tab(self, step: int = 1) -> None:
        """Next (or, with ``step=-1``, previous) field, line 1 included, wrapping round."""
        order = self._order()
        if self.done or len(order) < 2:
            return
        at = order.index(self.focus) if self.focus in order else 0
        self._focus(order[(at + step) % len(order)])

    def backtab(self) -> None:
        self.tab(-1)

    def _focus(self, index: int) -> None:
        self.focus = index
        self.cursor = len(self._text())
        if index != COMMAND_LINE and self.mode is Mode.COMMAND and self.result is not None:
            _, at, places = overlay(self.result.screen.body, self.fields)
            self.page = (at + places[index].row) // BODY_ROWS + 1

    def _focus_named(self, name: str) -> bool:
        for i, f in enumerate(self.fields):
            if f.name == name:
                self._focus(i)
                return True
        return False

    # -- paging ----------------------------------------------------------------------------------
    def page_count(self) -> int:
        if self.result is None:
            return 1
        body, _, _ = overlay(self.result.screen.body, self.fields)
        return replace(self.result.screen, body=tuple(body)).page_count

    def page_down(self) -> None:
        if self.page >= self.page_count():
            self.notice = "NO MORE PAGES"
        else:
            self.page, self.notice = self.page + 1, ""

    def page_up(self) -> None:
        if self.page <= 1:
            self.notice = "FIRST PAGE DISPLAYED"
        else:
            self.page, self.notice = self.page - 1, ""

    # -- transmit ----------------------------------------------------------------------------------
    def transmit(self) -> None:
        """The ENTER key: sign on, run line 1, or send the input screen the cursor is in."""
        self.notice = ""
        if self.mode is Mode.SIGNON:
            self._sign_on()
        elif self.mode is Mode.COMMAND:
            if self.focus == COMMAND_LINE:
                self._send_command()
            else:
                self._send_input()

    def _send_command(self) -> None:
        text = self.command.strip()
        if not text:
            self.notice = "ENTER A COMMAND CODE"
            return
        code = text[:5].upper()
        if code == "SINOF":
            self.sign_off()
        elif code == "SINON":
            self.notice = "ALREADY SIGNED ON - SINOF FIRST"
        else:
            result = self._run(text)
            if result is not None:
                self.show(result, text)

    def _send_input(self) -> None:
        if not self.input_code:
            self.notice = "NO INPUT COMMAND FOR THIS SCREEN"
            return
        line = build_line(self.input_code, self.input_operands, self.fields)
        result = self._run(line)
        if result is None:
            return
        if result.ok:
            self.show(result, line)
            return
        # keep the overlay and what was keyed; the cursor goes to the field the message names
        self.notice = result.screen.message
        for f in self.fields:
            if self.notice.startswith((f"{f.name}:", f"{f.name} ")):
                self._focus_named(f.name)
                break

    def _run(self, line: str) -> Result | None:
        try:
            return self.host.run(line)
        except SessionEnded as exc:
            self._to_signon(exc.message)
            return None

    def show(self, result: Result, line: str) -> None:
        """A new screen: page 1, line 1 keeps the input, an input screen gets its fields."""
        self.result, self.page = result, 1
        self.command, self.fields, self.focus = line, [], COMMAND_LINE
        self.cursor = len(line)
        self.input_code, self.input_operands = "", ()
        if not (result.ok and result.fields):
            return
        given = dict(result.fields)
        research = split_line(result.screen.echo)
        self.input_code = given.pop("CODE", "") or INPUT_FOR.get(research.code, "")
        self.input_operands = research.operands
        self.fields = [Field(name, value) for name, value in given.items()]
        if self.fields:
            self._focus(next((i for i, f in enumerate(self.fields) if not f.value), 0))

    # -- sign-on and sign-off ------------------------------------------------------------------
    def _to_signon(self, message: str) -> None:
        self.mode, self.result, self.page, self.command = Mode.SIGNON, None, 1, "SINON"
        self.fields = [
            Field("USERNAME"),
            Field("PASSWORD", masked=True),
            Field("CODE", masked=True),
        ]
        self.input_code, self.input_operands = "", ()
        self._focus(0)
        self.notice = message

    def _sign_on(self) -> None:
        values = {f.name: f.value for f in self.fields}
        for f in self.fields:
            if not f.value.strip():
                self._focus(self.fields.index(f))
                self.notice = f"{f.name}: REQUIRED"
                return
        new = values.get("NEW-PASSWORD")
        if new is not None and new != values.get("CONFIRM"):
            self._clear_masked(
                "NEW-PASSWORD", "CONFIRM: DOES NOT MATCH THE NEW PASSWORD", keep="PASSWORD"
            )
            return
        try:
            greeting = self.host.sign_on(
                values["USERNAME"].strip(), values["PASSWORD"], values["CODE"].strip(), new
            )
        except PasswordChangeRequired:
            if new is None:
                self.fields += [Field("NEW-PASSWORD", masked=True), Field("CONFIRM", masked=True)]
            self._clear_masked(
                "NEW-PASSWORD", "PASSWORD EXPIRED - ENTER A NEW PASSWORD AND CODE", keep="PASSWORD"
            )
            return
        except IdrsError as exc:
            new = new if exc.field == "new_password" else None  # a refusal: key it all again
            where = "NEW-PASSWORD" if new else "PASSWORD"
            self._clear_masked(where, error_message(exc), keep="PASSWORD" if new else "")
            return
        self.mode, self.fields, self.command, self.cursor = Mode.COMMAND, [], "", 0
        self.focus = COMMAND_LINE
        self.notice = greeting

    def _clear_masked(self, focus: str, message: str, keep: str = "") -> None:
        """Secrets are keyed again after a failure (a TOTP code is good once anyway)."""
        for f in self.fields:
            if f.masked and f.name != keep:
                f.value = ""
        self._focus_named(focus)
        self.notice = message

    def sign_off(self) -> None:
        """SINOF, F3 or Ctrl-C: end the session (if any) and stop."""
        if self.done:
            return
        message = "SIGN OFF COMPLETED"
        if self.host.signed_on:
            try:
                message = self.host.sign_off()
            except IdrsError as exc:
                message = error_message(exc)
        self.mode, self.result, self.fields, self.focus = Mode.OFF, None, [], COMMAND_LINE
        self.command, self.cursor, self.notice = "SINOF", 5, message

    # -- what is on the glass ------------------------------------------------------------------
    def lines(self) -> list[str]:
        """The 24 lines of 80 characters a person sees now."""
        return self.render()[0]

    def spots(self) -> list[Spot]:
        return self.render()[1]

    def cursor_position(self) -> tuple[int, int]:
        """(row, column), 0-based, of the cursor on the grid."""
        _, spots, offset = self._render()
        for s in spots:
            if s.index == self.focus:
                return s.row, min(COLUMNS - 1, s.col + self.cursor - offset)
        return 0, 0

    def render(self) -> tuple[list[str], list[Spot]]:
        grid, spots, _ = self._render()
        return grid, spots

    def _render(self) -> tuple[list[str], list[Spot], int]:
        if self.mode is Mode.SIGNON:
            rows, places = stack(self.fields)
            body = [SIGNON_TITLE, "", *rows]
            spots = self._spots(places, SIGNON_FIRST_ROW - 1)
            return self._grid("SINON", body, self.notice), spots, 0
        if self.result is None:
            head, offset = self._head("")
            spot = Spot(0, 0, COLUMNS, COMMAND_LINE)
            return self._grid(head, [], self.notice), [spot], offset
        body, at, places = overlay(self.result.screen.body, self.fields)
        screen = replace(self.result.screen, body=tuple(body), echo="")
        page = screen.page(min(self.page, screen.page_count))
        head, offset = self._head(page[0].strip())
        lines = [head, *page[1:-1], fit(self.notice or page[-1])]
        top = (self.page - 1) * BODY_ROWS
        spots = [Spot(0, 0, COLUMNS, COMMAND_LINE), *self._spots(places, at - top)]
        return lines, spots, offset

    def _spots(self, places: list[Place], first: int) -> list[Spot]:
        """Spots for fields whose rows fall on the page shown (``first`` = body row of row 0)."""
        out = []
        for p in places:
            row = 1 + first + p.row
            if 1 <= row <= BODY_ROWS:
                out.append(Spot(row, p.col, self.fields[p.index].width, p.index))
        return out

    def _head(self, right: str) -> tuple[str, int]:
        """Line 1: the editable command text, then page and date if they fit beside it."""
        cmd = self.command
        if len(cmd) + 1 + len(right) <= COLUMNS:
            return cmd.ljust(COLUMNS - len(right)) + right, 0
        offset = max(0, self.cursor - (COLUMNS - 1)) if self.focus == COMMAND_LINE else 0
        return fit(cmd[offset : offset + COLUMNS]), offset

    @staticmethod
    def _grid(head: str, body: list[str], message: str) -> list[str]:
        lines = [head, *body[: ROWS - 2]]
        lines += [""] * (ROWS - 1 - len(lines))
        return [fit(x) for x in [*lines, message]]
