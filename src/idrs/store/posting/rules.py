"""The domain's TC catalogue turned into SQL fragments, generated, never written by hand.

Why generated: :func:`idrs.domain.account.derive_state` is the canonical statement of how
postings add up to a balance, freezes and a status. The set-based recompute restates it in
SQL, so every fact it needs (the sign of each TC, which codes reverse which, what an
unreversed code sets) is read from :mod:`idrs.domain.tc` here and rendered as ``CASE`` and
``VALUES`` text. Changing the catalogue changes the SQL; a test checks both agree.

Reversal groups: derive_state lets a non-financial reversal cancel the latest unreversed
posting it reverses. We split the non-financial codes into groups (connected by
``reverses``) and check that within each group every reversal code reverses every code that
pushes; then "the latest unreversed one" is a stack per (module, group[, action code]) and a
push survives iff its running count is no greater than every later running count (a
reflected walk: see :mod:`idrs.store.posting.settle`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from idrs.domain.tc import (
    BANKRUPTCY_CLOSING_CODES,
    TC971_ACTION_SETS,
    BalanceEffect,
    TransactionCode,
    catalogue,
)

_MONEY_FLAGS = frozenset({"return_filed", "assessment_date"})
TDI_OPEN_FLAGS = frozenset({"tdi", "delinquency_inquiry"})


class CatalogueShapeError(ValueError):
    """The catalogue has a reversal pattern the set-based recompute cannot express."""


def _ints(values: object) -> str:
    return ", ".join(str(v) for v in sorted(values))  # type: ignore[call-overload]


@functools.cache
def sign_case(tc: str, amount: str) -> str:
    """``CASE`` giving the signed amount of a posting (debit +, credit -, else 0)."""
    debits = [c for c, t in catalogue().items() if t.effect is BalanceEffect.DEBIT]
    credits = [c for c, t in catalogue().items() if t.effect is BalanceEffect.CREDIT]
    return (
        f"CASE WHEN {tc} IN ({_ints(debits)}) THEN {amount} "
        f"WHEN {tc} IN ({_ints(credits)}) THEN -{amount} ELSE 0 END"
    )


def _static_sets(tc: TransactionCode) -> tuple[str, ...]:
    return tuple(s for s in tc.sets if s not in _MONEY_FLAGS)


def _pushes(tc: TransactionCode) -> bool:
    """Can an unreversed posting of ``tc`` set something (so a reversal may cancel it)?"""
    if tc.effect is not BalanceEffect.NONE or tc.reverses:
        return False
    return tc.code in (520, 971) or bool(_static_sets(tc))


@dataclass(frozen=True)
class Groups:
    group_of: dict[int, int]  # tc -> group number (pushes and reversals)
    reversals: frozenset[int]
    pushes: frozenset[int]


@functools.cache
def groups() -> Groups:
    table = catalogue()
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    reversals = {c for c, t in table.items() if t.effect is BalanceEffect.NONE and t.reverses}
    pushes = {c for c, t in table.items() if _pushes(t)}
    for code in sorted(pushes | reversals):
        find(code)
    for code in sorted(reversals):
        for target in table[code].reverses:
            parent[find(target)] = find(code)
    group_of = {c: find(c) for c in sorted(pushes | reversals)}
    for code in reversals:  # every reversal in a group must reverse every push in it
        members = {p for p in pushes if group_of[p] == group_of[code]}
        if not members <= set(table[code].reverses):
            raise CatalogueShapeError(f"TC {code} reverses only part of its group {members}")
    return Groups(group_of, frozenset(reversals), frozenset(pushes))


@functools.cache
def group_case(tc: str) -> str:
    g = groups().group_of
    by_group: dict[int, list[int]] = {}
    for code, grp in g.items():
        by_group.setdefault(grp, []).append(code)
    whens = " ".join(f"WHEN {tc} IN ({_ints(c)}) THEN {grp}" for grp, c in sorted(by_group.items()))
    return f"CASE {whens} END"


@functools.cache
def delta_case(tc: str, action_code: str) -> str:
    """+1 for a posting that pushes, -1 for a reversal, 0 for one that sets nothing."""
    g = groups()
    plain = sorted(p for p in g.pushes if p != 971)
    acs = _ints(TC971_ACTION_SETS)
    return (
        f"CASE WHEN {tc} IN ({_ints(g.reversals)}) THEN -1 "
        f"WHEN {tc} IN ({_ints(plain)}) THEN 1 "
        f"WHEN {tc} = 971 AND {action_code} IN ({acs}) THEN 1 ELSE 0 END"
    )


@functools.cache
def tracked_tcs() -> str:
    g = groups()
    return _ints(g.pushes | g.reversals)


def flag_kind(flag: str) -> str:
    if flag.startswith("-") or flag.endswith("-"):
        return "freeze"
    if flag.startswith("status:"):
        return "status"
    if flag in TDI_OPEN_FLAGS:
        return "tdi_open"
    if flag == "tdi_closed":
        return "tdi_closed"
    return "indicator"


@functools.cache
def flag_rows() -> tuple[tuple[int, int, int, str, str], ...]:
    """(tc, action code or -1, bankruptcy 1/0 or -1, flag, kind) for every flag a push sets."""
    rows: list[tuple[int, int, int, str, str]] = []
    for code in sorted(groups().pushes):
        if code == 971:
            for ac, sets in sorted(TC971_ACTION_SETS.items()):
                rows.extend((971, ac, -1, f, flag_kind(f)) for f in sets)
        elif code == 520:
            rows.extend((520, -1, 1, f, flag_kind(f)) for f in ("-V", "status:72"))
            rows.append((520, -1, 0, "-W", "freeze"))
        else:
            sets = _static_sets(catalogue()[code])
            rows.extend((code, -1, -1, f, flag_kind(f)) for f in sets)
    return tuple(rows)


@functools.cache
def flag_values_sql() -> str:
    """``SELECT ... UNION ALL`` rows of :func:`flag_rows` (portable where VALUES is not)."""
    return " UNION ALL ".join(
        f"SELECT {tc} AS tc, {ac} AS ac, {bk} AS bk, '{flag}' AS flag, '{kind}' AS kind"
        for tc, ac, bk, flag, kind in flag_rows()
    )


BANKRUPTCY = _ints(BANKRUPTCY_CLOSING_CODES)
PAYMENT_TCS = _ints(
    c for c, t in catalogue().items() if t.kind == "payment" and t.effect is BalanceEffect.CREDIT
)
