"""Labels for the codes the app stores (channels, sources, kinds, statuses, timeliness): Dutch,
translated for a reader who chose English.

The codes stay as they are in the database, the API and form values; only the web UI shows
the label, through the Jinja filter ``label`` (``{{ melding.status|label }}``).
A code without a label is shown as it is, never hidden.
"""
from cki.core.i18n import gettext, register_messages

LABELS: dict[str, str] = {
    # How a melding came in (Melding.channel) and who made a version (MeldingRevision.source)
    "email": "e-mail",
    "fax": "fax",
    "portal": "portaal",
    "api": "API",
    "lavs": "LAVS",
    "staff": "medewerker CKI",
    "bulk": "bulkupload",
    "demo": "demo",
    # How a LAVS message was received (InboundLavsMessage.source)
    "upload": "handmatige upload",
    "mailbox": "mailbox",
    "imap": "mailbox (IMAP)",
    "maildir": "mailbox (Maildir)",
    # Kinds: of a LAVS message and of a version of a melding
    "new": "nieuw",
    "change": "wijziging",
    "withdrawal": "intrekking",
    "cancel": "intrekking",
    "link": "koppeling",
    "merge": "samenvoeging",
    "split": "splitsing",
    "approval": "goedkeuring",
    # Status of a melding
    "registered": "geregistreerd",
    "pending_approval": "wacht op goedkeuring",
    "cancelled": "ingetrokken",
    "merged": "samengevoegd",
    # Status of a LAVS message
    "received": "ontvangen",
    "processed": "verwerkt",
    "parked": "geparkeerd",
    "resolved": "opgelost",
    "discarded": "terzijde gelegd",
    # Timeliness of a melding
    "on_time": "op tijd",
    "late_atw_only": "te laat door Atw-dag (waarschuwing)",
    "late": "te laat (LAVS)",
    "calamity": "calamiteit",
    # Outcome of a row in a bulk upload
    "accepted": "aangenomen",
    "repeat": "al bekend",
    "refused": "geweigerd",
}


#: What the event log's actions mean (the history on every page); a domain adds its own with
#: :func:`register` (the dossier events come from the state machine's labels).
LABELS.update({
    "company.created": "Bedrijf geregistreerd",
    "company.updated": "Bedrijfsgegevens gewijzigd",
    "branch.created": "Vestiging toegevoegd",
    "branch.updated": "Vestiging gewijzigd",
    "melding.submitted": "Melding ontvangen",
    "melding.linked": "Zelfde klus opnieuw gemeld (gekoppeld)",
    "melding.changed": "Melding gewijzigd",
    "melding.cancelled": "Melding ingetrokken",
    "melding.calamity_approved": "Calamiteit goedgekeurd",
    "melding.calamity_refused": "Calamiteit afgewezen",
    "melding.looked_at": "Bekeken (planner of teamleider)",
    "melding.merged": "Andere melding samengevoegd met deze",
    "melding.merged_into": "Samengevoegd met een andere melding",
    "melding.split": "Melding gesplitst",
    "melding.split_from": "Afgesplitst van een andere melding",
    "audit.selected": "Locatie gekozen voor een onaangekondigde beoordeling",
    "lavs.parked": "LAVS-bericht geparkeerd",
    "lavs.discarded": "LAVS-bericht terzijde gelegd",
    "logbook.uploaded": "Logboek ontvangen",
    "project_overview.uploaded": "Projectoverzicht ontvangen",
    "project_overview.sampled": "Locaties getrokken voor resultaatgerichte beoordelingen",
    "user.created": "Gebruiker aangemaakt",
    "user.updated": "Gebruiker gewijzigd",
    "user.language_set": "Taal van de pagina's gekozen",
    "qualification.added": "Kwalificatie vastgelegd",
    "token.revoked": "API-token ingetrokken",
    "api_client.created": "API-client aangemaakt",
    "api_client.updated": "API-client gewijzigd",
    "api_client.rotated": "API-client kreeg een nieuw token",
    "cki.calendar_changed": "Eigen sluitingsdagen gewijzigd",
    "dossier.submitted": "Aanvraag geregistreerd",
    "dossier.declaration_recorded": "Verklaring andere CKI's en toestemming vastgelegd",
    "dossier.assessor_assigned": "Beoordelaar toegewezen",
})


def register(labels: dict[str, str]) -> None:
    """Add a domain's labels (codes it stores or logs)."""
    LABELS.update(labels)


def label(code) -> str:
    """The label of ``code`` in the reader's language; an unknown code as it is, ``None`` as ""."""
    if code is None:
        return ""
    text = LABELS.get(str(code))
    return gettext(text) if text else str(code)


register_messages(LABELS.values)
