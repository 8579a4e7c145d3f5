"""The ``commons call`` commands: load a call from its file, export one to copy it, close
the batches whose deadline has passed."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from commons.transactions import command

call_group = click.Group("call", help="Calls on listed commons (docs/officers.md).")


@call_group.command("load")
@click.argument("path", metavar="FILE.toml", type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Only check the file; create nothing.")
@with_appcontext
@command
def load_command(path, check):
    """Create a call, in draft, from its data file (checked first, every problem listed)."""
    from commons.calls import callfile
    from commons.calls.operations import load_call

    try:
        data = callfile.parse(Path(path).read_text(encoding="utf-8"), name=Path(path).name)
    except callfile.CallFileError as error:
        for problem in error.problems:
            click.echo(f"  ERROR {problem}", err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s): nothing loaded.") from None
    if check:
        click.echo(f"{Path(path).name}: valid ({len(data.batches)} deadlines).")
        return
    call = load_call(data)
    click.echo(f"Call {call.reference} loaded as draft (id {call.id}).")


@call_group.command("export")
@click.argument("call_id", type=int)
@with_appcontext
def export_command(call_id):
    """Print the call's data file (to copy it for the next call)."""
    from commons.calls.callfile import dump
    from commons.calls.models import Call
    from commons.extensions import db

    call = db.session.get(Call, call_id)
    if call is None:
        raise click.ClickException(f"No call has the id {call_id}.")
    click.echo(dump(call), nl=False)


@call_group.command("list")
@with_appcontext
def list_command():
    """The calls, with their state."""
    from commons.calls.models import Call
    from commons.extensions import db

    for call in db.session.scalars(select(Call).order_by(Call.id)):
        click.echo(f"{call.id:>4}  {call.reference:<24} {call.status:<11} {call.title}")


@call_group.command("close")
@with_appcontext
@command
def close_command():
    """Close the batches whose deadline has passed (run it with ``commons tick``)."""
    from commons.calls.models import Call, CallStatus
    from commons.calls.operations import close_batches
    from commons.extensions import db

    for call in db.session.scalars(select(Call).where(Call.status == CallStatus.OPEN)):
        for batch in close_batches(call):
            click.echo(f"{call.reference}: closed {batch.label}")
