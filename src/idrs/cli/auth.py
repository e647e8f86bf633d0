"""``idrs signon``, ``signoff``, ``whoami`` and ``idrs staff ...`` (security officers).

Secrets are read with hidden prompts, or from standard input with ``--password-stdin``
("password\\ncode\\n", and a new password as a third line when one is due) so scripts never put
them on a command line. A one-time credential is printed once, for the security officer to
hand over; nothing else ever prints a secret.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from idrs.access.errors import GovernanceError
from idrs.auth.passwords import AuthSettings
from idrs.auth.session_file import (
    SessionRecord,
    load_cli_session,
    read_session_file,
    remove_session_file,
    write_session_file,
)
from idrs.auth.sessions import PasswordChangeRequired, SessionInvalid, sign_off, sign_on
from idrs.auth.staff_admin import IssuedCredential, StaffAdmin, StaffSpec
from idrs.cli._context import Context, closing_context
from idrs.errors import IdrsError, InvalidInput
from idrs.gate import Session
from idrs.store import governance as rows
from idrs.store.governance import employee_number_and_unit

out = Console(highlight=False, soft_wrap=True)  # a message is one line: no wrapping
staff_app = typer.Typer(no_args_is_help=True, add_completion=False)

USERNAME = typer.Option(..., "--username", help="2-32 lower-case letters, digits or -.")
EMPLOYEE_NUMBER = typer.Option(..., "--employee-number", help="10 digits.")
EMPLOYMENT = typer.Option("employee", "--type", help="employee, contractor or detailee.")
UNIT = typer.Option(..., "--unit", help="Unit code, e.g. FIELD.")
ROLES = typer.Option(..., "--role", help="A role; repeat for several.")
MANAGER = typer.Option(None, "--manager", help="The manager's username.")
TIN = typer.Option(None, "--tin", help="Their own TIN, if they are a taxpayer on file.")


def signon(
    username: str = typer.Argument(..., help="Your username."),
    terminal: str = typer.Option("CLI", "--terminal", help="Terminal name for the audit log."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read password, code (and a new password) from stdin."
    ),
) -> None:
    """Sign on: password and TOTP code, then a session file for the commands that follow."""
    cfg = AuthSettings.from_env()
    if password_stdin:
        lines = sys.stdin.read().splitlines()
        if len(lines) < 2:
            raise InvalidInput("stdin", "give the password and the code on two lines")
        password, code, new = lines[0], lines[1].strip(), (lines[2] if len(lines) > 2 else None)
    else:
        password = typer.prompt("PASSWORD", hide_input=True)
        code, new = typer.prompt("CODE", hide_input=True).strip(), None
    with closing_context() as ctx:
        _end_previous(ctx, cfg)

        def attempt(code: str, new: str | None) -> tuple[Session, str]:
            return sign_on(ctx.engine, ctx.keyring, ctx.clock, username, password, code,
                           terminal, new_password=new, settings=cfg)  # fmt: skip

        try:
            session, token = attempt(code, new)
        except PasswordChangeRequired:
            if password_stdin:
                raise IdrsError(
                    "PASSWORD EXPIRED - give a new password as a third line on stdin",
                    field="new_password",
                    rule="required after an issued password",
                ) from None
            new = typer.prompt("NEW PASSWORD", hide_input=True, confirmation_prompt=True)
            session, token = attempt(typer.prompt("CODE", hide_input=True).strip(), new)
        write_session_file(cfg.session_file, SessionRecord(username, session.session_id, token))
        number, unit = _employee(ctx, session.staff_id)
        when = ctx.clock.now().astimezone(ctx.clock.zone).strftime("%m%d%Y %H:%M")
    out.print(f"SIGN ON COMPLETED - {number} - UNIT {unit} - {when}")


def signoff() -> None:
    """End the session and delete the session file."""
    with closing_context() as ctx:
        ended = _end_previous(ctx, AuthSettings.from_env())
    out.print("SIGN OFF COMPLETED" if ended else "Not signed on.")


def whoami() -> None:
    """Who is signed on here, and until when."""
    with closing_context() as ctx:
        session = load_cli_session(ctx, AuthSettings.from_env())
        with ctx.engine.connect() as conn:
            row = rows.staff_row(conn, session.staff_id)
            roles = ", ".join(sorted(rows.roles_of(conn, session.staff_id)))
        number, unit = _employee(ctx, session.staff_id)
    until = session.expires_at.astimezone(ctx.clock.zone).strftime("%m%d%Y %H:%M")
    username = "" if row is None else row.username
    out.print(f"{username} - {number} - UNIT {unit} - roles: {roles}")
    out.print(f"session {session.session_id} on {session.terminal}, ends {until} if idle")


@staff_app.command("create")
def create(
    username: str = USERNAME,
    employee_number: str = EMPLOYEE_NUMBER,
    employment_type: str = EMPLOYMENT,
    unit: str = UNIT,
    role: list[str] = ROLES,
    manager: str | None = MANAGER,
    tin: str | None = TIN,
) -> None:
    """Create a staff account (security officers need propose + approve)."""
    spec = StaffSpec(username, employee_number, employment_type, unit, tuple(role), manager, tin)
    with _admin() as (admin, session):
        _show(admin.create_staff(session.staff_id, spec))


@staff_app.command("propose")
def propose(
    username: str = USERNAME,
    employee_number: str = EMPLOYEE_NUMBER,
    employment_type: str = EMPLOYMENT,
    unit: str = UNIT,
    role: list[str] = ROLES,
    manager: str | None = MANAGER,
    tin: str | None = TIN,
) -> None:
    """Propose an account that a second security officer must approve."""
    spec = StaffSpec(username, employee_number, employment_type, unit, tuple(role), manager, tin)
    with _admin() as (admin, session):
        proposal = admin.propose_staff(session.staff_id, spec)
    out.print(f"Proposal {proposal} recorded; another security officer runs:")
    out.print(f"  idrs staff approve {proposal}")


@staff_app.command("approve")
def approve(
    proposal: int = typer.Argument(..., help="The proposal number."),
    operator: bool = typer.Option(
        False, "--operator", help="Approve as the operator (only while < 2 security officers)."
    ),
) -> None:
    """Approve another security officer's proposal: the account is created."""
    if operator:
        with closing_context() as ctx:
            admin = StaffAdmin(ctx.engine, ctx.keyring, ctx.clock, AuthSettings.from_env())
            _show(admin.approve_as_operator(proposal))
        return
    with _admin() as (admin, session):
        _show(admin.approve_proposal(session.staff_id, proposal))


@staff_app.command("reset")
def reset(username: str = typer.Argument(..., help="Whose credentials.")) -> None:
    """Issue a new one-time password and TOTP secret (unlocks; ends their sessions)."""
    with _admin() as (admin, session):
        _show(admin.reset_credentials(session.staff_id, _staff_id(admin, username)))


@staff_app.command("unlock")
def unlock(username: str = typer.Argument(..., help="Whose profile.")) -> None:
    """Clear a lock-out after failed sign-ons (the password stays)."""
    with _admin() as (admin, session):
        admin.unlock(session.staff_id, _staff_id(admin, username))
    out.print(f"Profile {username} unlocked.")


def register(app: typer.Typer) -> None:
    app.command("signon")(signon)
    app.command("signoff")(signoff)
    app.command("whoami")(whoami)
    app.add_typer(staff_app, name="staff", help="Staff accounts (security officers).")


# -- helpers ----------------------------------------------------------------------------------


@contextmanager
def _admin() -> Iterator[tuple[StaffAdmin, Session]]:
    """Staff administration acting as the signed-on session."""
    cfg = AuthSettings.from_env()
    with closing_context() as ctx:
        session = load_cli_session(ctx, cfg)
        yield StaffAdmin(ctx.engine, ctx.keyring, ctx.clock, cfg), session


def _staff_id(admin: StaffAdmin, username: str) -> int:
    with admin.engine.connect() as conn:
        found = rows.staff_id_for_username(conn, username)
    if found is None:
        raise GovernanceError("username", "no staff member with this username")
    return found


def _end_previous(ctx: Context, cfg: AuthSettings) -> bool:
    """Sign off the session in the file, if any, and delete the file; True if there was one."""
    record = read_session_file(cfg.session_file)
    if record is None:
        return False
    # already ended (lapsed, reset, or another database): nothing left to end
    with contextlib.suppress(SessionInvalid):
        sign_off(ctx.engine, ctx.keyring, ctx.clock, record.token, settings=cfg)
    remove_session_file(cfg.session_file)
    return True


def _employee(ctx: Context, staff_id: int) -> tuple[str, str]:
    with ctx.engine.connect() as conn:
        return employee_number_and_unit(conn, staff_id)


def _show(cred: IssuedCredential) -> None:
    """The one time a credential is shown: plain text, no markup, for the officer to hand over."""
    typer.echo(f"Staff member {cred.username} (staff id {cred.staff_id}): credential issued.")
    typer.echo(f"ONE-TIME PASSWORD: {cred.password}   (must be changed at first sign-on)")
    typer.echo(f"TOTP SECRET:       {cred.totp_secret}")
    typer.echo(f"TOTP URI:          {cred.provisioning_uri}")
    typer.echo("Hand these over in person; they are not shown again.")
