"""The real prompt_toolkit application, headless: keys go in through a pipe as a terminal
would send them (Tab, Enter, F3 as escape sequences) and the painted output is read back."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable

from prompt_toolkit.application import Application
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from idrs.terminal.state import Machine, Mode
from idrs.terminal.view import build_app
from tests.terminal.conftest import TermWorld

F3, F5, PAGE_DOWN = "\x1bOR", "\x1b[15~", "\x1b[6~"


class Glass(io.StringIO):
    """What the application writes to the screen (escape sequences and all)."""

    encoding = "utf-8"


async def _until(check: Callable[[], bool], seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the terminal did not get there")


async def _painted(app: Application[None], line24: str) -> list[str]:
    """The 24 lines the renderer last drew, once line 24 reads ``line24`` (its last screen:
    the output itself is only the differences between paints)."""

    def grid() -> list[str]:
        screen = app.renderer._last_screen
        if screen is None:
            return [""] * 24
        rows = screen.data_buffer
        return ["".join(rows[y][x].char for x in range(80)) for y in range(24)]

    await _until(lambda: grid()[23].rstrip() == line24.rstrip())
    return grid()


def test_typing_a_command_shows_the_message_on_line_24(tw: TermWorld) -> None:
    password, secret = tw.aw.ready("exec1")
    code = tw.code(secret)
    machine = Machine(tw.host())
    glass = Glass()
    tin = tw.tin("alice")
    seen: list[list[str]] = []

    async def session() -> str:
        with create_pipe_input() as keys:
            out = Vt100_Output(glass, lambda: Size(rows=24, columns=80), term="xterm")
            app = build_app(machine, input=keys, output=out)
            running = asyncio.ensure_future(app.run_async())
            keys.send_text(f"exec1\t{password}\t{code}\r")
            await _until(lambda: machine.mode is Mode.COMMAND)
            keys.send_text(f"{F5}TXMODA{tin} 30 202412{F5}\r")  # unbound keys type nothing
            await _until(lambda: "SECURITY" in machine.lines()[23])
            line24 = machine.lines()[23]
            seen.append(await _painted(app, line24))
            keys.send_text(PAGE_DOWN)
            seen.append(await _painted(app, "NO MORE PAGES"))
            keys.send_text(F3)
            await asyncio.wait_for(running, 20)
            return line24

    line24 = asyncio.run(session())
    assert re.fullmatch(r"SECURITY VIOLATION - REFERENCE \d{10}", line24.rstrip())
    assert machine.done and not machine.host.signed_on
    assert len(seen) == 2 and seen[0][23].rstrip() == line24.rstrip()  # what was painted
    assert seen[0][0].startswith(f"TXMODA{tin} 30 202412")
    assert seen[1][23].rstrip() == "NO MORE PAGES"
    assert password not in glass.getvalue()
