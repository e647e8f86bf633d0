"""Input-screen fields: where they sit on the grid, and the command line a transmit sends.

Why separate from the machine: the line an input screen sends is the contract with the
command parser (``CODE operands FIELD>value ...``, see :mod:`idrs.commands.line`), so it is
built by one pure function that tests can check value by value. Field layout is ours (the
research screen's ``NAME>value`` lines are replaced by editable ones in the same place, the
way an IDRS input format is overlaid on the screen it came from, screens.md §1).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

COLUMNS = 80
MIN_WIDTH = 8  # room to type into an empty field
GAP = 2  # blanks between two fields on one row
# fields that are the module key: sent as positional operands, not as FIELD>value pairs
KEY_FIELDS = ("TIN", "MFT", "TAX-PERIOD", "TXPRD", "PERIOD")
# the input format each research code hands over, for screens that do not name it (CODE)
INPUT_FOR = {"REQ54": "ADJ54", "REQ77": "FRM77", "ENREQ": "INCHG"}


@dataclass
class Field:
    """One editable value; ``masked`` ones (passwords, codes) are drawn as asterisks."""

    name: str
    value: str = ""
    masked: bool = False

    @property
    def max_length(self) -> int:
        return COLUMNS - len(self.name) - 2

    @property
    def shown(self) -> str:
        return "*" * len(self.value) if self.masked else self.value

    @property
    def width(self) -> int:
        return min(max(len(self.value) + 1, MIN_WIDTH), COLUMNS - len(self.name) - 1)


@dataclass(frozen=True)
class Place:
    """A field's place in a block of rows: the row, and the column its value starts in."""

    index: int
    row: int
    col: int


def pack(fields: Sequence[Field]) -> tuple[list[str], list[Place]]:
    """Lay ``NAME>value`` out left to right, starting a new row when one would pass column 80."""
    places: list[Place] = []
    row = col = 0
    for i, f in enumerate(fields):
        need = len(f.name) + 1 + f.width
        if col and col + need > COLUMNS:
            row, col = row + 1, 0
        places.append(Place(i, row, col + len(f.name) + 1))
        col += need + GAP
    return draw(fields, places, row + 1 if fields else 0), places


def stack(fields: Sequence[Field], indent: int = 2) -> tuple[list[str], list[Place]]:
    """One field a row (the sign-on screen)."""
    places = [Place(i, i, indent + len(f.name) + 1) for i, f in enumerate(fields)]
    return draw(fields, places, len(fields)), places


def draw(fields: Sequence[Field], places: Sequence[Place], rows: int) -> list[str]:
    grid = [[" "] * COLUMNS for _ in range(rows)]
    for p in places:
        f = fields[p.index]
        start = p.col - len(f.name) - 1
        text = f"{f.name}>{f.shown}"[: COLUMNS - start]
        grid[p.row][start : start + len(text)] = list(text)
    return ["".join(r) for r in grid]


def prompt_pattern(fields: Sequence[Field]) -> re.Pattern[str] | None:
    """Matches a ``NAME>`` prompt of one of ``fields`` (not ``SRC-CD>`` for ``CD``)."""
    if not fields:
        return None
    names = "|".join(re.escape(f.name) for f in sorted(fields, key=lambda f: -len(f.name)))
    return re.compile(rf"(?<![A-Z0-9-])(?:{names})>")


def overlay(body: Sequence[str], fields: Sequence[Field]) -> tuple[list[str], int, list[Place]]:
    """The research body with its field lines replaced by the editable rows.

    Returns the new body, the body index of the first field row, and the fields' places
    (rows relative to that index)."""
    rows, places = pack(fields)
    pattern = prompt_pattern(fields)
    kept: list[str] = []
    at: int | None = None
    for line in body:
        if pattern is not None and pattern.search(line):
            at = len(kept) if at is None else at
            continue
        kept.append(line)
    at = len(kept) if at is None else at
    return [*kept[:at], *rows, *kept[at:]], at, places


def quote(value: str) -> str:
    """A value as the line parser (``shlex``) reads it back: bare, "double" or 'shell' quoted."""
    if not any(c.isspace() or c in "\"'\\" for c in value):
        return value
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return shlex.quote(value)


def build_line(code: str, operands: Sequence[str], fields: Sequence[Field]) -> str:
    """``CODE <tin> <mft> <period> FIELD>value ...`` for an input screen's transmit.

    The module key comes from the TIN/MFT/period fields when the screen has them (the
    operator may have corrected one), else from the research line's operands. Empty fields
    are left out, so the command sees only what was keyed or pre-filled."""
    by_name = {f.name: f.value.strip() for f in fields}
    keyed = [by_name[k] for k in KEY_FIELDS if by_name.get(k)]
    parts = [code, *(keyed or operands)]
    for f in fields:
        value = f.value.strip()
        if f.name in KEY_FIELDS or f.name == "CODE" or not value:
            continue
        parts.append(f"{f.name}>{quote(value)}")
    return " ".join(parts)
