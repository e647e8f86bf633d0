"""The ``idrs`` command: a composition root that only lists each package's command group.

Errors a person can cause (:class:`idrs.errors.IdrsError`) print one line naming the field and
the rule and exit 2; nothing else is caught here, so real bugs still show a traceback to us.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from idrs.errors import IdrsError

app = typer.Typer(
    name="idrs",
    help="IDRS: an open Integrated Data Retrieval System (synthetic data only).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _register() -> None:
    from idrs.cli import access, audit, auth, cmd, cycle, db, synth, term

    db.register(app)
    synth.register(app)
    auth.register(app)
    cmd.register(app)
    term.register(app)
    app.add_typer(audit.app, name="audit", help="Check and prove the audit log.")
    app.add_typer(access.app, name="access", help="Grant, end and question access.")
    app.add_typer(access.oversight_app, name="oversight", help="Alerts awaiting review.")
    app.add_typer(cycle.app, name="cycle", help="Posting cycles.")


_register()


def main() -> None:
    try:
        app()
    except IdrsError as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(2)
