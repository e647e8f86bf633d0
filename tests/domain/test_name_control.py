"""Name control: every domain.md §6.1 example, §2.3 rules, and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

# Imported from the module: ``idrs.domain.name_control`` is also the module's name, so the
# package attribute can be the module rather than the function (see test_tin's API test).
from idrs.domain.name_control import EXCEPTIONS, KINDS, InvalidName, name_control

# domain.md §6.1, one row each (the "(EIN, no business name)" note is the type, not the name).
REFERENCE_VECTORS = [
    ("Ralph Teak", "individual", "TEAK"),
    ("Joe McCedar", "individual", "MCCE"),
    ("Victoria Windsor-Maple", "individual", "WIND"),
    ("Edward & Joan Maple", "individual", "MAPL"),
    ("John Q. Public", "individual", "PUBL"),
    ("Joe Doe Trucking", "business", "JOED"),
    ("The Hawthorn", "business", "THEH"),
    ("William Leed", "individual", "LEED"),
    ("Mary Anderson-Jensen", "individual", "ANDE"),
    ("Timothy Hempson: The Best Burger", "individual", "HEMP"),
    ("Jeffrey Jones Estate", "estate", "JONE"),
    ("Sumac Field Plow Inc.", "business", "SUMA"),
    ("P & P Company", "business", "P&PC"),
    ("ZZZ Club", "business", "ZZZC"),
    ("ELM", "business", "ELM"),
    ("Palm Catalpa Ltd", "business", "PALM"),
    ("4U.com", "business", "4UCO"),
    ("X-Y-Z Co", "business", "X-Y-"),
    ("Nay! Inc.", "business", "NAYI"),
    ("The Software Company", "business", "SOFT"),
    ("A-A Distributors", "business", "A-AD"),
]

# Further examples quoted in domain.md §2.3.
SECTION_2_3 = [
    ("Cedar-Hawthorn", "individual", "CEDA"),
    ("Joe McCedar", "individual", "MCCE"),
    ("Mark Hemlock dba The Sunshine Café", "individual", "HEML"),
    ("The Willow Co.", "business", "WILL"),
    ("John Hackberry PA", "business", "JOHN"),
    ("OAK! Tre", "business", "OAKT"),
    ("Estate of Sidney Bunkins", "estate", "BUNK"),
]


@pytest.mark.parametrize(("name", "kind", "expected"), REFERENCE_VECTORS + SECTION_2_3)
def test_reference_vectors(name: str, kind: str, expected: str) -> None:
    assert name_control(name, kind) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("John Smith & Mary Jones", "SMIT"),  # primary's own surname
        ("John Q. & Mary Public", "PUBL"),  # initial only: shared surname
        ("Mr. & Mrs. John Smith", "SMIT"),
        ("Edward and Joan Maple", "MAPL"),
        ("Sean O'Neil", "ONEI"),
        ("Angus MacBirch", "MACB"),
        ("Dr. Ralph Teak Jr.", "TEAK"),
        ("Ralph Teak, III", "TEAK"),
        ("Ralph Teak 3rd", "TEAK"),
        ("Ann Lee", "LEE"),
        ("Victoria Windsor - Maple", "WIND"),
        ("Ana Li-Ng", "LI-N"),
        ("-Ash", "ASH"),  # never a hyphen first
        ("Mark Hemlock d/b/a Oak Shop", "HEML"),
        ("José Núñez", "NUNE"),  # accents removed
        ("  ralph   teak  ", "TEAK"),
    ],
)
def test_individual_rules(name: str, expected: str) -> None:
    assert name_control(name, "individual") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("The Oak Shop dba Best Pine", "OAKS"),
        ("Birch & Elm LLC", "BIRC"),
        ("A.B.C. Corp", "ABCC"),
        ("12 Oaks Farm", "12OA"),
    ],
)
def test_business_rules(name: str, expected: str) -> None:
    assert name_control(name, "business") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("The Estate of Sidney Bunkins, Deceased", "BUNK"),
        ("Est of Ralph Teak", "TEAK"),
        ("Ralph Teak Estate", "TEAK"),
    ],
)
def test_estate_rules(name: str, expected: str) -> None:
    assert name_control(name, "estate") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Harold Brown Trust", "BROW"),  # only an individual named
        ("Trust for Harry Watson", "WATS"),
        ("Jones Family Trust", "JONE"),
        ("Harold J. Brown Revocable Living Trust, Jane Doe TTEE", "BROW"),
        ("Harold Brown Trust dtd 01/02/2003", "BROW"),
        ("Acme Corp Employee Trust", "ACME"),  # corporation named
        ("Trust for the Acme Corp Employees", "ACME"),
        ("First Pine Bank Trust", "FIRS"),
        ("Trust No. 0012345", "1234"),  # numbered: leading zeros ignored
        ("Trust #089", "89"),
        ("000456789 Trust", "4567"),
    ],
)
def test_trust_rules(name: str, expected: str) -> None:
    assert name_control(name, "trust") == expected


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("", "individual"),
        ("!!! ...", "individual"),
        ("12345", "individual"),
        ("", "business"),
        ("!?*", "business"),
        ("Estate", "estate"),
        ("Trust #0000", "trust"),
    ],
)
def test_no_valid_characters(name: str, kind: str) -> None:
    with pytest.raises(InvalidName, match=f"no characters usable in a {kind} name control"):
        name_control(name, kind)


@pytest.mark.parametrize("kind", ["partnership", "", "indiv"])
def test_unknown_kind(kind: str) -> None:
    with pytest.raises(InvalidName, match="unknown name kind") as caught:
        name_control("Ralph Teak", kind)
    assert caught.value.field == "kind"


def test_kind_is_case_insensitive() -> None:
    assert name_control("Ralph Teak", " Individual ") == "TEAK"


def test_exceptions_are_checked_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EXCEPTIONS, ("MARY VAN BUREN", "individual"), "VANB")
    assert name_control("  mary  van   buren ", "individual") == "VANB"
    assert name_control("Mary Van Buren", "business") == "MARY"  # keyed by kind too


def test_recorded_exceptions_are_well_formed() -> None:
    for (name, kind), control in EXCEPTIONS.items():
        assert kind in KINDS and name == " ".join(name.upper().split())
        assert re.fullmatch(r"[A-Z0-9&-]{1,4}", control)


# ---- properties ----------------------------------------------------------------------------

WORD = st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True)
# Words the rules treat as titles, suffixes, joiners or estate/trust/business vocabulary.
VOCABULARY = """Mr Mrs Ms Miss Mx Dr Rev Prof Hon Jr Sr Ii Iii Iv Md Dds Dmd Phd Esq Cpa Dvm And
Dba Est Estate Of The Deceased Decd Trust Trusts Tr No Number Nbr For Fbo Under Family Living
Revocable Irrevocable Testamentary Charitable Trustee Trustees Ttee Dtd Dated Uad Inc Corp Co
Incorporated Corporation Company Llc Ltd Llp Lp Pllc Pc Pa Bank Association Assn Assoc Union"""
NAME = WORD.filter(lambda w: w not in VOCABULARY.split())
ANY_NAME = st.text(alphabet=st.sampled_from("abcxyzABCXYZ019 -&'.,:!#/é"), min_size=0, max_size=30)


def _control(name: str, kind: str) -> str | None:
    try:
        return name_control(name, kind)
    except InvalidName:
        return None


@given(ANY_NAME, st.sampled_from(KINDS))
def test_result_shape(name: str, kind: str) -> None:
    result = _control(name, kind)
    if result is None:
        return
    assert 1 <= len(result) <= 4
    assert result == result.upper() and result == result.strip()
    if kind in ("individual", "estate"):
        assert re.fullmatch(r"[A-Z][A-Z-]{0,3}", result)
    else:
        assert re.fullmatch(r"[A-Z0-9&-]{1,4}", result)


@given(ANY_NAME, st.sampled_from(KINDS))
def test_case_insensitive(name: str, kind: str) -> None:
    assert _control(name.lower(), kind) == _control(name.upper(), kind)


@given(ANY_NAME, ANY_NAME, st.sampled_from(KINDS))
def test_trade_name_after_dba_is_ignored(name: str, trade: str, kind: str) -> None:
    assume(_control(name, kind) is not None)
    assert _control(f"{name} dba {trade}", kind) == _control(name, kind)


@given(NAME, NAME, st.sampled_from(["", "Mr. ", "Dr "]), st.sampled_from(["", " Jr.", " III"]))
def test_individual_is_primary_surname(first: str, last: str, title: str, suffix: str) -> None:
    expected = last.upper()[:4]
    assert name_control(f"{title}{first} {last}{suffix}", "individual") == expected
    assert name_control(f"{first} & {first} {last}", "individual") == expected
    assert name_control(f"{first} {last} & {first} Zzyzx", "individual") == expected
    assert name_control(f"{first} {last}: {first} Shop", "individual") == expected


@given(NAME, NAME)
def test_estate_and_trust_of_an_individual_use_the_surname(first: str, last: str) -> None:
    expected = last.upper()[:4]
    assert name_control(f"Estate of {first} {last}", "estate") == expected
    assert name_control(f"{first} {last} Estate", "estate") == expected
    assert name_control(f"{first} {last} Trust", "trust") == expected


@given(st.lists(NAME, min_size=1, max_size=4))
def test_business_is_leading_significant_characters(words: list[str]) -> None:
    joined = "".join(words).upper()
    assert name_control(" ".join(words), "business") == joined[:4]
    with_the = name_control("The " + " ".join(words), "business")
    assert with_the == (("THE" + joined)[:4] if len(words) == 1 else joined[:4])


@given(st.integers(1, 10**9), st.integers(0, 5))
def test_numbered_trust_ignores_leading_zeros(number: int, zeros: int) -> None:
    assert name_control(f"Trust No. {'0' * zeros}{number}", "trust") == str(number)[:4]
