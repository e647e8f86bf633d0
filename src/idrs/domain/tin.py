"""Taxpayer Identification Numbers (TINs): parse, classify, validate, display.

Why: every account is keyed by a TIN (domain.md §2.2); a mistyped or never-issued number must
be refused with the rule it breaks, before it reaches a query or a posting.

Rules and where they come from:

* SSN ``AAA-GG-SSSS``: area 000, 666 and 900-999, group 00 and serial 0000 are never issued
  (SSA POMS RM 10201.035). ``stdnum.us.ssn`` checks the same rules and also refuses three
  publicly misused numbers; we name each rule ourselves and keep stdnum's list as a final gate.
  734-749 and 773+ are valid since the 25 Jun 2011 randomisation (no extra check needed).
  987-65-4320..4329 is SSA's advertising range: it parses (as an SSN unless another
  individual kind is asked for) and is flagged by :attr:`Tin.is_advertising`.
* ITIN: ``9`` + middle 50-65, 70-88, 90-92, 94-99 (IRS ITIN guidance, domain.md §2.2).
  ``stdnum.us.itin`` lacks 50-65 (a test pins that this is the only difference), and the
  same table classifies 9xx numbers, so the reference's table decides.
* ATIN (middle 93) and IRSN (middle 01-10, 17-19, 28-29, 37-39): same guidance; stdnum has no
  such ranges (its ``atin`` checks only the layout). Neither may be a filer's TIN.
* EIN ``PP-NNNNNNN``: prefix must be in the IRS "valid EIN prefixes" table. ``stdnum.us.ein``
  decides; its table equals the reference's union of campus and Internet prefixes (pinned by
  a test). The reference's not-assigned prefixes get their own message.

Error messages never echo the number typed: a TIN is disclosure-protected (IRC 6103).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from stdnum.us import ein as stdnum_ein
from stdnum.us import ssn as stdnum_ssn

from idrs.errors import InvalidInput


class TinKind(StrEnum):
    SSN = "SSN"
    ITIN = "ITIN"
    EIN = "EIN"
    ATIN = "ATIN"
    IRSN = "IRSN"


class InvalidTin(InvalidInput):
    """A TIN that is malformed or breaks an issuance rule; the message names the rule."""

    def __init__(self, rule: str, *, field: str = "TIN") -> None:
        super().__init__(field, rule)


def _span(*ranges: tuple[int, int]) -> frozenset[int]:
    return frozenset(n for low, high in ranges for n in range(low, high + 1))


ITIN_MIDDLE = _span((50, 65), (70, 88), (90, 92), (94, 99))
ATIN_MIDDLE = frozenset({93})
IRSN_MIDDLE = _span((1, 10), (17, 19), (28, 29), (37, 39))
EIN_NOT_ASSIGNED = frozenset(
    {"07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"}
)
ADVERTISING = frozenset(f"98765432{d}" for d in range(10))
_NOT_FILER = frozenset({TinKind.ATIN, TinKind.IRSN})

_DASHED_3_2_4 = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}")
_DASHED_2_7 = re.compile(r"[0-9]{2}-[0-9]{7}")
_BARE = re.compile(r"[0-9]{9}")

_INDIVIDUAL = "individual"  # hint: SSN, or ITIN/ATIN/IRSN by the middle digits
_HINTS: dict[str, TinKind | str] = {
    "ssn": TinKind.SSN,
    "itin": TinKind.ITIN,
    "ein": TinKind.EIN,
    "atin": TinKind.ATIN,
    "irsn": TinKind.IRSN,
    "individual": _INDIVIDUAL,
    "business": TinKind.EIN,
}


@dataclass(frozen=True)
class Tin:
    """A validated TIN. Construction checks the kind's rules, so a ``Tin`` is always valid."""

    digits: str
    kind: TinKind

    def __post_init__(self) -> None:
        if not isinstance(self.digits, str) or not _BARE.fullmatch(self.digits):
            raise InvalidTin("must be nine digits")
        object.__setattr__(self, "kind", TinKind(self.kind))
        _check(self.digits, self.kind)

    @property
    def formatted(self) -> str:
        d = self.digits
        if self.kind is TinKind.EIN:
            return f"{d[:2]}-{d[2:]}"
        return f"{d[:3]}-{d[3:5]}-{d[5:]}"

    @property
    def masked(self) -> str:
        last4 = self.digits[-4:]
        return f"XX-XXX{last4}" if self.kind is TinKind.EIN else f"XXX-XX-{last4}"

    @property
    def is_advertising(self) -> bool:
        """SSA advertising range 987-65-4320..4329, whichever individual kind it was read as."""
        return self.kind is not TinKind.EIN and self.digits in ADVERTISING

    @property
    def is_filer_tin(self) -> bool:
        return self.kind not in _NOT_FILER

    def __str__(self) -> str:
        return self.formatted

    def __repr__(self) -> str:  # keep full TINs out of logs and tracebacks
        return f"Tin({self.masked!r}, {self.kind.value})"


def parse_tin(text: str, kind: str | TinKind | None = None, *, filer: bool = False) -> Tin:
    """Parse ``NNN-NN-NNNN``, ``NN-NNNNNNN`` or nine bare digits into a validated :class:`Tin`.

    ``kind`` is a hint: a :class:`TinKind`, or ``"ssn"``, ``"itin"``, ``"ein"``, ``"atin"``,
    ``"irsn"``, ``"individual"`` (SSN, or ITIN/ATIN/IRSN by the middle digits; the default) or
    ``"business"`` (EIN). A hint that contradicts the dashes is refused. With ``filer=True``
    ATINs and IRSNs are refused.
    """
    if not isinstance(text, str):
        raise InvalidTin("must be text")
    raw = text.strip()
    wanted = _hint(kind)
    if _DASHED_2_7.fullmatch(raw):
        if wanted not in (None, TinKind.EIN):
            label = "individual TIN" if wanted == _INDIVIDUAL else wanted
            raise InvalidTin(f"{label} is written NNN-NN-NNNN, not NN-NNNNNNN")
        result = Tin(raw.replace("-", ""), TinKind.EIN)
    elif _DASHED_3_2_4.fullmatch(raw) or _BARE.fullmatch(raw):
        digits = raw.replace("-", "")
        if wanted is TinKind.EIN and "-" in raw:
            raise InvalidTin("EIN is written NN-NNNNNNN, not NNN-NN-NNNN")
        if isinstance(wanted, TinKind):
            result = Tin(digits, wanted)
        else:
            result = Tin(digits, _individual_kind(digits))
    else:
        raise InvalidTin("must be NNN-NN-NNNN, NN-NNNNNNN or nine digits")
    if filer and not result.is_filer_tin:
        raise InvalidTin(f"{result.kind} cannot be used as a filer's TIN")
    return result


def _hint(kind: str | TinKind | None) -> TinKind | str | None:
    if kind is None or isinstance(kind, TinKind):
        return kind
    key = kind.strip().lower() if isinstance(kind, str) else ""
    if key not in _HINTS:
        raise InvalidTin(f"unknown TIN kind {kind!r}; use one of {', '.join(_HINTS)}", field="kind")
    return _HINTS[key]


def _individual_kind(digits: str) -> TinKind:
    """Which individual kind a 3-2-4 number is, read from its first and middle digits."""
    if digits[0] != "9" or digits in ADVERTISING:
        return TinKind.SSN
    middle = int(digits[3:5])
    if middle in ITIN_MIDDLE:
        return TinKind.ITIN
    if middle in ATIN_MIDDLE:
        return TinKind.ATIN
    if middle in IRSN_MIDDLE:
        return TinKind.IRSN
    raise InvalidTin(f"9xx number with middle digits {digits[3:5]} is not an ITIN, ATIN or IRSN")


def _check(digits: str, kind: TinKind) -> None:
    if kind is TinKind.SSN:
        _check_ssn(digits)
    elif kind is TinKind.EIN:
        _check_ein(digits)
    else:
        _check_nine_series(digits, kind)


def _check_ssn(digits: str) -> None:
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if digits in ADVERTISING:
        return
    if area in ("000", "666"):
        raise InvalidTin(f"SSN area {area} is never issued")
    if area[0] == "9":
        raise InvalidTin("SSN area 900-999 is never issued (9xx numbers are ITIN, ATIN or IRSN)")
    if group == "00":
        raise InvalidTin("SSN group 00 is never issued")
    if serial == "0000":
        raise InvalidTin("SSN serial 0000 is never issued")
    if not stdnum_ssn.is_valid(digits):
        raise InvalidTin("SSN is on python-stdnum's list of publicly misused numbers")


def _check_nine_series(digits: str, kind: TinKind) -> None:
    if digits[0] != "9":
        raise InvalidTin(f"{kind} must start with 9")
    middle = int(digits[3:5])
    if kind is TinKind.ITIN:
        ok = middle in ITIN_MIDDLE
        rule = "ITIN middle digits must be 50-65, 70-88, 90-92 or 94-99"
    elif kind is TinKind.ATIN:
        ok, rule = middle in ATIN_MIDDLE, "ATIN middle digits must be 93"
    else:
        ok = middle in IRSN_MIDDLE
        rule = "IRSN middle digits must be 01-10, 17-19, 28-29 or 37-39"
    if not ok:
        raise InvalidTin(f"{rule} (got {digits[3:5]})")


def _check_ein(digits: str) -> None:
    prefix = digits[:2]
    if prefix in EIN_NOT_ASSIGNED:
        raise InvalidTin(f"EIN prefix {prefix} is not assigned by the IRS")
    if not stdnum_ein.is_valid(digits):
        raise InvalidTin(f"EIN prefix {prefix} is not a valid IRS prefix")
