"""Audit events: an open, versioned schema for everything that touches taxpayer data or access.

Why a closed tag set: reviewers and detectors query the log by what happened, so tags are an
enum following Warehouse's ``source:subject:action`` grammar, checked when this module loads;
adding a tag is a schema change, never a loose string at a call site.

Why validate here: an :class:`Event` is what callers build, with raw surrogate ids and raw
payload bytes; every value that will appear in clear in a leaf is checked when the event is
made (the canonical JSON domain; nothing shaped like a TIN), so a bad event fails at the call
site, not in the writer. :mod:`idrs.audit.encoding` turns it into leaf bytes under the keyring.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from idrs.audit.canonical import MAX_SAFE_INTEGER, CanonicalError, canonical_json
from idrs.audit.encoding import (  # re-exported: one import for callers
    SCHEMA_VERSION,
    AuditError,
    Encoded,
    actor_commitment,
    commitment,
    encode,
    keyed_digest,
    seal,
    taxpayer_commitment,
    unseal,
)
from idrs.errors import InvalidInput

__all__ = [
    "SCHEMA_VERSION",
    "AuditError",
    "Decision",
    "Encoded",
    "Event",
    "Outcome",
    "Tag",
    "actor_commitment",
    "check_tag",
    "command_event",
    "commitment",
    "decode_leaf",
    "encode",
    "keyed_digest",
    "seal",
    "system_event",
    "taxpayer_commitment",
    "unseal",
]
_TAG_GRAMMAR = re.compile(r"[a-z][a-z0-9_]*:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*")
_CODE = re.compile(r"[A-Za-z0-9_.:/@#\[\]-]{1,64}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
# A nine-digit SSN/ITIN or EIN, bare or hyphenated: such a value never goes into a leaf.
_TIN_LIKE = re.compile(r"\d{9}|\d{3}-\d{2}-\d{4}|\d{2}-\d{7}")
_MAX_TEXT = 256

JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def check_tag(text: str) -> str:
    """Return ``text`` if it follows ``source:subject:action`` (lower-case words), else raise."""
    if not isinstance(text, str) or not _TAG_GRAMMAR.fullmatch(text):
        raise InvalidInput("tag", "must be source:subject:action in lower-case words", text)
    return text


class Tag(StrEnum):
    """Every kind of audit event. Values follow ``source:subject:action``."""

    GATE_ACCOUNT_READ = "gate:account:read"
    GATE_ACCOUNT_WRITE = "gate:account:write"
    GATE_EXPORT_CREATE = "gate:export:create"
    AUTH_SESSION_SIGNON = "auth:session:signon"
    AUTH_SESSION_SIGNOFF = "auth:session:signoff"
    AUTH_SESSION_FAIL = "auth:session:fail"
    AUTH_SESSION_LOCK = "auth:session:lock"
    AUTH_SESSION_EXPIRE = "auth:session:expire"
    AUTH_CREDENTIAL_ISSUE = "auth:credential:issue"
    AUTH_CREDENTIAL_RESET = "auth:credential:reset"
    AUTH_CREDENTIAL_UNLOCK = "auth:credential:unlock"
    AUTH_CREDENTIAL_CHANGE = "auth:credential:change"
    ACCESS_STAFF_CREATE = "access:staff:create"
    ACCESS_STAFF_PROPOSE = "access:staff:propose"
    ACCESS_STAFF_APPROVE = "access:staff:approve"
    ACCESS_GRANT_CREATE = "access:grant:create"
    ACCESS_GRANT_RENEW = "access:grant:renew"
    ACCESS_GRANT_REVOKE = "access:grant:revoke"
    ACCESS_BREAKGLASS_INVOKE = "access:breakglass:invoke"
    ACCESS_APPROVAL_REQUEST = "access:approval:request"
    ACCESS_APPROVAL_APPROVE = "access:approval:approve"
    ACCESS_APPROVAL_REJECT = "access:approval:reject"
    ACCESS_CASE_ASSIGN = "access:case:assign"
    ACCESS_CASE_CLOSE = "access:case:close"
    ACCESS_AGREEMENT_CREATE = "access:agreement:create"
    ACCESS_AGREEMENT_RENEW = "access:agreement:renew"
    ACCESS_ACKNOWLEDGEMENT_SIGN = "access:acknowledgement:sign"
    ACCESS_STAFF_SEPARATE = "access:staff:separate"
    ACCESS_STAFF_SUSPEND = "access:staff:suspend"
    ACCESS_GRANT_RECERTIFY = "access:grant:recertify"
    OVERSIGHT_ALERT_REVIEW = "oversight:alert:review"
    OVERSIGHT_ACCESS_EXPLAIN = "oversight:access:explain"
    OVERSIGHT_ACCESS_QUERY = "oversight:access:query"
    POLICY_SET_CHANGE = "policy:set:change"
    BATCH_JOB_RUN = "batch:job:run"
    BATCH_JOB_BATCH = "batch:job:batch"
    BATCH_ITEM_ISSUE = "batch:item:issue"
    AUDIT_LOG_EXPORT = "audit:log:export"
    SYSTEM_DB_INIT = "system:db:init"
    SYSTEM_DB_MIGRATE = "system:db:migrate"
    SYNTH_POPULATION_GENERATE = "synth:population:generate"

    @classmethod
    def parse(cls, text: str) -> Tag:
        """The tag named ``text``; raises if the grammar is wrong or the tag is unknown."""
        check_tag(text)
        try:
            return cls(text)
        except ValueError:
            raise InvalidInput("tag", "not a known audit tag", text) from None


for _tag in Tag:  # the grammar is checked once, at import: a bad member breaks loudly
    check_tag(_tag.value)


class Decision(StrEnum):
    PERMIT = "permit"
    DENY = "deny"


class Outcome(StrEnum):
    OK = "ok"
    ERROR = "error"


def _micros(at: datetime | int) -> int:
    if isinstance(at, bool):
        raise InvalidInput("at", "must be a UTC datetime or integer microseconds", at)
    if isinstance(at, int):
        micros = at
    elif isinstance(at, datetime) and at.tzinfo is not None:
        delta = at.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    else:
        raise InvalidInput("at", "must be a timezone-aware datetime", at)
    if not 0 <= micros <= MAX_SAFE_INTEGER:
        raise InvalidInput("at", "must be from 1970 to 2255 (microseconds below 2**53)", at)
    return micros


def _text(name: str, value: object, *, code: bool = False, clear: bool = True) -> None:
    if type(value) is not str or not 0 < len(value) <= _MAX_TEXT:
        raise InvalidInput(name, f"must be a non-empty string of at most {_MAX_TEXT} chars", value)
    if code:  # an ASCII code: nothing else to check unless it is all digits and hyphens
        if not _CODE.fullmatch(value):
            raise InvalidInput(name, "must be a code of letters, digits and _.:/@#[]-", value)
        if clear and value[0].isdigit() and _TIN_LIKE.fullmatch(value):
            raise InvalidInput(name, "looks like a TIN; put identifying data in `sealed`")
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(name, "must not contain lone surrogates") from None
    if clear and _TIN_LIKE.fullmatch(value.strip()):
        raise InvalidInput(name, "looks like a TIN; put identifying data in `sealed`")


def _plain_json(name: str, value: object) -> None:
    """Values allowed in clear in a leaf: the canonical domain, and nothing TIN-shaped."""
    if isinstance(value, str):
        if _TIN_LIKE.fullmatch(value.strip()):
            raise InvalidInput(name, "looks like a TIN; put identifying data in `sealed`")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _plain_json(f"{name}[{i}]", item)
    elif isinstance(value, dict):
        for k, item in value.items():
            _plain_json(f"{name}.{k}", item)


@dataclass(frozen=True, kw_only=True)
class Event:
    """One audit event, as the caller knows it (raw surrogate ids, raw payload bytes).

    :func:`encode` turns it into leaf bytes under the keyring: ids become commitments, the
    payload and facts become keyed digests, and ``sealed`` is encrypted beside the leaf.
    """

    tag: Tag
    at: int  # UTC, integer microseconds since 1970 (a datetime is converted)
    actor: str  # surrogate id of the user or service: "staff:123", "service:posting"
    outcome: Outcome = Outcome.OK
    taxpayer: str | None = None  # surrogate id, never a TIN
    command: str | None = None  # e.g. "TXMOD"
    categories: tuple[str, ...] = ()  # data categories returned: "identity", "balance", ...
    rows: int | None = None
    payload: bytes | None = field(default=None, repr=False)  # returned data, keyed-hashed
    session: str | None = None
    terminal: str | None = None
    client: str | None = None  # client address
    purpose: str | None = None
    case_id: str | None = None
    grant_id: str | None = None
    agreement_id: str | None = None
    decision: Decision | None = None
    reasons: tuple[str, ...] = ()
    policy_hash: str | None = None  # SHA-256 hex of the policy set in force
    facts: bytes | None = field(default=None, repr=False)  # the decision's facts, keyed-hashed
    detail: Mapping[str, Any] = field(default_factory=dict)  # non-sensitive, in clear
    sealed: Mapping[str, Any] | None = field(default=None, repr=False)  # encrypted beside

    def __post_init__(self) -> None:
        if not isinstance(self.tag, Tag):
            object.__setattr__(self, "tag", Tag.parse(self.tag))
        if type(self.at) is not int:
            object.__setattr__(self, "at", _micros(self.at))  # a datetime is accepted too
        elif not 0 <= self.at <= MAX_SAFE_INTEGER:
            raise InvalidInput(
                "at", "must be from 1970 to 2255 (microseconds below 2**53)", self.at
            )
        object.__setattr__(self, "actor", str(self.actor))
        if type(self.outcome) is not Outcome:
            object.__setattr__(self, "outcome", Outcome(self.outcome))
        _text("actor", self.actor, code=True, clear=False)  # committed, never in clear
        if self.taxpayer is not None:
            object.__setattr__(self, "taxpayer", str(self.taxpayer))
            _text("taxpayer", self.taxpayer, code=True, clear=False)
        for name in ("command", "session", "terminal", "client", "case_id", "grant_id"):
            if getattr(self, name) is not None:
                _text(name, getattr(self, name), code=True)
        for name in ("purpose", "agreement_id"):
            if getattr(self, name) is not None:
                _text(name, getattr(self, name))
        if type(self.categories) is not tuple:
            object.__setattr__(self, "categories", tuple(self.categories))
        if type(self.reasons) is not tuple:
            object.__setattr__(self, "reasons", tuple(self.reasons))
        for name in ("categories", "reasons"):
            for item in getattr(self, name):
                _text(name, item, code=True)
        if self.rows is not None and (
            type(self.rows) is not int or not 0 <= self.rows <= MAX_SAFE_INTEGER
        ):
            raise InvalidInput("rows", "must be a whole number from 0 to 2**53 - 1", self.rows)
        if self.decision is not None and type(self.decision) is not Decision:
            object.__setattr__(self, "decision", Decision(self.decision))
        if self.reasons and self.decision is None:
            raise InvalidInput("reasons", "reason codes belong to a decision")
        if self.policy_hash is not None and not _HEX64.fullmatch(str(self.policy_hash)):
            raise InvalidInput("policy_hash", "must be 64 lower-case hex digits", self.policy_hash)
        for name in ("payload", "facts"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), bytes):
                raise InvalidInput(name, "must be bytes")
        try:
            if self.detail:
                canonical_json(dict(self.detail), name="detail")
            if self.sealed is not None:
                canonical_json(dict(self.sealed), name="sealed")
        except CanonicalError as exc:
            raise InvalidInput("detail", str(exc)) from None
        if self.detail:
            _plain_json("detail", dict(self.detail))


def decode_leaf(leaf: bytes) -> dict[str, Any]:
    """Parse leaf bytes into the event dict; raises :class:`AuditError` if not a v1 event."""
    try:
        d = json.loads(leaf)
    except (ValueError, UnicodeDecodeError):
        raise AuditError("audit: leaf is not JSON") from None
    if not isinstance(d, dict) or d.get("v") != SCHEMA_VERSION or "tag" not in d:
        raise AuditError(f"audit: leaf is not a v{SCHEMA_VERSION} event")
    return d


def _now() -> datetime:
    return datetime.now(UTC)


def system_event(
    tag: Tag | str,
    detail: Mapping[str, Any] | None = None,
    actor: str = "operator",
    *,
    at: datetime | int | None = None,
    outcome: Outcome = Outcome.OK,
) -> Event:
    """A system event (db init, migration, synth run, batch job): no taxpayer, plain detail."""
    return Event(
        tag=tag if isinstance(tag, Tag) else Tag.parse(tag),
        at=_micros(_now() if at is None else at),
        actor=actor,
        outcome=outcome,
        detail=dict(detail or {}),
    )


def command_event(
    tag: Tag,
    *,
    actor: str,
    command: str,
    decision: Decision,
    at: datetime | int,
    taxpayer: str | None = None,
    reasons: Sequence[str] = (),
    categories: Sequence[str] = (),
    rows: int | None = None,
    payload: bytes | None = None,
    policy_hash: str | None = None,
    facts: bytes | None = None,
    outcome: Outcome = Outcome.OK,
    **where_why: Any,
) -> Event:
    """A gate decision on a command (read or write); ``where_why`` takes session, terminal,
    client, purpose, case_id, grant_id, agreement_id, detail and sealed."""
    return Event(
        tag=tag,
        at=_micros(at),
        actor=actor,
        command=command,
        decision=decision,
        taxpayer=taxpayer,
        reasons=tuple(reasons),
        categories=tuple(categories),
        rows=rows,
        payload=payload,
        policy_hash=policy_hash,
        facts=facts,
        outcome=outcome,
        **where_why,
    )
