from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

EXAMPLES = Path(__file__).resolve().parents[2] / "cki" / "meldingen" / "lavs" / "examples"


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def replace_once(data: bytes, old: bytes, new: bytes) -> bytes:
    """Edit an example; fail loudly when the example no longer has the text to edit."""
    assert data.count(old) == 1, old
    return data.replace(old, new)


AMS = ZoneInfo("Europe/Amsterdam")
PROJECT = "LAVS-2026-0471185"

# What examples/startmelding.xml holds.
START_FIELDS = {
    "lavs_message_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "lavs_project_id": PROJECT,
    "sent_at": datetime(2026, 11, 30, 14, 2, 11, tzinfo=AMS),
    "inspectorate": "Nederlandse Arbeidsinspectie",
    "cki_name": "Stichting Demo Certificatie Asbest",
    "company_name": "Sloop & Sanering Zuid B.V.",
    "company_kvk": "23456789",
    "certificate_number": "SC-530/2026/0001",
    "permit_holder": "Woonstichting De Kempenpoort",
    "worker_count": 4,
    "street": "Tongelresestraat",
    "house_number": "214",
    "postcode": "5613 DM",
    "place": "Eindhoven",
    "description": (
        "Verwijderen van asbesthoudende golfplaten (ca. 60 m²) van het dak van de berging en van "
        "asbesthoudende kit rond de kozijnen aan de achtergevel, voorafgaand aan renovatie."
    ),
    "melding_type": "Standaard",
    "start": datetime(2026, 12, 7, 7, 30, tzinfo=AMS),
    "end": datetime(2026, 12, 9, 16, 0, tzinfo=AMS),
    "validation_note": (
        "Vrijgavemeting na afloop door een geaccrediteerd laboratorium: visuele inspectie en "
        "luchtmeting volgens NEN 2990."
    ),
    "withdrawal_reason": None,
    "address": "Tongelresestraat 214, 5613 DM Eindhoven",
}
