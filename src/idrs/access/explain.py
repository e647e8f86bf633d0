"""Reasons a reviewer can read: which policy decided, and for a default deny, what was missing.

Cedar names the forbid policies that determined a deny, but a default deny (no permit matched)
comes with no reason at all. Security officers and oversight still need to know *why*: which
grant was missing, expired, revoked, of the wrong kind, or for another taxpayer or module. The
default-deny explainer below re-reads the permit rule's conditions over the slice, one grant at
a time, and names the first one that fails. It explains; it never decides (``decide`` does, in
Cedar), and if it finds nothing missing where Cedar matched no permit it says so.

These texts go to the audit log and ``idrs access explain``, never to the refused user, who sees
only the gate's generic refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from idrs.access.decision import Reason, rfc3339
from idrs.access.facts import Grant, GrantKind, Slice
from idrs.access.policy import PolicyInfo

DEFAULT_DENY = "default-deny"
ENGINE_ERROR = "engine-error"
ENGINE = "the policy engine could not evaluate the request; refused (fail closed)"
DUPLICATE_GRANT = f"{ENGINE}: the slice holds two different grants under one id"
WRONG_PRINCIPAL = f"{ENGINE}: the approval slice was fetched for another user"
NAME_SEARCH_KINDS = (GrantKind.CONTACT, GrantKind.CASE)


def permit_reasons(slice_: Slice, grant: Grant, infos: Iterable[PolicyInfo]) -> tuple[Reason, ...]:
    """A permit names the grant used, its kind and its end."""
    head = (
        f"{GrantKind(grant.kind).value} grant {grant.id} permits {slice_.command.code}"
        f" (active until {rfc3339(grant.ends)})"
    )
    return tuple(Reason(i.policy_id, f"{head}: {i.reason}") for i in infos)


def deny_reasons(
    slice_: Slice,
    grants: tuple[Grant, ...],
    evaluated: Mapping[Grant, tuple[PolicyInfo, ...]],
    probe: tuple[PolicyInfo, ...],
    *,
    search: bool = False,
) -> tuple[Reason, ...]:
    """Every determining forbid, then what kept each grant from permitting.

    ``evaluated`` maps each grant Cedar evaluated to the policies that determined its deny;
    ``probe`` holds those of the grant-less request run when no grant was a candidate.
    """
    reasons = [Reason(i.policy_id, i.reason) for i in probe]
    reasons += [
        Reason(i.policy_id, i.reason)
        for infos in evaluated.values()
        for i in infos
        if i.scope == "request"
    ]
    missing = {g: why_not(slice_, g, search=search) for g in grants}
    if all(text is not None for text in missing.values()):
        reasons.append(Reason(DEFAULT_DENY, _summary(slice_, search)))
    gaps = request_gaps(slice_, search)
    reasons += [Reason(DEFAULT_DENY, text) for text in gaps]
    for grant in grants:
        infos = evaluated.get(grant, ())
        own = [i for i in infos if i.scope == "grant"]
        reasons += [Reason(i.policy_id, f"grant {grant.id}: {i.reason}") for i in own]
        text = missing[grant]
        if text is not None:
            reasons.append(Reason(DEFAULT_DENY, text))
        elif not infos and not gaps:  # the explainer and Cedar disagree: say so, never guess
            reasons.append(Reason(DEFAULT_DENY, f"grant {grant.id}: no permit policy matched"))
    return tuple(dict.fromkeys(reasons))


def _summary(slice_: Slice, search: bool) -> str:
    command = slice_.command
    if search:
        return f"no open contact or case grant held by the user, which {command.code} needs"
    kinds = ", ".join(sorted(GrantKind(k).value for k in command.grant_kinds)) or "none"
    return f"no active grant of a kind that permits {command.code} ({kinds}) for this taxpayer"


def request_gaps(slice_: Slice, search: bool) -> list[str]:
    """Permit conditions no grant can supply: the account on file, the code in the profile."""
    gaps: list[str] = []
    if not search and not slice_.target.exists:
        gaps.append("the taxpayer is not on file")
    if slice_.command.code not in slice_.principal.profile:
        gaps.append(f"{slice_.command.code} is not in the user's command profile")
    return gaps


def why_not(slice_: Slice, grant: Grant, *, search: bool) -> str | None:
    """The first permit condition ``grant`` fails (besides ``request_gaps``), or None."""
    now, command = _utc(slice_.now), slice_.command
    label = f"grant {grant.id}"
    if grant.holder_id != slice_.principal.id:
        return f"{label} is held by user {grant.holder_id}, not by this user"
    if now < _utc(grant.starts):
        return f"{label} starts at {rfc3339(grant.starts)}"
    if grant.revoked_at is not None and _utc(grant.revoked_at) <= now:
        return f"{label} was revoked at {rfc3339(grant.revoked_at)}"
    if _utc(grant.ends) <= now:
        return f"{label} expired at {rfc3339(grant.ends)}"
    kind = GrantKind(grant.kind)
    if search:
        if kind not in NAME_SEARCH_KINDS:
            return f"{label} is a {kind.value} grant; a name search needs a contact or case grant"
        return None
    if kind not in command.grant_kinds:
        kinds = ", ".join(sorted(GrantKind(k).value for k in command.grant_kinds)) or "no"
        return (
            f"{label} is a {kind.value} grant; {command.code} may be permitted only by "
            f"{kinds} grants"
        )
    return _coverage_gap(label, grant, slice_)


def _coverage_gap(label: str, grant: Grant, slice_: Slice) -> str | None:
    target = slice_.target
    if grant.taxpayer_id is None:
        if grant.kind == GrantKind.SERVICE:
            return _module_gap(label, grant, target.module_id)
        return f"{label} names no taxpayer"
    on_target = grant.taxpayer_id == target.taxpayer_id
    if not on_target and grant.taxpayer_id not in target.joint_taxpayer_ids:
        text = f"{label} covers taxpayer #{grant.taxpayer_id}, not taxpayer #{target.taxpayer_id}"
        if target.module_id is not None and not target.joint_taxpayer_ids:
            text += f" (module {target.module_id} is not a joint module)"
        return text
    return _module_gap(label, grant, target.module_id)


def _module_gap(label: str, grant: Grant, module_id: int | None) -> str | None:
    if grant.module_id is None or grant.module_id == module_id:
        return None
    if module_id is None:
        return f"{label} covers module {grant.module_id} only, not the whole account"
    return f"{label} covers module {grant.module_id}, not module {module_id}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
