"""``flask events ...``: the logs from the command line."""
import click
from flask.cli import AppGroup

events = AppGroup("events", help="Het logboek en het leeslog: ketencontrole.")


@events.command("verify")
def verify_command():
    """Recompute the hash chains of the event log and the read log, per CKI; report the first
    broken link of each chain (exit code 1 if any is broken)."""
    from cki.events.chain import verify

    broken = 0
    for report in verify():
        if report.broken is None:
            click.echo(f"in orde: {report.log}, CKI {report.cki_id}: {report.entries} regels")
        else:
            broken += 1
            click.echo(f"GEBROKEN: {report.broken}", err=True)
    if broken:
        raise SystemExit(1)
