"""Document Locator Numbers (DLNs).

Why: every return and posted transaction carries the 14-digit DLN that says where and when the
document was numbered (domain.md §2.5, §2.7); screens show it as ``FFTDD-JJJ-BBBSS-Y``
(screens.md §1.1, after Doc 6209 §4).

Layout (domain.md §2.7; IRS media/141201, /143741, /171061, /141931)::

    FF  T  DD  JJJ  BBB  SS  Y
    |   |  |   |    |    |   year digit: last digit of the processing year
    |   |  |   |    |    serial 00-99 within the block
    |   |  |   |    block number / blocking series
    |   |  |   Julian date 001-366 (day of year numbered)
    |   |  document code (type of document within the tax class)
    |   tax class
    file location code (campus or area that numbered the document)

Validation (§6.4): 14 digits; Julian 001-366; serial 00-99; tax class one of §2.7's classes.
Tax class 0 (EPMF) is marked [0/6 uncertain] in the reference: we accept 0 and refuse 6. The
FLC is not checked against the campus table: area-office codes (e.g. ``00`` in the §6.4
vectors) are valid too. Julian 366 cannot be checked against a leap year from the DLN alone
(the year digit repeats every decade); :meth:`Dln.numbered_on` checks it once the year is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from idrs.errors import InvalidInput

TAX_CLASSES: dict[int, str] = {
    1: "withholding / employment (941, 943, 945)",
    2: "individual income, 1041, 1065, 8752",
    3: "corporation (1120)",
    4: "excise (720, 11-C, 2290, 730)",
    5: "estate and gift (706, 709)",
    7: "railroad (CT-1)",
    8: "FUTA (940)",
    9: "mixed / SS-4",
    0: "EPMF [uncertain]",
}

# Doc 6209 §11 "Campus Collection Branch" (domain.md §2.7).
CAMPUS_FLC: dict[int, str] = {
    8: "Andover",
    7: "Atlanta",
    18: "Austin",
    19: "Brookhaven",
    17: "Cincinnati",
    89: "Fresno",
    9: "Kansas City",
    49: "Memphis",
    29: "Ogden",
    28: "Philadelphia",
}

_SEPARATORS = re.compile(r"[\s\-./]+")


@dataclass(frozen=True)
class Dln:
    """A DLN, field by field (all numeric)."""

    flc: int
    tax_class: int
    doc_code: int
    julian: int
    block: int
    serial: int
    year_digit: int

    def __post_init__(self) -> None:
        for name, high in (("flc", 99), ("doc_code", 99), ("block", 999), ("year_digit", 9)):
            value = getattr(self, name)
            if isinstance(value, bool) or not 0 <= value <= high:
                raise InvalidInput("dln", f"{name} must be 0-{high}", value)
        if self.tax_class not in TAX_CLASSES:
            raise InvalidInput("dln", "tax class must be 0-5, 7, 8 or 9", self.tax_class)
        if not 1 <= self.julian <= 366:
            raise InvalidInput("dln", "Julian date must be 001-366", self.julian)
        if not 0 <= self.serial <= 99:
            raise InvalidInput("dln", "serial must be 00-99", self.serial)

    @classmethod
    def build(
        cls, flc: int, tax_class: int, doc_code: int, day: date, block: int, serial: int
    ) -> Dln:
        """Number a document on ``day`` (Julian date and year digit come from the date)."""
        return cls(flc, tax_class, doc_code, day.timetuple().tm_yday, block, serial, day.year % 10)

    @property
    def digits(self) -> str:
        """The bare 14-digit form."""
        return (
            f"{self.flc:02d}{self.tax_class}{self.doc_code:02d}{self.julian:03d}"
            f"{self.block:03d}{self.serial:02d}{self.year_digit}"
        )

    @property
    def campus(self) -> str | None:
        """The campus named by the FLC, or None for other file location codes."""
        return CAMPUS_FLC.get(self.flc)

    def numbered_on(self, year: int) -> date:
        """The numbering date, given the full year (its last digit must match the DLN)."""
        if year % 10 != self.year_digit:
            raise InvalidInput("dln", f"year {year} does not end in {self.year_digit}", year)
        day = date(year, 1, 1) + timedelta(days=self.julian - 1)
        if day.year != year:
            raise InvalidInput("dln", f"Julian date 366 in a non-leap year {year}", self.julian)
        return day

    def __str__(self) -> str:
        d = self.digits
        return f"{d[:5]}-{d[5:8]}-{d[8:13]}-{d[13]}"


def parse_dln(text: str) -> Dln:
    """Parse a DLN: bare 14 digits, the display form ``28211-105-12345-4``, or the same
    digits grouped by blanks, hyphens, dots or slashes in any other way."""
    raw = text.strip()
    if raw and not (raw[0].isdigit() and raw[-1].isdigit()):
        raise InvalidInput("dln", "must be 14 digits", text)
    digits = _SEPARATORS.sub("", raw)
    if len(digits) != 14 or not digits.isdigit() or not digits.isascii():
        raise InvalidInput("dln", "must be 14 digits", text)
    return Dln(
        flc=int(digits[0:2]),
        tax_class=int(digits[2]),
        doc_code=int(digits[3:5]),
        julian=int(digits[5:8]),
        block=int(digits[8:11]),
        serial=int(digits[11:13]),
        year_digit=int(digits[13]),
    )
