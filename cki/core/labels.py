"""Dutch labels for the codes the app stores (channels, sources, kinds, statuses, timeliness).

The codes stay as they are in the database, the API and form values; only the web UI shows
the label, through the Jinja filter ``label`` (``{{ melding.status|label }}``).
A code without a label is shown as it is, never hidden.
"""

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


def label(code) -> str:
    """The Dutch label of ``code``; an unknown code as it is, ``None`` as ""."""
    if code is None:
        return ""
    return LABELS.get(str(code), str(code))
