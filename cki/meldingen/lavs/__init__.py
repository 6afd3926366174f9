"""Intake of LAVS messages: the e-mail LAVS sends a CKI for each start, change or
withdrawal of a melding, with the details in an XML attachment (see README.md).

Typical use by the intake::

    mapping = load_mapping(app.config.get("LAVS_MAPPING_FILE"))
    with MaildirSource(path) as source:
        for mail in source.fetch():
            for filename, xml in xml_attachments(mail.data):   # LavsMailError if none
                message = parse_message(xml, mapping)          # LavsParseError
                ...  # store, recognising repeats by message.message_id
            source.mark_done(mail.key)  # only after the transaction committed
"""
from cki.meldingen.lavs.mail import (
    ImapSource,
    LavsMailError,
    MaildirSource,
    MailSource,
    MailSourceError,
    RawMail,
    message_id,
    xml_attachments,
)
from cki.meldingen.lavs.mapping import (
    DEFAULT_MAPPING_FILE,
    FIELDS,
    KINDS,
    Kind,
    LavsMapping,
    LavsMappingError,
    load_mapping,
    mapping_from_dict,
)
from cki.meldingen.lavs.parser import (
    MAX_MESSAGE_BYTES,
    LavsMessage,
    LavsParseError,
    compose_address,
    parse_message,
)

__all__ = [
    "DEFAULT_MAPPING_FILE",
    "FIELDS",
    "KINDS",
    "MAX_MESSAGE_BYTES",
    "ImapSource",
    "Kind",
    "LavsMailError",
    "LavsMapping",
    "LavsMappingError",
    "LavsMessage",
    "LavsParseError",
    "MailSource",
    "MailSourceError",
    "MaildirSource",
    "RawMail",
    "compose_address",
    "load_mapping",
    "mapping_from_dict",
    "message_id",
    "parse_message",
    "xml_attachments",
]
