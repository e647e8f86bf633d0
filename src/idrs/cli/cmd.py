"""``idrs cmd LINE``: run one command code as the signed-on user, for scripts.

Why exit codes rather than parsing text: a script needs to tell "not allowed" (3) from "typed
it wrong" (2) from "not signed on" (4) without reading messages. A refusal prints only the
generic ``SECURITY VIOLATION - REFERENCE n`` (the reason is for oversight, via ``idrs access
explain``); bad input prints the line-24 message naming the field and the rule. The screen
goes to standard output as plain text (all pages, or ``--page N``) or as JSON (``--json``).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer

from idrs.auth.passwords import AuthSettings
from idrs.auth.session_file import NotSignedOn, load_cli_session
from idrs.cli._context import closing_context
from idrs.commands.run import Result, Terminal, error_message
from idrs.errors import IdrsError
from idrs.gate import Gate, Refused

EXIT_INPUT, EXIT_REFUSED, EXIT_NOT_SIGNED_ON = 2, 3, 4


def cmd(
    line: str = typer.Argument(..., help='One command line, e.g. "TXMODA123-45-6789 30 202312".'),
    as_json: bool = typer.Option(False, "--json", help="Print the reference, data and message."),
    page: int | None = typer.Option(None, "--page", min=1, help="Print only this page."),
    purpose: str = typer.Option("", "--purpose", help="Why (kept with the audit record)."),
) -> None:
    """Run one command code (TXMOD, SUMRY, INTST, ...) and print its screen."""
    with closing_context() as ctx:
        try:
            session = load_cli_session(ctx, AuthSettings.from_env())
        except NotSignedOn as exc:
            _fail(exc.message, EXIT_NOT_SIGNED_ON, as_json)
        terminal = Terminal(Gate(ctx.engine, ctx.keyring, ctx.clock), session, ctx.settings)
        try:
            result = terminal.run(line, purpose)
        except Refused as exc:
            _fail(error_message(exc), EXIT_REFUSED, as_json, exc.reference)
        except IdrsError as exc:
            _fail(error_message(exc), EXIT_INPUT, as_json)
    if as_json:
        typer.echo(json.dumps(_payload(result), default=str))
        return
    if page is not None and page > result.screen.page_count:
        _fail(f"PAGE: THE SCREEN HAS {result.screen.page_count} PAGE(S)", EXIT_INPUT, False)
    typer.echo(result.screen.text(page))


def _payload(result: Result) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "reference": result.reference,
        "data": dict(result.data),
        "message": result.screen.message,
        "approval_request": result.approval_request,
        "fields": result.fields,
    }


def _fail(message: str, code: int, as_json: bool, reference: str = "") -> NoReturn:
    """One line on standard error (and the JSON on standard output), then exit ``code``."""
    if as_json:
        typer.echo(json.dumps({"ok": False, "reference": reference, "data": {},
                               "message": message, "approval_request": None}))  # fmt: skip
    typer.echo(message, err=True)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("cmd")(cmd)
