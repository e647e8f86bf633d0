"""Master File Tax (MFT) codes and the return due dates we can state.

Why: a tax module is keyed by TIN + MFT + tax period (domain.md §2.5); the MFT says which
return (form), which master file, whether periods are quarters or years, and when the return
is due (which in turn drives ASED, failure-to-file and interest start dates).

Catalogue: domain.md §2.6 (IRS media/149326; Doc 6209 §2; IRM 5.16.1), with each row's
confidence as the reference gives it. MFT 29 comes from screens.md §1.1 only. Where the
reference marks a row [uncertain] we say so in ``confidence``.

Due dates (``return_due_date``), before the IRC 7503 roll-forward past weekends and legal
holidays (see :mod:`idrs.domain.periods`):

* 30 (1040), 05 (1041): 15th day of the 4th month after the period ends (§2.6).
* 02 (1120): 15th day of the 4th month for tax years beginning after 2015 (Pub. L. 114-41
  §2006), the 3rd month before that. Not from our reference (statute text, verify): a C
  corporation with a 30 June year end keeps the 3rd month for tax years beginning before
  2026. MFT 02 also carries 1120-S, which is due in the 3rd month; we cannot tell the form
  from the MFT, so 1120-S due dates need the form and are **not** handled here.
* 06 (1065): 15th day of the 3rd month for tax years beginning after 2015, the 4th month
  before. The reference says its IRS table still shows the 4th month and asks us to verify.
* 67 (990 family): 15th day of the 5th month (§2.6).
* 01 (941): last day of the month after the quarter ends (§2.6).
* 10 (940), 14 (944), 16 (945): 31 January after the calendar year (§2.6).

Other MFTs have no stated rule: ``return_due_date`` refuses them rather than guess.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from idrs.domain.periods import TaxPeriod, roll_forward
from idrs.errors import InvalidInput

PeriodKind = Literal["annual", "quarterly"]
Confidence = Literal["confirmed", "high", "uncertain"]

MSG_LENGTH = "MFT WHEN PRESENT MUST HAVE 2 CHARACTERS"  # IRM 2.3.63 (screens.md §1.3)
MSG_INVALID = "INVALID MFT"


@dataclass(frozen=True)
class Mft:
    """One MFT code and what the reference says about it."""

    code: int
    form: str
    master_file: str
    period_kind: PeriodKind
    confidence: Confidence
    due_rule: str
    source: str = "domain.md §2.6"

    def __str__(self) -> str:
        return f"{self.code:02d}"


_FOURTH_15 = "15th day of 4th month after period end"
_NO_RULE = "not stated in reference"

_ROWS: tuple[Mft, ...] = (
    Mft(30, "1040 family (1040-SS/PR, 1040-NR, 1040-X)", "IMF", "annual", "confirmed",
        _FOURTH_15, "IRS media/149326; Doc 6209 §2"),
    Mft(29, "IRA (individual retirement arrangement)", "IMF", "annual", "uncertain",
        _NO_RULE, "screens.md §1.1 only"),
    Mft(31, "mirrored/split joint liability (innocent spouse)", "IMF", "annual", "uncertain",
        _NO_RULE),
    Mft(35, "ACA shared-responsibility payment", "IMF", "annual", "confirmed", _NO_RULE,
        "IRM 5.16.1"),
    Mft(65, "ACA shared-responsibility payment (mirrored)", "IMF", "annual", "confirmed",
        _NO_RULE, "IRM 5.16.1"),
    Mft(55, "civil penalties (e.g. TFRP IRC 6672)", "IMF", "annual", "uncertain", _NO_RULE),
    Mft(1, "941 quarterly employment", "BMF", "quarterly", "confirmed",
        "last day of month after quarter end"),
    Mft(2, "1120 family (incl. 1120-S)", "BMF", "annual", "high",
        "1120: 15th day of 4th month after FY end (3rd month before 2016); 1120-S: 3rd month"),
    Mft(3, "720 excise", "BMF", "quarterly", "high", _NO_RULE),
    Mft(5, "1041 fiduciary", "BMF", "annual", "confirmed", _FOURTH_15),
    Mft(6, "1065 partnership", "BMF", "annual", "confirmed",
        "15th day of 3rd month after period end (4th month before 2016) [verify]"),
    Mft(10, "940 FUTA", "BMF", "annual", "confirmed", "31 January after the year"),
    Mft(11, "943 agricultural employment", "BMF", "annual", "uncertain", _NO_RULE),
    Mft(12, "1042 withholding at source", "BMF", "annual", "confirmed", _NO_RULE,
        "Doc 6209 §2"),
    Mft(13, "civil penalties (BMF)", "BMF", "annual", "uncertain", _NO_RULE),
    Mft(14, "944 annual employment", "BMF", "annual", "confirmed", "31 January after the year"),
    Mft(16, "945 non-payroll withholding", "BMF", "annual", "confirmed",
        "31 January after the year"),
    Mft(36, "1041-A", "BMF", "annual", "confirmed", _NO_RULE, "Doc 6209 §2"),
    Mft(44, "990-PF (EO)", "BMF", "annual", "uncertain", _NO_RULE),
    Mft(34, "990-T (EO)", "BMF", "annual", "uncertain", _NO_RULE),
    Mft(51, "709 gift", "BMF", "annual", "high", _NO_RULE),
    Mft(52, "706 estate (period = date of death month)", "BMF", "annual", "high", _NO_RULE),
    Mft(60, "2290 heavy vehicle use", "BMF", "annual", "uncertain", _NO_RULE),
    Mft(67, "990 / 990-EZ / 990-N (EO)", "BMF", "annual", "confirmed",
        "15th day of 5th month after period end"),
    Mft(74, "5500", "EPMF", "annual", "uncertain", _NO_RULE),
)  # fmt: skip

CATALOGUE: dict[int, Mft] = {row.code: row for row in _ROWS}


def mft(code: int | str) -> Mft:
    """Look up an MFT by number (``30``) or by its 2-character field (``'30'``, ``'01'``)."""
    if isinstance(code, bool):
        raise InvalidInput("mft", MSG_INVALID, code)
    if isinstance(code, str):
        raw = code.strip()
        if len(raw) != 2:
            raise InvalidInput("mft", MSG_LENGTH, code)
        if not (raw.isdigit() and raw.isascii()):
            raise InvalidInput("mft", MSG_INVALID, code)
        number = int(raw)
    else:
        if code > 99:
            raise InvalidInput("mft", MSG_LENGTH, code)
        number = code
    row = CATALOGUE.get(number)
    if row is None:
        raise InvalidInput("mft", MSG_INVALID, code)
    return row


def _day_of_month_after(period: TaxPeriod, months: int, day: int | None) -> date:
    """Day ``day`` (None = last day) of the ``months``-th month after the period's end month."""
    index = period.year * 12 + (period.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else day)


def _begins_after_2015(period: TaxPeriod) -> bool:
    """Whether a 12-month tax year ending in ``period`` began on or after 1 January 2016."""
    return (period.year, period.month) >= (2016, 12)


def _statutory_due(row: Mft, period: TaxPeriod) -> date:
    code = row.code
    if code in (30, 5):
        return _day_of_month_after(period, 4, 15)
    if code == 2:
        fourth = _begins_after_2015(period)
        if period.month == 6 and (period.year, period.month) <= (2026, 6):
            fourth = False  # June FYE C corporations: tax years beginning before 2026
        return _day_of_month_after(period, 4 if fourth else 3, 15)
    if code == 6:
        return _day_of_month_after(period, 3 if _begins_after_2015(period) else 4, 15)
    if code == 67:
        return _day_of_month_after(period, 5, 15)
    if code == 1:
        if period.month % 3:
            raise InvalidInput("tax_period", "941 period must end a quarter (03/06/09/12)", period)
        return _day_of_month_after(period, 1, None)
    if code in (10, 14, 16):
        if period.month != 12:
            raise InvalidInput("tax_period", f"Form {row.form[:3]} period must be YYYY12", period)
        return date(period.year + 1, 1, 31)
    raise InvalidInput("mft", f"NO DUE DATE RULE FOR MFT {row}", code)


def return_due_date(mft_code: Mft | int | str, tax_period: TaxPeriod | str) -> date:
    """The return due date, rolled past weekends and legal holidays (IRC 7503)."""
    row = mft_code if isinstance(mft_code, Mft) else mft(mft_code)
    period = tax_period if isinstance(tax_period, TaxPeriod) else TaxPeriod.parse(tax_period)
    return roll_forward(_statutory_due(row, period))
