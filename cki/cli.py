"""Command-line entry points (``flask --app wsgi ...``)."""
import click


def register(app):
    from cki.events.cli import events
    from cki.rules.cli import rules

    app.cli.add_command(rules)
    app.cli.add_command(events)

    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the scheduled jobs in the foreground (exactly one such process)."""
        from cki.jobs.scheduler import run_blocking

        click.echo("Scheduler gestart; Ctrl-C stopt.")
        run_blocking(app)

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
