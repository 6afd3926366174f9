"""ImapSource against a tiny in-process IMAP server (tests/lavs/fake_imap.py), through the
real imaplib, so the protocol exchange itself is exercised. Plain TCP only: TLS setup is
imaplib's own and not tested here."""
import socket

import pytest

from cki.meldingen.lavs import ImapSource, MailSourceError, RawMail, xml_attachments
from tests.lavs.fake_imap import FakeImapServer, Mailbox
from tests.lavs.helpers import example

EML = example("startmelding.eml")


@pytest.fixture
def box():
    return Mailbox()


@pytest.fixture
def server(box):
    with FakeImapServer(box) as server:
        yield server


def source_for(server, box, **overrides) -> ImapSource:
    settings = {"host": "127.0.0.1", "port": server.port, "user": box.user, "password": box.password,
                "folder": box.folder, "ssl": False, "timeout": 5} | overrides
    return ImapSource(**settings)


def test_fetch_peeks_and_mark_done_sets_seen(server, box):
    first, read, second = box.deliver(EML), box.deliver(b"Subject: al gelezen\r\n\r\n", "\\Seen"), box.deliver(EML)
    with source_for(server, box) as source:
        fetched = list(source.fetch())
        assert fetched == [RawMail(f"42:{first}", EML), RawMail(f"42:{second}", EML)]
        assert xml_attachments(fetched[0].data)[0][1] == example("startmelding.xml")
        assert not box.seen(first) and not box.seen(second)  # reading alone marks nothing
        source.mark_done(fetched[0].key)
    assert box.seen(first) and not box.seen(second)
    assert box.seen(read)
    with source_for(server, box) as source:
        assert [m.key for m in source.fetch()] == [f"42:{second}"]


def test_a_crash_before_mark_done_loses_nothing(server, box):
    uid = box.deliver(EML)
    source = source_for(server, box)
    assert [m.key for m in source.fetch()] == [f"42:{uid}"]
    source.close()  # "crash": never confirmed
    with source_for(server, box) as again:
        assert [m.key for m in again.fetch()] == [f"42:{uid}"]


def test_mark_done_reconnects_after_close(server, box):
    uid = box.deliver(EML)
    source = source_for(server, box)
    (mail,) = source.fetch()
    source.close()
    source.mark_done(mail.key)
    source.close()
    assert box.seen(uid)


def test_renumbered_folder_marks_nothing(server, box):
    uid = box.deliver(EML)
    source = source_for(server, box)
    (mail,) = source.fetch()
    source.close()
    box.uidvalidity = 43  # the server renumbered the folder; uid may now be another message
    with pytest.raises(MailSourceError, match="hernummerd"):
        source.mark_done(mail.key)
    source.close()
    assert not box.seen(uid)


def test_empty_folder(server, box):
    with source_for(server, box) as source:
        assert list(source.fetch()) == []


def test_wrong_password(server, box):
    source = source_for(server, box, password="fout")
    with pytest.raises(MailSourceError, match="Aanmelden bij de IMAP-server 127.0.0.1:.* is mislukt"):
        list(source.fetch())
    assert "fout" not in repr(source)


def test_unknown_folder(server, box):
    with pytest.raises(MailSourceError, match="De IMAP-map Elders kan niet worden geopend"):
        list(source_for(server, box, folder="Elders").fetch())


def test_no_server():
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MailSourceError, match="Geen verbinding met de IMAP-server"):
        list(ImapSource("127.0.0.1", port, "u", "p", "INBOX", ssl=False, timeout=2).fetch())


def test_folder_name_must_be_ascii():
    with pytest.raises(MailSourceError, match="ASCII"):
        ImapSource("127.0.0.1", 993, "u", "p", "Meldingen—LAVS")
