"""One formatter for the values every screen shows (screens.md §1.1).

Why one place: IDRS prints a TIN, a date, an amount, a cycle or a DLN the same way on every
screen; credits carry a trailing minus and amounts are right-aligned in a fixed column.
"""

from __future__ import annotations

from datetime import date

from idrs.domain.dln import parse_dln
from idrs.domain.tc import BalanceEffect, transaction_code
from idrs.errors import InvalidInput


def mmddyyyy(day: date | None) -> str:
    """``04152024``; blank when there is no date."""
    return "" if day is None else day.strftime("%m%d%Y")


def iso_day(text: str | None) -> str:
    """``MMDDYYYY`` for a date carried in command data as ISO text; blank for none."""
    return mmddyyyy(None if text is None else date.fromisoformat(text))


def parse_mmddyyyy(field: str, text: str) -> date:
    """A date typed as ``MMDDYYYY``; the error names ``field``."""
    if len(text) != 8 or not text.isdigit():
        raise InvalidInput(field, "DATE MUST BE MMDDYYYY")
    try:
        return date(int(text[4:]), int(text[:2]), int(text[2:4]))
    except ValueError:
        raise InvalidInput(field, "NOT A CALENDAR DATE") from None


def amount(cents: int, width: int = 0) -> str:
    """``1,234.00`` for a debit, ``1,234.00-`` for a credit, right-aligned in ``width``."""
    text = f"{abs(cents) // 100:,}.{abs(cents) % 100:02d}" + ("-" if cents < 0 else " ")
    return text.rjust(width) if width else text.rstrip()


def tc_amount(tc_code: int, cents: int, width: int = 0) -> str:
    """An amount as its transaction code moves the balance: a credit TC's amount trails a
    minus. A TC not in the catalogue (an unpostable may carry one) shows as entered."""
    try:
        effect = transaction_code(tc_code).effect
    except InvalidInput:
        effect = BalanceEffect.NONE
    return amount(-cents if effect is BalanceEffect.CREDIT else cents, width)


def period(tax_period: int) -> str:
    return f"{tax_period:06d}"


def mft(code: int) -> str:
    return f"{code:02d}"


def dln(digits: str | None) -> str:
    """``28211-105-12345-4``; anything that is not a DLN is shown as stored."""
    if not digits:
        return ""
    try:
        return str(parse_dln(digits))
    except InvalidInput:
        return digits


def tc(code: int) -> str:
    return f"{code:03d}"


def pad(text: str, width: int) -> str:
    return text[:width].ljust(width)
