"""Run one command line through the gate and draw its screen.

Parse (bad input is audited and answered on line 24, nothing read), then ``Gate.request``:
decide, run the command's store work in the gate's transaction, audit, commit, and only then
draw the screen from the committed data. A refusal is the generic ``SECURITY VIOLATION`` with
its reference, whatever the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from idrs.commands.line import Line, mft_operand, period_operand, split_line, tin_operand
from idrs.commands.registry import Request, Spec, Work, spec_for
from idrs.commands.screen import Screen
from idrs.errors import IdrsError, InvalidInput
from idrs.gate import Gate, Output, Refused, Resolved, Session, Subject
from idrs.settings import Settings
from idrs.store.crypto import Vault
from idrs.store.meta import is_synthetic


@dataclass(frozen=True)
class Result:
    """A command's outcome: the screen, its JSON data, and the audit reference."""

    screen: Screen
    data: Mapping[str, Any]
    reference: str
    ok: bool = True
    approval_request: int | None = None
    fields: dict[str, str] = field(default_factory=dict)


def error_message(exc: IdrsError) -> str:
    """The line-24 text: the field and the rule, upper case, never a stack trace."""
    if isinstance(exc, Refused):
        return f"SECURITY VIOLATION - REFERENCE {exc.reference}"
    fld = (exc.field or "").upper()
    rule = (exc.rule or exc.message).upper()
    if not fld or re.search(rf"(?<![\w-]){re.escape(fld)}(?![\w-])", rule):
        return rule
    return f"{fld}: {rule}"


class Terminal:
    """Runs command lines for one signed-on session (``idrs cmd`` and ``idrs term`` share it)."""

    def __init__(self, gate: Gate, session: Session, settings: Settings) -> None:
        self.gate = gate
        self.session = session
        self.settings = settings
        self.vault = Vault(gate.keyring)
        with gate.engine.connect() as conn:
            self.synthetic = is_synthetic(conn)

    def run(self, text: str, purpose: str = "") -> Result:
        """Run one line. Raises :class:`IdrsError` (bad input) or :class:`Refused`; use
        :meth:`screen` to get either as a screen."""
        try:
            line = split_line(text)
            if line.code == "REFAP":
                return self._approve(line, purpose)
            spec = spec_for(line.code)
            if spec is None:
                raise InvalidInput("command", "INVALID COMMAND CODE", line.code)
            request = parse_request(spec, line)
        except IdrsError as exc:
            code = text.strip()[:5]
            self.gate.record_bad_input(self.session, code, exc)
            raise
        subject = Subject(request.tin, request.mft, request.period)

        def runner(conn: Any, resolved: Resolved) -> Output:
            work = Work(
                conn, self.vault, self.gate.clock, self.settings, self.session.staff_id,
                resolved, request, self.gate.keyring,
            )  # fmt: skip
            return spec.run(work)

        permitted = self.gate.request(self.session, spec.code, subject, purpose, runner)
        rendered = spec.render(request, permitted.output.data)
        message = rendered.message
        if permitted.approval_request is not None:
            message = f"{message} - HELD FOR APPROVAL {permitted.approval_request}".strip(" -")
        screen = Screen(
            echo=line.text,
            body=tuple(rendered.body),
            message=message,
            as_of=self.gate.clock.today(),
            synthetic=self.synthetic,
            fields=rendered.fields,
        )
        return Result(
            screen, permitted.output.data, permitted.reference, True,
            permitted.approval_request, rendered.fields,
        )  # fmt: skip

    def _approve(self, line: Line, purpose: str) -> Result:
        """REFAP n [REJECT]: approve (or reject) held request n (maker-checker; ``Gate.approve``
        decides and audits)."""
        ops = line.operands
        if not 1 <= len(ops) <= 2 or not ops[0].isdigit() or ops[1:] not in ((), ("REJECT",)):
            raise InvalidInput("request", "REFAP TAKES THE NUMBER OF THE HELD REQUEST [REJECT]")
        request_id, reject = int(ops[0]), len(ops) == 2
        done = self.gate.approve(self.session, request_id, purpose, reject=reject)
        if reject:
            voided = done.output.data.get("nullified", 0)
            text = f"REQUEST {request_id} REJECTED - {voided} PENDING TRANSACTION(S) NULLIFIED"
        else:
            released = done.output.data.get("released", 0)
            text = f"REQUEST {request_id} APPROVED - {released} PENDING TRANSACTION(S) RELEASED"
        screen = Screen(
            echo=line.text, body=(text,), message=f"REQUEST COMPLETED - {text}",
            as_of=self.gate.clock.today(), synthetic=self.synthetic,
        )  # fmt: skip
        return Result(screen, done.output.data, done.reference, True, request_id)

    def screen(self, text: str, purpose: str = "") -> Result:
        """Like :meth:`run`, but an error or a refusal comes back as a screen with line 24 set."""
        try:
            return self.run(text, purpose)
        except IdrsError as exc:
            reference = exc.reference if isinstance(exc, Refused) else ""
            screen = Screen(
                echo=text.strip(),
                message=error_message(exc),
                as_of=self.gate.clock.today(),
                synthetic=self.synthetic,
            )
            return Result(screen, {"error": error_message(exc)}, reference, ok=False)


def parse_request(spec: Spec, line: Line) -> Request:
    """Check the definer and the positional operands the command takes."""
    if line.definer and line.definer not in spec.definers:
        raise InvalidInput("definer", f"{spec.code} DOES NOT TAKE DEFINER {line.definer}")
    definer = line.definer or spec.definers[:1]
    ops = list(line.operands)
    tin = mft = period = None
    if spec.takes in ("tin", "module", "tin+module?"):
        if not ops:
            raise InvalidInput("TIN", "TIN REQUIRED")
        tin = tin_operand(ops.pop(0))
    if spec.takes == "module" or (spec.takes == "tin+module?" and ops and len(ops[0]) == 2):
        if len(ops) < 2:
            raise InvalidInput("tax_period", "MFT AND TAX PERIOD REQUIRED")
        mft = mft_operand(ops.pop(0))
        period = period_operand(ops.pop(0))
    return Request(line, spec.code, definer, tin, mft, period, tuple(ops), dict(line.fields))
