"""``flask events ...``: the logs from the command line."""
import click
from flask.cli import AppGroup

events = AppGroup("events", help="Het logboek en het leeslog: verzegelen en ketencontrole.")


@events.command("seal")
def seal_command():
    """Hash-chain every log entry not sealed yet (the scheduler does this every LOG_SEAL_SECONDS)."""
    from cki.events.chain import seal

    click.echo(f"verzegeld: {seal()} regels")


@events.command("verify")
def verify_command():
    """Recompute the hash chains of the event log and the read log, per CKI; report the first
    broken link of each chain (exit code 1 if any is broken) and the entries not sealed yet."""
    from cki.events.chain import verify

    broken = 0
    for report in verify():
        if report.broken is None:
            click.echo(f"in orde: {report.log}, CKI {report.cki_id}: {report.entries} regels")
        else:
            broken += 1
            click.echo(f"GEBROKEN: {report.broken}", err=True)
        if report.unsealed:
            click.echo(f"nog niet verzegeld: {report.log}, CKI {report.cki_id}: {report.unsealed} regels, "
                       f"de oudste van {report.oldest_unsealed:%Y-%m-%d %H:%M:%S} UTC")
    if broken:
        raise SystemExit(1)
