"""RTVUE, BRTVU, IRPTR, IADIS and DDBKD through the gate, on both engines."""

from __future__ import annotations

import pytest

from idrs.gate import Refused
from tests.access.world import World
from tests.commands.conftest import WIDGETS_EIN, terminal
from tests.commands.test_masterfile import categories


def cases(w: World) -> None:
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), WIDGETS_EIN, "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("carol"), "COLL")
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("ra1_former"), "EXAM")


def line24(shown) -> str:  # type: ignore[no-untyped-def]
    return str(shown.screen.page(1)[23]).rstrip()


# -- RTVUE / BRTVU ------------------------------------------------------------------------
def test_rtvue_shows_the_return_as_filed(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    got = terminal(w, "ra1").run(f"RTVUE {w.tin('alice')} 30 202412")
    page = got.screen.page(1)
    assert page[1].split() == [
        "XXX-XX-0200", "YARR", "1040", "202412", "DLN-28211-139-12345-5", "RCVD-DT-04012025", "SM"
    ]  # fmt: skip
    text = got.screen.text()
    assert "WAGES>                      50,000.00" in text
    assert "TAXABLE INT>                 2,000.00" in text
    assert "ADJUSTED GROSS INCOME>      52,000.00" in text
    assert "BAL DUE/OVERPAYMENT>         2,500.00" in text
    assert got.data["lines"] == sorted(got.data["lines"])
    assert categories(w, got.reference) == ["return"]
    assert all(len(x) == 80 for x in page)


def test_rtvue_dc_lists_every_transcribed_line(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    got = terminal(w, "ra1").run(f"RTVUE {w.tin('alice')} 30 202412 DC")
    rows = got.screen.page(1)[3:10]
    assert [r.split()[0] for r in rows] == [
        "AGI", "BALANCE", "INTEREST", "TAXABLE", "TOTAL", "WAGES", "WITHHOLDING"
    ]  # fmt: skip
    assert rows[1].split() == ["BALANCE", "DUE", "2,500.00"]


def test_brtvu_shows_a_business_return(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    got = terminal(w, "ra1").run(f"BRTVU {WIDGETS_EIN} 02 202412")
    text = got.screen.text()
    assert "XX-XXX4567  SAMP  1120  202412  DLN-28310-139-00001-5" in text
    assert "GROSS RECEIPTS>            200,000.00" in text
    assert "TOTAL TAX>                   5,000.00" in text
    assert WIDGETS_EIN not in "\n".join(got.screen.page(1)[1:])


@pytest.mark.parametrize(
    ("who", "line"),
    [
        ("ra2", "RTVUE {carol} 30 202312"),  # module on file, no return on it
        ("ra2", "RTVUE {former} 30 201912"),  # return on file, older than the file keeps
        ("ra1", "RTVUE {alice} 30 202312"),  # no such module
        ("ra1", "BRTVU {ein} 01 202412"),  # a 941 module with no return row
    ],
)
def test_record_not_found(world, who, line) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    text = line.format(
        alice=w.tin("alice"), carol=w.tin("carol"), former=w.tin("ra1_former"), ein=WIDGETS_EIN
    )
    got = terminal(w, who).run(text)
    assert line24(got) == "RECORD NOT FOUND"
    assert got.data == {"found": False}


# -- IRPTR --------------------------------------------------------------------------------
def test_irptr_pages_one_document_at_a_time(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    t = terminal(w, "ra1")
    first = t.run(f"IRPTR {w.tin('alice')} 2024")
    page = first.screen.page(1)
    # IRM 2.3.35 positions: TIN 7, TIN type 41, doc code 59, page 68, max page 76
    assert page[1][6:17] == "XXX-XX-0200" and page[1][40:43] == "SSN"
    assert page[1][58:60] == "00" and page[1][67:71] == "0001" and page[1][75:79] == "0002"
    assert page[2][16:19] == "W-2" and page[2][40:50] == "01-31-2025"
    text = first.screen.text()
    assert "PAYER TIN> XX-XXX4567     PAYER NAME> SAMPLE WIDGETS LLC" in text
    assert "WAGES, TIPS, OTHER COMP>            50,000.00" in text
    assert "FEDERAL INCOME TAX WITHHELD>         1,500.00" in text
    assert WIDGETS_EIN not in text and WIDGETS_EIN.replace("-", "") not in text
    assert line24(first) == "MORE - PAGE 0002 (DEFINER N)"
    assert categories(w, first.reference) == ["info_returns"]
    second = t.run(f"IRPTRN {w.tin('alice')} 2024 0001")
    assert second.data["document"]["form"] == "1099-INT"
    assert "PAYER TIN> NOT ON FILE" in second.screen.text()
    assert "INTEREST INCOME>                     2,000.00" in second.screen.text()
    back = t.run(f"IRPTRP {w.tin('alice')} 2024 0002")
    assert back.data["page"] == 1 and back.data["document"]["form"] == "W-2"
    other_year = t.run(f"IRPTR {w.tin('alice')} 2023")
    assert other_year.data["pages"] == 1
    assert other_year.data["document"]["amount_cents"] == 4_800_000


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("IRPTR {tin}", "TAX_YEAR: TAX YEAR REQUIRED (YYYY)"),
        ("IRPTR {tin} 24", "TAX_YEAR: TAX YEAR MUST BE YYYY, NOT AFTER THIS YEAR"),
        ("IRPTR {tin} 2099", "TAX_YEAR: TAX YEAR MUST BE YYYY, NOT AFTER THIS YEAR"),
        ("IRPTRP {tin} 2024 0001", "DEFINER P IS INVALID ON THE FIRST PAGE"),
        ("IRPTRP {tin} 2024", "DEFINER P IS INVALID ON THE FIRST PAGE"),
        ("IRPTRN {tin} 2024 0002", "PAGE 0003 IS PAST THE LAST PAGE 0002"),
        ("IRPTR {tin} 2024 7", "PAGE MUST BE 4 DIGITS, 0001-9999"),
        ("IRPTRZ {tin} 2024", "IRPTR DOES NOT TAKE DEFINER Z"),
    ],
)
def test_irptr_bad_input(world, line, message) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    shown = terminal(w, "ra1").screen(line.format(tin=w.tin("alice")))
    assert not shown.ok
    assert line24(shown) == message


def test_irptr_with_no_documents_for_the_year(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    got = terminal(w, "ra1").run(f"IRPTR {w.tin('alice')} 2022")
    assert line24(got) == "NO DATA AVAILABLE"


# -- IADIS --------------------------------------------------------------------------------
def test_iadis_shows_the_agreement_terms_and_module_status(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    got = terminal(w, "ra2").run(f"IADIS {w.tin('carol')} 30 202312")
    text = got.screen.text()
    assert "XXX-XX-0202  ZINN  30 202312   INSTALLMENT AGREEMENT   STATUS-60 11032025" in text
    assert "MODULE BALANCE>       1,200.00    IA-IND-1" in text
    assert "MONTHLY PAYMENT>        250.00    PAYMENT DAY> 15   FIRST PAYMENT> 02152026" in text
    assert "DIRECT DEBIT> Y   AGREEMENT DLN> 28277-005-00001-6" in text
    assert got.data["payments_left"] == 5  # 1,200.00 / 250.00, rounded up
    assert categories(w, got.reference) == ["installment", "module"]


def test_iadis_without_an_agreement_is_no_data(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    got = terminal(w, "ra1").run(f"IADIS {w.tin('alice')} 30 202412")
    assert line24(got) == "NO DATA AVAILABLE"
    shown = terminal(w, "ra1").screen(f"IADIS {w.tin('alice')}")
    assert line24(shown) == "TAX_PERIOD: MFT AND TAX PERIOD REQUIRED"


# -- DDBKD --------------------------------------------------------------------------------
def test_ddbkd_lists_dependents_with_masked_tins(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    got = terminal(w, "ra1").run(f"DDBKD {w.tin('alice')}")
    rows = got.screen.page(1)[3:5]
    assert rows[0].split() == ["XXX-XX-0206", "YARR", "KIT", "YARROW", "206", "07012005",
                               "12312023"]  # fmt: skip
    assert rows[1].split() == ["XXX-XX-0205", "YARR", "KIT", "YARROW", "205", "03012015"]
    assert "802-22-0205" not in got.screen.text() and "802220205" not in got.screen.text()
    assert categories(w, got.reference) == ["dependents"]


def test_ddbkd_with_no_dependents_is_no_data(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    got = terminal(w, "ra2").run(f"DDBKD {w.tin('carol')}")
    assert line24(got) == "NO DATA AVAILABLE"
    assert got.data["dependents"] == []


# -- wrong file, missing operands, refusals -------------------------------------------------
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("RTVUE {ein} 02 202412", "TIN: RTVUE IS FOR SSN/ITIN ACCOUNTS - USE BRTVU FOR AN EIN"),
        ("BRTVU {ssn} 30 202412", "TIN: BRTVU IS FOR EIN ACCOUNTS - USE RTVUE FOR AN SSN/ITIN"),
        ("RTVUE {ssn} 02 202412", "MFT 02 IS NOT ON THE IMF"),
        ("RTVUE {ssn} 30 202412 XX", "RTVUE DEFINER MUST BE SM OR DC"),
        ("RTVUE {ssn} 30", "TAX_PERIOD: MFT AND TAX PERIOD REQUIRED"),
        ("RTVUEA{ssn} 30 202412", "RTVUE DOES NOT TAKE DEFINER A"),
        ("DDBKD {ein}", "TIN: DDBKD IS FOR SSN/ITIN ACCOUNTS - USE BMFOL FOR AN EIN"),
        ("DDBKD", "TIN REQUIRED"),
    ],
)
def test_bad_input_names_the_field(world, line, message) -> None:  # type: ignore[no-untyped-def]
    w = world
    cases(w)
    shown = terminal(w, "ra1").screen(line.format(ssn=w.tin("alice"), ein=WIDGETS_EIN))
    assert not shown.ok
    assert line24(shown) == message


@pytest.mark.parametrize(
    "line",
    [
        "RTVUE {ssn} 30 202412",
        "BRTVU {ein} 02 202412",
        "IRPTR {ssn} 2024",
        "IADIS {ssn} 30 202412",
        "DDBKD {ssn}",
    ],
)
def test_without_a_grant_is_a_security_violation(world, line) -> None:  # type: ignore[no-untyped-def]
    w = world
    text = line.format(ssn=w.tin("alice"), ein=WIDGETS_EIN)
    with pytest.raises(Refused):
        terminal(w, "exec1").run(text)
    shown = terminal(w, "exec1").screen(text)
    assert line24(shown).startswith("SECURITY VIOLATION - REFERENCE ")
    assert all(x.strip() == "" for x in shown.screen.page(1)[1:23])
