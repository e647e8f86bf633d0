"""Need-to-know at the moment of access: one pure decision over one fetched slice.

The rules are the Cedar policies in ``idrs/access/policies/`` (deny by default, forbid overrides
permit). This module only runs a :class:`~idrs.access.facts.Slice` through them (as entities and
requests built by :mod:`idrs.access.entities`) and picks the grant. Cedar cannot say "there
exists a grant such that...", so every candidate grant becomes one request carrying that grant
in ``context.grant``, all in one batch over one entity set; with no candidate a single request
without a grant still runs, so the forbids about the user and the account are reported. The
decision permits if any request is permitted; if several are, the grant with the latest end
(then the lowest id) is the one used.

Nothing is cached across requests except the parsed policies, so a revocation takes effect on
the very next request. A malformed slice (a value of the wrong type, two different grants under
one id) or any evaluation error refuses (fail closed) with an ``engine-error`` reason; ``decide``
never raises for a bad slice.
"""

from __future__ import annotations

import cedarpy

from idrs.access import entities, explain
from idrs.access.decision import Decision, Reason, facts_hash
from idrs.access.facts import Principal, Slice
from idrs.access.policy import Policies, PolicyInfo, current

ACCESS_ACCOUNT = "access_account"
NAME_SEARCH = "name_search"
APPROVE = "approve"


def decide(
    slice_: Slice, policies: Policies | None = None, *, exhaustive: bool = False
) -> Decision:
    """Permit or deny ``slice_.command`` by ``slice_.principal`` on ``slice_.target`` now.

    ``exhaustive`` evaluates every grant in Cedar, not only the candidates (see ``_decide``);
    the effect and grant are the same, the reasons more complete. For ``idrs access explain``.
    """
    action = NAME_SEARCH if slice_.command.name_search else ACCESS_ACCOUNT
    return _decide(slice_, action, None, policies or current(), exhaustive)


def may_approve(
    approver: Principal,
    maker_id: int,
    slice_for_approver: Slice,
    policies: Policies | None = None,
    *,
    exhaustive: bool = False,
) -> Decision:
    """May ``approver`` approve the pending action ``maker_id`` made on this taxpayer?

    Never the maker, only a holder of the approver role, and only under the approver's own
    active grant on the taxpayer, by the same rules as :func:`decide`.
    """
    pols = policies or current()
    if slice_for_approver.principal != approver:
        return Decision(
            effect="deny",
            grant_id=None,
            reasons=(Reason(explain.ENGINE_ERROR, explain.WRONG_PRINCIPAL),),
            policy_hash=pols.policy_hash,
            facts_hash=facts_hash(slice_for_approver),
        )
    return _decide(slice_for_approver, APPROVE, maker_id, pols, exhaustive)


def _decide(
    slice_: Slice, action: str, maker: int | None, pols: Policies, exhaustive: bool
) -> Decision:
    """Evaluate the candidate grants in one Cedar batch and pick the grant.

    Candidates are the grants the explainer finds nothing missing in (held by this user,
    active, of an allowed kind, covering the target): a grant that fails one of these can never
    satisfy a permit policy, which tests the same conditions, so leaving it out cannot change
    the effect, only save a Cedar request (a test checks this against ``exhaustive``). Cedar
    still checks every condition on the candidates, and every forbid.
    """
    try:
        hashed = facts_hash(slice_)
        grants = tuple(sorted(set(slice_.grants), key=lambda g: g.id))
        if len({g.id for g in grants}) != len(grants):
            return _deny(pols, hashed, (Reason(explain.ENGINE_ERROR, explain.DUPLICATE_GRANT),))
        search = action == NAME_SEARCH
        candidates = grants
        if not exhaustive:
            candidates = tuple(
                g for g in grants if explain.why_not(slice_, g, search=search) is None
            )
        results = cedarpy.is_authorized_batch(
            entities.requests(slice_, action, maker, candidates),
            pols.policy_set,
            entities.entities_json(
                slice_, candidates, profile_for_command=pols.profile_for_command
            ),
        )
    except (ValueError, TypeError, AttributeError) as exc:  # malformed slice: refuse, never raise
        text = f"{explain.ENGINE}: {exc}"
        return _deny(pols, _safe_hash(slice_), (Reason(explain.ENGINE_ERROR, text),))

    errors = [e for r in results for e in r.diagnostics.errors]
    if errors:
        text = f"{explain.ENGINE}: {'; '.join(map(str, errors))}"
        return _deny(pols, hashed, (Reason(explain.ENGINE_ERROR, text),))

    # Cedar reports the determining policies as a set: put them in policy-file order.
    fired = [
        tuple(sorted((pols.by_cedar_id[cid] for cid in r.diagnostics.reasons), key=_by_order))
        for r in results
    ]
    allowed = [
        (g, infos) for g, r, infos in zip(candidates, results, fired, strict=False) if r.allowed
    ]
    if allowed:
        grant, infos = max(allowed, key=lambda pair: (entities.micros(pair[0].ends), -pair[0].id))
        return Decision(
            effect="permit",
            grant_id=grant.id,
            reasons=explain.permit_reasons(slice_, grant, infos),
            policy_hash=pols.policy_hash,
            facts_hash=hashed,
        )
    reasons = explain.deny_reasons(
        slice_,
        grants,
        dict(zip(candidates, fired, strict=False)),
        fired[0] if not candidates else (),
        search=search,
    )
    return _deny(pols, hashed, reasons)


def _safe_hash(slice_: Slice) -> str:
    try:
        return facts_hash(slice_)
    except (ValueError, TypeError, AttributeError):
        return ""


def _by_order(info: PolicyInfo) -> int:
    return info.order


def _deny(pols: Policies, hashed: str, reasons: tuple[Reason, ...]) -> Decision:
    return Decision("deny", None, reasons, pols.policy_hash, hashed)
