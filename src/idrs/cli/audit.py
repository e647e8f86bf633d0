"""``idrs audit``: verify the stored log, print proofs and checkpoints, export ranges.

The log is a Privacy Act record of who looked at whom: every command but ``key`` (the public
verifier key) needs a signed-on security officer or oversight reviewer, and each use is itself
an audit entry. Proofs print in the JSON the offline verifier
(``python -m idrs.audit.verify proof``) reads, so what this prints can be checked elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from idrs.audit import store_proofs
from idrs.audit.check import verify_store
from idrs.audit.checkpoints import (
    checkpoint_at,
    checkpoint_now,
    latest_checkpoint,
    verifier_key_text,
)
from idrs.audit.events import AuditError, Tag, system_event
from idrs.audit.export import export_to_file
from idrs.audit.log import append
from idrs.cli._context import Context
from idrs.cli._context import context as _make_context

app = typer.Typer(no_args_is_help=True, help="Check and prove the audit log.")


@contextmanager
def context(question: str | None) -> Iterator[Context]:
    """The CLI context, with its engine's connections closed when the command ends; with a
    ``question``, only for a signed-on security officer or oversight reviewer (audited)."""
    ctx = _make_context()
    try:
        if question is not None:
            from idrs.access.oversight import Oversight
            from idrs.auth.session_file import load_cli_session

            asker = load_cli_session(ctx).staff_id
            Oversight(ctx.engine, ctx.keyring, ctx.clock).authorise(asker, question)
        yield ctx
    finally:
        if "engine" in ctx.__dict__:
            ctx.engine.dispose()


class AuditVerifyFailed(AuditError):
    """``idrs audit verify`` found problems (they are printed above this line)."""


@app.command()
def verify(
    witness: Path | None = typer.Option(
        None, help="Witness checkpoint file (default: IDRS_CHECKPOINT_FILE)."
    ),
    key: Path | None = typer.Option(
        None, help="Verifier key file to check signatures with (default: from the keyring)."
    ),
) -> None:
    """Recompute the whole tree and check nodes, checkpoints and the witness."""
    with context("verify") as ctx:
        verifier = key.read_text(encoding="utf-8") if key is not None else ctx.keyring
        report = verify_store(ctx.engine, verifier, witness or ctx.settings.checkpoint_path)
    for line in report.lines():
        typer.echo(line)
    if not report.ok:
        raise AuditVerifyFailed(
            f"audit verify: {report.problem_count} problem(s), first affected index "
            f"{report.first_index}"
        )


@app.command()
def prove(
    index: int = typer.Option(..., "--index", help="Leaf index of the entry."),
    size: int | None = typer.Option(
        None, "--size", help="Tree size (default: the latest checkpoint)."
    ),
    entry_out: Path | None = typer.Option(None, help="Also write the entry's leaf bytes here."),
    checkpoint_out: Path | None = typer.Option(
        None, help="Also write the signed checkpoint for this size here."
    ),
) -> None:
    """Print an inclusion proof as {"index", "tree_size", "hashes"}."""
    with context("prove") as ctx, ctx.engine.connect() as conn:
        cp = latest_checkpoint(conn) if size is None else checkpoint_at(conn, size)
        if size is None:
            if cp is None or cp.size <= index:
                raise AuditError(
                    f"audit: no checkpoint covers index {index} yet; run `idrs audit checkpoint`"
                )
            size = cp.size
        proof = store_proofs.inclusion_proof(conn, index, size)
        leaf = store_proofs.leaf_at(conn, index)
    if checkpoint_out is not None:
        if cp is None:
            raise AuditError(f"audit: no signed checkpoint at size {size}")
        checkpoint_out.write_text(cp.note, encoding="utf-8")
    if entry_out is not None:
        entry_out.write_bytes(leaf)
    doc = {"index": index, "tree_size": size, "hashes": [h.hex() for h in proof]}
    typer.echo(json.dumps(doc))


@app.command()
def consistency(
    old: int = typer.Option(..., "--from", help="Earlier tree size."),
    new: int | None = typer.Option(
        None, "--to", help="Later tree size (default: the latest checkpoint)."
    ),
) -> None:
    """Print a consistency proof as {"from_size", "tree_size", "hashes"}."""
    with context("consistency") as ctx, ctx.engine.connect() as conn:
        if new is None:
            cp = latest_checkpoint(conn)
            new = store_proofs.tree_size(conn) if cp is None else cp.size
        proof = store_proofs.consistency_proof(conn, old, new)
    doc = {"from_size": old, "tree_size": new, "hashes": [h.hex() for h in proof]}
    typer.echo(json.dumps(doc))


@app.command()
def checkpoint() -> None:
    """Issue a signed checkpoint now, update the witness file, print the note."""
    with context("checkpoint") as ctx:
        cp = checkpoint_now(ctx.engine, ctx.keyring, ctx.clock, ctx.settings.checkpoint_path)
    typer.echo(cp.note, nl=False)


@app.command()
def key() -> None:
    """Print the log's verifier key (C2SP note format)."""
    with context(None) as ctx:
        typer.echo(verifier_key_text(ctx.keyring))


@app.command()
def export(
    first: int = typer.Option(0, "--from", help="First index (inclusive)."),
    end: int | None = typer.Option(
        None, "--to", help="End index (exclusive; default: the latest checkpoint's size)."
    ),
    out: Path = typer.Option(..., "--out", help="Output file (JSON Lines)."),
    consistency_from: int | None = typer.Option(
        None, help="Add a consistency proof from the stored checkpoint of this size."
    ),
) -> None:
    """Write entries with inclusion proofs against the latest checkpoint (export format v1)."""
    with context("export") as ctx:
        with ctx.engine.connect() as conn:
            summary = export_to_file(
                conn,
                ctx.keyring.log_name,
                out,
                first=first,
                end=end,
                consistency_from=consistency_from,
            )
        detail = {"from": summary.first, "to": summary.end, "checkpoint": summary.checkpoint_size}
        event = system_event(Tag.AUDIT_LOG_EXPORT, detail, at=ctx.clock.now())
        with ctx.engine.begin() as conn:  # exporting the log is itself an audited event
            append(conn, event, keyring=ctx.keyring)
    typer.echo(
        f"exported entries {summary.first}..{summary.end - 1} with proofs against checkpoint "
        f"size {summary.checkpoint_size} to {out}"
    )
