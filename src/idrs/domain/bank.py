"""Bank routing and account numbers for refunds by direct deposit.

Why: a refund sent to a mistyped routing number bounces or goes astray; the ABA check digit
and the routing-symbol ranges catch most typing errors before a refund is scheduled.

* Routing number: nine digits; ABA 3-7-1 checksum
  ``3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10)`` (domain.md §6.2), computed by
  ``stdnum.us.rtn`` (its 7-3-9 weights on the first eight digits give the same check digit).
  The first two digits must be 00 (U.S. Government), 01-12 (Federal Reserve districts),
  21-32 (thrifts), 61-72 (electronic) or 80 (traveler's cheques); the last three groups are
  marked "from memory" in the reference.
* Account number: see :func:`validate_account_number`.

Error messages do not echo the number typed (it identifies a taxpayer's account).
"""

from __future__ import annotations

import re

from stdnum.exceptions import ValidationError
from stdnum.us import rtn as stdnum_rtn

from idrs.errors import InvalidInput

ROUTING_PREFIXES = frozenset([*range(0, 13), *range(21, 33), *range(61, 73), 80])
ACCOUNT_MAX_LENGTH = 17

_NINE_DIGITS = re.compile(r"[0-9]{9}")
_ACCOUNT_SEPARATORS = re.compile(r"[ \-]")
_ACCOUNT = re.compile(r"[A-Za-z0-9]+")


class InvalidBankAccount(InvalidInput):
    """A routing or account number that breaks a rule; ``field`` says which one."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(field, rule)


def validate_routing_number(text: str) -> str:
    """Return the nine-digit routing number, or raise :class:`InvalidBankAccount`."""
    raw = text.strip() if isinstance(text, str) else ""
    if not _NINE_DIGITS.fullmatch(raw):
        raise InvalidBankAccount("routing_number", "must be nine digits")
    if int(raw[:2]) not in ROUTING_PREFIXES:
        raise InvalidBankAccount(
            "routing_number",
            f"first two digits {raw[:2]} are not a routing symbol (00-12, 21-32, 61-72, 80)",
        )
    try:
        stdnum_rtn.validate(raw)
    except ValidationError:
        raise InvalidBankAccount(
            "routing_number", "ABA check digit is wrong (3-7-1 weighted sum not divisible by 10)"
        ) from None
    return raw


def validate_account_number(text: str) -> str:
    """Return the account number without spaces or hyphens, or raise :class:`InvalidBankAccount`.

    1 to 17 ASCII letters or digits. The 17-character limit follows Form 8888 / Form 1040
    direct-deposit instructions and is marked [verify] in the reference (domain.md §6.2).
    Letter case is kept as typed.
    """
    if not isinstance(text, str):
        raise InvalidBankAccount("account_number", "must be text")
    raw = _ACCOUNT_SEPARATORS.sub("", text.strip())
    if not raw:
        raise InvalidBankAccount("account_number", "must not be empty")
    if not _ACCOUNT.fullmatch(raw):
        raise InvalidBankAccount(
            "account_number", "only letters, digits, spaces and hyphens are allowed"
        )
    if len(raw) > ACCOUNT_MAX_LENGTH:
        raise InvalidBankAccount(
            "account_number", f"at most {ACCOUNT_MAX_LENGTH} letters or digits (Form 8888)"
        )
    return raw
