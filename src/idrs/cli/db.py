"""``idrs init``, ``idrs status`` and ``idrs welcome``: set up a database and say what is in it."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, Engine

from idrs.cli._context import Context, context
from idrs.errors import IdrsError
from idrs.store.keyring import Keyring, load_keyring, save_keyring
from idrs.store.migrate import current_revision, head_revision, upgrade
from idrs.store.summary import keyring_fingerprint, meta_value, set_meta, summarise

out = Console(highlight=False, soft_wrap=True)  # a message is one line: no wrapping
SYNTHETIC_BANNER = "SYNTHETIC DATA - NOT REAL TAXPAYER INFORMATION"


def init(
    if_missing: bool = typer.Option(
        False, "--if-missing", help="Succeed quietly when already initialised."
    ),
) -> None:
    """Create the keyring (mode 0600) and bring the database schema to the latest migration."""
    ctx = context()
    path = ctx.settings.keyring_path
    engine = ctx.engine
    was = current_revision(engine)
    if path.exists():
        keyring = load_keyring(path)
        created_keys = False
    elif was is not None:
        raise IdrsError(
            f"init: {ctx.settings.database_url} already exists but its keyring {path} is "
            "missing; restore the keyring (or point IDRS_KEYRING at it) instead of making a new one"
        )
    else:
        keyring = Keyring.generate()
        created_keys = True
    if was == head_revision():
        _check_keyring_matches(engine, keyring)
        if if_missing:
            out.print(f"Database already initialised ({ctx.settings.database_url}).")
            return
        raise IdrsError(
            f"init: {ctx.settings.database_url} is already initialised "
            "(use --if-missing to accept that)"
        )
    if created_keys:
        save_keyring(keyring, path)
    upgrade(engine)
    with engine.begin() as conn:
        stored = meta_value(conn, "keyring_fingerprint")
        if stored is None:
            set_meta(conn, "keyring_fingerprint", keyring_fingerprint(keyring))
        elif stored != keyring_fingerprint(keyring):
            raise IdrsError(
                f"init: {ctx.settings.database_url} was created with another keyring; "
                f"{path} cannot read it"
            )
        _record_init(conn, keyring, created_keys)
    out.print(f"Keyring: {path} ({'created' if created_keys else 'existing'}, mode 0600)")
    out.print(f"Database: {ctx.settings.database_url} (schema {head_revision()})")
    if was is None:
        _bootstrap(ctx)


def _bootstrap(ctx: Context) -> None:
    """The first security officer, with a one-time credential shown here and nowhere else."""
    from idrs.auth.staff_admin import bootstrap_security_officer

    _, password, secret = bootstrap_security_officer(ctx.engine, ctx.keyring, ctx.clock)
    out.print()
    out.print("[bold]First security officer created: sec0[/] (shown once; store it safely)")
    out.print(f"  one-time password: {password}")
    out.print(f"  TOTP secret:       {secret}")
    out.print("  Sign on with `idrs signon sec0`; you will be asked for a new password.")


def _check_keyring_matches(engine: Engine, keyring: Keyring) -> None:
    with engine.connect() as conn:
        stored = meta_value(conn, "keyring_fingerprint")
    if stored is not None and stored != keyring_fingerprint(keyring):
        raise IdrsError("init: this database was created with another keyring (IDRS_KEYRING)")


def _record_init(conn: Connection, keyring: Keyring, created_keys: bool) -> None:
    from idrs.audit.events import system_event
    from idrs.audit.log import append

    append(
        conn,
        system_event("system:db:init", {"keyring_created": created_keys}),
        keyring=keyring,
    )


def status() -> None:
    """Show what this database holds."""
    ctx = context()
    with ctx.engine.connect() as conn:
        s = summarise(conn)
    if s.synthetic:
        out.print(f"[bold yellow]{SYNTHETIC_BANNER}[/]")
    out.print(f"Database: {ctx.settings.database_url}")
    out.print(
        f"Taxpayers: {s.taxpayers:,}  tax modules: {s.modules:,}  posted transactions: "
        f"{s.posted:,}  information returns: {s.information_returns:,}"
    )
    out.print(f"Synthetic population: {s.population_status}")
    if s.staff:
        table = Table("username", "type", "roles", title="Demo staff")
        for username, kind, roles in s.staff:
            table.add_row(username, kind, roles)
        out.print(table)


def welcome() -> None:
    """What ``make run`` prints once the database is ready."""
    status()
    ctx = context()
    out.print()
    demo_file = ctx.settings.keyring_path.parent / "demo-credentials.txt"
    if demo_file.exists():
        out.print(f"Demo sign-ins (one-time passwords; TOTP secrets) from {demo_file}:")
        out.print(demo_file.read_text().rstrip())
        out.print("A TOTP code for a secret (no authenticator app needed for this demo):")
        out.print("""  .venv/bin/python -c "import pyotp; print(pyotp.TOTP('SECRET').now())\"""")
        out.print()
    out.print("Try:")
    out.print("  .venv/bin/idrs signon ra1        sign on (password, then a TOTP code)")
    out.print("  .venv/bin/idrs cmd 'SUMRY TIN'   (as ra1) the demo case named above: its modules")
    out.print("  .venv/bin/idrs cmd 'TXMODA TIN 30 YYYYMM'   one module SUMRY lists")
    out.print("  .venv/bin/idrs term             the 24 x 80 terminal (F3 signs off)")
    out.print("  .venv/bin/idrs cycle run        (as ops1) post pending input: a posting cycle")
    out.print("  .venv/bin/idrs access who-can TIN   (as sec1/ovs1) who can open an account now")
    out.print("  .venv/bin/idrs oversight alerts  (as sec1/ovs1) break-glass awaiting review")
    out.print("  .venv/bin/idrs status            what this database holds")
    out.print("  .venv/bin/idrs audit verify      (as sec1/ovs1) check the audit log")
    out.print("  .venv/bin/idrs audit key         the public key anyone can check proofs with")
    out.print("  .venv/bin/idrs --help            every command")


def demo() -> None:
    """Demo access for a synthetic database: profiles, acknowledgements, service grants, an
    agreement, a case, and one-time credentials for the demo staff (kept in a 0600 file)."""
    from idrs.access.demo import set_up_demo_access
    from idrs.auth.demo import issue_demo_credentials

    ctx = context()
    with ctx.engine.connect() as conn:
        synthetic = meta_value(conn, "synthetic") == "true"
    if not synthetic:
        raise IdrsError("demo: only a synthetic database gets demo access (run idrs synth)")
    case_tin = set_up_demo_access(ctx.engine, ctx.keyring, ctx.clock)
    path = ctx.settings.keyring_path.parent / "demo-credentials.txt"
    if case_tin is not None or not path.exists():
        # the case TIN is known (and its grant audited) only when the access is set up
        notes = (f"ra1 holds the demo EXAM case on TIN {case_tin}",) if case_tin else ()
        issue_demo_credentials(ctx.engine, ctx.keyring, ctx.clock, path, notes)
        out.print(f"Demo access set up; demo sign-ins written to {path} (mode 0600).")
    else:
        out.print("Demo access was already set up.")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("init")(init)
    app.command("status")(status)
    app.command("welcome")(welcome)
