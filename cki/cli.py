"""Command-line entry points (``flask --app wsgi ...``)."""
import click


def register(app):
    from flask.cli import AppGroup

    from cki.events.cli import events
    from cki.rules.cli import rules

    app.cli.add_command(rules)
    app.cli.add_command(events)

    @app.cli.group("i18n")
    def i18n():
        """The English catalog (cki/translations)."""

    @i18n.command("extract")
    def i18n_extract():
        """Bring the English .po up to date with the templates, the code and the labels; list
        what still needs a translation (the tests fail while anything does)."""
        from cki.core.i18n import write_catalog

        untranslated = write_catalog("en")
        for message in untranslated:
            click.echo(f"untranslated: {message!r}")
        click.echo(f"{len(untranslated)} message(s) without an English translation")

    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the scheduled jobs in the foreground (exactly one such process)."""
        from cki.jobs.scheduler import run_blocking

        click.echo("Scheduler gestart; Ctrl-C stopt.")
        run_blocking(app)

    @app.cli.command("sweep")
    @click.option("--now", "now", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Sweep as of this day (default: today), for operators and tests.")
    @click.option("--pause", type=float, default=0.0, hidden=True,
                  help="Seconds to wait before each deadline (tests kill a sweep in the middle).")
    def sweep_command(now, pause):
        """Run the deadline sweep once: remind, flag what is overdue, raise what the rules raise."""
        from cki.jobs.tasks import sweep_deadlines

        result = sweep_deadlines(app, on=now.date() if now else None, pause=pause)
        if not result.ran:
            click.echo("Een andere sweep loopt al; deze doet niets.")
        else:
            click.echo(f"Sweep: {result.seen} termijnen bekeken, {result.reminded} herinneringen, "
                       f"{result.flagged} verlopen.")

    deadlines = AppGroup("deadlines", help="The deadline watch.")
    app.cli.add_command(deadlines)

    @deadlines.command("rebuild")
    def deadlines_rebuild():
        """Write the deadlines of everything open, as each domain computes them now (once, after
        upgrading a database with data from before the deadline watch). Safe to repeat."""
        from flask import g

        from cki.certificates import operations as certificates
        from cki.core.auth import Principal
        from cki.core.db import db
        from cki.dossiers import operations as dossiers
        from cki.findings import operations as findings
        from cki.letters import operations as letters
        from cki.register import operations as register_messages

        g.principal = Principal(cki_id=0, label="systeem (termijnbewaking)")
        counts = {name: domain.track_open() for name, domain in (
            ("dossiers", dossiers), ("certificaten", certificates), ("bevindingen", findings), ("brieven", letters),
            ("registerberichten", register_messages))}  # a certificate's programme follows it (certificates.changed)
        from cki.core.clock import today
        from cki.deadlines import operations as watch

        flagged = watch.mark_past_as_flagged(today())
        db.session.commit()
        click.echo("Termijnen bijgewerkt: " + ", ".join(f"{n} {name}" for name, n in counts.items()) + ".")
        click.echo(f"{flagged} termijn(en) waren al verstreken: gemarkeerd als verlopen, zonder verdere actie "
                   "(zie Termijnen, alles wat verlopen is).")

    register = AppGroup("register", help="The SCA certificate register.")
    app.cli.add_command(register)

    @register.command("reconcile")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--cki", "cki_id", type=int, default=None, help="The CKI (default: the only one).")
    def register_reconcile(path, cki_id):
        """Compare our certificates with a list from the public register (CSV with the columns
        number, holder, status) and print every difference; exit code 1 if there is any."""
        import csv

        from cki.core.db import db
        from cki.register.operations import reconcile
        from cki.tenants.models import Cki

        if cki_id is None:
            ids = db.session.scalars(db.select(Cki.id)).all()
            if len(ids) != 1:
                raise click.UsageError("Geef --cki: er is meer dan één CKI.")
            cki_id = ids[0]
        with open(path, newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(2048)
            handle.seek(0)
            rows = list(csv.DictReader(handle, dialect=csv.Sniffer().sniff(sample, delimiters=",;")))
        found = reconcile(cki_id, rows)
        for line in found:
            click.echo(line)
        click.echo(f"{len(found)} verschil(len).")
        raise SystemExit(1 if found else 0)

    demo = click.Group("demo", help="Demo data for a newcomer to click through.")
    app.cli.add_command(demo)

    @demo.command("load")
    def demo_load():
        """Load the demo CKI, its staff and companies (idempotent); print the logins."""
        from cki.demo import DEMO_PASSWORD, load_demo

        created, logins = load_demo()
        click.echo("Demodata geladen." if created else "Demodata stond er al.")
        click.echo(f"Demo-logins (wachtwoord voor allen: {DEMO_PASSWORD}):")
        for email, what in logins:
            click.echo(f"  {email:32} {what}")
