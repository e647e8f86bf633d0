"""The 24 x 80 screen: line 1 echoes the request, lines 2-23 the output, line 24 the message.

Why layers (screens.md §17): any command can end in a line-24 message without repainting its
output, and the operator's input stays on line 1 to be corrected and sent again. Long output
pages 22 lines at a time. A synthetic database says so on line 1 of every page. Like the 3270
screens it models, every line is upper case (the JSON form keeps values as stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from idrs.commands.fmt import mmddyyyy

ROWS = 24
COLUMNS = 80
BODY_ROWS = ROWS - 2
SYNTHETIC_MARK = "*SYNTHETIC*"


@dataclass(frozen=True)
class Screen:
    echo: str
    body: tuple[str, ...] = ()
    message: str = ""
    as_of: date | None = None
    synthetic: bool = True
    fields: dict[str, str] = field(default_factory=dict)  # an input screen's pre-filled fields

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.body) // BODY_ROWS))

    def page(self, number: int = 1) -> list[str]:
        """The 24 lines of page ``number`` (1-based), each exactly 80 characters."""
        if not 1 <= number <= self.page_count:
            raise ValueError(f"page {number} of {self.page_count}")
        right = f"PAGE NO-{number:04d}  {mmddyyyy(self.as_of)}".rstrip()
        if self.synthetic:
            right = f"{SYNTHETIC_MARK} {right}"
        head = self.echo[: COLUMNS - len(right) - 1].ljust(COLUMNS - len(right)) + right
        start = (number - 1) * BODY_ROWS
        lines = [head]
        lines.extend(self.body[start : start + BODY_ROWS])
        lines.extend([""] * (ROWS - 1 - len(lines)))
        message = self.message
        if not message and number < self.page_count:
            message = f"MORE - PAGE NO-{number + 1:04d}"
        lines.append(message)
        return [fit(line.upper()) for line in lines]  # the 3270 screen is upper case only

    def text(self, number: int | None = None) -> str:
        """One page, or every page one after another (for ``idrs cmd``), without trailing blanks."""
        numbers = range(1, self.page_count + 1) if number is None else [number]
        return "\n".join(line.rstrip() for n in numbers for line in self.page(n))


def fit(line: str) -> str:
    return line[:COLUMNS].ljust(COLUMNS)
