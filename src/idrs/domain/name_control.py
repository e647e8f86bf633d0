"""Name control: the four characters that must match a TIN on every posting.

Why: a return whose name control does not match the entity's is unpostable (UPC 153,
domain.md §2.3), so the system must derive it exactly as the IRS does.

Rules (domain.md §2.3 and §6.1; IRS "How your name control is assigned", Pub 1220 text as
quoted by CCH/SureFire/UltimateTax, RIA help for Pub 4206, Thomson Reuters GoSystem help):

* Up to four characters, upper case; shorter results are kept (``ELM``).
* Individuals: the primary taxpayer's last name (on ``A & B Surname`` lines the shared
  surname); a hyphenated surname is read whole (``Windsor-Maple`` → ``WIND``); Mc/Mac/O' are
  part of the name, other punctuation is dropped (``O'Neil`` → ``ONEI``); leading titles and
  trailing suffixes are ignored; for a sole proprietor the owner's name before ``dba`` or ``:``.
  Only letters and hyphen are kept, never a hyphen first.
* Businesses: the legal name's first four significant characters; a leading "The" is dropped
  when more than one word follows; blanks and special characters other than ``&`` and ``-``
  are skipped; anything from ``dba`` on is ignored.
* Estates: the decedent's last name. Trusts: the individual's last name; the business rule
  when a corporation or association is named; numbered trusts the first four digits of the
  number, leading zeros ignored.

Not implemented, on purpose: the ethnic and compound-name exhibits of Pub 4164/1346 were not
available, so no rule is invented for surname particles (``Van Buren``) or name order; a
known case goes into :data:`EXCEPTIONS`. Accents are removed before the rules apply
(``Núñez`` → ``NUNE``); other characters outside A-Z/0-9 are dropped like punctuation.
"""

from __future__ import annotations

import re
import unicodedata

from idrs.errors import InvalidInput

KINDS = ("individual", "business", "estate", "trust")

# (normalised name, kind) -> name control; checked before any rule. Normalised name: accents
# removed, upper case, single blanks (see _key). Empty: the Pub 4164/1346 exhibits on ethnic
# and compound names were not available, so no case is recorded and no rule is invented.
EXCEPTIONS: dict[tuple[str, str], str] = {}

_TITLES = frozenset({"MR", "MRS", "MS", "MISS", "MX", "DR", "REV", "PROF", "HON"})
_SUFFIXES = frozenset(
    {"JR", "SR", "II", "III", "IV", "V", "MD", "DDS", "DMD", "PHD", "ESQ", "CPA", "DVM"}
)
_ESTATE_WORDS = frozenset({"ESTATE", "EST", "OF", "THE", "DECEASED", "DECD"})
_TRUST_WORDS = frozenset(
    {
        "TRUST", "TRUSTS", "TR", "NO", "NUMBER", "NBR", "THE", "OF", "FOR", "FBO", "UNDER",
        "FAMILY", "LIVING", "REVOCABLE", "IRREVOCABLE", "TESTAMENTARY", "CHARITABLE",
        "TRUSTEE", "TRUSTEES", "TTEE",
    }
)  # fmt: skip
_BUSINESS_WORDS = frozenset(
    {
        "INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "LLC", "LTD", "LLP",
        "LP", "PLLC", "PC", "PA", "BANK", "ASSOCIATION", "ASSN", "ASSOC", "UNION",
    }
)  # fmt: skip

_DBA = re.compile(r"(?:^|\s)(?:DBA|D/B/A|D\.B\.A\.?)(?=\s|$)")
_JOINT = re.compile(r"&|\bAND\b")
_HYPHEN_GAP = re.compile(r"\s*-\s*")
_TRUST_DATE = re.compile(r"\b(?:DTD|DATED|U/A|UAD)\b")
_NOT_INDIVIDUAL = re.compile(r"[^A-Z-]")
_NOT_BUSINESS = re.compile(r"[^A-Z0-9&-]")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


class InvalidName(InvalidInput):
    """A name (or name kind) from which no name control can be derived."""

    def __init__(self, rule: str, *, field: str = "name") -> None:
        super().__init__(field, rule)


def name_control(name: str, kind: str) -> str:
    """The name control of ``name`` for ``kind`` (individual, business, estate or trust)."""
    key_kind = kind.strip().lower() if isinstance(kind, str) else ""
    if key_kind not in KINDS:
        raise InvalidName(
            f"unknown name kind {kind!r}; use one of {', '.join(KINDS)}", field="kind"
        )
    if not isinstance(name, str):
        raise InvalidName("must be text")
    folded = _fold(name)
    known = EXCEPTIONS.get((" ".join(folded.split()), key_kind))
    if known is not None:
        return known
    rule = {
        "individual": _individual,
        "business": _business,
        "estate": _estate,
        "trust": _trust,
    }[key_kind]
    result = rule(folded)
    if not result:
        raise InvalidName(f"gives no characters usable in a {key_kind} name control")
    return result


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def _before_dba(text: str) -> str:
    return _DBA.split(text, maxsplit=1)[0]


def _tokens(text: str) -> list[str]:
    """Name words with only letters and inner hyphens; titles and suffixes removed."""
    words = _HYPHEN_GAP.sub("-", text).replace(",", " ").split()
    words = [w for w in words if not any(c.isdigit() for c in w)]  # "3rd", dates, numbers
    tokens = [t for t in (_NOT_INDIVIDUAL.sub("", w).strip("-") for w in words) if t]
    while len(tokens) > 1 and tokens[0] in _TITLES:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
        tokens.pop()
    return tokens


def _individual(text: str) -> str:
    text = _before_dba(text).split(":", 1)[0]
    primary, *rest = _JOINT.split(text, maxsplit=1)
    tokens = _tokens(primary)
    # "Edward & Joan Maple": the primary part has no surname of its own (only a given name,
    # perhaps an initial), so the shared surname at the end of the line is used.
    own = tokens[:-1] if tokens and len(tokens[-1]) == 1 else tokens
    if rest and len(own) < 2:
        tokens = _tokens(rest[0]) or tokens
    return tokens[-1][:4] if tokens else ""


def _business(text: str) -> str:
    words = [w for w in (_NOT_BUSINESS.sub("", w) for w in _before_dba(text).split()) if w]
    if len(words) > 2 and words[0] == "THE":
        words = words[1:]
    return "".join(words)[:4]


def _without(text: str, vocabulary: frozenset[str]) -> str:
    """``text`` minus the words of ``vocabulary`` (compared letters-and-digits only)."""
    words = text.split()
    kept = [w for w in words if _NOT_ALNUM.sub("", w) not in vocabulary]
    return " ".join(kept)


def _estate(text: str) -> str:
    return _individual(_without(_before_dba(text), _ESTATE_WORDS))


def _trust(text: str) -> str:
    text = _TRUST_DATE.split(_before_dba(text), maxsplit=1)[0]
    # "<name> Trust ..." names the trust by what precedes the word; "Trust for <name>" by
    # what follows it.
    words = text.split()
    cores = [_NOT_ALNUM.sub("", w) for w in words]
    if "TRUST" in cores:
        at = cores.index("TRUST")
        words = words[:at] if _names(words[:at]) else words[at + 1 :]
    segment = " ".join(words)
    names = _names(words)
    if names and not any(c.isalpha() for c in "".join(names)):
        return names[0].lstrip("0")[:4]
    if _BUSINESS_WORDS.intersection(names):
        return _business(_without_leading(segment))
    return _individual(_without(segment, _TRUST_WORDS))


def _names(words: list[str]) -> list[str]:
    """The words, letters and digits only, that are not trust vocabulary."""
    return [c for c in (_NOT_ALNUM.sub("", w) for w in words) if c and c not in _TRUST_WORDS]


def _without_leading(segment: str) -> str:
    """Drop trust words before the business name ("For the Acme Corp" → "Acme Corp")."""
    words = segment.split()
    while len(words) > 1 and _NOT_ALNUM.sub("", words[0]) in _TRUST_WORDS - {"THE"}:
        words.pop(0)
    return " ".join(words)
