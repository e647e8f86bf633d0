"""Properties of ``decide`` over random slices.

1. Nothing is permitted without an active grant of an allowed kind: every decision is checked
   against an independent oracle written here from the rules in plain Python, both ways (no
   permit the oracle refuses, no refusal the oracle permits), and the grant reported must be
   the oracle's choice (latest end, then lowest id).
2. Decisions are deterministic: the same slice, with its grants in any order, gives the same
   decision, reasons and hashes included; the candidate pre-filter never changes the effect.
3. ``facts_hash`` covers every field of every fact, and not the order grants were fetched in.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from enum import Enum
from zoneinfo import ZoneInfo

import cedarpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idrs.access.decide import decide, may_approve
from idrs.access.decision import Decision, canonical, canonical_json, facts_hash, rfc3339
from idrs.access.entities import entities_json, requests
from idrs.access.facts import Access, Command, Grant, GrantKind, Principal, Slice, Target
from idrs.access.policy import current

from .strategies import BENDS, NOW, US, near_permits, slices

# Generation is heavy on a loaded machine; the profile (conftest) still sets the example count.
SLOW_OK = settings(suppress_health_check=[HealthCheck.too_slow])


def oracle(s: Slice, maker: int | None = None) -> int | None:
    """The grant the rules permit by, or None: the issue's rules, written independently."""
    p, c, t, now = s.principal, s.command, s.target, s.now
    people = set(t.joint_taxpayer_ids) | ({t.taxpayer_id} - {None})
    related = {p.own_taxpayer_id} | p.spouse_ids | p.household_ids | p.covered_ids
    approving = maker is not None
    if (
        p.status != "active"
        or (p.employment_type == "contractor" and "6103n" not in p.acknowledgements)
        or (p.employment_type == "detailee" and "confidentiality" not in p.acknowledgements)
        or {"operator", "security_officer"} & p.roles
        or people & related
        or (approving and (maker == p.id or "approver" not in p.roles))
        or c.code not in p.profile
    ):
        return None
    agreements = {a.id: a for a in s.agreements}
    ok: list[Grant] = []
    for g in s.grants:
        active = g.starts <= now < g.ends and not (g.revoked_at and g.revoked_at <= now)
        if not active or g.holder_id != p.id or g.granted_by == g.holder_id:
            continue
        if g.kind is GrantKind.SERVICE and p.interactive:
            continue
        if p.employment_type == "detailee" and g.kind is not GrantKind.DETAIL:
            continue
        if (t.employee or t.high_profile) and not g.second_level_approved:
            continue
        if g.kind is GrantKind.DETAIL:
            a = agreements.get(g.agreement_id)  # type: ignore[arg-type]
            if (
                a is None
                or not a.starts <= now < a.ends
                or p.id not in a.acknowledged_by
                or c.code not in a.commands
                or not c.categories <= a.categories
                or not (t.taxpayer_id in a.scope_taxpayers or t.case_types & a.scope_case_types)
            ):
                continue
        if c.name_search and not approving:
            if g.kind in (GrantKind.CONTACT, GrantKind.CASE):
                ok.append(g)
            continue
        if g.kind not in c.grant_kinds or not t.exists:
            continue
        if g.taxpayer_id is None:
            covers = g.kind is GrantKind.SERVICE
        else:
            covers = g.taxpayer_id == t.taxpayer_id or g.taxpayer_id in t.joint_taxpayer_ids
        if covers and g.module_id in (None, t.module_id):
            ok.append(g)
    if not ok:
        return None
    return max(ok, key=lambda g: (g.ends, -g.id)).id


def _check(decision: Decision, expected: int | None) -> None:
    shown = [f"{r.policy_id}: {r.text}" for r in decision.reasons]
    assert decision.grant_id == expected, shown
    assert decision.permitted == (expected is not None), shown
    assert decision.reasons
    assert not any(r.policy_id == "engine-error" for r in decision.reasons), shown
    # the default-deny explainer always finds what was missing (it never disagrees with Cedar)
    assert not any("no permit policy matched" in r.text for r in decision.reasons), shown


@SLOW_OK
@given(slices)
def test_decide_agrees_with_the_oracle(s: Slice) -> None:
    expected = oracle(s)
    _check(decide(s), expected)
    _check(decide(s, exhaustive=True), expected)


@pytest.mark.parametrize("condition", BENDS)
@settings(max_examples=6, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_condition_at_its_edge_agrees_with_the_oracle(
    condition: str, data: st.DataObject
) -> None:
    """Every rule, broken (or put on its edge) on top of an otherwise permitted request."""
    s = data.draw(near_permits(condition))
    expected = oracle(s)
    _check(decide(s), expected)
    _check(decide(s, exhaustive=True), expected)  # Cedar alone, without the pre-filter


@SLOW_OK
@given(slices, st.sampled_from([7, 8, 12]))
def test_may_approve_agrees_with_the_oracle(s: Slice, maker: int) -> None:
    expected = oracle(s, maker)
    _check(may_approve(s.principal, maker, s), expected)
    _check(may_approve(s.principal, maker, s, exhaustive=True), expected)


@SLOW_OK
@given(slices, st.data())
def test_decisions_are_deterministic_across_grant_order(s: Slice, data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(s.grants))  # may be the same order: then "same slice"
    assert decide(replace(s, grants=tuple(shuffled))) == decide(s)


def test_an_oracle_permit_is_reachable() -> None:
    """Guard against a generator that never permits (the properties would then be vacuous)."""
    s = Slice(
        principal=Principal(
            7,
            "active",
            "employee",
            frozenset({"revenue_agent"}),
            frozenset({"TXMOD"}),
            "none",
            frozenset(),
            None,
            frozenset(),
            frozenset(),
            frozenset(),
        ),
        command=Command("TXMOD", Access.READ, frozenset({"entity"}), frozenset({GrantKind.CASE})),
        target=Target(1, True),
        grants=(Grant(1, GrantKind.CASE, 7, 1, None, NOW - US, NOW + US, None, 90),),
        now=NOW,
    )
    assert oracle(s) == 1
    assert decide(s).grant_id == 1


def test_generated_slices_permit_sometimes() -> None:
    """The generator reaches both outcomes, so the properties above are not vacuous (counted
    with the oracle, which the first property ties to ``decide``)."""
    seen = {True: 0, False: 0}

    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(slices)
    def count(s: Slice) -> None:
        seen[oracle(s) is not None] += 1

    count()
    assert seen[True] >= 3 and seen[False] >= 3, seen


def _walk(value: object) -> object:
    """A generic, slow canonical form: the oracle for the hand-written one in ``decision``."""
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset):
        return sorted(_walk(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, tuple):
        return sorted((_walk(v) for v in value), key=lambda d: d["id"])  # type: ignore[index]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _walk(getattr(value, f.name)) for f in fields(value)}
    return value


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(slices, st.data())
def test_facts_hash_is_canonical(s: Slice, data: st.DataObject) -> None:
    """Every field of every fact enters the hash; the order of grants and agreements does not."""
    assert canonical(s) == _walk(s)
    shuffled = replace(s, grants=tuple(data.draw(st.permutations(s.grants))))
    assert facts_hash(shuffled) == facts_hash(s)
    assert facts_hash(replace(s, now=s.now + US)) != facts_hash(s)
    plain = json.dumps(_walk(s), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(s) == plain


def test_facts_hash_formats_times_as_rfc3339_utc() -> None:
    assert rfc3339(datetime(2026, 5, 5, 0, 0, tzinfo=ZoneInfo("America/New_York"))) == (
        "2026-05-05T04:00:00Z"
    )
    assert rfc3339(datetime(2026, 5, 4, 23, 59, 59, 999000)) == "2026-05-04T23:59:59.999Z"
    assert rfc3339(datetime.min) == "0001-01-01T00:00:00Z"


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(slices, st.sampled_from(["access_account", "name_search", "approve"]))
def test_entities_and_requests_conform_to_the_schema(s: Slice, action: str) -> None:
    """The schema is not applied per request in production; here it is, to hold the builder
    to it: entity attributes and request contexts are exactly what the policies were checked
    against."""
    pols = current()
    document = entities_json(s, s.grants)
    cedarpy.Entities.from_json_str(document, pols.schema)  # raises if it does not conform
    maker = 12 if action == "approve" else None
    batch = requests(s, action, maker, s.grants)
    results = cedarpy.is_authorized_batch(batch, pols.policy_set, document, schema=pols.schema)
    assert [e for r in results for e in r.diagnostics.errors] == []


@SLOW_OK
@given(slices, st.sampled_from([None, 7, 12]))
def test_sending_only_the_commands_profile_code_changes_no_decision(
    s: Slice, maker: int | None
) -> None:
    """The packaged policies read the profile only as ``contains(context.command.code)``, so
    sending the command's code alone (as decide does) gives the very same decision."""
    pols = current()
    assert pols.profile_for_command
    whole = replace(pols, profile_for_command=False)
    if maker is None:
        assert decide(s, pols, exhaustive=True) == decide(s, whole, exhaustive=True)
    else:
        assert may_approve(s.principal, maker, s, pols) == may_approve(s.principal, maker, s, whole)
