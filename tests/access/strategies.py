"""Hypothesis strategies for access slices.

Two sources, mixed: fully random slices (breadth: anything the types allow over small id pools,
so ids collide), and *near-permits*: a slice built to satisfy every rule, then bent by zero to
two perturbations, each breaking (or moving to the edge of) exactly one condition. Random
slices alone almost never get all conditions right at once, so a wrong boundary or a dropped
condition in a policy would go unnoticed; near-permits put every condition on its edge.

Strategies are built once at import: Hypothesis validates each new strategy object, which
dominated the run time when they were built inside composite functions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from hypothesis import strategies as st

from idrs.access.facts import (
    Access,
    Agreement,
    Command,
    Grant,
    GrantKind,
    Principal,
    Slice,
    Target,
)

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
US = timedelta(microseconds=1)
HOUR = timedelta(hours=1)
TAXPAYERS = [1, 2, 3, 4]
STAFF = [7, 8]
CODES = ["TXMOD", "ADJ54", "NAMES", "IRPTR"]
CATEGORIES = ["entity", "module", "address", "information_returns"]
CASE_TYPES = ["collection", "examination"]
KINDS = list(GrantKind)
T = TypeVar("T")

moments = st.sampled_from([NOW + d for d in (-30 * 24 * HOUR, -HOUR, -US, 0 * US, US, HOUR)])
late = st.sampled_from([NOW + US, NOW + 2 * HOUR, NOW + 40 * 24 * HOUR])
ends = st.one_of(late, moments)
ids = st.frozensets(st.sampled_from(TAXPAYERS), max_size=2)
grant_ids = st.integers(1, 30)
coin = st.booleans()
kinds = st.frozensets(st.sampled_from(KINDS), min_size=1)


def mostly(value: object, *others: object) -> st.SearchStrategy[object]:
    """``value`` three times out of four."""
    return st.sampled_from([value, value, value, *others])


principals = st.builds(
    Principal,
    id=st.sampled_from(STAFF),
    status=mostly("active", "suspended", "separated"),
    employment_type=mostly("employee", "contractor", "detailee", "service"),
    roles=st.frozensets(
        st.sampled_from(["revenue_agent", "executive", "approver", "operator", "security_officer"])
    ),
    profile=st.frozensets(st.sampled_from(CODES), min_size=2),
    clearance=st.sampled_from(["none", "secret", "top_secret"]),
    acknowledgements=st.frozensets(st.sampled_from(["confidentiality", "6103n"])),
    own_taxpayer_id=st.sampled_from([None, None, 4]),
    spouse_ids=st.sampled_from([frozenset(), frozenset(), frozenset({3})]),
    household_ids=st.sampled_from([frozenset(), frozenset(), frozenset({2})]),
    covered_ids=st.sampled_from([frozenset(), frozenset(), frozenset({1, 4})]),
    interactive=mostly(True, False),
)
commands = st.builds(
    lambda code, access, categories, kinds: Command(
        code, access, categories, kinds, name_search=code == "NAMES", needs_approval=code == "ADJ54"
    ),
    st.sampled_from(CODES),
    st.sampled_from(list(Access)),
    st.frozensets(st.sampled_from(CATEGORIES), min_size=1, max_size=2),
    kinds,
)
targets = st.builds(
    lambda tid, spouse, joint, **rest: Target(
        tid, joint_taxpayer_ids=frozenset({tid, spouse}) if joint and tid else frozenset(), **rest
    ),
    st.sampled_from([*TAXPAYERS, None]),
    st.sampled_from(TAXPAYERS),
    st.booleans(),
    exists=mostly(True, False),
    module_id=st.sampled_from([None, 10, 11]),
    employee=mostly(False, True),
    high_profile=mostly(False, True),
    case_types=st.frozensets(st.sampled_from(CASE_TYPES)),
)
grant_fields = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(KINDS),
        "holder_id": st.sampled_from(STAFF),
        "taxpayer_id": st.sampled_from([*TAXPAYERS, None]),
        "module_id": st.sampled_from([None, None, 10, 11]),
        "starts": moments,
        "ends": ends,
        "revoked_at": st.one_of(st.none(), st.none(), moments),
        "granted_by": st.sampled_from([None, 90, 90, *STAFF]),
        "second_level_approved": st.booleans(),
        "agreement_id": st.sampled_from([None, 3, 4]),
    }
)
grant_lists = st.lists(
    st.tuples(st.integers(1, 30), grant_fields), max_size=5, unique_by=lambda x: x[0]
)
agreement_fields = st.fixed_dictionaries(
    {
        "starts": moments,
        "ends": ends,
        "commands": st.frozensets(st.sampled_from(CODES)),
        "categories": st.frozensets(st.sampled_from(CATEGORIES)),
        "scope_taxpayers": ids,
        "scope_case_types": st.frozensets(st.sampled_from(CASE_TYPES)),
        "acknowledged_by": st.frozensets(st.sampled_from(STAFF)),
    }
)
agreement_lists = st.lists(agreement_fields, max_size=2)


@st.composite
def random_slices(draw: st.DrawFn) -> Slice:
    return Slice(
        principal=draw(principals),
        command=draw(commands),
        target=draw(targets),
        grants=tuple(Grant(id=gid, **fields) for gid, fields in draw(grant_lists)),
        agreements=tuple(Agreement(id=3 + i, **f) for i, f in enumerate(draw(agreement_lists))),
        now=NOW,
    )


# -- near-permits ---------------------------------------------------------------------------


@dataclass
class Parts:
    principal: Principal
    command: Command
    target: Target
    grant: Grant
    agreement: Agreement | None


around_now = st.sampled_from([NOW, NOW, NOW + US])  # the edge, and just past it
BENDS = (
    "holder", "starts", "ends", "revoked", "kind", "taxpayer", "spouse-grant", "module",
    "target-module", "not-on-file", "own", "spouse", "household", "covered", "status", "role",
    "contractor", "detailee", "no-confidentiality", "self-granted", "interactive", "batch",
    "employee", "high-profile", "unapproved", "agreement-missing", "agreement-starts",
    "agreement-ends", "agreement-unacknowledged", "agreement-command", "agreement-category",
    "agreement-scope", "profile", "name-search",
)  # fmt: skip
bend_names = st.sampled_from(BENDS)
indexes = st.integers(0, 11)


def pick(draw: st.DrawFn, choices: list[T]) -> T:
    """One of ``choices`` (built per example) without building a strategy per example."""
    return choices[draw(indexes) % len(choices)]


bend_counts = st.sampled_from([0, 1, 1, 1, 1, 1, 2])
inactive = st.sampled_from(["suspended", "separated"])
staff_roles = st.sampled_from([frozenset({"operator"}), frozenset({"security_officer"})])
grant_kinds = st.sampled_from(KINDS)
scopes = st.sampled_from([frozenset(), frozenset({"collection"})])
modules = st.sampled_from([None, 10, 11])


def bend(name: str, draw: st.DrawFn, p: Parts) -> None:
    """Break (or move to its edge) the one condition ``name`` names."""
    g, who, tgt = p.grant, p.principal, p.target
    people = set(tgt.joint_taxpayer_ids) | {tgt.taxpayer_id}
    match name:
        case "holder":
            p.grant = replace(g, holder_id=15 - who.id)  # the other staff member
        case "starts":
            p.grant = replace(g, starts=draw(around_now))
        case "ends":
            p.grant = replace(g, ends=draw(around_now))
        case "revoked":
            p.grant = replace(g, revoked_at=draw(around_now))
        case "kind":
            p.grant = replace(g, kind=draw(grant_kinds))
        case "taxpayer":
            p.grant = replace(g, taxpayer_id=pick(draw, [None, 99]))
        case "spouse-grant":
            p.target = replace(tgt, joint_taxpayer_ids=frozenset({tgt.taxpayer_id or 1, 77}))
            p.grant = replace(g, taxpayer_id=77)
        case "module":
            p.grant = replace(g, module_id=draw(modules))
        case "target-module":
            p.target = replace(tgt, module_id=draw(modules))
        case "not-on-file":
            p.target = replace(tgt, exists=False)
        case "own":
            p.principal = replace(who, own_taxpayer_id=max(people, key=lambda i: i or 0))
        case "spouse":
            p.principal = replace(who, spouse_ids=frozenset(people - {None}))
        case "household":
            p.principal = replace(who, household_ids=frozenset(people - {None}))
        case "covered":
            p.principal = replace(who, covered_ids=frozenset(people - {None}))
        case "status":
            p.principal = replace(who, status=draw(inactive))
        case "role":
            p.principal = replace(who, roles=who.roles | draw(staff_roles))
        case "contractor":
            p.principal = replace(who, employment_type="contractor")
            if draw(coin):
                p.principal = replace(p.principal, acknowledgements=frozenset({"confidentiality"}))
        case "detailee":
            p.principal = replace(who, employment_type="detailee")
        case "no-confidentiality":
            p.principal = replace(who, acknowledgements=frozenset({"6103n"}))
        case "self-granted":
            p.grant = replace(g, granted_by=g.holder_id)
        case "interactive":
            p.principal = replace(who, interactive=True)
        case "batch":
            p.principal = replace(who, interactive=False)
        case "employee":
            p.target = replace(tgt, employee=True)
        case "high-profile":
            p.target = replace(tgt, high_profile=True)
        case "unapproved":
            p.grant = replace(g, second_level_approved=False)
        case "agreement-missing":
            p.agreement = None
        case "profile":
            p.principal = replace(who, profile=who.profile - {p.command.code})
        case "name-search":
            p.command = replace(p.command, code="NAMES", name_search=True)
            p.principal = replace(who, profile=who.profile | {"NAMES"})
        case _ if name.startswith("agreement-"):
            if p.agreement is not None:
                p.agreement = _bend_agreement(name, draw, p.agreement)
        case _:
            raise AssertionError(f"unknown bend {name!r}")


def _bend_agreement(name: str, draw: st.DrawFn, a: Agreement) -> Agreement:
    match name:
        case "agreement-starts":
            return replace(a, starts=draw(around_now))
        case "agreement-ends":
            return replace(a, ends=draw(around_now))
        case "agreement-unacknowledged":
            return replace(a, acknowledged_by=frozenset())
        case "agreement-command":
            return replace(a, commands=frozenset())
        case "agreement-category":
            return replace(a, categories=frozenset({"entity"}))
        case "agreement-scope":
            return replace(a, scope_taxpayers=frozenset(), scope_case_types=draw(scopes))
    raise AssertionError(name)


@st.composite
def near_permits(draw: st.DrawFn, forced: str | None = None) -> Slice:
    """A slice meeting every rule, bent by up to two perturbations (first ``forced``, if given),
    plus random other grants."""
    c = draw(commands)
    t = replace(draw(targets), exists=True, taxpayer_id=pick(draw, TAXPAYERS))
    t = replace(
        t, joint_taxpayer_ids=t.joint_taxpayer_ids and t.joint_taxpayer_ids | {t.taxpayer_id}
    )
    if forced is not None and forced.startswith("agreement"):  # a detail, so the agreement counts
        c = replace(c, grant_kinds=c.grant_kinds | {GrantKind.DETAIL}, name_search=False)
        kind = GrantKind.DETAIL
    else:
        allowed = sorted({GrantKind.CONTACT, GrantKind.CASE} if c.name_search else c.grant_kinds)
        kind = pick(draw, allowed)
    employment = "detailee" if kind is GrantKind.DETAIL else "employee"
    who = replace(
        draw(principals),
        status="active",
        employment_type=pick(draw, [employment, employment, employment, "contractor"]),
        roles=frozenset({"revenue_agent", "approver"}),
        profile=frozenset({c.code, "NAMES"}),
        acknowledgements=frozenset({"confidentiality", "6103n"}),
        own_taxpayer_id=None,
        spouse_ids=frozenset(),
        household_ids=frozenset(),
        covered_ids=frozenset(),
        interactive=kind is not GrantKind.SERVICE,
    )
    g = Grant(
        id=draw(grant_ids),
        kind=kind,
        holder_id=who.id,
        taxpayer_id=pick(draw, sorted(t.joint_taxpayer_ids or {t.taxpayer_id})),
        module_id=pick(draw, [None, t.module_id]),
        starts=NOW - HOUR,
        ends=draw(late),
        revoked_at=None,
        granted_by=90,
        second_level_approved=True,
        agreement_id=3,
    )
    a = Agreement(
        id=3,
        starts=NOW - 24 * HOUR,
        ends=draw(late),
        commands=frozenset({c.code}),
        categories=c.categories,
        scope_taxpayers=frozenset({t.taxpayer_id}),
        scope_case_types=frozenset(),
        acknowledged_by=frozenset({who.id}),
    )
    parts = Parts(who, c, t, g, a if kind is GrantKind.DETAIL or draw(coin) else None)
    if forced is not None:
        bend(forced, draw, parts)
    for _ in range(draw(bend_counts)):
        bend(draw(bend_names), draw, parts)
    others = [Grant(id=gid, **f) for gid, f in draw(grant_lists) if gid != g.id]
    return Slice(
        principal=parts.principal,
        command=parts.command,
        target=parts.target,
        grants=(parts.grant, *others),
        agreements=() if parts.agreement is None else (parts.agreement,),
        now=NOW,
    )


slices = st.one_of(random_slices(), near_permits(), near_permits(), near_permits())
