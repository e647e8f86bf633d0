"""Transaction-code catalogue (domain.md §2.11, §2.4, §2.10)."""

from __future__ import annotations

import pytest

from idrs.domain.tc import (
    KINDS,
    SOURCES,
    TC971_ACTION_CODES,
    TC971_ACTION_SETS,
    BalanceEffect,
    TransactionCode,
    catalogue,
    transaction_code,
)
from idrs.errors import InvalidInput

DR, CR, NO = BalanceEffect.DEBIT, BalanceEffect.CREDIT, BalanceEffect.NONE

# Every code in the §2.11 table with its Dr/Cr/— column.
SECTION_2_11: dict[int, BalanceEffect] = {
    0: NO, 11: NO, 13: NO, 14: NO, 20: NO, 140: NO, 141: NO, 142: NO, 150: DR,
    160: DR, 161: CR, 166: DR, 167: CR, 170: DR, 171: CR, 176: DR, 177: CR,
    180: DR, 186: DR, 181: CR, 187: CR, 196: DR, 197: CR, 240: DR, 241: CR,
    270: DR, 271: CR, 276: DR, 277: CR, 280: DR, 286: DR, 290: DR, 291: CR,
    294: DR, 295: CR, 298: DR, 299: CR, 300: DR, 301: CR, 340: DR, 341: CR,
    360: DR, 361: CR, 420: NO, 421: NO, 424: NO, 425: NO, 460: NO, 462: NO,
    470: NO, 471: NO, 480: NO, 481: NO, 482: NO, 494: NO, 495: NO, 500: NO,
    520: NO, 521: NO, 530: NO, 531: NO, 540: NO, 550: NO, 560: NO, 570: NO,
    571: NO, 582: NO, 583: NO, **{c: NO for c in range(590, 600)},
    604: CR, 608: CR, 610: CR, 611: DR, 612: DR, 620: CR, 640: CR, 650: CR,
    660: CR, 661: DR, 670: CR, 671: DR, 672: DR, 680: CR, 690: CR, 694: CR,
    700: CR, 702: DR, 706: CR, 710: CR, 712: DR, 716: CR, 720: CR, 721: DR,
    740: CR, 764: CR, 765: DR, 768: CR, 766: CR, 767: DR, 770: CR, 776: CR,
    777: DR, 780: NO, 781: NO, 788: NO, 806: CR, 807: DR, 810: NO, 811: NO,
    820: DR, 822: CR, 826: DR, 830: DR, 836: DR, 840: DR, 841: CR, 843: DR,
    846: DR, 850: DR, 856: DR, 896: DR, 898: DR, 899: CR, 914: NO, 916: NO,
    918: NO, 922: NO, 960: NO, 961: NO, 971: NO, 972: NO, 976: NO, 977: NO,
}  # fmt: skip


@pytest.mark.parametrize(("code", "effect"), sorted(SECTION_2_11.items()))
def test_every_section_2_11_code_with_its_effect(code: int, effect: BalanceEffect) -> None:
    tc = transaction_code(code)
    assert tc.code == code
    assert tc.effect is effect
    assert tc.description
    assert tc.source


def test_entity_codes_from_section_2_4() -> None:
    for code in (0, 11, 12, 13, 14, 16, 20, 40, 41):
        assert transaction_code(code).kind == "entity"


def test_lookup_by_text() -> None:
    assert transaction_code("150") is transaction_code(150)
    assert transaction_code("011") is transaction_code(11)
    assert transaction_code(" 11 ") is transaction_code(11)
    assert str(transaction_code(11)) == "011"


@pytest.mark.parametrize("value", [151, 999, -1, "1500", "15a", "", True])
def test_unknown(value: int | str) -> None:
    with pytest.raises(InvalidInput) as info:
        transaction_code(value)
    assert info.value.field == "tc"
    assert info.value.rule == "unknown transaction code"


def test_specific_rows() -> None:
    assert set(transaction_code(150).sets) == {"return_filed", "assessment_date"}
    assert transaction_code(150).kind == "assessment"
    assert transaction_code(291).reverses == (150, 290)
    assert transaction_code(161).reverses == (160, 166)
    assert transaction_code(611).reverses == (610,)
    assert transaction_code(420).sets == ("-L",)
    assert transaction_code(570).sets == ("-R",)
    assert transaction_code(571).reverses == (570,)
    assert transaction_code(470).sets == ("notice_hold",)
    assert transaction_code(530).sets == ("status:53",)
    assert transaction_code(582).sets == ("lien",)
    assert {"-V", "-W"} <= set(transaction_code(520).sets)
    assert transaction_code(592).reverses == (590, 591, 593, 594, 595, 596, 597, 598, 599)
    assert "IRM 21.4" in transaction_code(846).source
    assert transaction_code(590).uncertain
    assert not transaction_code(150).uncertain


def test_catalogue_consistency() -> None:
    table = catalogue()
    for tc in table.values():
        assert isinstance(tc, TransactionCode)
        assert tc.kind in KINDS
        for target in tc.reverses:
            reversed_tc = table[target]
            if tc.effect is not NO:  # a money reversal moves the balance the other way
                assert reversed_tc.effect.sign == -tc.effect.sign, (tc.code, target)
            else:
                assert reversed_tc.effect is NO, (tc.code, target)


def test_sources_are_all_cited() -> None:
    cited = {part for tc in catalogue().values() for part in tc.source.split("; ")}
    assert cited <= set(SOURCES.values())
    assert SOURCES["gk"] in transaction_code(281).source


def test_971_action_codes() -> None:
    assert {10, 13, 43, 63, 87, 114, 163, 275} <= set(TC971_ACTION_CODES)
    assert "installment agreement" in TC971_ACTION_CODES[63]
    assert TC971_ACTION_SETS[10] == ("-A",)
    assert "status:60" in TC971_ACTION_SETS[63]
    assert set(TC971_ACTION_SETS) <= set(TC971_ACTION_CODES)


def test_effect_signs() -> None:
    assert (DR.sign, CR.sign, NO.sign) == (1, -1, 0)
