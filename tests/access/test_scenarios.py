"""The scenario table (``scenarios.json``): every access rule and its combinations, as data.

Each row is decided twice, once with the candidate pre-filter and once exhaustively (every
grant through Cedar); both must give the expected effect and grant. Reasons are checked by
policy id and by a substring a reviewer would read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from idrs.access.decide import decide, may_approve
from idrs.access.decision import Decision, facts_hash
from idrs.access.explain import DEFAULT_DENY
from idrs.access.policy import current

from .scenario_data import SCENARIOS, build


def _run(row: dict[str, Any], *, exhaustive: bool) -> Decision:
    slice_ = build(row)
    if "approve" in row:
        return may_approve(slice_.principal, row["approve"]["maker"], slice_, exhaustive=exhaustive)
    return decide(slice_, exhaustive=exhaustive)


@pytest.mark.parametrize("row", SCENARIOS, ids=[row["name"] for row in SCENARIOS])
def test_scenario(row: dict[str, Any]) -> None:
    for exhaustive in (False, True):
        decision = _run(row, exhaustive=exhaustive)
        shown = "\n  ".join(f"{r.policy_id}: {r.text}" for r in decision.reasons)
        assert decision.effect == row["expect"], f"exhaustive={exhaustive}\n  {shown}"
        assert decision.grant_id == row.get("grant"), shown
        assert decision.reasons, "every decision names at least one reason"
        for policy_id in row.get("policies", []):
            assert policy_id in decision.policy_ids, f"{policy_id} missing from\n  {shown}"
        if "text" in row:
            assert any(row["text"] in r.text for r in decision.reasons), shown
        assert not any(r.policy_id == "engine-error" for r in decision.reasons), shown
        if decision.permitted:
            assert all(r.policy_id.startswith("permit-") for r in decision.reasons)
            assert all(f"grant {decision.grant_id}" in r.text for r in decision.reasons)


def test_scenario_names_are_unique() -> None:
    names = [row["name"] for row in SCENARIOS]
    assert len(names) == len(set(names))


def test_every_policy_is_exercised_by_some_scenario() -> None:
    expected = {pid for row in SCENARIOS for pid in row.get("policies", [])}
    assert set(current().by_id) - expected == set()
    assert DEFAULT_DENY in expected


def test_every_scenario_states_a_reason_for_a_deny() -> None:
    for row in SCENARIOS:
        if row["expect"] == "deny":
            assert row.get("policies") or row.get("text"), row["name"]


def test_refusal_reasons_never_leak_between_grants() -> None:
    """A permit's reasons name only the grant used, never the others the user holds."""
    row = next(r for r in SCENARIOS if r["name"] == "several grants: the latest end is used")
    decision = _run(row, exhaustive=False)
    assert decision.grant_id == 4
    assert not any("grant 5" in r.text or "grant 9" in r.text for r in decision.reasons)


def _row(name: str) -> dict[str, Any]:
    return next(r for r in SCENARIOS if r["name"] == name)


def test_two_different_grants_under_one_id_fail_closed() -> None:
    slice_ = build(_row("case grant permits TXMOD"))
    twin = replace(slice_.grants[0], taxpayer_id=777)
    decision = decide(replace(slice_, grants=(*slice_.grants, twin)))
    assert not decision.permitted
    assert decision.policy_ids == ("engine-error",)


def test_a_repeated_identical_grant_is_one_grant() -> None:
    slice_ = build(_row("case grant permits TXMOD"))
    decision = decide(replace(slice_, grants=slice_.grants * 2))
    assert decision.permitted and decision.grant_id == 1


def test_malformed_fact_fails_closed() -> None:
    """A fact of the wrong type (here a str id) is refused by the schema, never guessed at."""
    slice_ = build(_row("spouse found only through a past joint return"))
    spouse_as_text = replace(slice_.principal, spouse_ids=frozenset({"901"}))
    decision = decide(replace(slice_, principal=spouse_as_text))  # type: ignore[arg-type]
    assert not decision.permitted
    assert decision.policy_ids == ("engine-error",)


def test_approval_slice_for_another_user_is_refused() -> None:
    slice_ = build(_row("approver with their own grant on the taxpayer"))
    other = replace(slice_.principal, id=99)
    decision = may_approve(other, 7, slice_)
    assert not decision.permitted
    assert decision.policy_ids == ("engine-error",)


def test_plain_string_kinds_are_read_as_grant_kinds() -> None:
    slice_ = build(_row("contact grant permits research"))
    plain = replace(slice_.grants[0], kind="contact")  # type: ignore[arg-type]
    decision = decide(replace(slice_, grants=(plain,)))
    assert decision.grant_id == 1
    assert decision.reasons[0].text.startswith("contact grant 1 permits ENMOD")


def test_naive_datetimes_are_taken_as_utc() -> None:
    slice_ = build(_row("case grant permits TXMOD"))
    naive = replace(slice_, now=slice_.now.replace(tzinfo=None))
    assert decide(naive).grant_id == 1
    assert decide(naive).facts_hash == decide(slice_).facts_hash


def test_decision_carries_the_policy_and_facts_hashes() -> None:
    slice_ = build(_row("case grant permits TXMOD"))
    decision = decide(slice_)
    assert decision.policy_hash == current().policy_hash
    assert decision.facts_hash == facts_hash(slice_)
    later = decide(replace(slice_, now=slice_.now + timedelta(seconds=1)))
    assert later.facts_hash != decision.facts_hash
