"""``idrs access ...`` and ``idrs oversight ...``: grants, cases, details, break-glass, and the
questions oversight asks. Every command acts as the signed-on user (``idrs signon``)."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from idrs.access.governance import Governance
from idrs.access.oversight import Oversight
from idrs.cli._context import Context, context
from idrs.errors import InvalidInput

app = typer.Typer(no_args_is_help=True, help="Grant, end and question access.")
oversight_app = typer.Typer(no_args_is_help=True, help="Alerts awaiting review.")
agreement_app = typer.Typer(no_args_is_help=True, help="Written agreements for details.")
app.add_typer(agreement_app, name="agreement")
out = Console(highlight=False, soft_wrap=True)  # a message is one line: no wrapping


def _acting() -> tuple[Context, int]:
    from idrs.auth.session_file import load_cli_session

    ctx = context()
    return ctx, load_cli_session(ctx).staff_id


def _gov() -> tuple[Governance, int]:
    ctx, me = _acting()
    return Governance(ctx.engine, ctx.keyring, ctx.clock), me


def _oversight() -> tuple[Oversight, int]:
    ctx, me = _acting()
    return Oversight(ctx.engine, ctx.keyring, ctx.clock), me


def _staff_id(ctx: Context, username: str) -> int:
    from idrs.store.governance import staff_id_for_username

    with ctx.engine.connect() as conn:
        found = staff_id_for_username(conn, username)
    if found is None:
        raise InvalidInput("username", "no such staff member", username)
    return found


@app.command("who-can")
def who_can(tin: str, command: str = typer.Option("TXMOD", help="Command to test.")) -> None:
    """Who can open this account right now, and under which grant."""
    ov, me = _oversight()
    masked, holders = ov.who_can(me, tin, command)
    table = Table("user", "grant", "kind", "ends (UTC)", "opens now", "why", title=masked)
    for h in holders:
        table.add_row(h.username, str(h.grant_id), h.kind, f"{h.ends:%Y-%m-%d %H:%M}",
                      "yes" if h.opens_now else "no", h.why)  # fmt: skip
    out.print(table if holders else f"{masked}: nobody holds a live grant")


@app.command("what-can")
def what_can(username: str) -> None:
    """What this user could open right now."""
    ov, me = _oversight()
    rows = ov.what_can(me, username)
    table = Table("grant", "kind", "taxpayer / job", "ends (UTC)", title=username)
    for grant_id, kind, what, ends in rows:
        table.add_row(str(grant_id), kind, what, f"{ends:%Y-%m-%d %H:%M}")
    out.print(table if rows else f"{username} holds no live grant")


@app.command("explain")
def explain(reference: str) -> None:
    """Why a request was decided as it was (the reference a refusal showed)."""
    ov, me = _oversight()
    got = ov.explain(me, reference)
    out.print(f"Reference {got.reference}: {got.tag} {got.command or ''} -> {got.decision}")
    if got.grant_id:
        out.print(f"Grant used: {got.grant_id}")
    for policy_id, text in got.reasons:
        out.print(f"  [{policy_id}] {text}")


@app.command("assign-case")
def assign_case(
    tin: str,
    to: str = typer.Option(..., help="Username of the assignee."),
    category: str = typer.Option(..., help="Case category, e.g. EXAM, COLL, AUR."),
    mft: int | None = typer.Option(None),
    period: int | None = typer.Option(None, help="Tax period YYYYMM."),
) -> None:
    """Open a case (control base) for a user: the source of case grants."""
    gov, me = _gov()
    case_id, grant_id = gov.assign_case(
        me, _staff_id(context(), to), tin, category, mft=mft, tax_period=period
    )
    out.print(f"Case {case_id} opened for {to}; grant {grant_id}.")


@app.command("close-case")
def close_case(case_id: int) -> None:
    gov, me = _gov()
    gov.close_case(me, case_id)
    out.print(f"Case {case_id} closed; its grants are revoked.")


@app.command("contact")
def contact(
    tin: str,
    auth: str = typer.Option(..., help="How the caller was authenticated."),
    caller: str = typer.Option("taxpayer", help="taxpayer or representative"),
    hours: float = typer.Option(2.0, help="At most 4."),
) -> None:
    """Record a taxpayer-initiated contact: a grant for a few hours."""
    gov, me = _gov()
    grant_id = gov.open_contact(me, tin, auth, caller=caller, hours=hours)
    out.print(f"Contact grant {grant_id} for {hours:g} h.")


@app.command("break-glass")
def break_glass(
    tin: str,
    why: str = typer.Option(..., help="A written justification (a real sentence)."),
    minutes: int = typer.Option(60, help="At most 60."),
) -> None:
    """Emergency access: alerted, reviewed, at most one hour, never to a relative's account."""
    gov, me = _gov()
    grant_id = gov.break_glass(me, tin, why, minutes)
    out.print(f"Break-glass grant {grant_id} for {minutes} min. Oversight has been alerted.")


@app.command("detail")
def detail(
    tin: str,
    to: str = typer.Option(..., help="Username of the detailee."),
    agreement: int = typer.Option(..., help="Agreement id."),
    days: int | None = typer.Option(None, help="Shorter than the agreement, if wanted."),
) -> None:
    """A detailee's grant under a written agreement; it never outlives the agreement."""
    gov, me = _gov()
    grant_id = gov.grant_detail(me, _staff_id(context(), to), tin, agreement, days)
    out.print(f"Detail grant {grant_id}.")


@app.command("approve-grant")
def approve_grant(grant_id: int) -> None:
    """Second-level manager approval (employees' and high-profile accounts)."""
    gov, me = _gov()
    gov.approve_second_level(me, grant_id)
    out.print(f"Grant {grant_id} approved at second level.")


@app.command("revoke")
def revoke(grant_id: int, reason: str = typer.Option(...)) -> None:
    gov, me = _gov()
    gov.revoke(me, grant_id, reason)
    out.print(f"Grant {grant_id} revoked.")


@app.command("separate")
def separate(username: str) -> None:
    """Separation: every grant revoked at once, open cases back to the manager."""
    gov, me = _gov()
    count = gov.separate(me, _staff_id(context(), username))
    out.print(f"{username} separated; {count} grant(s) revoked.")


@agreement_app.command("create")
def agreement_create(
    name: str = typer.Option(...),
    parties: str = typer.Option(...),
    authority: str = typer.Option(..., help="Legal authority."),
    purpose: str = typer.Option(...),
    starts: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    commands: str = typer.Option(..., help="Permitted command codes, space-separated."),
    categories: str = typer.Option(..., help="Permitted data categories, space-separated."),
    members: str = typer.Option(..., help="Detailee usernames, space-separated."),
    tins: str = typer.Option("", help="Taxpayers in scope, space-separated."),
    case_types: str = typer.Option("", help="Case types in scope, space-separated."),
    days: int = typer.Option(120, help="Term in days (default 120)."),
) -> None:
    gov, me = _gov()
    ctx = context()
    try:
        first = date.fromisoformat(starts)
    except ValueError as exc:
        raise InvalidInput("starts", "must be YYYY-MM-DD", starts) from exc
    agreement_id = gov.create_agreement(
        me, name=name, parties=parties, legal_authority=authority, purpose=purpose,
        starts_on=first, commands=commands.split(), categories=categories.split(),
        members=[_staff_id(ctx, m) for m in members.split()], taxpayer_tins=tins.split(),
        case_types=case_types.split(), days=days,
    )  # fmt: skip
    out.print(f"Agreement {agreement_id} created for {days} days from {first}.")


@agreement_app.command("renew")
def agreement_renew(agreement_id: int, days: int = typer.Option(120)) -> None:
    gov, me = _gov()
    last = gov.renew_agreement(me, agreement_id, days)
    out.print(f"Agreement {agreement_id} renewed through {last}.")


@agreement_app.command("acknowledge")
def agreement_acknowledge(agreement_id: int) -> None:
    """Sign the agreement's confidentiality acknowledgement (as the signed-on detailee)."""
    gov, me = _gov()
    gov.acknowledge(me, "agreement", agreement_id)
    out.print(f"Acknowledgement of agreement {agreement_id} recorded.")


@oversight_app.command("alerts")
def alerts() -> None:
    """Alerts awaiting review (break-glass)."""
    ov, me = _oversight()
    found = ov.alerts(me)
    table = Table("alert", "kind", "user", "grant", "audit ref", "when (UTC)", "summary")
    for a in found:
        when = f"{a.created_at:%Y-%m-%d %H:%M}"
        ref = str(a.audit_index or "")
        table.add_row(str(a.id), a.kind, a.username, str(a.grant_id or ""), ref, when, a.summary)
    out.print(table if found else "No open alerts.")


@oversight_app.command("review")
def review(alert_id: int, outcome: str = typer.Option(..., help="What the review found.")) -> None:
    ov, me = _oversight()
    ov.review(me, alert_id, outcome)
    out.print(f"Alert {alert_id} reviewed.")


@app.command("approve")
def approve(
    request_id: int,
    purpose: str = typer.Option("", help="Why (for the log)."),
    reject: bool = typer.Option(False, "--reject", help="Reject: the held rows never post."),
) -> None:
    """Approve (or reject) a held refund, abatement or large write (never your own; needs your
    own grant)."""
    from idrs.gate import Gate

    ctx = context()
    from idrs.auth.session_file import load_cli_session

    session = load_cli_session(ctx)
    gate = Gate(ctx.engine, ctx.keyring, ctx.clock)
    done = gate.approve(session, request_id, purpose, reject=reject)
    verb = "rejected" if reject else "approved"
    out.print(f"Approval request {request_id} {verb} (reference {done.reference}).")
