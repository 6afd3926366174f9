"""Many meldingen at once (CSV or JSON, API and portal), each row accepted or refused whole."""
import marshmallow as ma

from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.uploads import check_count, without_blanks
from cki.meldingen import operations
from cki.meldingen.models import job_key
from cki.meldingen.schemas import MeldingInSchema


def submit_many(company, rows: list, *, channel: str) -> dict:
    """Each row accepted or refused whole, with a report per row; one refused row undoes only itself.
    Rows are written in the order of their job (address and start), the report keeps the file's order:
    two uploads of the same jobs at once then wait for each other job by job, never for each other's
    next job (which would be a deadlock), and each job is registered once."""
    schema = MeldingInSchema()
    report: dict[int, dict] = {}
    loaded = []
    for number, raw in enumerate(check_count("meldingen", rows), start=1):
        try:
            loaded.append((number, schema.load(without_blanks(raw) or {})))
        except ma.ValidationError as error:
            report[number] = {"row": number, "status": "refused", "errors": error.messages}
    loaded.sort(key=lambda row: job_key(operations.normalise_postcode(row[1]["postcode"]), row[1]["street"],
                                        row[1]["planned_start"]))
    for number, data in loaded:
        try:
            with db.session.begin_nested():
                key = f"ref:{data['client_reference']}" if data.get("client_reference") else None
                melding, created = operations.submit_melding(company, data, channel=channel, source="bulk",
                                                             idempotency_key=key)
        except DomainError as error:
            report[number] = {"row": number, "status": "refused", "errors": {error.field: [error.message]}}
        else:
            report[number] = {"row": number, "status": "accepted" if created else "repeat",
                              "melding_id": melding.id, "warning": melding.warning}
    ordered = [report[number] for number in sorted(report)]
    counts = {status: sum(1 for row in ordered if row["status"] == status) for status in ("accepted", "repeat", "refused")}
    return {"accepted": counts["accepted"], "repeats": counts["repeat"], "refused": counts["refused"], "rows": ordered}

