"""``flask rules ...``: the rules engine from the command line."""
from datetime import date

import click

from workflows import rules as engine
from workflows.calendar import CALENDAR_BASIS, OutOfCalendarRange, legal_calendar
from workflows.schemes import SCHEMES, load_scheme


class _Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is geen datum (JJJJ-MM-DD)", param, ctx)


DATE = _Date()
rules = click.Group("rules", help="Werkdagen en schemaregels (dezelfde rekenregels als de API).")


@rules.command("timeline")
@click.argument("scheme", type=click.Choice(SCHEMES))
@click.argument("finding_date", type=DATE)
def timeline(scheme, finding_date):
    """Category A timeline T1–T6 (worst case) from FINDING_DATE."""
    try:
        result = engine.category_a_timeline(load_scheme(scheme, finding_date), finding_date)
    except OutOfCalendarRange as error:
        raise click.BadParameter(str(error), param_hint="FINDING_DATE") from None
    click.echo(f"{result.scheme} categorie A, constatering {finding_date:%Y-%m-%d} ({result.version})")
    click.echo(f"{'stap':4}  {'wie':7}  {'wd':>3}  {'cum':>3}  {'uiterlijk':10}  omschrijving / overgeslagen dagen")
    for step in result.to_dict()["steps"]:
        click.echo(f"{step['step']:4}  {step['actor']:7}  {step['working_days']:>3}  {step['cumulative']:>3}  "
                   f"{step['due']:10}  {step['description']} ({step['source']})")
        if "limit_due" in step:
            click.echo(f"{'':30}uiterste grens: {step['limit_due']} ({step['limit_working_days']} werkdagen)")
        for day in step["skipped"]:
            if day["reason"] not in ("Zaterdag", "Zondag"):
                click.echo(f"{'':30}overgeslagen: {day['date']} {day['reason']}")
    for note in result.to_dict()["notes"]:
        click.echo(f"Noot: {note}")


@rules.command("workday")
@click.argument("day", type=DATE)
def workday(day):
    """Whether DAY is a working day (werkdag), and if not, why."""
    try:
        reason = legal_calendar().reason(day)
    except OutOfCalendarRange as error:
        raise click.BadParameter(str(error), param_hint="DAY") from None
    if reason is None:
        click.echo(f"{day:%Y-%m-%d} is een werkdag.")
    else:
        click.echo(f"{day:%Y-%m-%d} is geen werkdag: {reason}.")
    click.echo(CALENDAR_BASIS)
