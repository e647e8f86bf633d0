"""``idrs cycle run``: post all pending input as one cycle, as the posting service principal.

The signed-on person (``idrs signon``) must hold the operator role; the run itself goes
through the job runner as ``svc-posting`` (see :mod:`idrs.posting.runner`). Progress shows
per stage; the summary at the end is read back from the database, so a resumed run reports
the whole cycle.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from idrs.cli._context import context
from idrs.domain.money import format_cents
from idrs.domain.periods import Cycle
from idrs.posting.codes import reason

app = typer.Typer(no_args_is_help=True, help="Posting cycles.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True)


def _family(tc: int) -> str:
    return f"{tc // 10}X" if tc >= 10 else f"{tc:03d}"


@app.command("run")
def run(
    cycle: str | None = typer.Option(
        None, "--cycle", help="Daily cycle YYYYCCDD (default: today's)."
    ),
) -> None:
    """Post every pending transaction and entity change of the cycle (resumes if interrupted)."""
    from idrs.auth.session_file import load_cli_session
    from idrs.posting.runner import CycleRunner

    ctx = context()
    try:
        me = load_cli_session(ctx).staff_id
        chosen = Cycle.parse(cycle) if cycle else None
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("posting cycle stages", total=4)

            def tick(name: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=f"stage {name} done")

            runner = CycleRunner(ctx.engine, ctx.keyring, ctx.clock, on_stage=tick)
            report = runner.run(started_by=me, cycle=chosen)
    finally:
        if "engine" in ctx.__dict__:
            ctx.engine.dispose()
    t = report.totals
    note = (
        f" (attempt {report.attempt}, resumed after {report.resumed_after})"
        if (report.attempt > 1 and report.resumed_after)
        else ""
    )
    out.print(f"Cycle {t.cycle} complete{note}.")
    posted = Table("TC family", "posted", title="Posted")
    families: dict[str, int] = {}
    for tc, n in sorted(t.posted_by_tc.items()):
        families[_family(tc)] = families.get(_family(tc), 0) + n
    for fam, n in families.items():
        posted.add_row(fam, f"{n:,}")
    out.print(posted)
    if t.unpostable_by_code:
        ups = Table("code", "unpostables", "reason", title="Unpostables")
        for code, n in sorted(t.unpostable_by_code.items()):
            ups.add_row(str(code), f"{n:,}", reason(code))
        out.print(ups)
    out.print(
        f"posted {sum(t.posted_by_tc.values()):,}, unpostable "
        f"{sum(t.unpostable_by_code.values()):,}, modules changed {t.modules_changed:,}, "
        f"refunds {t.refunds:,} ({format_cents(t.refund_cents)})"
    )
