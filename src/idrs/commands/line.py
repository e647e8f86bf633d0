"""Parse an IDRS command line: ``TXMODA123-45-6789 30 202312`` or ``ADJ54 ... TC>291 AMT>10.00``.

Why by hand: the syntax is IDRS's own (screens.md §1): a five-character command code, an
optional one-letter definer typed straight after it, positional operands (TIN, MFT, tax
period, then command-specific ones), and for input screens ``FIELD>value`` pairs as the screen
prompts show them (``FIELD=value`` is accepted too). Values with blanks are quoted.
Every error names the field and the rule, in the words line 24 shows.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from idrs.domain.mft import mft as lookup_mft
from idrs.domain.periods import TaxPeriod
from idrs.domain.tin import parse_tin
from idrs.errors import InvalidInput

CODE_LENGTH = 5


@dataclass(frozen=True)
class Line:
    """A command line split into its parts (nothing checked against the catalogue yet)."""

    text: str
    code: str
    definer: str
    operands: tuple[str, ...]
    fields: dict[str, str] = field(default_factory=dict)


def split_line(text: str) -> Line:
    """Code, definer, positional operands and ``FIELD>value`` pairs of one line."""
    raw = " ".join(text.split()) if "\n" in text else text.strip()
    if len(raw) < CODE_LENGTH:
        raise InvalidInput("command", "INVALID COMMAND CODE", raw)
    code = raw[:CODE_LENGTH].upper()
    rest = raw[CODE_LENGTH:]
    definer = ""
    if rest[:1].isalpha() and rest[:1].isascii():
        definer, rest = rest[0].upper(), rest[1:]
    try:
        tokens = shlex.split(rest)
    except ValueError:
        raise InvalidInput("command", "UNBALANCED QUOTES", raw) from None
    operands: list[str] = []
    fields: dict[str, str] = {}
    for token in tokens:
        sep = _separator(token)
        if sep is None:
            if fields:
                raise InvalidInput("command", "OPERANDS MUST COME BEFORE FIELD>VALUE PAIRS", token)
            operands.append(token)
            continue
        name, value = token.split(sep, 1)
        name = name.strip().upper()
        if not name:
            raise InvalidInput("command", "FIELD NAME MISSING BEFORE " + sep, token)
        if name in fields:
            raise InvalidInput(name, "FIELD GIVEN TWICE", token)
        fields[name] = value.strip()
    return Line(raw, code, definer, tuple(operands), fields)


def _separator(token: str) -> str | None:
    for sep in (">", "="):
        head = token.split(sep, 1)[0]
        if sep in token and head and all(c.isalnum() or c == "-" for c in head):
            return sep
    return None


def tin_operand(value: str) -> str:
    """The TIN as typed, checked (the gate parses it again, and refuses the same way)."""
    parse_tin(value)
    return value


def mft_operand(value: str) -> int:
    return lookup_mft(value).code


def period_operand(value: str) -> int:
    return int(str(TaxPeriod.parse(value)))
