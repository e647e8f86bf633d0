"""The facts one access decision sees: a small slice, fetched by index per request.

These plain values are the contract between the store (which fetches them), the policy engine
(which decides on them, pure) and the audit log (which records their hash so a decision can be
replayed years later). Ids are surrogate ids; no TIN or name ever enters a slice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class GrantKind(StrEnum):
    CASE = "case"  # a manager assigned a case (control base) to the user
    CONTACT = "contact"  # taxpayer- or representative-initiated contact, a few hours
    DETAIL = "detail"  # a detailee under a written agreement with a fixed term
    BREAK_GLASS = "break_glass"  # written justification, at most one hour, reviewed
    SERVICE = "service"  # a batch job's standing grant over a declared population


class Access(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Command:
    """One entry of the command catalogue."""

    code: str  # e.g. "TXMOD", "ADJ54", "NAMES"
    access: Access
    categories: frozenset[str]  # data categories its output carries: entity, address, bank, ...
    grant_kinds: frozenset[GrantKind]  # which grant kinds may permit it
    name_search: bool = False  # NAMES/NAMEE: its own capability, opens nothing
    needs_approval: bool = False  # refunds, penalty abatements, writes above the threshold
    description: str = ""


@dataclass(frozen=True)
class Agreement:
    """A written agreement under which detailees work (the case in point: 120 days, renewable)."""

    id: int
    starts: datetime  # first instant in force (UTC)
    ends: datetime  # first instant no longer in force (UTC): the day after the last day
    commands: frozenset[str]
    categories: frozenset[str]
    scope_taxpayers: frozenset[int]  # explicit taxpayers in scope (empty = by case type only)
    scope_case_types: frozenset[str]
    acknowledged_by: frozenset[int]  # staff ids who signed its confidentiality acknowledgement


@dataclass(frozen=True)
class Grant:
    id: int
    kind: GrantKind
    holder_id: int  # staff id
    taxpayer_id: int | None  # None only for service grants (population-wide)
    module_id: int | None  # optional: one module only
    starts: datetime
    ends: datetime  # exclusive
    revoked_at: datetime | None
    granted_by: int | None
    second_level_approved: bool = False  # needed for employees' and high-profile accounts
    agreement_id: int | None = None
    case_type: str | None = None
    job: str | None = None  # service grants: the named job


@dataclass(frozen=True)
class Principal:
    """A signed-on person (or a service principal) as of this request."""

    id: int
    status: str  # active | suspended | separated
    employment_type: str  # employee | contractor | detailee | service
    roles: frozenset[str]
    profile: frozenset[str]  # command codes this user may run (bounded by the unit's maximum)
    clearance: str  # recorded, grants nothing
    acknowledgements: frozenset[str]  # "confidentiality", "6103n"
    own_taxpayer_id: int | None
    spouse_ids: frozenset[int]  # current spouse, former spouses, past joint-return partners
    household_ids: frozenset[int]  # taxpayers at the same (normalised) address
    covered_ids: frozenset[int]  # declared covered relationships
    interactive: bool = True  # False for a batch job's service session


@dataclass(frozen=True)
class Target:
    """The taxpayer a request is about. ``exists`` is False for a TIN not on file."""

    taxpayer_id: int | None
    exists: bool
    module_id: int | None = None
    joint_taxpayer_ids: frozenset[int] = frozenset()  # both spouses when the module is joint
    employee: bool = False  # the taxpayer is a staff member
    high_profile: bool = False
    case_types: frozenset[str] = frozenset()  # open case types on this taxpayer


@dataclass(frozen=True)
class Slice:
    principal: Principal
    command: Command
    target: Target
    grants: tuple[Grant, ...]  # the holder's grants that could apply (fetched by index)
    agreements: tuple[Agreement, ...] = ()
    now: datetime = field(default=datetime.min)
    purpose: str = ""
