"""LAVS e-mails: find the XML attachment, and read them from a mailbox.

A mail source hands out raw messages and forgets one only when the caller says it is
stored (``mark_done``). A crash between the two means the message is handed out again,
never lost; the intake recognises a repeat by its LAVS message id. Nothing is deleted.
"""
from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import mailbox
import os
from collections.abc import Iterator
from email.parser import BytesHeaderParser
from pathlib import Path
from ssl import SSLContext, create_default_context
from typing import Final, NamedTuple, Protocol, Self

from cki.core.files import safe_filename
from cki.meldingen.lavs.parser import LavsParseError
from workflows.text import Message, sentence

# The usual limit of mail servers. A LAVS e-mail is far smaller; a bigger one did not come
# from LAVS and is refused before the stdlib parser holds several copies of it in memory.
MAX_MAIL_BYTES: Final = 25 * 1024 * 1024

_XML_TYPES: Final = frozenset({"application/xml", "text/xml"})


class LavsMailError(LavsParseError):
    """The e-mail cannot be used (no XML attachment, too large). Reason in Dutch."""


class MailSourceError(Exception):
    """The mailbox cannot be read or updated. Reason in Dutch; the cause is chained."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class RawMail(NamedTuple):
    key: str  # pass to mark_done once the message is stored
    data: bytes  # the message exactly as received (RFC 822)


class MailSource(Protocol):
    def fetch(self) -> Iterator[RawMail]:
        """Messages not yet marked done, oldest first."""

    def mark_done(self, key: str) -> None:
        """Call only after the message is stored: from then on fetch skips it."""

    def close(self) -> None: ...


def xml_attachments(raw_bytes: bytes) -> list[tuple[str, bytes]]:
    """The XML parts of an e-mail as (file name, bytes); raises LavsMailError when there is none.

    A part counts as XML by its content type or by a ``.xml`` file name, because mail
    programs often label attachments application/octet-stream. Forwarded messages
    (message/rfc822) are searched too.
    """
    message = email.message_from_bytes(_checked(raw_bytes), policy=email.policy.default)
    found: list[tuple[str, bytes]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        content_type = part.get_content_type()
        is_xml = (
            content_type in _XML_TYPES
            or content_type.endswith("+xml")
            or (filename or "").lower().endswith(".xml")
        )
        if is_xml:
            payload = part.get_payload(decode=True) or b""
            found.append((safe_filename(filename, f"bijlage-{len(found) + 1}.xml"), payload))
    if not found:
        raise LavsMailError(Message("De e-mail bevat geen XML-bijlage; er is dus geen LAVS-melding uit te lezen."))
    return found


def message_id(raw_bytes: bytes) -> str | None:
    """The Message-ID header as written (angle brackets included), or None. Reads only the
    headers, so it also works for a mail that is refused as too large (to log it)."""
    headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw_bytes)
    value = headers["Message-ID"]
    return (str(value).strip() or None) if value is not None else None


def _checked(raw_bytes: bytes) -> bytes:
    if len(raw_bytes) > MAX_MAIL_BYTES:
        megabytes = len(raw_bytes) // (1024 * 1024)
        raise LavsMailError(Message("De e-mail is te groot (%(mb)s MB) om een LAVS-melding te zijn.", mb=megabytes))
    return raw_bytes


class MaildirSource:
    """A Maildir (as delivered by e.g. Postfix or Dovecot) dedicated to LAVS e-mails.

    A message is pending while it has no Seen flag, in new/ or in cur/ (an IMAP server
    moves unread mail to cur/ as soon as a client looks). ``mark_done`` renames the file
    into cur/ with the Seen flag; the message itself stays.
    """

    DONE_FLAG: Final = "S"

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False):
        self.path = Path(path)
        try:
            # Only to open or create the maildir: listing and flagging work on the file names
            # (see mark_done), which also keeps a poll from reading every processed message.
            mailbox.Maildir(self.path, factory=None, create=create)
        except mailbox.NoSuchMailboxError:
            raise MailSourceError(f"De maildir {self.path} bestaat niet.") from None
        for subdir in ("new", "cur", "tmp"):
            if not (self.path / subdir).is_dir():
                raise MailSourceError(f"{self.path} is geen maildir: de map {subdir}/ ontbreekt.")
        self._colon = mailbox.Maildir.colon
        self._files: dict[str, Path] = {}

    def fetch(self) -> Iterator[RawMail]:
        self._files = self._pending()
        for key, file in list(self._files.items()):  # mark_done may run between yields
            try:
                data = file.read_bytes()
            except FileNotFoundError:
                continue  # taken by another process since the listing
            yield RawMail(key, data)

    def mark_done(self, key: str) -> None:
        # The rename is atomic and keeps the stored bytes exactly as received; the 3.11
        # mailbox API can only change flags by rewriting the whole message.
        file = self._files.get(key) or self._find(key)
        try:
            self._rename_done(key, file)
        except FileNotFoundError:
            self._rename_done(key, self._find(key))  # moved meanwhile (e.g. new/ -> cur/ by Dovecot)
        self._files.pop(key, None)

    def close(self) -> None:
        self._files = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _split(self, name: str) -> tuple[str, str]:
        """Maildir file name -> (key, flags)."""
        key, _, info = name.partition(self._colon)
        return key, info[2:] if info.startswith("2,") else ""

    def _entries(self) -> Iterator[tuple[str, str, os.DirEntry[str]]]:
        for subdir in ("new", "cur"):
            with os.scandir(self.path / subdir) as entries:
                for entry in entries:
                    if entry.name.startswith(".") or not entry.is_file():
                        continue
                    key, flags = self._split(entry.name)
                    yield key, flags, entry

    def _pending(self) -> dict[str, Path]:
        pending = []
        for key, flags, entry in self._entries():
            if self.DONE_FLAG in flags:
                continue
            try:
                delivered = entry.stat().st_mtime_ns  # the file is written once, at delivery
            except FileNotFoundError:
                continue  # moved meanwhile; the next fetch finds it in its new place
            pending.append((delivered, key, Path(entry.path)))
        # Oldest first. Names alone do not sort in time: deliverers do not zero-pad the
        # microseconds in them.
        pending.sort()
        return {key: file for _, key, file in pending}

    def _find(self, key: str) -> Path:
        for found_key, _, entry in self._entries():
            if found_key == key:
                return Path(entry.path)
        raise KeyError(key)

    def _rename_done(self, key: str, file: Path) -> None:
        _, flags = self._split(file.name)
        flags = "".join(sorted(set(flags) | {self.DONE_FLAG}))  # the Maildir spec wants them sorted
        file.rename(self.path / "cur" / f"{key}{self._colon}2,{flags}")


class ImapSource:
    """An IMAP folder dedicated to LAVS e-mails. Pending means UNSEEN.

    Messages are fetched with BODY.PEEK so that reading does not set \\Seen; only
    ``mark_done`` does. Keys carry the folder's UIDVALIDITY, so a key never marks another
    message after the server renumbered the folder. Not thread-safe: one source per worker.
    ``ssl=False`` means a plain connection and is meant for a server on localhost only.
    """

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        folder: str = "INBOX",
        ssl: bool = True,
        *,
        timeout: float = 30.0,
        ssl_context: SSLContext | None = None,
    ):
        if not folder.isascii():
            # IMAP needs modified UTF-7 for such names; not worth supporting for one dedicated folder.
            raise MailSourceError("Gebruik een IMAP-map met alleen ASCII-tekens in de naam.")
        self.host, self.port, self.user, self.folder = host, port, user, folder
        self._password = password
        self._ssl = ssl
        self._ssl_context = ssl_context
        self._timeout = timeout
        self._conn: imaplib.IMAP4 | None = None
        self._uidvalidity: str | None = None

    def __repr__(self) -> str:  # no password in logs
        return f"ImapSource({self.user}@{self.host}:{self.port}/{self.folder})"

    def fetch(self) -> Iterator[RawMail]:
        conn = self._connection()
        found = self._uid(conn, "SEARCH", "UNSEEN")
        for uid in b" ".join(item for item in found if item).split():
            data = self._uid(conn, "FETCH", uid.decode(), "(BODY.PEEK[])")
            body = next((item[1] for item in data if isinstance(item, tuple)), None)
            if body is None:
                continue  # expunged since the search
            yield RawMail(f"{self._uidvalidity}:{uid.decode()}", body)

    def mark_done(self, key: str) -> None:
        uidvalidity, _, uid = key.rpartition(":")
        conn = self._connection()
        if uidvalidity != self._uidvalidity:
            raise MailSourceError(
                f"De IMAP-map {self.folder} is hernummerd (UIDVALIDITY); het bericht wordt opnieuw opgehaald."
            )
        self._uid(conn, "STORE", uid, "+FLAGS", "(\\Seen)")

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.logout()
            except (OSError, imaplib.IMAP4.error):
                _shutdown(conn)  # the server went away first; just release the socket

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _connection(self) -> imaplib.IMAP4:
        if self._conn is not None:
            return self._conn
        where = f"{self.host}:{self.port}"
        try:
            if self._ssl:
                context = self._ssl_context or create_default_context()
                conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=self._timeout)
            else:
                conn = imaplib.IMAP4(self.host, self.port, timeout=self._timeout)
        except OSError as exc:
            raise MailSourceError(sentence(f"Geen verbinding met de IMAP-server {where}: {exc}")) from exc
        try:
            conn.login(self.user, self._password)
            status, detail = conn.select(_quote(self.folder))
            if status != "OK":
                raise MailSourceError(sentence(f"De IMAP-map {self.folder} kan niet worden geopend: {_decode(detail)}"))
            _, (uidvalidity, *_) = conn.response("UIDVALIDITY")
            if uidvalidity is None:
                raise MailSourceError(f"De IMAP-server {where} meldt geen UIDVALIDITY voor {self.folder}.")
        except (OSError, imaplib.IMAP4.error) as exc:
            _shutdown(conn)
            raise MailSourceError(sentence(f"Aanmelden bij de IMAP-server {where} is mislukt: {exc}")) from exc
        except MailSourceError:
            _shutdown(conn)
            raise
        self._conn, self._uidvalidity = conn, uidvalidity.decode()
        return conn

    def _uid(self, conn: imaplib.IMAP4, command: str, *args: str) -> list:
        try:
            status, data = conn.uid(command, *args)
        except (OSError, imaplib.IMAP4.error) as exc:
            self._conn = None  # broken or confused: reconnect on the next call
            _shutdown(conn)
            raise MailSourceError(sentence(f"IMAP-opdracht UID {command} is mislukt: {exc}")) from exc
        if status != "OK":
            raise MailSourceError(sentence(f"IMAP-opdracht UID {command} is geweigerd: {_decode(data)}"))
        return data


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _decode(data: list) -> str:
    return " ".join(item.decode(errors="replace") if isinstance(item, bytes) else str(item) for item in data if item)


def _shutdown(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown()
