"""Offline verifier for audit-log proofs and exports: ``python -m idrs.audit.verify``.

Why stand-alone: an auditor, an inspector general or a taxpayer's representative must be able
to check what we hand them without trusting our database or our code base. This module
imports only the standard library, ``cryptography`` and the three pure modules
:mod:`idrs.audit.merkle`, :mod:`idrs.audit.checkpoint` and :mod:`idrs.audit.canonical`
(a test enforces it), so it can be copied out and run alone.

Commands (exit 0 = verified, 1 = a check failed, 2 = malformed input; never a traceback)::

    proof  --key KEYFILE --checkpoint CPFILE --entry ENTRYFILE --index N --proof PROOFFILE
    export --key KEYFILE FILE

KEYFILE holds a verifier key (``name+hex8+base64``), CPFILE a signed checkpoint note, ENTRYFILE
the raw leaf bytes, PROOFFILE ``{"index": N, "tree_size": S, "hashes": ["<hex>", ...]}``.

Export format ``idrs-audit-export-v1`` (JSON Lines, UTF-8, one JSON object per line; blank
lines are ignored):

1. header: ``{"format": "idrs-audit-export-v1", "origin": <str>, "from": M, "to": N,
   "checkpoint": "<signed note text>"}`` — the export holds entries ``M <= index < N``
   (half-open), and ``N`` must not exceed the checkpoint's tree size;
2. one line per entry, indexes contiguous and ascending: ``{"index": i, "entry": "<base64 of
   the leaf bytes>", "proof": ["<hex>", ...]}``, the proof being an RFC 9162 inclusion proof of
   leaf ``i`` in the tree of the checkpoint's size;
3. optionally, last: ``{"consistency": {"from_size": P, "proof": ["<hex>", ...]},
   "previous_checkpoint": "<signed note text>"}`` — a consistency proof from an earlier
   checkpoint (same key and origin) to this one, so a reader holding the earlier checkpoint
   knows the log was only appended to.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from idrs.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    Verifier,
    open_checkpoint,
    parse_verifier_key,
)
from idrs.audit.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion

__all__ = [
    "FORMAT",
    "Problem",
    "VerifyReport",
    "consistency_line",
    "entry_line",
    "header_line",
    "main",
    "verify_export",
    "verify_proof",
]

FORMAT = "idrs-audit-export-v1"


@dataclass(frozen=True)
class Problem:
    """One failed check (``malformed`` = input could not be read at all)."""

    message: str
    line: int | None = None
    index: int | None = None
    malformed: bool = False

    def __str__(self) -> str:
        if self.index is not None:
            where = f"index {self.index}" + (f" (line {self.line})" if self.line else "")
            return f"{where}: {self.message}"
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class VerifyReport:
    """Outcome of a verification; ``exit_code`` is what the CLI returns."""

    problems: list[Problem] = field(default_factory=list)
    checkpoint: Checkpoint | None = None
    entries: int = 0
    first: int | None = None
    end: int | None = None
    previous_size: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        if any(p.malformed for p in self.problems):
            return 2
        return 1 if self.problems else 0

    def summary(self) -> str:
        if not self.ok:
            return f"FAILED: {len(self.problems)} problem(s)"
        cp = self.checkpoint
        assert cp is not None
        span = f"indexes {self.first}..{(self.end or 0) - 1}" if self.entries else "no entries"
        text = (
            f"OK: {self.entries} entries ({span}) verified against checkpoint {cp.origin} "
            f"size {cp.size} root {base64.b64encode(cp.root_hash).decode()}"
        )
        if self.previous_size is not None:
            text += f"; consistent with previous checkpoint size {self.previous_size}"
        return text


class _Malformed(ValueError):
    pass


def _obj(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Malformed(f"bad JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise _Malformed("bad JSON (nested too deeply)") from None
    if not isinstance(value, dict):
        raise _Malformed("expected a JSON object")
    return value


def _get(obj: dict[str, object], key: str, kind: type) -> object:
    if key not in obj:
        raise _Malformed(f"field {key!r}: missing")
    value = obj[key]
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _Malformed(f"field {key!r}: must be a non-negative integer")
    elif not isinstance(value, kind):
        raise _Malformed(f"field {key!r}: must be a {kind.__name__}")
    return value


def _int(obj: dict[str, object], key: str) -> int:
    value = _get(obj, key, int)
    assert isinstance(value, int)
    return value


def _str(obj: dict[str, object], key: str) -> str:
    value = _get(obj, key, str)
    assert isinstance(value, str)
    return value


def _hashes(obj: dict[str, object], key: str) -> list[bytes]:
    value = _get(obj, key, list)
    assert isinstance(value, list)
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or any(c not in "0123456789abcdefABCDEF" for c in item):
            raise _Malformed(f"field {key!r}[{i}]: bad hex")
        try:
            out.append(bytes.fromhex(item))
        except ValueError:
            raise _Malformed(f"field {key!r}[{i}]: bad hex") from None
    return out


def _b64(obj: dict[str, object], key: str) -> bytes:
    text = _str(obj, key)
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise _Malformed(f"field {key!r}: bad base64") from None


def header_line(origin: str, first: int, end: int, checkpoint_note: str) -> str:
    """The export header for entries ``first <= index < end`` (no trailing newline)."""
    doc = {"format": FORMAT, "origin": origin, "from": first, "to": end}
    return json.dumps({**doc, "checkpoint": checkpoint_note}, ensure_ascii=False)


def entry_line(index: int, entry: bytes, proof: Sequence[bytes]) -> str:
    """One export entry line (no trailing newline)."""
    encoded = base64.b64encode(entry).decode()
    return json.dumps({"index": index, "entry": encoded, "proof": [h.hex() for h in proof]})


def consistency_line(from_size: int, proof: Sequence[bytes], previous_note: str) -> str:
    """The optional final export line (no trailing newline)."""
    doc = {"from_size": from_size, "proof": [h.hex() for h in proof]}
    return json.dumps({"consistency": doc, "previous_checkpoint": previous_note})


class _ExportChecker:
    def __init__(self, verifier: Verifier) -> None:
        self.verifier = verifier
        self.report = VerifyReport()
        self.checkpoint: Checkpoint | None = None  # only set once its signature verified
        self.header_seen = False
        self.expected: int | None = None
        self.done = False

    def problem(self, message: str, *, line: int, index: int | None = None) -> None:
        self.report.problems.append(Problem(message, line=line, index=index))

    def line(self, number: int, text: str) -> None:
        if not self.header_seen:
            self.header_seen = True
            self.header(number, _obj(text))
        elif self.done:
            raise _Malformed("unexpected line after the consistency proof")
        else:
            obj = _obj(text)
            if "consistency" in obj:
                self.done = True
                self.consistency(number, obj)
            else:
                self.entry(number, obj)

    def header(self, number: int, obj: dict[str, object]) -> None:
        if obj.get("format") != FORMAT:
            raise _Malformed(f"field 'format': expected {FORMAT!r}")
        origin, note = _str(obj, "origin"), _str(obj, "checkpoint")
        first, end = _int(obj, "from"), _int(obj, "to")
        self.report.first, self.report.end, self.expected = first, end, first
        if end < first:
            self.problem(f"header: 'to' ({end}) is below 'from' ({first})", line=number)
        try:
            cp = open_checkpoint(note, self.verifier)
        except CheckpointError as exc:
            self.problem(str(exc), line=number)
            return
        self.checkpoint = self.report.checkpoint = cp
        if cp.origin != origin:
            self.problem(f"header: origin {origin!r} is not the checkpoint's", line=number)
        if end > cp.size:
            self.problem(f"header: 'to' ({end}) exceeds checkpoint size {cp.size}", line=number)

    def entry(self, number: int, obj: dict[str, object]) -> None:
        index = _int(obj, "index")
        if self.expected is not None and index != self.expected:
            self.problem(f"entries: expected index {self.expected}", line=number, index=index)
        self.expected = index + 1
        entry, proof = _b64(obj, "entry"), _hashes(obj, "proof")
        self.report.entries += 1
        if self.checkpoint is None:
            return
        cp = self.checkpoint
        try:
            verify_inclusion(leaf_hash(entry), index, cp.size, proof, cp.root_hash)
        except ProofError as exc:
            self.problem(str(exc), line=number, index=index)

    def consistency(self, number: int, obj: dict[str, object]) -> None:
        inner = _get(obj, "consistency", dict)
        assert isinstance(inner, dict)
        from_size, proof = _int(inner, "from_size"), _hashes(inner, "proof")
        note = _str(obj, "previous_checkpoint")
        try:
            prev = open_checkpoint(note, self.verifier)
        except CheckpointError as exc:
            self.problem(f"previous {exc}", line=number)
            return
        if prev.size != from_size:
            self.problem(
                f"consistency proof: from_size {from_size} is not the previous checkpoint's "
                f"size {prev.size}",
                line=number,
            )
        if self.checkpoint is None:
            return
        if prev.origin != self.checkpoint.origin:
            self.problem("previous checkpoint: different origin", line=number)
        try:
            verify_consistency(
                prev.size, self.checkpoint.size, proof, prev.root_hash, self.checkpoint.root_hash
            )
        except ProofError as exc:
            self.problem(str(exc), line=number)
        else:
            self.report.previous_size = prev.size

    def finish(self, last_line: int) -> VerifyReport:
        r = self.report
        if not self.header_seen:
            r.problems.append(Problem("missing header", line=1, malformed=True))
        elif self.expected is not None and r.end is not None and self.expected != r.end:
            self.problem(f"entries: export ends before index {r.end}", line=last_line)
        return r


def verify_export(lines: Iterable[str | bytes], verifier: Verifier) -> VerifyReport:
    """Check an ``idrs-audit-export-v1`` export (lines as read from the file)."""
    checker = _ExportChecker(verifier)
    number = 0
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if text.strip():
                checker.line(number, text)
        except UnicodeDecodeError:
            checker.report.problems.append(Problem("not valid UTF-8", number, malformed=True))
        except _Malformed as exc:
            checker.report.problems.append(Problem(str(exc), number, malformed=True))
    return checker.finish(number)


def verify_proof(
    note_text: str | bytes, verifier: Verifier, entry: bytes, index: int, proof_json: str
) -> VerifyReport:
    """Check one entry's inclusion proof (the ``proof`` command) against a signed checkpoint."""
    report = VerifyReport()
    try:
        doc = _obj(proof_json)
        p_index, size, hashes = _int(doc, "index"), _int(doc, "tree_size"), _hashes(doc, "hashes")
    except _Malformed as exc:
        report.problems.append(Problem(f"proof file: {exc}", malformed=True))
        return report
    try:
        cp = open_checkpoint(note_text, verifier)
    except CheckpointError as exc:
        report.problems.append(Problem(str(exc)))
        return report
    report.checkpoint, report.first, report.end = cp, index, index + 1
    if p_index != index:
        report.problems.append(Problem(f"proof file: proof is for index {p_index}", index=index))
    if size != cp.size:
        msg = f"proof file: tree_size {size} is not the checkpoint's size {cp.size}"
        report.problems.append(Problem(msg, index=index))
    try:
        verify_inclusion(leaf_hash(entry), index, cp.size, hashes, cp.root_hash)
    except ProofError as exc:
        report.problems.append(Problem(str(exc), index=index))
    report.entries = 1
    return report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m idrs.audit.verify", description="Verify IDRS audit-log proofs offline."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("proof", help="check one entry's inclusion proof against a checkpoint")
    p.add_argument("--key", required=True, type=Path, help="verifier key file")
    p.add_argument("--checkpoint", required=True, type=Path, help="signed checkpoint note")
    p.add_argument("--entry", required=True, type=Path, help="raw entry bytes")
    p.add_argument("--index", required=True, type=int, help="leaf index of the entry")
    p.add_argument("--proof", required=True, type=Path, help="proof JSON file")
    e = sub.add_parser("export", help="check an idrs-audit-export-v1 file")
    e.add_argument("--key", required=True, type=Path, help="verifier key file")
    e.add_argument("file", type=Path, help="export file (JSON Lines)")
    return parser


def _run(args: argparse.Namespace) -> VerifyReport:
    verifier = parse_verifier_key(args.key.read_text(encoding="utf-8"))
    if args.command == "proof":
        proof_text = args.proof.read_bytes().decode("utf-8")
        entry = args.entry.read_bytes()
        return verify_proof(args.checkpoint.read_bytes(), verifier, entry, args.index, proof_text)
    with args.file.open("rb") as f:
        return verify_export(f, verifier)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        report = _run(args)
    except (OSError, UnicodeDecodeError, CheckpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
