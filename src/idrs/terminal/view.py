"""The prompt_toolkit view: one 24 x 80 window painted from the machine, keys mapped to it.

Why so thin: the behaviour lives in :class:`idrs.terminal.state.Machine`, which tests drive
directly; here are only the key map and the painting (editable areas underlined, the focused
one reversed), so a headless test with a pipe input covers the rest.

Keys: Enter transmits; PageDown/F8 and PageUp/F7 page; Tab and Shift-Tab move between line 1
and the fields; F3 or Ctrl-C signs off and leaves; Ctrl-K erases to the end of the field.
"""

from __future__ import annotations

from prompt_toolkit.application import Application
from prompt_toolkit.data_structures import Point
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import FormattedTextControl, HSplit, Layout, Window
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from idrs.commands.screen import COLUMNS, ROWS
from idrs.terminal.state import COMMAND_LINE, Machine

STYLE = Style.from_dict(
    {"field": "underline", "focus": "reverse", "message": "bold", "line1": "bold"}
)


def fragments(machine: Machine) -> StyleAndTextTuples:
    """The 24 lines as styled text: fields underlined, the focused one reversed."""
    grid, spots = machine.render()
    out: StyleAndTextTuples = []
    for row, line in enumerate(grid):
        marks = sorted((s for s in spots if s.row == row and s.index != COMMAND_LINE),
                       key=lambda s: s.col)  # fmt: skip
        base = "class:line1" if row == 0 else "class:message" if row == ROWS - 1 else ""
        col = 0
        for s in marks:
            end = min(COLUMNS, s.col + s.width)
            out.append((base, line[col : s.col]))
            style = "class:focus" if s.index == machine.focus else "class:field"
            out.append((style, line[s.col : end]))
            col = end
        out.append((base, line[col:]))
        if row < ROWS - 1:
            out.append(("", "\n"))
    return out


def bindings(machine: Machine) -> KeyBindings:
    kb = KeyBindings()

    def act(*keys: str | Keys, action: str) -> None:
        @kb.add(*keys)
        def _(event: KeyPressEvent) -> None:
            getattr(machine, action)()
            if machine.done:
                event.app.exit()

    act("enter", action="transmit")
    act("c-j", action="transmit")
    for key, action in (
        ("pagedown", "page_down"), ("f8", "page_down"), ("pageup", "page_up"), ("f7", "page_up"),
        ("tab", "tab"), ("s-tab", "backtab"), ("backspace", "backspace"), ("delete", "delete"),
        ("left", "left"), ("right", "right"), ("home", "home"), ("end", "end"),
        ("c-k", "erase_to_end"), ("f3", "sign_off"), ("c-c", "sign_off"),
    ):  # fmt: skip
        act(key, action=action)

    @kb.add(Keys.Any)
    def _type(event: KeyPressEvent) -> None:
        if not isinstance(event.key_sequence[0].key, Keys):  # a character, not F5 or the like
            machine.type(event.data)

    @kb.add(Keys.BracketedPaste)
    def _paste(event: KeyPressEvent) -> None:
        machine.type(event.data.splitlines()[0] if event.data else "")

    return kb


def build_app(
    machine: Machine, input: Input | None = None, output: Output | None = None
) -> Application[None]:
    """The full-screen application; pass ``input``/``output`` to run it headless."""

    def cursor() -> Point:
        row, col = machine.cursor_position()
        return Point(x=col, y=row)

    control = FormattedTextControl(
        lambda: fragments(machine), focusable=True, show_cursor=True,
        get_cursor_position=cursor,
    )  # fmt: skip
    screen = Window(control, width=COLUMNS, height=ROWS, dont_extend_width=True)
    return Application(
        layout=Layout(HSplit([screen])),
        key_bindings=bindings(machine),
        style=STYLE,
        full_screen=True,
        input=input,
        output=output,
    )
