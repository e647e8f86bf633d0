"""``idrs term``: the interactive 24 x 80 terminal (see :mod:`idrs.terminal`).

It takes over the session ``idrs signon`` left, if that is still live, else it asks for
SINON itself (username, password, TOTP code). Leaving it (F3, Ctrl-C, SINOF) signs off.
"""

from __future__ import annotations

import sys

import typer

from idrs.auth.passwords import AuthSettings
from idrs.cli.cmd import closing_context
from idrs.errors import IdrsError


def term(
    terminal: str = typer.Option("TERM", "--terminal", help="Terminal name for the audit log."),
) -> None:
    """Interactive terminal: type command codes on line 1, Enter sends, F3 signs off."""
    from idrs.terminal.host import Host
    from idrs.terminal.state import Machine
    from idrs.terminal.view import build_app

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise IdrsError(
            "idrs term needs an interactive terminal; scripts use idrs cmd",
            field="terminal",
            rule="a TTY",
        )
    with closing_context() as ctx:
        host = Host(ctx.engine, ctx.keyring, ctx.clock, ctx.settings, AuthSettings.from_env(),
                    terminal)  # fmt: skip
        host.take_over_cli_session()
        machine = Machine(host)
        try:
            build_app(machine).run()
        finally:
            machine.sign_off()  # however it ended, the session does not outlive the terminal
    typer.echo(machine.notice)


def register(app: typer.Typer) -> None:
    app.command("term")(term)
