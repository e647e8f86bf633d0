"""Module balance and derived module state (domain.md §2.5, §2.9, §2.10)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain.account import ModuleState, Posting, derive_state, module_balance
from idrs.domain.tc import BalanceEffect, catalogue
from idrs.errors import InvalidInput

D0 = date(2024, 4, 15)
MONEY = sorted(c for c, tc in catalogue().items() if tc.effect is not BalanceEffect.NONE)
ALL = sorted(catalogue())
postings = st.lists(st.tuples(st.sampled_from(ALL), st.integers(0, 10**11)), max_size=30)
MONEY_REVERSALS = sorted(
    (target, tc.code)
    for tc in catalogue().values()
    if tc.effect is not BalanceEffect.NONE
    for target in tc.reverses
)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_balance_debits_minus_credits() -> None:
    assert module_balance([(150, 500_00), (610, 200_00), (276, 10_00)]) == 310_00
    assert module_balance([(150, 100_00), (806, 250_00)]) == -150_00  # credit module
    assert module_balance([(420, 999_99), (971, 5)]) == 0  # non-financial
    assert module_balance([]) == 0


def test_balance_rejects_negative_amount_and_unknown_tc() -> None:
    with pytest.raises(InvalidInput) as info:
        module_balance([(150, -1)])
    assert info.value.field == "amount"
    with pytest.raises(InvalidInput) as info:
        module_balance([(151, 1)])
    assert info.value.field == "tc"


@given(postings, postings)
def test_balance_is_additive(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    assert module_balance(a + b) == module_balance(a) + module_balance(b)


@given(postings, st.randoms(use_true_random=False))
def test_balance_ignores_order(items: list[tuple[int, int]], rnd: random.Random) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert module_balance(shuffled) == module_balance(items)


@given(st.sampled_from(MONEY_REVERSALS), st.integers(0, 10**11), postings)
def test_posting_and_its_reversal_net_to_zero(
    pair: tuple[int, int], amount: int, rest: list[tuple[int, int]]
) -> None:
    original, reversal = pair
    assert module_balance([(original, amount), (reversal, amount)]) == 0
    assert module_balance([*rest, (original, amount), (reversal, amount)]) == module_balance(rest)


def test_return_filed_no_balance_is_status_10() -> None:
    state = derive_state([Posting(150, 1000_00, D0), Posting(610, 1000_00, D0)])
    assert state == ModuleState(0, frozenset(), frozenset(), True, D0, 10)


def test_balance_due_then_full_paid_is_status_12() -> None:
    items = [Posting(150, 1000_00, D0)]
    assert derive_state(items).status == 21
    paid = derive_state([*items, Posting(670, 1000_00, day(30))])
    assert (paid.balance, paid.status) == (0, 12)
    credit = derive_state([*items, Posting(670, 1200_00, day(30))])
    assert (credit.balance, credit.status, credit.is_credit) == (-200_00, 12, True)


def test_assessment_date_is_first_tc_150() -> None:
    state = derive_state([Posting(290, 5_00, day(90)), Posting(150, 10_00, day(5))])
    assert state.assessment_date == day(5)
    assert state.return_filed


@pytest.mark.parametrize(
    ("setter", "release", "freeze"), [(420, 421, "-L"), (424, 425, "-L"), (570, 571, "-R")]
)
def test_freeze_set_and_released(setter: int, release: int, freeze: str) -> None:
    base = [Posting(150, 100_00, D0), Posting(setter, 0, day(1))]
    assert freeze in derive_state(base).freezes
    assert freeze not in derive_state([*base, Posting(release, 0, day(2))]).freezes


def test_release_before_set_does_not_release() -> None:
    state = derive_state([Posting(421, 0, day(1)), Posting(420, 0, day(2))])
    assert "-L" in state.freezes


def test_two_setters_need_two_releases() -> None:
    items = [Posting(420, 0, day(1)), Posting(424, 0, day(2)), Posting(421, 0, day(3))]
    assert "-L" in derive_state(items).freezes  # 424 still open
    assert "-L" not in derive_state([*items, Posting(425, 0, day(4))]).freezes


def test_notice_hold() -> None:
    held = derive_state([Posting(150, 10_00, D0), Posting(470, 0, day(1))])
    assert held.notice_hold
    assert not derive_state([Posting(470, 0, day(1)), Posting(471, 0, day(2))]).notice_hold


@pytest.mark.parametrize("closing_code", [60, 67, 81, 83, 85, 89])
def test_bankruptcy_520_sets_v_and_status_72(closing_code: int) -> None:
    items = [Posting(150, 500_00, D0), Posting(520, 0, day(1), closing_code=closing_code)]
    state = derive_state(items)
    assert state.freezes == {"-V"}
    assert state.status == 72
    released = derive_state([*items, Posting(521, 0, day(2))])
    assert (released.freezes, released.status) == (frozenset(), 21)


@pytest.mark.parametrize("closing_code", [70, 76, 82, 84])
def test_litigation_520_sets_w(closing_code: int) -> None:
    state = derive_state(
        [Posting(150, 500_00, D0), Posting(520, 0, day(1), closing_code=closing_code)]
    )
    assert state.freezes == {"-W"}
    assert state.status == 21


def test_520_needs_closing_code() -> None:
    with pytest.raises(InvalidInput) as info:
        derive_state([Posting(520, 0, D0)])
    assert info.value.field == "closing_code"


def test_cnc_and_installment_agreement_statuses() -> None:
    base = [Posting(150, 500_00, D0)]
    assert derive_state([*base, Posting(530, 0, day(1))]).status == 53
    assert derive_state([*base, Posting(530, 0, day(1)), Posting(531, 0, day(2))]).status == 21
    ia = derive_state([*base, Posting(971, 0, day(1), action_code=63)])
    assert ia.status == 60
    assert "installment_agreement" in ia.indicators
    wrong_ac = [
        *base,
        Posting(971, 0, day(1), action_code=63),
        Posting(972, 0, day(2), action_code=10),
    ]
    assert derive_state(wrong_ac).status == 60
    right_ac = [
        *base,
        Posting(971, 0, day(1), action_code=63),
        Posting(972, 0, day(2), action_code=63),
    ]
    assert derive_state(right_ac).status == 21
    # bankruptcy outranks CNC
    both = [*base, Posting(530, 0, day(1)), Posting(520, 0, day(2), closing_code=61)]
    assert derive_state(both).status == 72


def test_paid_module_reads_12_even_with_cnc_open() -> None:
    items = [Posting(150, 500_00, D0), Posting(530, 0, day(1)), Posting(670, 500_00, day(40))]
    assert derive_state(items).status == 12


def test_971_ac_010_sets_a_and_976() -> None:
    assert derive_state([Posting(971, 0, D0, action_code=10)]).freezes == {"-A"}
    assert derive_state([Posting(976, 0, D0)]).freezes == {"-A"}
    assert derive_state([Posting(971, 0, D0, action_code=87)]).freezes == {"-O"}
    assert derive_state([Posting(971, 0, D0, action_code=114)]).freezes == frozenset()


def test_lien_indicator() -> None:
    assert "lien" in derive_state([Posting(582, 0, D0)]).indicators
    assert "lien" not in derive_state([Posting(582, 0, D0), Posting(583, 0, day(1))]).indicators


def test_no_return_statuses() -> None:
    assert derive_state([]).status == 6
    tdi = [Posting(141, 0, D0)]
    assert derive_state(tdi).status == 2
    assert "tdi" in derive_state(tdi).indicators
    closed = [*tdi, Posting(594, 0, day(1))]
    assert derive_state(closed).status == 6
    assert "tdi" not in derive_state(closed).indicators
    reopened = [*closed, Posting(592, 0, day(2))]
    assert derive_state(reopened).status == 2


def test_state_is_order_independent_within_dates() -> None:
    items = [Posting(570, 0, day(2)), Posting(150, 10_00, day(1)), Posting(571, 0, day(3))]
    assert derive_state(items) == derive_state(list(reversed(items)))
    assert derive_state(items).freezes == frozenset()


@given(
    st.lists(
        st.tuples(st.sampled_from(MONEY), st.integers(0, 10**9), st.integers(0, 400)), max_size=25
    )
)
def test_state_balance_matches_module_balance(items: list[tuple[int, int, int]]) -> None:
    state = derive_state([Posting(tc, amount, day(n)) for tc, amount, n in items])
    assert state.balance == module_balance((tc, amount) for tc, amount, _ in items)
    assert (state.balance > 0) == (state.status in {21, 53, 60, 72})


@given(st.lists(st.sampled_from([420, 421]), max_size=20))
def test_l_freeze_follows_open_count(sequence: list[int]) -> None:
    open_count = 0
    for code in sequence:
        if code == 420:
            open_count += 1
        elif open_count:
            open_count -= 1
    state = derive_state([Posting(code, 0, day(i)) for i, code in enumerate(sequence)])
    assert ("-L" in state.freezes) == (open_count > 0)
