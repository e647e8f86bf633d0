"""Statute expiration dates: ASED, CSED, RSED (domain.md §3.3, vectors §6.5).

Why here: every statute date on a module (ASED on TXMOD, CSED for collection, RSED for refund
claims) must come from one calendar rule. Sources are the rows of domain.md §3.3:

* **ASED** — IRC 6501(a),(b)(1),(c),(e): 3 years after the later of the return due date and
  the date filed (an early return is deemed filed on the due date); 6 years if more than 25%
  of gross income was omitted; unlimited (``None``) for no return or a false/fraudulent
  return; extendable by consent (Form 872, TC 560).
* **CSED** — IRC 6502, 6503, 6331(k), 6330(e): 10 years after assessment (the 23C date),
  plus suspensions (bankruptcy stay + 6 months, pending OIC, pending/rejected IA + 30 days,
  CDP hearing, taxpayer abroad >= 6 months ...). The caller totals the suspension; this module
  only adds it.
* **RSED** — IRC 6511(a): a claim is timely within 3 years from filing (early returns deemed
  filed on the due date, IRC 6513(a)) or 2 years from payment, whichever is later. The
  6511(b) lookback amount limit is not computed here.

The §6.5 vectors are rule applications by the reference's authors, not IRS-published
(**[these are rule applications, not IRS-published vectors]**).

Calendar arithmetic (:func:`add_months`): "N years after D" is the same month and day N
years later; a day that does not exist there is clamped to the month's last day, so
29 Feb 2024 + 3 years = 28 Feb 2027. "+ N months" works the same way (31 Jan + 1 month =
28/29 Feb). Months are always added to the original date, never chained.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from idrs.errors import InvalidInput

__all__ = ["add_months", "add_years", "ased", "csed", "rsed"]


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the end of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise InvalidInput("date", "result must be within years 1-9999", day.isoformat())
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """``day`` moved by ``years`` years; 29 Feb becomes 28 Feb in a non-leap year."""
    return add_months(day, 12 * years)


def ased(
    due: date,
    filed: date | None,
    *,
    substantial_omission: bool = False,
    fraud: bool = False,
    no_return: bool = False,
    extension_to: date | None = None,
) -> date | None:
    """Assessment statute expiration date, or ``None`` when assessment time is unlimited.

    ``due`` is the return due date (without extensions, as used for the early-return rule),
    ``filed`` the received date; ``filed=None`` means no return was filed. ``extension_to`` is
    the date agreed on a Form 872 consent; it only ever moves the ASED later.
    """
    if fraud or no_return or filed is None:
        return None
    years = 6 if substantial_omission else 3
    expires = add_years(max(due, filed), years)
    if extension_to is not None and extension_to > expires:
        return extension_to
    return expires


def csed(assessed: date, suspensions_days: int = 0, *, suspension_months: int = 0) -> date:
    """Collection statute expiration date: 23C date + 10 years + suspensions.

    ``suspensions_days`` (total days the statute was suspended) is added first, then
    ``suspension_months`` (for month-based periods such as the "+ 6 months" after a bankruptcy
    stay, IRC 6503(h)), matching §6.5: "original + 120 days + 6 months".
    """
    if suspensions_days < 0:
        raise InvalidInput("suspensions_days", "must not be negative", suspensions_days)
    if suspension_months < 0:
        raise InvalidInput("suspension_months", "must not be negative", suspension_months)
    expires = add_years(assessed, 10) + timedelta(days=suspensions_days)
    return add_months(expires, suspension_months)


def rsed(filed: date, due: date, last_payment: date | None = None) -> date:
    """Refund statute expiration date: later of 3 years from filing and 2 years from payment.

    An early return counts as filed on ``due`` (so the argument order of ``filed`` and ``due``
    does not change the result). ``last_payment`` is the latest payment on the module.
    """
    expires = add_years(max(filed, due), 3)
    if last_payment is not None:
        expires = max(expires, add_years(last_payment, 2))
    return expires
