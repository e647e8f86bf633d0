"""The one door: every read, write, export and batch job on taxpayer data passes here.

``Gate.request`` (online, one taxpayer) does, in one database transaction: fetch the decision's
slice by index, decide, run the command only on a permit, append the audit entry (decision,
row count, keyed payload commitment, policy and facts hashes), commit — and only then hand the
result back. If the append or the commit fails, the exception propagates: nothing is returned
and nothing the command wrote survives ("no audit record, no data").

A refusal looks the same whatever the reason and whether the taxpayer exists: the text
``SECURITY VIOLATION`` and a reference (the audit index of the refusal), nothing else. The
reasons are in the audit entry's sealed detail, for those entitled (``idrs access explain``).

``Gate.job`` is the set-based form for batch work (see ``idrs.jobs``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.engine import Connection

from idrs.access.catalogue import catalogue
from idrs.access.catalogue import command as lookup_command
from idrs.access.decide import decide, may_approve
from idrs.access.decision import Decision, facts_hash
from idrs.access.errors import GovernanceError
from idrs.access.facts import Access, Command, Grant, GrantKind, Slice
from idrs.access.slice import build_slice
from idrs.access.tables import oversight_queue
from idrs.audit.canonical import canonical_json
from idrs.audit.events import Decision as AuditDecision
from idrs.audit.events import Event, Outcome, Tag, command_event
from idrs.audit.log import GroupCommitter, append
from idrs.clock import Clock, micros
from idrs.domain.tin import Tin, parse_tin
from idrs.errors import IdrsError
from idrs.store import governance as rows
from idrs.store.access_facts import UnknownPrincipal, principal_facts
from idrs.store.keyring import Keyring
from idrs.store.lookup import resolve_subject
from idrs.store.work import hold_for_approval, nullify_rejected, release_approved

REFUSAL = "SECURITY VIOLATION"
SAME_DAY_APPROVAL = frozenset({"RFUND"})  # a manual refund is approved the day it is input


@dataclass(frozen=True)
class Session:
    """A signed-on person (or a batch job's service session) as the gate receives it."""

    staff_id: int
    session_id: str
    terminal: str
    expires_at: datetime
    interactive: bool = True


@dataclass(frozen=True)
class Subject:
    """What the person typed: a TIN (absent for a name search), optionally MFT and period."""

    tin: str | None = None
    mft: int | None = None
    tax_period: int | None = None


@dataclass(frozen=True)
class Resolved:
    """The subject as ids, handed to the command that runs under a permit."""

    tin: Tin | None
    taxpayer_id: int | None
    module_id: int | None


@dataclass(frozen=True)
class Output:
    """What a command returns: JSON-able data and how many rows it read or wrote."""

    data: Mapping[str, Any]
    rows: int
    categories: tuple[str, ...] = ()
    needs_approval: bool = False  # a write above its command's threshold (maker-checker)
    pending_ids: tuple[int, ...] = ()  # pending transactions a held write created


Runner = Callable[[Connection, Resolved], Output]


@dataclass(frozen=True)
class Permitted:
    reference: str
    output: Output
    decision: Decision = field(repr=False)
    approval_request: int | None = None  # set when the write waits for another's approval


class Refused(IdrsError):
    """The generic refusal: identical text whatever the reason, plus the reference."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        self.text = REFUSAL
        super().__init__(f"{REFUSAL} - REFERENCE {reference}")


class _RunFailed(Exception):
    """A command refused its input under a permit; carries what the audit entry names."""

    def __init__(self, error: IdrsError, resolved: Resolved) -> None:
        super().__init__(error.message)
        self.error = error
        self.resolved = resolved


def reference_for(index: int) -> str:
    return f"{index:010d}"


class Gate:
    """The one door. With a :class:`GroupCommitter`, reads append their audit entry through it:
    the read runs in its own transaction and the data is returned only after the entry is
    durably committed with others (one fsync for many looks). Writes always append inside
    their own transaction, so the write and its entry commit or fail together."""

    def __init__(
        self,
        engine: Engine,
        keyring: Keyring,
        clock: Clock,
        committer: GroupCommitter | None = None,
    ) -> None:
        self.engine = engine
        self.keyring = keyring
        self.clock = clock
        self.committer = committer

    def request(
        self, session: Session, code: str, subject: Subject, purpose: str, run: Runner
    ) -> Permitted:
        """Decide, run, audit, commit; then return. Raises :class:`Refused` on a denial."""
        try:
            cmd = lookup_command(code)  # an unknown code is bad input, named as such
            tin = None if subject.tin is None else parse_tin(subject.tin)
        except IdrsError as exc:
            self.record_bad_input(session, code, exc)
            raise
        grouped = self.committer is not None and cmd.access == Access.READ
        try:
            return self._request(session, cmd, tin, subject, purpose, run, grouped)
        except _RunFailed as failed:
            # bad input found while the command ran under a permit: its writes are rolled
            # back with the transaction; the attempt itself is audited
            self.record_bad_input(session, code, failed.error, failed.resolved)
            raise failed.error from None

    def _request(
        self,
        session: Session,
        cmd: Command,
        tin: Tin | None,
        subject: Subject,
        purpose: str,
        run: Runner,
        grouped: bool,
    ) -> Permitted:
        approval: int | None = None
        with self.engine.begin() as conn:
            slice_, resolved, decision, output = self._evaluate(
                conn, session, cmd, tin, subject, purpose, run
            )
            event = self._event(session, cmd, resolved, decision, purpose, output)
            if grouped:
                conn.rollback()  # a read writes nothing; its audit entry goes to the committer
            else:
                index = append(conn, event, keyring=self.keyring)
                if output is not None and slice_ is not None:
                    self._alert_break_glass(conn, slice_, decision, index)
                    approval = self._hold_for_approval(conn, session, cmd, slice_, output, index)
        if grouped:
            assert self.committer is not None
            index = self.committer.append(event)  # durable before anything leaves
            if output is not None and slice_ is not None and _break_glass(slice_, decision):
                with self.engine.begin() as conn:  # only then: a transaction costs round trips
                    self._alert_break_glass(conn, slice_, decision, index)
        # committed: only now does anything leave
        if output is None:
            raise Refused(reference_for(index))
        return Permitted(reference_for(index), output, decision, None if grouped else approval)

    def approve(
        self, session: Session, request_id: int, purpose: str = "", *, reject: bool = False
    ) -> Permitted:
        """Maker-checker: a different user with the approver role, under their own grant on
        the taxpayer, approves (or rejects) a held write. The decision is made, audited and
        committed like any request; a refusal looks like any other. A rejected write's
        pending rows are nullified (NU) and never post."""
        now = self.clock.now()
        cmd = lookup_command("REFAP")
        with self.engine.begin() as conn:
            held = rows.approval_request(conn, request_id)
            if held is None or held.status != "pending":
                raise GovernanceError("approval", f"no pending approval request {request_id}")
            resolved = Resolved(None, held.taxpayer_id, held.module_id)
            try:
                approver = principal_facts(conn, session.staff_id)
            except UnknownPrincipal:
                approver = None
            if approver is None or session.expires_at <= now:
                decision = self._refuse_without_slice(
                    "session" if approver is not None else "unknown-user"
                )
            else:
                slice_ = build_slice(
                    conn, approver, cmd, held.taxpayer_id, held.module_id, now,
                    self.clock.zone, purpose,
                )  # fmt: skip
                decision = may_approve(approver, held.maker_id, slice_)
            output = None
            if decision.permitted and reject:
                rows.decide_approval_request(conn, request_id, "rejected", session.staff_id, now)
                voided = nullify_rejected(conn, request_id)
                output = Output(
                    {"approval_request": request_id, "status": "rejected", "nullified": voided},
                    rows=1 + voided,
                )
            elif decision.permitted:
                if held.command in SAME_DAY_APPROVAL and self._day(held.created_at) != self._day(
                    now
                ):
                    raise GovernanceError(
                        "approval", f"a {held.command} must be approved the day it was input"
                    )
                rows.decide_approval_request(conn, request_id, "approved", session.staff_id, now)
                released = release_approved(conn, request_id, session.staff_id)
                output = Output(
                    {"approval_request": request_id, "status": "approved", "released": released},
                    rows=1 + released,
                )
            event = self._event(session, cmd, resolved, decision, purpose, output)
            index = append(conn, event, keyring=self.keyring)
        if output is None:
            raise Refused(reference_for(index))
        return Permitted(reference_for(index), output, decision, request_id)

    def _hold_for_approval(
        self,
        conn: Connection,
        session: Session,
        cmd: Command,
        slice_: Slice,
        output: Output,
        index: int,
    ) -> int | None:
        if cmd.access != Access.WRITE or not (cmd.needs_approval or output.needs_approval):
            return None
        if slice_.target.taxpayer_id is None:
            return None
        request_id = rows.insert_approval_request(
            conn,
            command=cmd.code,
            taxpayer_id=slice_.target.taxpayer_id,
            module_id=slice_.target.module_id,
            maker_id=session.staff_id,
            request_audit_index=index,
            status="pending",
            created_at=self.clock.now(),
        )
        hold_for_approval(conn, output.pending_ids, request_id)
        return request_id

    def _evaluate(
        self,
        conn: Connection,
        session: Session,
        cmd: Command,
        tin: Tin | None,
        subject: Subject,
        purpose: str,
        run: Runner,
    ) -> tuple[Slice | None, Resolved, Decision, Output | None]:
        now = self.clock.now()
        resolved = self._resolve(conn, tin, subject)
        try:
            principal = principal_facts(conn, session.staff_id, interactive=session.interactive)
        except UnknownPrincipal:
            return None, resolved, self._refuse_without_slice("unknown-user"), None
        if session.expires_at <= now:
            return None, resolved, self._refuse_without_slice("session"), None
        slice_ = build_slice(
            conn, principal, cmd, resolved.taxpayer_id, resolved.module_id, now,
            self.clock.zone, purpose,
        )  # fmt: skip
        decision = decide(slice_)
        output = None
        if decision.permitted:
            try:
                output = run(conn, resolved)
            except IdrsError as exc:
                raise _RunFailed(exc, resolved) from exc
        return slice_, resolved, decision, output

    def record_bad_input(
        self, session: Session, code: str, exc: IdrsError, resolved: Resolved | None = None
    ) -> None:
        """Audit a request refused as bad input (nothing was read or written)."""
        known = code.strip().upper() in catalogue()
        write = known and lookup_command(code).access == Access.WRITE
        taxpayer = None if resolved is None else resolved.taxpayer_id
        event = Event(
            tag=Tag.GATE_ACCOUNT_WRITE if write else Tag.GATE_ACCOUNT_READ,
            at=micros(self.clock.now()),
            actor=f"staff:{session.staff_id}",
            command=code.strip().upper() if known else None,
            outcome=Outcome.ERROR,
            session=session.session_id,
            terminal=session.terminal,
            detail={"field": exc.field or "", "rule": exc.rule or ""},
            taxpayer=None if taxpayer is None else f"taxpayer:{taxpayer}",
        )
        with self.engine.begin() as conn:
            append(conn, event, keyring=self.keyring)

    # -- helpers -------------------------------------------------------------------------
    def _day(self, at: datetime) -> date:
        return at.astimezone(self.clock.zone).date()

    def _resolve(self, conn: Connection, tin: Tin | None, subject: Subject) -> Resolved:
        if tin is None:
            return Resolved(None, None, None)
        taxpayer_id, module_id = resolve_subject(
            conn, self.keyring, tin.digits, subject.mft, subject.tax_period
        )
        return Resolved(tin, taxpayer_id, module_id)

    def _refuse_without_slice(self, why: str) -> Decision:
        from idrs.access.decision import Reason
        from idrs.access.policy import current

        text = {
            "session": "the session has expired; sign on again",
            "unknown-user": "the user is not on file",
        }[why]
        return Decision("deny", None, (Reason(f"gate-{why}", text),), current().policy_hash, "")

    def _event(
        self,
        session: Session,
        cmd: Command,
        resolved: Resolved,
        decision: Decision,
        purpose: str,
        output: Output | None,
    ) -> Event:
        payload = None if output is None else canonical_json(_jsonable(output.data))
        return command_event(
            Tag.GATE_ACCOUNT_WRITE if cmd.access == Access.WRITE else Tag.GATE_ACCOUNT_READ,
            actor=f"staff:{session.staff_id}",
            command=cmd.code,
            decision=AuditDecision.PERMIT if decision.permitted else AuditDecision.DENY,
            at=self.clock.now(),
            taxpayer=None if resolved.taxpayer_id is None else f"taxpayer:{resolved.taxpayer_id}",
            categories=sorted(output.categories or cmd.categories) if output else (),
            rows=None if output is None else output.rows,
            payload=payload,
            policy_hash=decision.policy_hash,
            facts=decision.facts_hash.encode() or None,
            outcome=Outcome.OK,
            session=session.session_id,
            terminal=session.terminal,
            purpose=purpose or None,
            grant_id=None if decision.grant_id is None else str(decision.grant_id),
            sealed={
                "reasons": [[r.policy_id, r.text] for r in decision.reasons],
                "module_id": resolved.module_id,
            },
        )

    def _alert_break_glass(
        self, conn: Connection, slice_: Slice, decision: Decision, index: int
    ) -> None:
        used = _break_glass(slice_, decision)
        if used is None:
            return
        conn.execute(
            insert(oversight_queue).values(
                kind="break_glass_use",
                staff_id=slice_.principal.id,
                taxpayer_id=slice_.target.taxpayer_id,
                grant_id=used.id,
                audit_index=index,
                summary=f"{slice_.command.code} under break-glass grant {used.id}",
                created_at=self.clock.now(),
                open=True,
            )
        )


def _break_glass(slice_: Slice, decision: Decision) -> Grant | None:
    """The break-glass grant the decision was made under, if it was."""
    used = next((g for g in slice_.grants if g.id == decision.grant_id), None)
    return used if used is not None and used.kind == GrantKind.BREAK_GLASS else None


def _jsonable(value: Any) -> Any:
    """Reduce command output to the canonical JSON domain (dates as ISO text)."""
    kind = type(value)  # exact built-in scalars first: they are most of any payload
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


__all__ = [
    "REFUSAL",
    "Gate",
    "Output",
    "Permitted",
    "Refused",
    "Resolved",
    "Session",
    "Subject",
    "facts_hash",
]
