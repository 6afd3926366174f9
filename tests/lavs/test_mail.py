"""XML attachments from e-mails, and the Maildir source."""
import mailbox
import os
from email.message import EmailMessage

import pytest

from cki.meldingen.lavs import (
    LavsMailError,
    LavsParseError,
    MaildirSource,
    MailSourceError,
    RawMail,
    message_id,
    parse_message,
    xml_attachments,
)
from cki.meldingen.lavs.mail import MAX_MAIL_BYTES
from tests.lavs.helpers import START_FIELDS, example

EML = example("startmelding.eml")
XML = example("startmelding.xml")


def mail(*attachments: tuple[bytes, str, str, str | None]) -> bytes:
    """An e-mail with the given (content, maintype, subtype, filename) attachments."""
    message = EmailMessage()
    message["From"] = "iemand@voorbeeld.invalid"
    message["Subject"] = "test"
    message.set_content("Zie bijlage.")
    for content, maintype, subtype, filename in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


# --- attachments --------------------------------------------------------------------------------

def test_example_eml_holds_the_example_xml(mapping):
    assert xml_attachments(EML) == [("startmelding-LAVS-2026-0471185.xml", XML)]
    (_, xml), = xml_attachments(EML)
    assert dict(parse_message(xml, mapping).fields) == START_FIELDS


def test_example_eml_is_marked_as_our_own():
    assert b"X-Voorbeeld: zelf gemaakt, geen officieel LAVS-bericht" in EML
    assert "VOORBEELD — zelf gemaakt, geen officieel LAVS-bericht" in EML.decode()


def test_message_id():
    assert message_id(EML) == "<7c9e6679-7425-40de-944b-e07fc1f90ae7@lavs.voorbeeld.invalid>"
    assert message_id(b"Subject: geen id\r\n\r\ntekst\r\n") is None


def test_mail_without_xml_is_an_error_not_ignored():
    with pytest.raises(LavsMailError) as caught:
        xml_attachments(mail((b"%PDF-1.7", "application", "pdf", "melding.pdf")))
    assert caught.value.reason.startswith("De e-mail bevat geen XML-bijlage")
    assert isinstance(caught.value, LavsParseError)  # one except clause covers mail and message


def test_xml_is_recognised_by_type_or_by_name():
    raw = mail(
        (b"<a/>", "application", "octet-stream", "melding.XML"),
        (b"<b/>", "text", "xml", None),
        (b"<c/>", "application", "vnd.lavs+xml", "c.bin"),
        (b"%PDF", "application", "pdf", "bijlage.pdf"),
    )
    assert xml_attachments(raw) == [("melding.XML", b"<a/>"), ("bijlage-2.xml", b"<b/>"), ("c.bin", b"<c/>")]


def test_attachment_names_cannot_point_elsewhere():
    raw = mail((b"<a/>", "application", "xml", "../../etc/cron.d/x.xml"), (b"<b/>", "application", "xml", ".."))
    assert [name for name, _ in xml_attachments(raw)] == ["x.xml", "bijlage-2.xml"]


def test_forwarded_lavs_mail_is_searched():
    forward = EmailMessage()
    forward["Subject"] = "Fwd: LAVS startmelding"
    forward.set_content("Doorgestuurd door de planner.")
    forward.add_attachment(mailbox.Message(EML), filename="origineel.eml")  # message/rfc822
    assert xml_attachments(forward.as_bytes()) == [("startmelding-LAVS-2026-0471185.xml", XML)]


def test_oversized_mail_is_refused():
    with pytest.raises(LavsMailError, match="te groot"):
        xml_attachments(EML + b" " * MAX_MAIL_BYTES)


# --- Maildir ------------------------------------------------------------------------------------

@pytest.fixture
def maildir(tmp_path):
    box = mailbox.Maildir(tmp_path / "lavs", create=True)
    return box, tmp_path / "lavs"


def files(path, subdir):
    return sorted(os.listdir(path / subdir))


def test_maildir_fetch_mark_done_fetch(maildir):
    box, path = maildir
    key = box.add(EML)
    source = MaildirSource(path)

    fetched = list(source.fetch())
    assert fetched == [RawMail(key, EML)]
    source.mark_done(key)

    assert list(source.fetch()) == []
    assert list(MaildirSource(path).fetch()) == []
    assert files(path, "new") == []
    (done,) = files(path, "cur")
    assert done == f"{key}:2,S"
    assert (path / "cur" / done).read_bytes() == EML  # kept, byte for byte


def test_maildir_without_mark_done_hands_the_message_out_again(maildir):
    box, path = maildir
    key = box.add(EML)
    assert [m.key for m in MaildirSource(path).fetch()] == [key]
    # the process died before storing: a new source sees the message again
    assert [m.key for m in MaildirSource(path).fetch()] == [key]


def test_maildir_mark_done_while_iterating(maildir):
    box, path = maildir
    keys = [box.add(EML), box.add(EML)]
    source = MaildirSource(path)
    for raw in source.fetch():
        source.mark_done(raw.key)
    assert sorted(f.split(":")[0] for f in files(path, "cur")) == sorted(keys)
    assert list(source.fetch()) == []


def test_maildir_unread_mail_in_cur_is_still_pending(maildir):
    # Dovecot moves new mail to cur/ without the Seen flag as soon as an IMAP client looks.
    box, path = maildir
    key = box.add(EML)
    (name,) = files(path, "new")
    os.rename(path / "new" / name, path / "cur" / f"{key}:2,F")
    source = MaildirSource(path)
    assert [m.key for m in source.fetch()] == [key]
    source.mark_done(key)
    assert files(path, "cur") == [f"{key}:2,FS"]
    assert list(source.fetch()) == []


def test_maildir_mark_done_after_the_file_moved(maildir):
    box, path = maildir
    key = box.add(EML)
    source = MaildirSource(path)
    list(source.fetch())
    (name,) = files(path, "new")
    os.rename(path / "new" / name, path / "cur" / f"{key}:2,")
    source.mark_done(key)
    assert files(path, "cur") == [f"{key}:2,S"]


def test_maildir_oldest_first(maildir):
    box, path = maildir
    later, earlier = box.add(b"Subject: later\n\n"), box.add(b"Subject: earlier\n\n")
    os.utime(path / "new" / later, ns=(2_000_000_000_000_000_000, 2_000_000_000_000_000_000))
    os.utime(path / "new" / earlier, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    assert [m.key for m in MaildirSource(path).fetch()] == [earlier, later]


def test_maildir_unknown_key(maildir):
    _, path = maildir
    with pytest.raises(KeyError):
        MaildirSource(path).mark_done("bestaat-niet")


def test_maildir_must_exist(tmp_path):
    with pytest.raises(MailSourceError, match="bestaat niet"):
        MaildirSource(tmp_path / "nergens")
    (tmp_path / "gewoon").mkdir()
    with pytest.raises(MailSourceError, match="geen maildir"):
        MaildirSource(tmp_path / "gewoon")
    with MaildirSource(tmp_path / "nieuw", create=True) as source:
        assert list(source.fetch()) == []


def test_message_id_of_an_oversized_mail_can_still_be_logged():
    assert message_id(EML + b" " * MAX_MAIL_BYTES).startswith("<7c9e6679")
